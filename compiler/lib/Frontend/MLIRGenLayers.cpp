//===- MLIRGenLayers.cpp - Network layer particles ------------------------===//
//
// Lowerings of conv_transpose2d, global pools, batch_norm, layer_norm, matmul
// and embedding.
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {

/// "valid" (none), "same" (out = in * stride: the forward conv's "same"
/// padding, and output padding where the stride exceeds the window) or
/// [top, left, bottom, right]; then `output_padding` (a non-negative int or
/// pair) where given.
std::optional<std::pair<std::vector<int64_t>, std::vector<int64_t>>>
MLIRGenImpl::transposedPadding(ParticleAttrs &a, std::array<int64_t, 2> kernel,
                               std::array<int64_t, 2> strides,
                               std::array<int64_t, 2> dilation) {
  std::vector<int64_t> pads{0, 0, 0, 0}, outputPads{0, 0};
  if (a.isArray("padding")) {
    auto explicitPads = explicitPadding(a);
    if (!explicitPads)
      return std::nullopt;
    pads = *explicitPads;
  } else {
    auto mode = a.choice("padding", {"valid", "same"});
    if (!mode)
      return std::nullopt;
    for (int d = 0; *mode == "same" && d < 2; ++d) {
      int64_t span = (kernel[d] - 1) * dilation[d] + 1;
      int64_t total = std::max<int64_t>(span - strides[d], 0);
      pads[d] = total / 2;
      pads[2 + d] = total - total / 2;
      outputPads[d] = std::max<int64_t>(strides[d] - span, 0);
    }
  }
  if (a.has("output_padding")) {
    auto given = a.nonNegativePair("output_padding");
    if (!given)
      return std::nullopt;
    outputPads = {(*given)[0], (*given)[1]};
  }
  return std::make_pair(pads, outputPads);
}

Value MLIRGenImpl::convTranspose2d(const ParticleDecl &p, ParticleAttrs &a,
                                   ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto conv = convAttrs(p, a, x);
  if (!conv)
    return nullptr;
  auto pads = transposedPadding(a, conv->kernel, conv->strides, conv->dilation);
  if (!pads)
    return nullptr;
  std::vector<int64_t> kshape{conv->kernel[0], conv->kernel[1],
                              conv->filters / conv->groups, x[3]};
  auto params = convWeights(p, a, *conv, kshape,
                            conv->groups > 1 ? "[kh, kw, filters / groups, in]"
                                             : "[kh, kw, filters, in]");
  if (!params)
    return nullptr;
  auto [kernel, bias] = *params;
  auto shape = inferConvTranspose2DShape(
      x, kshape, bias ? std::optional(shapeOf(bias)) : std::nullopt,
      conv->strides, conv->dilation, pads->first, pads->second,
      shapeError(p, a), conv->groups);
  if (!shape)
    return nullptr;
  Value y = ConvTranspose2DOp::create(b, loc, tensorType(*shape), in[0], kernel,
                                      bias, conv->strides, conv->dilation,
                                      pads->first, pads->second, conv->groups);
  return activation(p, a, y);
}

template <typename GlobalPoolOp>
Value MLIRGenImpl::globalPool(const ParticleDecl &p, ParticleAttrs &a,
                              ArrayRef<Value> in) {
  auto keepdims = a.boolean("keepdims", true);
  if (!keepdims)
    return nullptr;
  auto shape =
      inferGlobalPool2DShape(shapeOf(in[0]), *keepdims, shapeError(p, a));
  if (!shape)
    return nullptr;
  return GlobalPoolOp::create(b, loc, tensorType(*shape), in[0], *keepdims);
}

// The lowering table (MLIRGen.cpp) binds these two.
template Value MLIRGenImpl::globalPool<GlobalMaxPool2DOp>(const ParticleDecl &,
                                                          ParticleAttrs &,
                                                          ArrayRef<Value>);
template Value MLIRGenImpl::globalPool<GlobalAvgPool2DOp>(const ParticleDecl &,
                                                          ParticleAttrs &,
                                                          ArrayRef<Value>);

Value MLIRGenImpl::batchNorm(const ParticleDecl &p, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto epsilon = a.number("epsilon", kDefaultNormEpsilon);
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
  auto epsilon = a.number("epsilon", kDefaultNormEpsilon);
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
  auto shape = inferLayerNormShape(x, {shapeOf(gamma), shapeOf(beta)}, *axis,
                                   shapeError(p, a));
  if (!shape)
    return nullptr;
  return LayerNormOp::create(
      b, loc, in[0].getType(), in[0], ValueRange{gamma, beta},
      b.getI64IntegerAttr(*axis), b.getF32FloatAttr((float)*epsilon));
}

/// group_norm and instance_norm (groups = channels) on [N, ..., C]: the
/// statistics of each group's cells over every position, by a layer_norm
/// without scale and shift along one axis of a view that holds them (the
/// positions for instance_norm; a transposed [N, G, positions * C/G]
/// otherwise); then gamma and beta per channel, which fuse after it.
Value MLIRGenImpl::groupNorm(const ParticleDecl &p, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  bool instance = p.op == "instance_norm";
  auto epsilon = a.number("epsilon", kDefaultNormEpsilon);
  auto affine = a.boolean("affine", true);
  auto groups = instance ? std::optional<int64_t>(x.empty() ? 1 : x.back())
                         : a.positiveInt("groups", std::nullopt);
  if (!epsilon || !affine || !groups)
    return nullptr;
  if (*epsilon <= 0) {
    a.error("epsilon") << "'epsilon' must be positive, got "
                       << formatNumber(*epsilon);
    return nullptr;
  }
  if (x.size() < 3) {
    shapeError(p, a)() << "port 'input' expects rank >= 3 [batch, ..., "
                          "channels], got "
                       << formatDims(x);
    return nullptr;
  }
  int64_t n = x[0], channels = x.back(), positions = 1;
  for (int64_t d : x.drop_front().drop_back())
    positions *= d;
  if (channels % *groups != 0) {
    a.error("groups") << "groups " << *groups << " must divide the channels ("
                      << channels << ")";
    return nullptr;
  }
  Value gamma, beta;
  if (*affine) {
    gamma = weight(p, a, "gamma", {channels}, channels, "[channels]");
    beta = weight(p, a, "beta", {channels}, channels, "[channels]");
    if (!gamma || !beta)
      return nullptr;
  }
  auto view = [&](Value v, Shape shape) -> Value {
    return ReshapeOp::create(b, loc, tensorType(shape), v);
  };
  FloatAttr eps = b.getF32FloatAttr((float)*epsilon);
  Value y;
  if (instance) {
    Value rows = view(in[0], {n, positions, channels});
    y = LayerNormOp::create(b, loc, rows.getType(), rows, ValueRange{},
                            b.getI64IntegerAttr(1), eps);
  } else {
    int64_t g = *groups, width = channels / g;
    std::vector<int64_t> swap{0, 2, 1, 3};
    Value split = view(in[0], {n, positions, g, width});
    Value grouped = TransposeOp::create(
        b, loc, tensorType({n, g, positions, width}), split, swap);
    Value rows = view(grouped, {n, g, positions * width});
    Value norm = LayerNormOp::create(b, loc, rows.getType(), rows, ValueRange{},
                                     b.getI64IntegerAttr(2), eps);
    y = TransposeOp::create(b, loc, tensorType({n, positions, g, width}),
                            view(norm, {n, g, positions, width}), swap);
  }
  y = view(y, Shape(x.begin(), x.end()));
  if (!*affine)
    return y;
  y = MulOp::create(b, loc, y.getType(), y, gamma);
  return AddOp::create(b, loc, y.getType(), y, beta);
}

Value MLIRGenImpl::matmul(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto transposeA = a.boolean("transpose_a", false);
  auto transposeB = a.boolean("transpose_b", false);
  if (!transposeA || !transposeB)
    return nullptr;
  auto shape = inferMatMulShape(shapeOf(in[0]), shapeOf(in[1]), *transposeA,
                                *transposeB, shapeError(p, a));
  if (!shape)
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
  if (*inputDim > kMaxEmbeddingRows && !isTokenIds(in[0].getType())) {
    a.error("input_dim") << "'input_dim' " << *inputDim
                         << " is too large for f32 token ids, exact up to "
                         << kMaxEmbeddingRows << "; declare the ids input i64";
    return nullptr;
  }
  Value table = weight(p, a, "embeddings", {*inputDim, *outputDim}, 1,
                       "[input_dim, output_dim]");
  if (!table)
    return nullptr;
  auto shape =
      inferEmbeddingShape(shapeOf(in[0]), shapeOf(table), shapeError(p, a));
  if (!shape)
    return nullptr;
  return EmbeddingOp::create(b, loc, tensorType(*shape), in[0], table);
}

Value MLIRGenImpl::oneHot(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto depth = a.positiveInt("depth", std::nullopt);
  if (!depth)
    return nullptr;
  auto shape = inferOneHotShape(shapeOf(in[0]), *depth, shapeError(p, a));
  if (!shape)
    return nullptr;
  return OneHotOp::create(b, loc, tensorType(*shape), in[0], *depth);
}

} // namespace sora
