//===- SliceOps.cpp - Slice, Gather, Compress and Embedding ---------------===//
//
// ONNX Slice with constant starts/ends/axes/steps is the slice particle,
// taken in the layout the input is held in; Split is one slice per output.
// Gather of a run-time tensor at constant indices (and Compress with a
// constant condition: the indices it keeps) is one slice per run of
// consecutive indices (x[:, -1], x[:, 2:5] are one), a concat of them, and a
// reshape to the indices' shape. Gather of a table (an initializer) at run-time
// token ids, rewritten to soracc.Embedding, is the embedding particle.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include <algorithm>
#include <functional>
#include <numeric>

using nlohmann::json;

namespace sora::onnximport {

namespace {

/// Per-dimension begin/end/step of a slice over the ONNX shape, as the
/// slice particle reads them.
struct SliceBounds {
  std::vector<int64_t> begin, end, steps;
};

/// Reads Slice's inputs; std::nullopt (with `why`) if unsupported.
std::optional<SliceBounds> readSlice(const NodeContext &c,
                                     const std::vector<int64_t> &dims,
                                     std::string &why) {
  const std::vector<int64_t> &starts = c.constant(1)->ints;
  const std::vector<int64_t> &ends = c.constant(2)->ints;
  std::vector<int64_t> axes, steps;
  if (c.has(3))
    axes = c.constant(3)->ints;
  else
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  steps =
      c.has(4) ? c.constant(4)->ints : std::vector<int64_t>(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    why = "starts, ends, axes and steps have different lengths";
    return std::nullopt;
  }
  int64_t rank = dims.size();
  SliceBounds bounds{std::vector<int64_t>(rank, 0), dims,
                     std::vector<int64_t>(rank, 1)};
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = normalizeAxis(axes[i], rank);
    if (!axis) {
      why = "axis " + std::to_string(axes[i]) + " is out of range";
      return std::nullopt;
    }
    if (steps[i] == 0) {
      why = "step 0 is not allowed";
      return std::nullopt;
    }
    // ONNX clamps starts to [0, dim] and ends to [0, dim], or stepping down
    // to [0, dim - 1] and [-1, dim - 1].
    int64_t dim = dims[*axis];
    bool forward = steps[i] > 0;
    auto clamp = [dim](int64_t v, int64_t low, int64_t high) {
      return std::clamp<int64_t>(v < 0 ? v + dim : v, low, high);
    };
    bounds.begin[*axis] = clamp(starts[i], 0, forward ? dim : dim - 1);
    int64_t end = clamp(ends[i], forward ? 0 : -1, forward ? dim : dim - 1);
    // The slice particle reads an end the Python way: before the first
    // element is -1 - dim.
    bounds.end[*axis] = end == -1 ? -1 - dim : end;
    bounds.steps[*axis] = steps[i];
  }
  return bounds;
}

/// A slice particle over physical tensor `ref` laid out as `perm`.
std::string emitSlice(const NodeContext &c, GraphBuilder &b,
                      const std::string &ref, const std::vector<int64_t> &perm,
                      const SliceBounds &logical, const std::string &suffix) {
  SliceBounds physical = logical;
  for (size_t i = 0; i < perm.size(); ++i) {
    physical.begin[perm[i]] = logical.begin[i];
    physical.end[perm[i]] = logical.end[i];
    physical.steps[perm[i]] = logical.steps[i];
  }
  return b.particle(c.node, suffix, "slice", {ref},
                    json{{"begin", physical.begin},
                         {"end", physical.end},
                         {"strides", physical.steps}});
}

} // namespace

void checkSlice(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  for (int i = 1; i < 5; ++i) {
    const ConstTensor *t = c.constant(i);
    if (c.has(i) && (!t || !t->readable || !t->isInt() ||
                     t->ints.size() != static_cast<size_t>(t->numel())))
      return; // reported by the input checks
  }
  if (!c.has(1) || !c.has(2))
    return;
  if (!x || !x->hasShape)
    return;
  std::string why;
  if (!readSlice(c, x->dims, why))
    p.node(c.node, why);
}

