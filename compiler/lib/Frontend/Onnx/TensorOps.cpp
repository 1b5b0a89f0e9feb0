//===- TensorOps.cpp - Views and data movement ----------------------------===//
//
// Flatten/Reshape/Squeeze/Unsqueeze become flatten or reshape particles on
// the ONNX layout, except that flattening an NHWC value to [N, C·H·W] keeps
// the NHWC order (see Held::columns). Transpose only changes the recorded
// layout. Identity and Dropout alias their input. Expand (constant shape)
// is a mul by ones over the expanded dims, Tile (constant repeats) a concat
// of copies along each repeated axis.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"
#include "sora/Core/ParticleShapes.h"

#include <algorithm>

using nlohmann::json;

namespace sora::onnximport {

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

void defineOutput(const NodeContext &c, GraphBuilder &b, int i,
                  const std::string &ref, std::vector<int64_t> perm) {
  b.define(c.out(i), Held{ref, c.outShape(i), std::move(perm)});
}

/// True if reshaping `in` to `out` keeps the batch and flattens the rest.
static bool flattensBatch(const std::vector<int64_t> &in,
                          const std::vector<int64_t> &out) {
  if (in.size() < 3 || out.size() != 2 || in[0] != out[0])
    return false;
  int64_t rest = 1;
  for (size_t i = 1; i < in.size(); ++i)
    rest *= in[i];
  return rest == out[1];
}

/// Reshapes input 0 to the node's output shape.
static void reshapeTo(const NodeContext &c, GraphBuilder &b) {
  const Held &x = b.get(c.in(0));
  const std::vector<int64_t> &shape = c.outShape(0);
  if (!x.perm.empty() && x.perm[0] == 0 && flattensBatch(x.shape, shape)) {
    b.define(c.out(0), b.flattenKeepingLayout(c.in(0), c.node));
    return;
  }
  std::string ref = b.plain(c.in(0));
  if (shape == x.shape) {
    defineOutput(c, b, 0, ref);
    return;
  }
  bool keepsBatch = flattensBatch(x.shape, shape);
  defineOutput(c, b, 0,
               keepsBatch ? b.particle(c.node, "", "flatten", {ref})
                          : b.particle(c.node, "", "reshape", {ref},
                                       json{{"shape", shape}}));
}

void checkFlatten(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  int64_t axis = c.attrs.getInt("axis", 1);
  if (x && x->hasShape) {
    int64_t rank = x->dims.size();
    if (axis < -rank || axis > rank)
      p.node(c.node, "attribute axis is out of range");
  }
}

void lowerFlatten(const NodeContext &c, GraphBuilder &b) { reshapeTo(c, b); }

void lowerReshape(const NodeContext &c, GraphBuilder &b) { reshapeTo(c, b); }

void checkTranspose(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->hasShape || !c.attrs.find("perm"))
    return;
  std::vector<int64_t> perm = c.attrs.getInts("perm", {});
  std::vector<bool> seen(x->dims.size(), false);
  bool ok = perm.size() == seen.size();
  for (int64_t d : perm) {
    ok &= d >= 0 && d < static_cast<int64_t>(seen.size()) && !seen[d];
    if (ok)
      seen[d] = true;
  }
  if (!ok)
    p.node(c.node, "attribute perm is not a permutation of the input's " +
                       std::to_string(seen.size()) + " dimensions");
}

void lowerTranspose(const NodeContext &c, GraphBuilder &b) {
  Held x = b.get(c.in(0));
  size_t rank = x.shape.size();
  std::vector<int64_t> perm = c.attrs.getInts("perm", {});
  if (perm.empty())
    for (size_t i = rank; i-- > 0;)
      perm.push_back(i);
  if (!x.columns.empty())
    x = Held{b.plain(c.in(0)), x.shape};
  b.define(c.out(0), Held{x.ref, c.outShape(0), composePerm(x.perm, perm)});
}

void checkConcat(const NodeContext &c, Problems &p) {
  const ValueType *y = c.model.type(c.out(0));
  if (y && y->hasShape &&
      !normalizeAxis(c.attrs.getInt("axis", 0), y->dims.size()))
    p.node(c.node, "attribute axis is out of range");
}

