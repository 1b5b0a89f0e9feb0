//===- ReduceOps.cpp - The Reduce* ops and Hardmax ------------------------===//
//
// Each Reduce* is the reduce particle of its kind, over the axes of the
// layout the input is held in (a spatial mean of an NHWC value reduces H and
// W where they are), so no transpose runs. Axes come from the attribute
// (opsets 13-17) or, for ReduceSum, from its second input.
// MeanVarianceNormalization is built from two reduce_means. Hardmax marks
// the first maximum along its axis from a reduce_max and a running count.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include <algorithm>
#include <numeric>

using nlohmann::json;

namespace sora::onnximport {

static const std::map<std::string, std::string> &reduceKinds() {
  static const std::map<std::string, std::string> kinds = {
      {"ReduceSum", "sum"},
      {"ReduceMean", "mean"},
      {"ReduceMax", "max"},
      {"ReduceMin", "min"},
      {"ReduceProd", "prod"},
      {"ReduceL1", "l1"},
      {"ReduceL2", "l2"},
      {"ReduceSumSquare", "sum_square"},
      {"ReduceLogSumExp", "log_sum_exp"},
      {"ReduceLogSum", "sum"}};
  return kinds;
}

/// `given` axes normalized for `rank` and sorted, or nullopt with `why` (an
/// axis out of range or listed twice).
static std::optional<std::vector<int64_t>>
normalizedAxes(const std::vector<int64_t> &given, int64_t rank,
               std::string &why) {
  std::vector<int64_t> axes;
  for (int64_t axis : given) {
    auto normalized = normalizeAxis(axis, rank);
    if (!normalized) {
      why = "axis " + std::to_string(axis) + " is out of range for rank " +
            std::to_string(rank);
      return std::nullopt;
    }
    axes.push_back(*normalized);
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
    why = "an axis is listed twice";
    return std::nullopt;
  }
  return axes;
}

/// The logical axes a Reduce node reduces (sorted, distinct), or nullopt
/// with `why`.
static std::optional<std::vector<int64_t>>
reducedAxes(const NodeContext &c, int64_t rank, std::string &why) {
  std::vector<int64_t> given;
  bool fromInput = c.node.op_type() == "ReduceSum";
  if (fromInput && c.has(1))
    given = c.constant(1)->ints;
  else if (!fromInput)
    given = c.attrs.getInts("axes", {});
  if (given.empty() &&
      !(fromInput && c.attrs.getInt("noop_with_empty_axes", 0))) {
    given.resize(rank);
    std::iota(given.begin(), given.end(), 0);
  }
  return normalizedAxes(given, rank, why);
}

void checkReduce(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->hasShape)
    return;
  std::string why;
  if (!reducedAxes(c, x->dims.size(), why))
    p.node(c.node, why);
  int64_t keepDims = c.attrs.getInt("keepdims", 1);
  if (keepDims != 0 && keepDims != 1)
    p.node(c.node,
           "keepdims is " + std::to_string(keepDims) + ": it must be 0 or 1");
}

void lowerReduce(const NodeContext &c, GraphBuilder &b) {
  const Held &x = b.get(c.in(0));
  int64_t rank = x.shape.size();
  std::string why;
  std::vector<int64_t> axes = *reducedAxes(c, rank, why);
  if (axes.empty()) { // noop_with_empty_axes
    b.define(c.out(0), x);
    return;
  }
  bool keepDims = c.attrs.getInt("keepdims", 1) != 0;
  // Every axis without keepdims: ONNX's scalar, a rank-0 view of the
  // reduction with its dims kept.
  bool scalar = !keepDims && (int64_t)axes.size() == rank;
  keepDims |= scalar;
  bool keep = x.columns.empty();
  std::string ref = keep ? x.ref : b.plain(c.in(0));
  std::vector<int64_t> perm =
      keep && !x.perm.empty() ? x.perm : identityPerm(rank);
  // Logical axis d is physical axis perm[d].
  std::vector<int64_t> physical;
  for (int64_t axis : axes)
    physical.push_back(perm[axis]);
  std::sort(physical.begin(), physical.end());
  std::vector<int64_t> resultPerm = perm;
  if (!keepDims) {
    // The dims that stay keep their relative order on both sides.
    std::vector<int64_t> staying;
    for (int64_t d = 0; d < rank; ++d)
      if (!std::binary_search(physical.begin(), physical.end(), d))
        staying.push_back(d);
    resultPerm.clear();
    for (int64_t d = 0; d < rank; ++d)
      if (!std::binary_search(axes.begin(), axes.end(), d))
        resultPerm.push_back(
            std::lower_bound(staying.begin(), staying.end(), perm[d]) -
            staying.begin());
  }
  bool logOfSum = c.node.op_type() == "ReduceLogSum";
  std::string reduced =
      b.particle(c.node, logOfSum ? "_sum" : "",
                 "reduce_" + reduceKinds().at(c.node.op_type()), {ref},
                 json{{"axes", physical}, {"keepdims", keepDims}});
  if (logOfSum) // log(sum(x)), as ONNX defines it
    reduced = b.particle(c.node, scalar ? "_log" : "", "log", {reduced});
  if (scalar) {
    reduced = b.particle(c.node, "", "reshape", {reduced},
                         json{{"shape", json::array()}});
    resultPerm.clear();
  }
  defineOutput(c, b, 0, reduced, resultPerm);
}

