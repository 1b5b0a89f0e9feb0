//===- MLIRGen.cpp - Particles to the particle dialect --------------------===//
//
// One lowering per particle family: reads the particle's attributes, asks
// for its weights, checks shapes with the dialect's shape rules (so a bad
// connection gets the same message here as in the verifier, but at the model
// file's line and column) and builds its ops. The graph around them (names,
// order, composites) is MLIRGenGraph.cpp.
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/ParticleShapes.h"
#include "sora/Frontend/Diagnostics.h"

#include <sstream>

using namespace mlir;
using namespace sora::particle;

namespace sora {

//===----------------------------------------------------------------------===//
// Lowerings
//===----------------------------------------------------------------------===//

EmitErrorFn MLIRGenImpl::shapeError(const ParticleDecl &p, ParticleAttrs &a) {
  currentShapeError = [this, &p, &a]() {
    return emitErrorAt(&context, p.loc) << a.owner() << ": ";
  };
  return currentShapeError;
}

Value MLIRGenImpl::weight(const ParticleDecl &p, ParticleAttrs &a,
                          const std::string &param,
                          const std::vector<int64_t> &shape, int64_t fanIn,
                          const std::string &layout) {
  return namedWeight(p.name + "." + param, shape, fanIn, layout, a.owner(),
                     p.loc);
}

Value MLIRGenImpl::activation(const ParticleDecl &p, ParticleAttrs &a,
                              Value x) {
  std::optional<std::string> act =
      a.choice("activation",
               {"none", "relu", "sigmoid", "tanh", "softmax", "gelu", "silu",
                "leaky_relu", "hard_swish", "relu6"});
  if (!act || !x)
    return nullptr;
  Type t = x.getType();
  if (*act == "relu")
    return ReluOp::create(b, loc, t, x);
  if (*act == "sigmoid")
    return SigmoidOp::create(b, loc, t, x);
  if (*act == "tanh")
    return TanhOp::create(b, loc, t, x);
  if (*act == "softmax")
    return SoftmaxOp::create(b, loc, t, x, shapeOf(x).size() - 1);
  return namedActivation(*act, x);
}

std::optional<std::vector<int64_t>>
MLIRGenImpl::windowPadding(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<int64_t> x, bool same,
                           std::array<int64_t, 2> window,
                           std::array<int64_t, 2> strides,
                           std::array<int64_t, 2> dilation) {
  if (x.size() != 4) {
    shapeError(p, a)() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(x);
    return std::nullopt;
  }
  auto [top, bottom] =
      computePadding(same, x[1], window[0], strides[0], dilation[0]);
  auto [left, right] =
      computePadding(same, x[2], window[1], strides[1], dilation[1]);
  return std::vector<int64_t>{top, left, bottom, right};
}

std::optional<std::vector<int64_t>>
MLIRGenImpl::paddingAttr(const ParticleDecl &p, ParticleAttrs &a,
                         ArrayRef<int64_t> x, std::array<int64_t, 2> window,
                         std::array<int64_t, 2> strides,
                         std::array<int64_t, 2> dilation) {
  if (!a.isArray("padding")) {
    auto padding = a.choice("padding", {"valid", "same"});
    if (!padding)
      return std::nullopt;
    return windowPadding(p, a, x, *padding == "same", window, strides,
                         dilation);
  }
  // Explicit [top, left, bottom, right], as the IR holds it.
  if (!windowPadding(p, a, x, false, window, strides, dilation))
    return std::nullopt;
  auto pads = a.intList("padding");
  if (!pads)
    return std::nullopt;
  if (pads->size() != 4 ||
      llvm::any_of(*pads, [](int64_t v) { return v < 0; })) {
    a.error("padding") << "'padding' must be \"valid\", \"same\" or four "
                          "non-negative integers [top, left, bottom, right]";
    return std::nullopt;
  }
  return pads;
}

Value MLIRGenImpl::dense(const ParticleDecl &p, ParticleAttrs &a,
                         ArrayRef<Value> in) {
  auto units = a.positiveInt("units", std::nullopt);
  auto useBias = a.boolean("use_bias", true);
  if (!units || !useBias)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  if (x.size() < 2) {
    shapeError(p, a)() << "port 'input' expects rank >= 2 [batch, ..., "
                          "features], got "
                       << formatDims(x);
    return nullptr;
  }
  std::vector<int64_t> kshape{x.back(), *units};
  Value kernel = weight(p, a, "kernel", kshape, x.back(), "[in, units]");
  Value bias = *useBias ? weight(p, a, "bias", {*units}, x.back(), "[units]")
                        : Value();
  if (!kernel || (*useBias && !bias))
    return nullptr;
  auto shape = inferDenseShape(x, kshape,
                               bias ? std::optional(shapeOf(bias)) : std::nullopt,
                               shapeError(p, a));
  if (failed(shape))
    return nullptr;
  // Kernels multiply matrices: rank > 2 inputs run as [rows, in] through
  // free reshapes around the layer and its activation.
  Value rows = in[0];
  if (x.size() > 2) {
    int64_t count = 1;
    for (int64_t d : x.drop_back())
      count *= d;
    rows = ReshapeOp::create(b, loc, tensorType({count, x.back()}), in[0]);
  }
  Value y = DenseOp::create(b, loc, tensorType({shapeOf(rows)[0], *units}),
                            rows, kernel, bias);
  y = activation(p, a, y);
  if (y && x.size() > 2)
    y = ReshapeOp::create(b, loc, tensorType(*shape), y);
  return y;
}

Value MLIRGenImpl::conv2d(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto filters = a.positiveInt("filters", std::nullopt);
  auto kernelSize = a.positivePair("kernel", std::nullopt);
  auto strides = a.positivePair("strides", std::array<int64_t, 2>{1, 1});
  auto dilation = a.positivePair("dilation_rate", std::array<int64_t, 2>{1, 1});
  auto useBias = a.boolean("use_bias", true);
  auto groups = a.positiveInt("groups", 1);
  if (!filters || !kernelSize || !strides || !dilation || !useBias || !groups)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto pads = paddingAttr(p, a, x, *kernelSize, *strides, *dilation);
  if (!pads)
    return nullptr;
  if (x[3] % *groups != 0 || *filters % *groups != 0) {
    a.error("groups") << "groups " << *groups
                      << " must divide the input channels (" << x[3]
                      << ") and the filters (" << *filters << ")";
    return nullptr;
  }
  std::vector<int64_t> kshape{(*kernelSize)[0], (*kernelSize)[1],
                              x[3] / *groups, *filters};
  int64_t fanIn = kshape[0] * kshape[1] * kshape[2];
  Value kernel =
      weight(p, a, "kernel", kshape, fanIn,
             *groups > 1 ? "[kh, kw, in / groups, filters]"
                         : "[kh, kw, in, filters]");
  Value bias = *useBias ? weight(p, a, "bias", {*filters}, fanIn, "[filters]")
                        : Value();
  if (!kernel || (*useBias && !bias))
    return nullptr;
  auto shape = inferConv2DShape(
      x, kshape, bias ? std::optional(shapeOf(bias)) : std::nullopt, *strides,
      *dilation, *pads, shapeError(p, a), *groups);
  if (failed(shape))
    return nullptr;
  Value y = Conv2DOp::create(b, loc, tensorType(*shape), in[0], kernel, bias,
                             *strides, *dilation, *pads, *groups);
  return activation(p, a, y);
}

template <typename PoolOp>
Value MLIRGenImpl::pool(const ParticleDecl &p, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  auto window = a.positivePair("pool", std::nullopt);
  if (!window)
    return nullptr;
  auto strides = a.positivePair("strides", window);
  if (!strides)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto pads = paddingAttr(p, a, x, *window, *strides, {1, 1});
  if (!pads)
    return nullptr;
  auto shape = inferPool2DShape(x, *window, *strides, *pads, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return PoolOp::create(b, loc, tensorType(*shape), in[0], *window, *strides,
                        *pads);
}

Value MLIRGenImpl::flatten(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  auto shape = inferFlattenShape(shapeOf(in[0]), shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return FlattenOp::create(b, loc, tensorType(*shape), in[0]);
}

Value MLIRGenImpl::reshape(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  auto target = a.intList("shape");
  if (!target)
    return nullptr;
  auto shape = inferReshapeShape(shapeOf(in[0]), *target, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return ReshapeOp::create(b, loc, tensorType(*shape), in[0]);
}

Value MLIRGenImpl::softmax(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  int64_t rank = shapeOf(in[0]).size();
  auto axis = a.integer("axis", -1);
  if (!axis)
    return nullptr;
  if (*axis < -rank || *axis >= rank) {
    a.error("axis") << "axis " << *axis << " is out of range for rank "
                    << rank;
    return nullptr;
  }
  return SoftmaxOp::create(b, loc, in[0].getType(), in[0],
                           *axis < 0 ? *axis + rank : *axis);
}

template <typename BinaryOp>
Value MLIRGenImpl::binary(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto shape =
      inferBroadcastShape(shapeOf(in[0]), shapeOf(in[1]), shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return BinaryOp::create(b, loc, tensorType(*shape), in[0], in[1]);
}

template <typename UnaryOp>
Value MLIRGenImpl::unary(const ParticleDecl &, ParticleAttrs &,
                         ArrayRef<Value> in) {
  return UnaryOp::create(b, loc, in[0].getType(), in[0]);
}

//===----------------------------------------------------------------------===//
// Math particles (elementwise, fused into the kernel they follow)
//===----------------------------------------------------------------------===//

/// A number as the model file would write it ("0.5", "-1", "1e+30").
static std::string formatNumber(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

Value MLIRGenImpl::namedActivation(StringRef name, Value x) {
  Type t = x.getType();
  if (name == "gelu")
    return GeluOp::create(b, loc, t, x, b.getStringAttr("none"));
  if (name == "silu")
    return SiluOp::create(b, loc, t, x);
  if (name == "leaky_relu")
    return LeakyReluOp::create(b, loc, t, x, b.getF32FloatAttr(0.01f));
  if (name == "hard_swish")
    return HardSwishOp::create(b, loc, t, x);
  if (name == "relu6")
    return Relu6Op::create(b, loc, t, x);
  return x;
}

Value MLIRGenImpl::gelu(const ParticleDecl &, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  auto approximate = a.choice("approximate", {"none", "tanh"});
  if (!approximate)
    return nullptr;
  return GeluOp::create(b, loc, in[0].getType(), in[0],
                        b.getStringAttr(*approximate));
}

Value MLIRGenImpl::leakyRelu(const ParticleDecl &, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  // PyTorch's default slope (Keras' LeakyReLU layer defaults to 0.3).
  auto alpha = a.number("alpha", 0.01);
  if (!alpha)
    return nullptr;
  return LeakyReluOp::create(b, loc, in[0].getType(), in[0],
                             b.getF32FloatAttr((float)*alpha));
}

Value MLIRGenImpl::clip(const ParticleDecl &, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  if (!a.has("min") && !a.has("max")) {
    a.error("min") << "needs 'min', 'max' or both";
    return nullptr;
  }
  FloatAttr bounds[2];
  const char *keys[] = {"min", "max"};
  for (int i = 0; i < 2; ++i) {
    const char *key = keys[i];
    if (!a.has(key))
      continue;
    auto value = a.number(key, std::nullopt);
    if (!value)
      return nullptr;
    bounds[i] = b.getF32FloatAttr((float)*value);
  }
  if (bounds[0] && bounds[1] &&
      bounds[0].getValueAsDouble() > bounds[1].getValueAsDouble()) {
    a.error("max") << "'max' " << formatNumber(bounds[1].getValueAsDouble())
                   << " is less than 'min' "
                   << formatNumber(bounds[0].getValueAsDouble());
    return nullptr;
  }
  return ClipOp::create(b, loc, in[0].getType(), in[0], bounds[0], bounds[1]);
}

//===----------------------------------------------------------------------===//
// Tensor particles (log_softmax, dropout, data movement)
//===----------------------------------------------------------------------===//

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
  auto emit = [&] { return a.error("perm"); };
  auto shape = inferTransposeShape(x, perm, emit);
  if (failed(shape))
    return nullptr;
  return TransposeOp::create(b, loc, tensorType(*shape), in[0], perm);
}

Value MLIRGenImpl::concat(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  // PyTorch's torch.cat defaults to dim 0 (Keras' Concatenate to -1).
  auto axis = axisAttr(a, "axis", 0, shapeOf(in[0]).size());
  if (!axis)
    return nullptr;
  SmallVector<SmallVector<int64_t, 4>> shapes;
  for (Value v : in)
    shapes.emplace_back(shapeOf(v));
  auto shape = inferConcatShape(shapes, *axis, shapeError(p, a));
  if (failed(shape))
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
  auto emit = [&] { return a.error(a.has("sizes") ? "sizes" : "num"); };
  auto shapes = inferSplitShapes(x, *axis, sizes, emit);
  if (failed(shapes))
    return nullptr;
  if (shapes->size() < 2) {
    a.error(a.has("sizes") ? "sizes" : "num")
        << "a split needs at least two pieces";
    return nullptr;
  }
  SmallVector<Type> types;
  for (const Dims &shape : *shapes)
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
  std::vector<int64_t> strides = lists.count("strides")
                                     ? lists["strides"]
                                     : std::vector<int64_t>(rank, 1);
  // Python rules: negative begin/end count from the end; end is clamped to
  // the extent; a size of -1 means "to the end".
  std::vector<int64_t> begin(rank), end(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t given = lists["begin"][d];
    begin[d] = given < 0 ? given + x[d] : given;
    if (begin[d] < 0 || begin[d] >= x[d]) {
      a.error("begin") << "begin " << given << " is outside dimension " << d
                       << " of " << formatDims(x);
      return nullptr;
    }
    end[d] = x[d];
    if (lists.count("size")) {
      int64_t size = lists["size"][d];
      if (size != -1 && size < 1) {
        a.error("size") << "'size' entries must be positive or -1, got "
                        << size;
        return nullptr;
      }
      end[d] = size == -1 ? x[d] : begin[d] + size;
    } else if (lists.count("end")) {
      int64_t e = lists["end"][d];
      end[d] = std::min(e < 0 ? e + x[d] : e, x[d]);
    }
  }
  auto shape = inferSliceShape(x, begin, end, strides, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return SliceOp::create(b, loc, tensorType(*shape), in[0], begin, strides);
}

Value MLIRGenImpl::pad(const ParticleDecl &p, ParticleAttrs &a,
                       ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto pads = a.intPairs("pads");
  auto mode = a.choice("mode", {"constant"});
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
  auto shape = inferPadShape(x, low, high, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return PadOp::create(b, loc, tensorType(*shape), in[0],
                       b.getDenseI64ArrayAttr(low),
                       b.getDenseI64ArrayAttr(high),
                       b.getF32FloatAttr((float)*value));
}

//===----------------------------------------------------------------------===//
// Network layers (global pools, norms, matmul, embedding)
//===----------------------------------------------------------------------===//

template <typename GlobalPoolOp>
Value MLIRGenImpl::globalPool(const ParticleDecl &p, ParticleAttrs &a,
                              ArrayRef<Value> in) {
  auto keepdims = a.boolean("keepdims", true);
  if (!keepdims)
    return nullptr;
  auto shape =
      inferGlobalPool2DShape(shapeOf(in[0]), *keepdims, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return GlobalPoolOp::create(b, loc, tensorType(*shape), in[0], *keepdims);
}

Value MLIRGenImpl::batchNorm(const ParticleDecl &p, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  // PyTorch's default epsilon (Keras' BatchNormalization uses 1e-3).
  auto epsilon = a.number("epsilon", 1e-5);
  auto axis = axisAttr(a, "axis", -1, x.size());
  if (!epsilon || !axis)
    return nullptr;
  if (*epsilon <= 0) {
    a.error("epsilon") << "'epsilon' must be positive, got "
                       << formatNumber(*epsilon);
    return nullptr;
  }
  if (*axis != (int64_t)x.size() - 1) {
    a.error("axis") << "batch_norm normalizes the last (channel) axis, "
                       "axis -1; got "
                    << *axis;
    return nullptr;
  }
  int64_t channels = x.back();
  SmallVector<Value, 4> params;
  for (const char *name : {"gamma", "beta", "moving_mean", "moving_variance"})
    params.push_back(weight(p, a, name, {channels}, channels, "[channels]"));
  if (llvm::is_contained(params, Value()))
    return nullptr;
  return BatchNormOp::create(b, loc, in[0].getType(), in[0], params[0],
                             params[1], params[2], params[3],
                             b.getF32FloatAttr((float)*epsilon));
}

Value MLIRGenImpl::layerNorm(const ParticleDecl &p, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto axis = axisAttr(a, "axis", -1, x.size());
  // PyTorch's default epsilon (Keras' LayerNormalization uses 1e-3).
  auto epsilon = a.number("epsilon", 1e-5);
  if (!axis || !epsilon)
    return nullptr;
  if (*epsilon <= 0) {
    a.error("epsilon") << "'epsilon' must be positive, got "
                       << formatNumber(*epsilon);
    return nullptr;
  }
  int64_t extent = x[*axis];
  Value gamma = weight(p, a, "gamma", {extent}, extent, "[extent of axis]");
  Value beta = weight(p, a, "beta", {extent}, extent, "[extent of axis]");
  if (!gamma || !beta)
    return nullptr;
  auto shape = inferLayerNormShape(x, shapeOf(gamma), shapeOf(beta), *axis,
                                   shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return LayerNormOp::create(b, loc, in[0].getType(), in[0], gamma, beta,
                             b.getI64IntegerAttr(*axis),
                             b.getF32FloatAttr((float)*epsilon));
}

Value MLIRGenImpl::matmul(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto transposeA = a.boolean("transpose_a", false);
  auto transposeB = a.boolean("transpose_b", false);
  if (!transposeA || !transposeB)
    return nullptr;
  auto shape = inferMatMulShape(shapeOf(in[0]), shapeOf(in[1]), *transposeA,
                                *transposeB, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return MatMulOp::create(b, loc, tensorType(*shape), in[0], in[1],
                          b.getBoolAttr(*transposeA),
                          b.getBoolAttr(*transposeB));
}

/// f32 holds every integer up to 2^24 exactly: the largest table f32 ids
/// can index.
static constexpr int64_t kMaxEmbeddingRows = 1 << 24;

Value MLIRGenImpl::embedding(const ParticleDecl &p, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  auto inputDim = a.positiveInt("input_dim", std::nullopt);
  auto outputDim = a.positiveInt("output_dim", std::nullopt);
  if (!inputDim || !outputDim)
    return nullptr;
  if (*inputDim > kMaxEmbeddingRows) {
    a.error("input_dim") << "'input_dim' " << *inputDim
                         << " is too large: token ids are f32, exact up to "
                         << kMaxEmbeddingRows;
    return nullptr;
  }
  Value table = weight(p, a, "embeddings", {*inputDim, *outputDim}, 1,
                       "[input_dim, output_dim]");
  if (!table)
    return nullptr;
  auto shape =
      inferEmbeddingShape(shapeOf(in[0]), shapeOf(table), shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return EmbeddingOp::create(b, loc, tensorType(*shape), in[0], table);
}

/// Every particle op: its lowering, its inputs and its attributes.
const std::map<std::string, MLIRGenImpl::OpLowering> &
MLIRGenImpl::lowerings() {
  auto bind = [this](auto member) -> Lowering {
    return [this, member](const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) { return (this->*member)(p, a, in); };
  };
  if (table.empty()) {
    std::vector<std::string> pool{"pool", "strides", "padding"};
    table = {
        {"dense",
         {bind(&MLIRGenImpl::dense), 1, {"units", "use_bias", "activation"}}},
        {"conv2d",
         {bind(&MLIRGenImpl::conv2d), 1,
          {"filters", "kernel", "strides", "padding", "dilation_rate",
           "use_bias", "activation", "groups"}}},
        {"max_pool2d", {bind(&MLIRGenImpl::pool<MaxPool2DOp>), 1, pool}},
        {"avg_pool2d", {bind(&MLIRGenImpl::pool<AvgPool2DOp>), 1, pool}},
        {"flatten", {bind(&MLIRGenImpl::flatten), 1, {}}},
        {"reshape", {bind(&MLIRGenImpl::reshape), 1, {"shape"}}},
        {"softmax", {bind(&MLIRGenImpl::softmax), 1, {"axis"}}},
        {"add", {bind(&MLIRGenImpl::binary<AddOp>), 2, {}}},
        {"mul", {bind(&MLIRGenImpl::binary<MulOp>), 2, {}}},
        {"relu", {bind(&MLIRGenImpl::unary<ReluOp>), 1, {}}},
        {"sigmoid", {bind(&MLIRGenImpl::unary<SigmoidOp>), 1, {}}},
        {"tanh", {bind(&MLIRGenImpl::unary<TanhOp>), 1, {}}},
        // Math particles.
        {"sub", {bind(&MLIRGenImpl::binary<SubOp>), 2, {}}},
        {"div", {bind(&MLIRGenImpl::binary<DivOp>), 2, {}}},
        {"maximum", {bind(&MLIRGenImpl::binary<MaximumOp>), 2, {}}},
        {"minimum", {bind(&MLIRGenImpl::binary<MinimumOp>), 2, {}}},
        {"exp", {bind(&MLIRGenImpl::unary<ExpOp>), 1, {}}},
        {"sqrt", {bind(&MLIRGenImpl::unary<SqrtOp>), 1, {}}},
        {"silu", {bind(&MLIRGenImpl::unary<SiluOp>), 1, {}}},
        {"hard_swish", {bind(&MLIRGenImpl::unary<HardSwishOp>), 1, {}}},
        {"relu6", {bind(&MLIRGenImpl::unary<Relu6Op>), 1, {}}},
        {"gelu", {bind(&MLIRGenImpl::gelu), 1, {"approximate"}}},
        {"leaky_relu", {bind(&MLIRGenImpl::leakyRelu), 1, {"alpha"}}},
        {"clip", {bind(&MLIRGenImpl::clip), 1, {"min", "max"}}},
        // Tensor particles.
        {"log_softmax", {bind(&MLIRGenImpl::logSoftmax), 1, {"axis"}}},
        {"dropout", {bind(&MLIRGenImpl::dropout), 1, {"rate"}}},
        {"transpose", {bind(&MLIRGenImpl::transpose), 1, {"perm"}}},
        {"concat",
         {bind(&MLIRGenImpl::concat), OpLowering::kVariadic, {"axis"}}},
        {"split", {bind(&MLIRGenImpl::split), 1, {"axis", "sizes", "num"}}},
        {"slice",
         {bind(&MLIRGenImpl::slice), 1, {"begin", "size", "end", "strides"}}},
        {"pad", {bind(&MLIRGenImpl::pad), 1, {"pads", "mode", "value"}}},
        // Network layers.
        {"global_max_pool2d",
         {bind(&MLIRGenImpl::globalPool<GlobalMaxPool2DOp>), 1, {"keepdims"}}},
        {"global_avg_pool2d",
         {bind(&MLIRGenImpl::globalPool<GlobalAvgPool2DOp>), 1, {"keepdims"}}},
        {"batch_norm",
         {bind(&MLIRGenImpl::batchNorm), 1, {"epsilon", "axis"}}},
        {"layer_norm",
         {bind(&MLIRGenImpl::layerNorm), 1, {"axis", "epsilon"}}},
        {"matmul",
         {bind(&MLIRGenImpl::matmul), 2, {"transpose_a", "transpose_b"}}},
        {"batch_matmul",
         {bind(&MLIRGenImpl::matmul), 2, {"transpose_a", "transpose_b"}}},
        {"embedding",
         {bind(&MLIRGenImpl::embedding), 1, {"input_dim", "output_dim"}}},
    };
  }
  return table;
}

} // namespace sora
