//===- ReduceOps.cpp - ReduceMean, ReduceSum and the other Reduce* ops ----===//
//
// Each is the reduce particle of its kind, over the axes of the layout the
// input is held in (a spatial mean of an NHWC value reduces H and W where
// they are), so no transpose runs. Axes come from the attribute (opsets
// 13-17) or, for ReduceSum, from its second input.
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
  std::vector<int64_t> axes;
  if (given.empty() &&
      !(fromInput && c.attrs.getInt("noop_with_empty_axes", 0))) {
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
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

} // namespace sora::onnximport