/// MeanVarianceNormalization's axes: the attribute, else N, H and W.
static std::optional<std::vector<int64_t>>
mvnAxes(const NodeContext &c, int64_t rank, std::string &why) {
  return normalizedAxes(c.attrs.getInts("axes", {0, 2, 3}), rank, why);
}

void checkMeanVarianceNorm(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  std::string why;
  if (x && x->hasShape && !mvnAxes(c, x->dims.size(), why))
    p.node(c.node, why);
}

/// (x - mean) / (sqrt(variance) + 1e-9) over the axes, as ONNX's function
/// body (which takes the variance as E[x^2] - E[x]^2; this the mean of the
/// squared deviations, the same value without its cancellation).
void lowerMeanVarianceNorm(const NodeContext &c, GraphBuilder &b) {
  std::string x = b.plain(c.in(0));
  std::string why;
  std::vector<int64_t> axes = *mvnAxes(c, b.get(c.in(0)).shape.size(), why);
  json over{{"axes", axes}, {"keepdims", true}};
  std::string mean = b.particle(c.node, "_mean", "reduce_mean", {x}, over);
  std::string centered = b.particle(c.node, "_centered", "sub", {x, mean});
  std::string squares =
      b.particle(c.node, "_squares", "mul", {centered, centered});
  std::string variance =
      b.particle(c.node, "_variance", "reduce_mean", {squares}, over);
  std::string root = b.particle(c.node, "_std", "sqrt", {variance});
  std::string eps = b.scalar(c.node, "_epsilon", 1e-9f);
  std::string denominator =
      b.particle(c.node, "_denominator", "add", {root, eps});
  defineOutput(c, b, 0, b.particle(c.node, "", "div", {centered, denominator}));
}

/// Hardmax's axis extent is bounded by its running count's n x n matrix.
constexpr int64_t kMaxHardmaxExtent = 2048;

void checkHardmax(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->hasShape)
    return;
  auto axis = normalizeAxis(c.attrs.getInt("axis", -1), x->dims.size());
  if (!axis)
    p.node(c.node, "attribute axis is out of range");
  else if (x->dims[*axis] > kMaxHardmaxExtent)
    p.node(c.node, "the axis has " + std::to_string(x->dims[*axis]) +
                       " elements; soracc's Hardmax takes at most " +
                       std::to_string(kMaxHardmaxExtent));
}

/// With the axis held last: e = 1 - sign(max - x) is 1 at every maximum;
/// before = e times a strictly upper triangular matrix counts the maxima
/// before each element; relu(e - before) keeps the first (ONNX's tie rule).
void lowerHardmax(const NodeContext &c, GraphBuilder &b) {
  std::vector<int64_t> shape = b.get(c.in(0)).shape;
  int64_t rank = shape.size();
  int64_t axis = *normalizeAxis(c.attrs.getInt("axis", -1), rank);
  int64_t n = shape[axis];
  std::string plain = c.out(0) + "#plain";
  b.define(plain, Held{b.plain(c.in(0)), shape, {}});
  std::vector<int64_t> perm(rank);
  for (int64_t i = 0, next = 0; i < rank; ++i)
    perm[i] = i == axis ? rank - 1 : next++;
  std::string x = b.withPerm(plain, perm);
  std::string max = b.particle(c.node, "_max", "reduce_max", {x},
                               json{{"axes", {rank - 1}}, {"keepdims", true}});
  std::string below = b.particle(c.node, "_gap", "sub", {max, x});
  std::string one = b.scalar(c.node, "_one", 1.0f);
  std::string isMax =
      b.particle(c.node, "_is_max", "sub",
                 {one, b.particle(c.node, "_sign", "sign", {below})});
  std::string before = b.particle(c.node, "_before", "dense", {isMax},
                                  json{{"units", n}, {"use_bias", false}});
  std::vector<float> kernel(n * n, 0.0f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = i + 1; o < n; ++o)
      kernel[i * n + o] = 1.0f;
  b.weight(before, "kernel", {n, n}, std::move(kernel));
  std::string first =
      b.particle(c.node, "", "relu",
                 {b.particle(c.node, "_first", "sub", {isMax, before})});
  defineOutput(c, b, 0, first, perm);
}

} // namespace sora::onnximport