void lowerConcat(const NodeContext &c, GraphBuilder &b) {
  int64_t rank = c.outShape(0).size();
  int64_t axis = *normalizeAxis(c.attrs.getInt("axis", 0), rank);
  // One shared layout keeps the inputs as they are.
  const Held &first = b.get(c.in(0));
  bool shared = first.columns.empty();
  for (int i = 0; i < c.node.input_size(); ++i)
    shared &=
        b.get(c.in(i)).perm == first.perm && b.get(c.in(i)).columns.empty();
  std::vector<std::string> refs;
  for (int i = 0; i < c.node.input_size(); ++i)
    refs.push_back(shared ? b.get(c.in(i)).ref : b.plain(c.in(i)));
  std::vector<int64_t> perm = shared ? first.perm : std::vector<int64_t>{};
  int64_t physicalAxis = perm.empty() ? axis : perm[axis];
  defineOutput(
      c, b, 0,
      b.particle(c.node, "", "concat", refs, json{{"axis", physicalAxis}}),
      perm);
}

void checkDropout(const NodeContext &c, Problems &p) {
  // Training with ratio 0 (torchvision's Swin exports F.dropout(p=0.0,
  // training=True) as such) keeps every element: the identity too.
  const ConstTensor *training = c.constant(2), *ratio = c.constant(1);
  bool keepsAll = ratio && ratio->scalar() && *ratio->scalar() == 0.0f;
  if (training && training->readable && !training->ints.empty() &&
      training->ints[0] && !keepsAll)
    p.node(c.node, "training_mode=true is not supported (but with ratio 0)");
  std::map<std::string, int> uses = c.model.useCounts();
  if (c.outputUsed(1, uses))
    p.node(c.node, "output 'mask' is not supported");
}

void lowerIdentity(const NodeContext &c, GraphBuilder &b) {
  b.define(c.out(0), b.get(c.in(0)));
}

void checkDepthSpace(const NodeContext &c, Problems &p) {
  int64_t block = c.attrs.getInt("blocksize", 0);
  if (block < 1 || block > kMaxTensorElements) {
    p.node(c.node, "attribute blocksize must lie in [1, " +
                       std::to_string(kMaxTensorElements) + "]");
    return;
  }
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->isStatic())
    return;
  if (x->dims.size() != 4) {
    p.node(c.node, "only rank-4 NCHW inputs are supported");
    return;
  }
  bool toSpace = c.node.op_type() == "DepthToSpace";
  if (toSpace ? x->dims[1] % (block * block) != 0
              : x->dims[2] % block != 0 || x->dims[3] % block != 0)
    p.node(c.node,
           "blocksize " + std::to_string(block) + " does not divide " +
               (toSpace ? "the channels twice" : "the height and width"));
}

void lowerDepthSpace(const NodeContext &c, GraphBuilder &b) {
  bool toSpace = c.node.op_type() == "DepthToSpace";
  json attrs{{"block_size", c.attrs.getInt("blocksize", 1)}};
  if (toSpace)
    attrs["mode"] = c.attrs.getString("mode", "DCR");
  std::string y =
      b.particle(c.node, "", toSpace ? "depth_to_space" : "space_to_depth",
                 {b.channelsLast(c.in(0))}, attrs);
  defineOutput(c, b, 0, y, kChannelsLast);
}

void checkPad(const NodeContext &c, Problems &p) {
  std::string mode = c.attrs.getString("mode", "constant");
  if (!particle::parsePadMode(mode))
    p.node(c.node, "attribute mode=" + mode + " is not supported");
  const ValueType *x = c.model.type(c.in(0));
  const ConstTensor *pads = c.constant(1);
  if (!x || !x->hasShape || !pads || !pads->readable)
    return; // reported by the input checks
  size_t rank = x->dims.size();
  if (pads->ints.size() != 2 * rank) {
    p.node(c.node, "input 'pads' must hold " + std::to_string(2 * rank) +
                       " values (begin and end of each of " +
                       std::to_string(rank) + " axes)");
    return;
  }
  for (size_t d = 0; d < rank; ++d) {
    int64_t begin = pads->ints[d], end = pads->ints[d + rank];
    if (begin < 0 || end < 0 || begin > kMaxTensorElements ||
        end > kMaxTensorElements)
      p.node(c.node, "pads must lie in [0, 2^31-1] (negative pads crop; "
                     "that is not supported)");
    else if (mode == "reflect" && x->isStatic() &&
             (begin >= x->dims[d] || end >= x->dims[d]))
      p.node(c.node, "mode reflect needs pads smaller than the axis (axis " +
                         std::to_string(d) + " has " +
                         std::to_string(x->dims[d]) + ")");
  }
}