void lowerSlice(const NodeContext &c, GraphBuilder &b) {
  const Held &x = b.get(c.in(0));
  std::string why;
  SliceBounds bounds = *readSlice(c, x.shape, why);
  bool keep = x.columns.empty();
  std::string ref = keep ? x.ref : b.plain(c.in(0));
  std::vector<int64_t> perm = keep ? x.perm : std::vector<int64_t>{};
  defineOutput(c, b, 0, emitSlice(c, b, ref, perm, bounds, ""), perm);
}

/// The sizes Split cuts `dim` into along its axis: its constant `split`
/// input, else equal parts, one per output; std::nullopt (with `why`) if
/// they do not add up.
static std::optional<std::vector<int64_t>>
splitSizes(const NodeContext &c, int64_t dim, std::string &why) {
  int64_t parts = c.node.output_size();
  std::vector<int64_t> sizes;
  if (c.has(1)) {
    sizes = c.constant(1)->ints;
  } else if (dim % parts == 0) {
    sizes.assign(parts, dim / parts);
  } else {
    why = "dimension of " + std::to_string(dim) + " does not split into " +
          std::to_string(parts) + " equal parts";
    return std::nullopt;
  }
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 1) {
      why = "split sizes must be positive (empty outputs are not supported)";
      return std::nullopt;
    }
    total += std::min<int64_t>(size, dim + 1); // no overflow past dim
  }
  if ((int64_t)sizes.size() != parts || total != dim) {
    why = "split sizes must be one per output (" + std::to_string(parts) +
          ") adding up to the dimension's " + std::to_string(dim);
    return std::nullopt;
  }
  return sizes;
}

void checkSplit(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  const ConstTensor *split = c.constant(1);
  if (!x || !x->hasShape ||
      (c.has(1) && (!split || !split->readable || !split->isInt())))
    return; // reported by the input checks
  auto axis = normalizeAxis(c.attrs.getInt("axis", 0), x->dims.size());
  std::string why;
  if (!axis)
    p.node(c.node, "attribute axis is out of range");
  else if (!splitSizes(c, x->dims[*axis], why))
    p.node(c.node, why);
}

void lowerSplit(const NodeContext &c, GraphBuilder &b) {
  const Held &x = b.get(c.in(0));
  int64_t axis = *normalizeAxis(c.attrs.getInt("axis", 0), x.shape.size());
  std::string why;
  std::vector<int64_t> sizes = *splitSizes(c, x.shape[axis], why);
  bool keep = x.columns.empty();
  std::string ref = keep ? x.ref : b.plain(c.in(0));
  std::vector<int64_t> perm = keep ? x.perm : std::vector<int64_t>{};
  int64_t begin = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    SliceBounds bounds{std::vector<int64_t>(x.shape.size(), 0), x.shape,
                       std::vector<int64_t>(x.shape.size(), 1)};
    bounds.begin[axis] = begin;
    bounds.end[axis] = begin += sizes[k];
    std::string part =
        emitSlice(c, b, ref, perm, bounds, "_" + std::to_string(k));
    defineOutput(c, b, (int)k, part, perm);
  }
}

/// Constant indices along an extent of `dim` (negative ones from the end)
/// as runs of consecutive increasing indices [first, first + count), in
/// order; std::nullopt if any is out of range or there are none.
static std::optional<std::vector<std::pair<int64_t, int64_t>>>
gatherRuns(const std::vector<int64_t> &indices, int64_t dim) {
  if (indices.empty())
    return std::nullopt;
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t i : indices) {
    int64_t at = i < 0 ? i + dim : i;
    if (at < 0 || at >= dim)
      return std::nullopt;
    if (!runs.empty() && runs.back().first + runs.back().second == at)
      ++runs.back().second;
    else
      runs.emplace_back(at, 1);
  }
  return runs;
}

/// The indices Compress keeps: where its constant condition is non-zero.
static std::vector<int64_t> compressIndices(const ConstTensor &condition) {
  std::vector<int64_t> kept;
  for (size_t i = 0; i < condition.ints.size(); ++i)
    if (condition.ints[i])
      kept.push_back((int64_t)i);
  return kept;
}

/// Gather or Compress: the data (flattened for an axis-less Compress), its
/// axis and the indices taken along it.
struct GatherPlan {
  std::vector<int64_t> shape;
  int64_t axis;
  std::vector<int64_t> indices;
};

