//===- MLIRGenTensor.cpp - Tensor particles -------------------------------===//
//
// Lowerings of log_softmax, dropout and the data movement particles
// (transpose, concat, split, slice, pad), and the results of a particle with
// several (split): `<name>.0`, `<name>.1`, ...
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {

std::optional<int64_t> MLIRGenImpl::axisAttr(ParticleAttrs &a,
                                             const std::string &key,
                                             int64_t fallback, size_t rank) {
  auto axis = a.integer(key, fallback);
  if (!axis)
    return std::nullopt;
  int64_t r = (int64_t)rank;
  if (*axis < -r || *axis >= r) {
    a.error(key) << "axis " << *axis << " is out of range for rank " << rank;
    return std::nullopt;
  }
  return *axis < 0 ? *axis + r : *axis;
}

bool MLIRGenImpl::defineResults(const ParticleDecl &p, ParticleAttrs &a,
                                ResultRange results, GraphValues &graph) {
  std::vector<std::string> names;
  for (auto [i, result] : llvm::enumerate(results)) {
    std::string name = std::to_string(i);
    if (!checkSize(shapeOf(result), p.loc,
                   a.owner() + ": result '" + p.name + "." + name + "'"))
      return false;
    graph.values[p.name + "." + name] = result;
    names.push_back(name);
  }
  graph.multiOutputs[p.name] = names;
  return true;
}

Value MLIRGenImpl::logSoftmax(const ParticleDecl &, ParticleAttrs &a,
                              ArrayRef<Value> in) {
  auto axis = axisAttr(a, "axis", -1, shapeOf(in[0]).size());
  if (!axis)
    return nullptr;
  return LogSoftmaxOp::create(b, loc, in[0].getType(), in[0], *axis);
}

Value MLIRGenImpl::dropout(const ParticleDecl &, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  auto rate = a.number("rate", 0.0);
  if (!rate)
    return nullptr;
  if (*rate < 0 || *rate >= 1) {
    a.error("rate") << "'rate' must be in [0, 1), got " << formatNumber(*rate);
    return nullptr;
  }
  return DropoutOp::create(b, loc, in[0].getType(), in[0],
                           b.getF32FloatAttr((float)*rate));
}

Value MLIRGenImpl::transpose(const ParticleDecl &, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  int64_t rank = x.size();
  // NumPy: no perm reverses the dimensions; negative entries count from the
  // end.
  std::vector<int64_t> perm;
  for (int64_t d = rank - 1; d >= 0; --d)
    perm.push_back(d);
  if (a.has("perm")) {
    auto given = a.intList("perm");
    if (!given)
      return nullptr;
    perm = *given;
    for (int64_t &d : perm)
      if (d < 0)
        d += rank;
  }
  auto shape = inferTransposeShape(x, perm, a.shapeError("perm"));
  if (!shape)
    return nullptr;
  return TransposeOp::create(b, loc, tensorType(*shape), in[0], perm);
}

/// depth_to_space and space_to_depth on NHWC: a view as rank 6, one
/// transpose, a view back. `blocks` splits the channels (depth_to_space:
/// [b, b, C'] for DCR, [C', b, b] for CRD) or H and W (space_to_depth).
Value MLIRGenImpl::depthSpace(const ParticleDecl &p, ParticleAttrs &a,
                              ArrayRef<Value> in) {
  bool toSpace = p.op == "depth_to_space";
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto block = a.positiveInt("block_size", std::nullopt);
  auto mode = toSpace ? a.choice("mode", {"DCR", "CRD"})
                      : std::optional<std::string>("DCR");
  if (!block || !mode)
    return nullptr;
  if (x.size() != 4) {
    shapeError(p, a)() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(x);
    return nullptr;
  }
  int64_t bs = *block, n = x[0], h = x[1], w = x[2], c = x[3];
  bool fits = toSpace ? c % (bs * bs) == 0 : h % bs == 0 && w % bs == 0;
  if (!fits) {
    a.error("block_size") << "block_size " << bs << " must divide "
                          << (toSpace ? "the channels (" + std::to_string(c) +
                                            ") twice"
                                      : "the height and width (" +
                                            std::to_string(h) + ", " +
                                            std::to_string(w) + ")");
    return nullptr;
  }
  std::vector<int64_t> split, perm, result;
  if (toSpace) {
    int64_t depth = c / (bs * bs);
    split = *mode == "DCR" ? std::vector<int64_t>{n, h, w, bs, bs, depth}
                           : std::vector<int64_t>{n, h, w, depth, bs, bs};
    perm = *mode == "DCR" ? std::vector<int64_t>{0, 1, 3, 2, 4, 5}
                          : std::vector<int64_t>{0, 1, 4, 2, 5, 3};
    result = {n, h * bs, w * bs, depth};
  } else {
    split = {n, h / bs, bs, w / bs, bs, c};
    perm = {0, 1, 3, 2, 4, 5};
    result = {n, h / bs, w / bs, bs * bs * c};
  }
  Value y = ReshapeOp::create(b, loc, tensorType(split), in[0]);
  std::vector<int64_t> moved;
  for (int64_t d : perm)
    moved.push_back(split[d]);
  y = TransposeOp::create(b, loc, tensorType(moved), y, perm);
  return ReshapeOp::create(b, loc, tensorType(result), y);
}

Value MLIRGenImpl::concat(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  // PyTorch's torch.cat defaults to dim 0 (Keras' Concatenate to -1).
  auto axis = axisAttr(a, "axis", 0, shapeOf(in[0]).size());
  if (!axis)
    return nullptr;
  std::vector<Shape> shapes;
  for (Value v : in)
    shapes.emplace_back(shapeOf(v).begin(), shapeOf(v).end());
  auto shape = inferConcatShape(shapes, *axis, shapeError(p, a));
  if (!shape)
    return nullptr;
  return ConcatOp::create(b, loc, tensorType(*shape), in, *axis);
}

Value MLIRGenImpl::split(const ParticleDecl &, ParticleAttrs &a,
                         ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto axis = axisAttr(a, "axis", 0, x.size());
  if (!axis)
    return nullptr;
  if (a.has("sizes") == a.has("num")) {
    a.error(a.has("sizes") ? "num" : "sizes")
        << "give either 'sizes' (the extent of each piece) or 'num' (the "
           "number of equal pieces)";
    return nullptr;
  }
  std::vector<int64_t> sizes;
  if (a.has("sizes")) {
    auto given = a.intList("sizes");
    if (!given)
      return nullptr;
    sizes = *given;
  } else {
    auto num = a.positiveInt("num", std::nullopt);
    if (!num)
      return nullptr;
    if (x[*axis] % *num != 0) {
      a.error("num") << "axis " << *axis << " of " << formatDims(x)
                     << " does not split into " << *num << " equal pieces";
      return nullptr;
    }
    sizes.assign(*num, x[*axis] / *num);
  }
  auto shapes = inferSplitShapes(
      x, *axis, sizes, a.shapeError(a.has("sizes") ? "sizes" : "num"));
  if (!shapes)
    return nullptr;
  if (shapes->size() < 2) {
    a.error(a.has("sizes") ? "sizes" : "num")
        << "a split needs at least two pieces";
    return nullptr;
  }
  SmallVector<Type> types;
  for (const Shape &shape : *shapes)
    types.push_back(tensorType(shape));
  return SplitOp::create(b, loc, types, in[0], *axis).getResult(0);
}

Value MLIRGenImpl::slice(const ParticleDecl &p, ParticleAttrs &a,
                         ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  size_t rank = x.size();
  if (a.has("size") && a.has("end")) {
    a.error("end") << "give either 'size' or 'end', not both";
    return nullptr;
  }
  // Lists given, each with one entry per dimension.
  std::map<std::string, std::vector<int64_t>> lists;
  for (const char *key : {"begin", "size", "end", "strides"}) {
    if (!a.has(key) && std::string(key) != "begin")
      continue;
    auto list = a.intList(key);
    if (!list)
      return nullptr;
    if (list->size() != rank) {
      a.error(key) << "'" << key << "' needs one entry per dimension of "
                   << formatDims(x);
      return nullptr;
    }
    lists[key] = *list;
  }
  std::vector<int64_t> strides =
      lists.count("strides") ? lists["strides"] : std::vector<int64_t>(rank, 1);
  // Python rules: negative begin/end count from the end; end is clamped to
  // the extent (to -1, before the first element, for a negative stride); a
  // size of -1 means "to the end" (the first element for a negative stride).
  std::vector<int64_t> begin(rank), end(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t given = lists["begin"][d];
    begin[d] = given < 0 ? given + x[d] : given;
    if (begin[d] < 0 || begin[d] >= x[d]) {
      a.error("begin") << "begin " << given << " is outside dimension " << d
                       << " of " << formatDims(x);
      return nullptr;
    }
    bool forward = strides[d] >= 0;
    int64_t last = forward ? x[d] : -1;
    end[d] = last;
    if (lists.count("size")) {
      int64_t size = lists["size"][d];
      if (size != -1 && size < 1) {
        a.error("size") << "'size' entries must be positive or -1, got "
                        << size;
        return nullptr;
      }
      // A size past the dimension stays past it, without overflowing.
      int64_t steps = std::min(size, x[d] + 1);
      if (size != -1)
        end[d] = forward ? begin[d] + steps : begin[d] - steps;
    } else if (lists.count("end")) {
      int64_t e = lists["end"][d];
      e = e < 0 ? e + x[d] : e;
      end[d] = forward ? std::min(e, last) : std::max(e, last);
    }
  }
  auto shape = inferSliceShape(x, begin, end, strides, shapeError(p, a));
  if (!shape)
    return nullptr;
  return SliceOp::create(b, loc, tensorType(*shape), in[0], begin, strides);
}

Value MLIRGenImpl::pad(const ParticleDecl &p, ParticleAttrs &a,
                       ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto pads = a.intPairs("pads");
  auto mode = a.choice("mode", {"constant", "reflect", "edge"});
  auto value = a.number("value", 0.0);
  if (!pads || !mode || !value)
    return nullptr;
  if (pads->size() != x.size()) {
    a.error("pads") << "'pads' needs one [before, after] pair per dimension "
                       "of "
                    << formatDims(x) << ", got " << pads->size();
    return nullptr;
  }
  std::vector<int64_t> low, high;
  for (auto [before, after] : *pads) {
    low.push_back(before);
    high.push_back(after);
  }
  PadMode padMode = *parsePadMode(*mode);
  if (padMode != PadMode::Constant && a.has("value")) {
    a.error("value") << "'value' applies to mode \"constant\" only, not \""
                     << *mode << "\"";
    return nullptr;
  }
  auto shape = inferPadShape(x, low, high, padMode, shapeError(p, a));
  if (!shape)
    return nullptr;
  return PadOp::create(
      b, loc, tensorType(*shape), in[0], b.getDenseI64ArrayAttr(low),
      b.getDenseI64ArrayAttr(high), b.getF32FloatAttr((float)*value),
      b.getStringAttr(*mode));
}

Value MLIRGenImpl::constant(const ParticleDecl &p, ParticleAttrs &a,
                            ArrayRef<Value>) {
  auto shape = a.intList("shape");
  if (!shape)
    return nullptr;
  if (llvm::any_of(*shape, [](int64_t d) { return d < 1; })) {
    a.error("shape") << "'shape' must hold positive extents, got "
                     << formatDims(*shape);
    return nullptr;
  }
  // Random weights draw it from [-1, 1).
  return weight(p, a, "value", *shape, 1, formatDims(*shape));
}

Value MLIRGenImpl::reduce(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  int64_t rank = x.size();
  std::vector<int64_t> axes;
  if (a.has("axes")) {
    auto given = a.intList("axes");
    if (!given)
      return nullptr;
    for (int64_t axis : *given) {
      if (axis < -rank || axis >= rank) {
        a.error("axes") << "axis " << axis << " is out of range for rank "
                        << rank;
        return nullptr;
      }
      axes.push_back(axis < 0 ? axis + rank : axis);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  auto keepdims = a.boolean("keepdims", false);
  if (!keepdims)
    return nullptr;
  std::string kind = p.op.substr(std::string("reduce_").size());
  auto shape = inferReduceShape(x, axes, *keepdims, shapeError(p, a));
  if (!shape)
    return nullptr;
  return ReduceOp::create(b, loc, tensorType(*shape), in[0],
                          b.getStringAttr(kind), b.getDenseI64ArrayAttr(axes),
                          *keepdims);
}

} // namespace sora