void lowerPad(const NodeContext &c, GraphBuilder &b) {
  const Held &x = b.get(c.in(0));
  const std::vector<int64_t> &pads = c.constant(1)->ints;
  size_t rank = x.shape.size();
  if (std::all_of(pads.begin(), pads.end(), [](int64_t v) { return v == 0; })) {
    b.define(c.out(0), x);
    return;
  }
  bool keep = x.columns.empty();
  std::string ref = keep ? x.ref : b.plain(c.in(0));
  std::vector<int64_t> perm = keep ? x.perm : std::vector<int64_t>{};
  // Logical axis d is physical axis perm[d].
  json physical = json::array();
  for (size_t d = 0; d < rank; ++d)
    physical.push_back({0, 0});
  for (size_t d = 0; d < rank; ++d)
    physical[perm.empty() ? d : perm[d]] = {pads[d], pads[d + rank]};
  std::string mode = c.attrs.getString("mode", "constant");
  json attrs{{"pads", physical}, {"mode", mode}};
  if (mode == "constant" && c.has(2))
    if (float value = c.constant(2)->scalar().value_or(0.0f); value != 0.0f)
      attrs["value"] = value;
  defineOutput(c, b, 0, b.particle(c.node, "", "pad", {ref}, attrs), perm);
}

/// Tile joins at most this many copies along an axis (one concat).
static constexpr int64_t kMaxCopies = 4096;

void checkExpand(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  const ValueType *y = c.model.type(c.out(0));
  if (!x || !x->hasShape || !y || !y->hasShape)
    return;
  std::optional<int64_t> ones = checkedNumElements(y->dims);
  if (!ones || *ones > kMaxTensorElements)
    p.node(c.node, "output shape " + formatDims(y->dims) + " is too large");
}

void lowerExpand(const NodeContext &c, GraphBuilder &b) {
  const std::vector<int64_t> &x = b.get(c.in(0)).shape;
  const std::vector<int64_t> &y = c.outShape(0);
  // Ones over the dims x broadcasts along (1 where x keeps the extent).
  std::vector<int64_t> onesShape(y.size(), 1);
  size_t lead = y.size() - x.size();
  for (size_t d = 0; d < y.size(); ++d)
    if (d < lead || x[d - lead] != y[d])
      onesShape[d] = y[d];
  if (onesShape == std::vector<int64_t>(y.size(), 1) && x.size() == y.size()) {
    b.define(c.out(0), b.get(c.in(0)));
    return;
  }
  std::string ones =
      b.particle(c.node, "_ones", "constant", {}, json{{"shape", onesShape}});
  b.weight(ones, "value", onesShape,
           std::vector<float>(*checkedNumElements(onesShape), 1.0f));
  defineOutput(
      c, b, 0,
      b.particle(c.node, "", "mul", {b.plain(c.in(0)), ones}, json::object()));
}

void checkTile(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  const ConstTensor *repeats = c.constant(1);
  if (!x || !x->hasShape || !repeats || !repeats->isInt())
    return;
  if (repeats->ints.size() != x->dims.size()) {
    p.node(c.node, "repeats must hold one count per dimension");
    return;
  }
  for (int64_t r : repeats->ints)
    if (r < 1 || r > kMaxCopies)
      p.node(c.node, "repeat count " + std::to_string(r) + " is not in [1, " +
                         std::to_string(kMaxCopies) + "]");
}

void lowerTile(const NodeContext &c, GraphBuilder &b) {
  const std::vector<int64_t> &repeats = c.constant(1)->ints;
  std::string ref = b.plain(c.in(0));
  for (size_t d = 0; d < repeats.size(); ++d) {
    if (repeats[d] == 1)
      continue;
    ref = b.particle(c.node, "_axis" + std::to_string(d), "concat",
                     std::vector<std::string>(repeats[d], ref),
                     json{{"axis", d}});
  }
  defineOutput(c, b, 0, ref);
}

} // namespace sora::onnximport
