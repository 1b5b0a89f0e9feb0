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
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {

//===----------------------------------------------------------------------===//
// Lowerings
//===----------------------------------------------------------------------===//

ShapeError MLIRGenImpl::shapeError(const ParticleDecl &p, ParticleAttrs &a) {
  return ShapeError([this, &p, &a](const std::string &message) {
    emitErrorAt(&context, p.loc) << a.owner() << ": " << message;
  });
}

Value MLIRGenImpl::weight(const ParticleDecl &p, ParticleAttrs &a,
                          const std::string &param,
                          const std::vector<int64_t> &shape, int64_t fanIn,
                          const std::string &layout) {
  return namedWeight(p.name + "." + param, shape, fanIn, layout, a.owner(),
                     p.loc);
}

Value MLIRGenImpl::activation(const ParticleDecl & /*p*/, ParticleAttrs &a,
                              Value x) {
  std::optional<std::string> act = a.choice(
      "activation", {"none", "relu", "sigmoid", "tanh", "softmax", "gelu",
                     "silu", "leaky_relu", "hard_swish", "relu6"});
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

std::optional<std::vector<int64_t>> MLIRGenImpl::windowPadding(
    const ParticleDecl &p, ParticleAttrs &a, ArrayRef<int64_t> x, bool same,
    std::array<int64_t, 2> window, std::array<int64_t, 2> strides,
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
  return explicitPadding(a);
}

std::optional<std::vector<int64_t>>
MLIRGenImpl::explicitPadding(ParticleAttrs &a) {
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
  Value bias =
      *useBias ? weight(p, a, "bias", {*units}, x.back(), "[units]") : Value();
  if (!kernel || (*useBias && !bias))
    return nullptr;
  auto shape = inferDenseShape(
      x, kshape, bias ? std::optional(shapeOf(bias)) : std::nullopt,
      shapeError(p, a));
  if (!shape)
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

std::optional<MLIRGenImpl::ConvAttrs>
MLIRGenImpl::convAttrs(const ParticleDecl &p, ParticleAttrs &a,
                       ArrayRef<int64_t> x) {
  auto filters = a.positiveInt("filters", std::nullopt);
  auto kernelSize = a.positivePair("kernel", std::nullopt);
  auto strides = a.positivePair("strides", std::array<int64_t, 2>{1, 1});
  auto dilation = a.positivePair("dilation_rate", std::array<int64_t, 2>{1, 1});
  auto useBias = a.boolean("use_bias", true);
  auto groups = a.positiveInt("groups", 1);
  if (!filters || !kernelSize || !strides || !dilation || !useBias || !groups)
    return std::nullopt;
  if (x.size() != 4) {
    shapeError(p, a)() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(x);
    return std::nullopt;
  }
  if (x[3] % *groups != 0 || *filters % *groups != 0) {
    a.error("groups") << "groups " << *groups
                      << " must divide the input channels (" << x[3]
                      << ") and the filters (" << *filters << ")";
    return std::nullopt;
  }
  return ConvAttrs{*filters, *groups,   *kernelSize,
                   *strides, *dilation, *useBias};
}

std::optional<std::pair<Value, Value>> MLIRGenImpl::convWeights(
    const ParticleDecl &p, ParticleAttrs &a, const ConvAttrs &conv,
    const std::vector<int64_t> &kshape, const std::string &layout) {
  int64_t fanIn = kshape[0] * kshape[1] * kshape[2];
  Value kernel = weight(p, a, "kernel", kshape, fanIn, layout);
  Value bias = conv.useBias
                   ? weight(p, a, "bias", {conv.filters}, fanIn, "[filters]")
                   : Value();
  if (!kernel || (conv.useBias && !bias))
    return std::nullopt;
  return std::make_pair(kernel, bias);
}

Value MLIRGenImpl::conv2d(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto conv = convAttrs(p, a, x);
  if (!conv)
    return nullptr;
  auto pads = paddingAttr(p, a, x, conv->kernel, conv->strides, conv->dilation);
  if (!pads)
    return nullptr;
  std::vector<int64_t> kshape{conv->kernel[0], conv->kernel[1],
                              x[3] / conv->groups, conv->filters};
  auto params = convWeights(p, a, *conv, kshape,
                            conv->groups > 1 ? "[kh, kw, in / groups, filters]"
                                             : "[kh, kw, in, filters]");
  if (!params)
    return nullptr;
  auto [kernel, bias] = *params;
  auto shape = inferConv2DShape(
      x, kshape, bias ? std::optional(shapeOf(bias)) : std::nullopt,
      conv->strides, conv->dilation, *pads, shapeError(p, a), conv->groups);
  if (!shape)
    return nullptr;
  Value y =
      Conv2DOp::create(b, loc, tensorType(*shape), in[0], kernel, bias,
                       conv->strides, conv->dilation, *pads, conv->groups);
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
  if (!shape)
    return nullptr;
  if constexpr (std::is_same_v<PoolOp, LpPool2DOp>) {
    auto norm = a.number("p", 2.0);
    if (!norm || !checkLpNorm(*norm, a.shapeError("p")))
      return nullptr;
    return LpPool2DOp::create(b, loc, tensorType(*shape), in[0], *window,
                              *strides, *pads, llvm::APFloat((float)*norm));
  } else {
    return PoolOp::create(b, loc, tensorType(*shape), in[0], *window, *strides,
                          *pads);
  }
}

Value MLIRGenImpl::flatten(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  auto shape = inferFlattenShape(shapeOf(in[0]), shapeError(p, a));
  if (!shape)
    return nullptr;
  return FlattenOp::create(b, loc, tensorType(*shape), in[0]);
}

Value MLIRGenImpl::reshape(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  // [] makes a rank-0 tensor (of one element).
  auto target = a.intList("shape", /*allowEmpty=*/true);
  if (!target)
    return nullptr;
  auto shape = inferReshapeShape(shapeOf(in[0]), *target, shapeError(p, a));
  if (!shape)
    return nullptr;
  return ReshapeOp::create(b, loc, tensorType(*shape), in[0]);
}

Value MLIRGenImpl::softmax(const ParticleDecl & /*p*/, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  int64_t rank = shapeOf(in[0]).size();
  auto axis = a.integer("axis", -1);
  if (!axis)
    return nullptr;
  if (*axis < -rank || *axis >= rank) {
    a.error("axis") << "axis " << *axis << " is out of range for rank " << rank;
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
  if (!shape)
    return nullptr;
  return BinaryOp::create(b, loc, tensorType(*shape), in[0], in[1]);
}

Value MLIRGenImpl::where(const ParticleDecl &p, ParticleAttrs &a,
                         ArrayRef<Value> in) {
  auto ab =
      inferBroadcastShape(shapeOf(in[1]), shapeOf(in[2]), shapeError(p, a));
  auto shape = ab ? inferBroadcastShape(shapeOf(in[0]), *ab, shapeError(p, a))
                  : std::nullopt;
  if (!shape)
    return nullptr;
  return WhereOp::create(b, loc, tensorType(*shape), in[0], in[1], in[2]);
}

template <typename UnaryOp>
Value MLIRGenImpl::unary(const ParticleDecl &, ParticleAttrs &,
                         ArrayRef<Value> in) {
  return UnaryOp::create(b, loc, in[0].getType(), in[0]);
}

/// Every particle op: its lowering, its inputs and its attributes.
const std::map<std::string, MLIRGenImpl::OpLowering> &MLIRGenImpl::lowerings() {
  auto bind = [this](auto member) -> Lowering {
    return [this, member](const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
      return (this->*member)(p, a, in);
    };
  };
  if (table.empty()) {
    std::vector<std::string> pool{"pool", "strides", "padding"};
    table = {
        {"dense",
         {bind(&MLIRGenImpl::dense), 1, {"units", "use_bias", "activation"}}},
        {"conv2d",
         {bind(&MLIRGenImpl::conv2d),
          1,
          {"filters", "kernel", "strides", "padding", "dilation_rate",
           "use_bias", "activation", "groups"}}},
        {"conv_transpose2d",
         {bind(&MLIRGenImpl::convTranspose2d),
          1,
          {"filters", "kernel", "strides", "padding", "output_padding",
           "dilation_rate", "use_bias", "activation", "groups"}}},
        {"conv1d",
         {bind(&MLIRGenImpl::conv1d),
          1,
          {"filters", "kernel", "strides", "padding", "dilation_rate",
           "use_bias", "activation", "groups"}}},
        {"max_pool1d", {bind(&MLIRGenImpl::pool1d<MaxPool2DOp>), 1, pool}},
        {"avg_pool1d", {bind(&MLIRGenImpl::pool1d<AvgPool2DOp>), 1, pool}},
        {"depth_to_space",
         {bind(&MLIRGenImpl::depthSpace), 1, {"block_size", "mode"}}},
        {"space_to_depth", {bind(&MLIRGenImpl::depthSpace), 1, {"block_size"}}},
        {"max_pool2d", {bind(&MLIRGenImpl::pool<MaxPool2DOp>), 1, pool}},
        {"avg_pool2d", {bind(&MLIRGenImpl::pool<AvgPool2DOp>), 1, pool}},
        {"lp_pool2d",
         {bind(&MLIRGenImpl::pool<LpPool2DOp>),
          1,
          {"pool", "strides", "padding", "p"}}},
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
        {"pow", {bind(&MLIRGenImpl::binary<PowOp>), 2, {}}},
        {"prelu", {bind(&MLIRGenImpl::binary<PReluOp>), 2, {}}},
        {"fmod", {bind(&MLIRGenImpl::binary<FmodOp>), 2, {}}},
        {"where", {bind(&MLIRGenImpl::where), 3, {}}},
        {"exp", {bind(&MLIRGenImpl::unary<ExpOp>), 1, {}}},
        {"sqrt", {bind(&MLIRGenImpl::unary<SqrtOp>), 1, {}}},
        {"erf", {bind(&MLIRGenImpl::unary<ErfOp>), 1, {}}},
        {"silu", {bind(&MLIRGenImpl::unary<SiluOp>), 1, {}}},
        {"hard_swish", {bind(&MLIRGenImpl::unary<HardSwishOp>), 1, {}}},
        {"relu6", {bind(&MLIRGenImpl::unary<Relu6Op>), 1, {}}},
        {"abs", {bind(&MLIRGenImpl::unary<AbsOp>), 1, {}}},
        {"neg", {bind(&MLIRGenImpl::unary<NegOp>), 1, {}}},
        {"reciprocal", {bind(&MLIRGenImpl::unary<ReciprocalOp>), 1, {}}},
        {"floor", {bind(&MLIRGenImpl::unary<FloorOp>), 1, {}}},
        {"ceil", {bind(&MLIRGenImpl::unary<CeilOp>), 1, {}}},
        {"round", {bind(&MLIRGenImpl::unary<RoundOp>), 1, {}}},
        {"sign", {bind(&MLIRGenImpl::unary<SignOp>), 1, {}}},
        {"log", {bind(&MLIRGenImpl::unary<LogOp>), 1, {}}},
        {"sin", {bind(&MLIRGenImpl::unary<SinOp>), 1, {}}},
        {"cos", {bind(&MLIRGenImpl::unary<CosOp>), 1, {}}},
        {"tan", {bind(&MLIRGenImpl::unary<TanOp>), 1, {}}},
        {"asin", {bind(&MLIRGenImpl::unary<AsinOp>), 1, {}}},
        {"acos", {bind(&MLIRGenImpl::unary<AcosOp>), 1, {}}},
        {"atan", {bind(&MLIRGenImpl::unary<AtanOp>), 1, {}}},
        {"sinh", {bind(&MLIRGenImpl::unary<SinhOp>), 1, {}}},
        {"cosh", {bind(&MLIRGenImpl::unary<CoshOp>), 1, {}}},
        {"asinh", {bind(&MLIRGenImpl::unary<AsinhOp>), 1, {}}},
        {"acosh", {bind(&MLIRGenImpl::unary<AcoshOp>), 1, {}}},
        {"atanh", {bind(&MLIRGenImpl::unary<AtanhOp>), 1, {}}},
        {"softplus", {bind(&MLIRGenImpl::unary<SoftplusOp>), 1, {}}},
        {"softsign", {bind(&MLIRGenImpl::unary<SoftsignOp>), 1, {}}},
        {"mish", {bind(&MLIRGenImpl::unary<MishOp>), 1, {}}},
        {"gelu", {bind(&MLIRGenImpl::gelu), 1, {"approximate"}}},
        {"leaky_relu", {bind(&MLIRGenImpl::leakyRelu), 1, {"alpha"}}},
        {"clip", {bind(&MLIRGenImpl::clip), 1, {"min", "max"}}},
        {"elu", {bind(&MLIRGenImpl::scalarActivation<EluOp>), 1, {"alpha"}}},
        {"selu",
         {bind(&MLIRGenImpl::scalarActivation<SeluOp>), 1, {"alpha", "gamma"}}},
        {"celu", {bind(&MLIRGenImpl::scalarActivation<CeluOp>), 1, {"alpha"}}},
        {"thresholded_relu",
         {bind(&MLIRGenImpl::scalarActivation<ThresholdedReluOp>),
          1,
          {"alpha"}}},
        {"shrink",
         {bind(&MLIRGenImpl::scalarActivation<ShrinkOp>),
          1,
          {"lambd", "bias"}}},
        {"hard_sigmoid",
         {bind(&MLIRGenImpl::hardSigmoid), 1, {"alpha", "beta"}}},
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
        {"constant", {bind(&MLIRGenImpl::constant), 0, {"shape"}}},
        {"reduce_sum", {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_mean", {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_max", {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_min", {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_prod", {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_l1", {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_l2", {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_sum_square",
         {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        {"reduce_log_sum_exp",
         {bind(&MLIRGenImpl::reduce), 1, {"axes", "keepdims"}}},
        // Network layers.
        {"global_max_pool2d",
         {bind(&MLIRGenImpl::globalPool<GlobalMaxPool2DOp>), 1, {"keepdims"}}},
        {"global_avg_pool2d",
         {bind(&MLIRGenImpl::globalPool<GlobalAvgPool2DOp>), 1, {"keepdims"}}},
        {"batch_norm", {bind(&MLIRGenImpl::batchNorm), 1, {"epsilon", "axis"}}},
        {"layer_norm", {bind(&MLIRGenImpl::layerNorm), 1, {"axis", "epsilon"}}},
        {"group_norm",
         {bind(&MLIRGenImpl::groupNorm), 1, {"groups", "epsilon", "affine"}}},
        {"instance_norm",
         {bind(&MLIRGenImpl::groupNorm), 1, {"epsilon", "affine"}}},
        {"matmul",
         {bind(&MLIRGenImpl::matmul), 2, {"transpose_a", "transpose_b"}}},
        {"batch_matmul",
         {bind(&MLIRGenImpl::matmul), 2, {"transpose_a", "transpose_b"}}},
        {"embedding",
         {bind(&MLIRGenImpl::embedding), 1, {"input_dim", "output_dim"}}},
        {"one_hot", {bind(&MLIRGenImpl::oneHot), 1, {"depth"}}},
        // Preprocessing.
        {"normalize",
         {bind(&MLIRGenImpl::normalize), 1, {"scale", "mean", "std"}}},
        {"resize",
         {bind(&MLIRGenImpl::resize),
          1,
          {"size", "scale_factor", "mode", "align_corners"}}},
        {"grid_sample",
         {bind(&MLIRGenImpl::gridSample),
          2,
          {"mode", "padding_mode", "align_corners"}}},
        // Transformer layers.
        {"multi_head_attention",
         {bind(&MLIRGenImpl::multiHeadAttention),
          OpLowering::kVariadic,
          {"heads", "head_dim", "causal", "fused_qkv"}}},
        {"feed_forward",
         {bind(&MLIRGenImpl::feedForward), 1, {"units", "activation"}}},
        {"positional_encoding",
         {bind(&MLIRGenImpl::positionalEncoding), 1, {"kind", "max_len"}}},
        {"lstm",
         {bind(&MLIRGenImpl::lstm),
          1,
          {"units", "bidirectional", "return_sequences"}}},
        {"gru",
         {bind(&MLIRGenImpl::gru),
          1,
          {"units", "bidirectional", "return_sequences", "reset_after"}}},
        {"rnn",
         {bind(&MLIRGenImpl::rnn),
          1,
          {"units", "bidirectional", "return_sequences", "activation"}}},
    };
  }
  return table;
}

} // namespace sora