static std::optional<GatherPlan> gatherPlan(const NodeContext &c,
                                            const std::vector<int64_t> &dims,
                                            std::string &why) {
  const ConstTensor *indices = c.constant(1);
  if (!indices || !indices->readable || !indices->isInt())
    return std::nullopt; // reported by the input check (K::Ints)
  GatherPlan plan{dims, 0, indices->ints};
  bool compress = c.node.op_type() == "Compress";
  if (compress) {
    plan.indices = compressIndices(*indices);
    if (!c.attrs.find("axis"))
      plan.shape = {std::accumulate(dims.begin(), dims.end(), int64_t{1},
                                    std::multiplies<int64_t>())};
  }
  auto axis = normalizeAxis(c.attrs.getInt("axis", 0), plan.shape.size());
  if (!axis) {
    why = "attribute axis is out of range";
    return std::nullopt;
  }
  plan.axis = *axis;
  if (compress && (int64_t)indices->ints.size() > plan.shape[plan.axis]) {
    why = "the condition is longer than the axis";
    return std::nullopt;
  }
  if (!gatherRuns(plan.indices, plan.shape[plan.axis])) {
    why = plan.indices.empty() ? "no index is taken (an empty result)"
                               : "an index is out of range";
    return std::nullopt;
  }
  return plan;
}

void checkGather(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->hasShape)
    return;
  std::string why;
  if (!gatherPlan(c, x->dims, why) && !why.empty())
    p.node(c.node, why);
}

void lowerGather(const NodeContext &c, GraphBuilder &b) {
  std::string why;
  GatherPlan plan = *gatherPlan(c, b.get(c.in(0)).shape, why);
  std::string ref = b.plain(c.in(0));
  if (plan.shape != b.get(c.in(0)).shape) // an axis-less Compress
    ref = b.particle(c.node, "_flat", "reshape", {ref},
                     json{{"shape", plan.shape}});
  // One slice per run of consecutive indices, joined along the axis.
  std::vector<std::string> parts;
  auto runs = *gatherRuns(plan.indices, plan.shape[plan.axis]);
  for (size_t k = 0; k < runs.size(); ++k) {
    SliceBounds bounds{std::vector<int64_t>(plan.shape.size(), 0), plan.shape,
                       std::vector<int64_t>(plan.shape.size(), 1)};
    bounds.begin[plan.axis] = runs[k].first;
    bounds.end[plan.axis] = runs[k].first + runs[k].second;
    parts.push_back(emitSlice(c, b, ref, {}, bounds, "_slice"));
  }
  std::string joined = parts.size() == 1
                           ? parts[0]
                           : b.particle(c.node, "_join", "concat", parts,
                                        json{{"axis", plan.axis}});
  // The indices' shape replaces the axis (a scalar index drops it).
  std::vector<int64_t> taken = plan.shape;
  taken[plan.axis] = (int64_t)plan.indices.size();
  if (taken == c.outShape(0)) {
    defineOutput(c, b, 0, joined);
    return;
  }
  defineOutput(c, b, 0,
               b.particle(c.node, "", "reshape", {joined},
                          json{{"shape", c.outShape(0)}}));
}

void checkEmbedding(const NodeContext &c, Problems &p) {
  // What the rewrite from Gather guarantees; a node written as Embedding
  // may not hold it.
  const ConstTensor *table = c.constant(0);
  int64_t axis = c.attrs.getInt("axis", 0);
  if (table && table->dims.size() != 2)
    p.node(c.node, "the table must be 2-D [rows, dim]");
  if (axis != 0 && axis != -2)
    p.node(c.node, "attribute axis must be 0");
}

void lowerEmbedding(const NodeContext &c, GraphBuilder &b) {
  const ConstTensor &table = *c.constant(0);
  std::string ref = b.particle(
      c.node, "", "embedding", {b.plain(c.in(1))},
      json{{"input_dim", table.dims[0]}, {"output_dim", table.dims[1]}});
  b.weight(ref, "embeddings", table.dims, table.floats);
  defineOutput(c, b, 0, ref);
}

} // namespace sora::onnximport
