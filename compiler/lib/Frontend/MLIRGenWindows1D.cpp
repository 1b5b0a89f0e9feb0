//===- MLIRGenWindows1D.cpp - 1-D window particles ------------------------===//
//
// conv1d, max_pool1d and avg_pool1d work on [N, L, C] (channels last, as
// Keras' Conv1D): each is its 2-D particle over the free view [N, 1, L, C]
// with a height-1 window, viewed back as [N, L', C'].
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {

std::optional<MLIRGenImpl::Window1D>
MLIRGenImpl::window1d(const ParticleDecl &p, ParticleAttrs &a,
                      ArrayRef<int64_t> x, const char *windowKey,
                      bool dilated) {
  if (x.size() != 3) {
    shapeError(p, a)() << "port 'input' expects rank 3 [batch, length, "
                          "channels], got "
                       << formatDims(x);
    return std::nullopt;
  }
  auto window = a.positiveInt(windowKey, std::nullopt);
  if (!window)
    return std::nullopt;
  auto strides = a.positiveInt("strides", dilated ? 1 : *window);
  auto dilation = dilated ? a.positiveInt("dilation_rate", 1) : 1;
  if (!strides || !dilation)
    return std::nullopt;
  Window1D w{{1, *window}, {1, *strides}, {1, *dilation}, {0, 0, 0, 0}};
  if (!a.isArray("padding")) {
    auto mode = a.choice("padding", {"valid", "same"});
    if (!mode)
      return std::nullopt;
    std::tie(w.pads[1], w.pads[3]) =
        computePadding(*mode == "same", x[1], *window, *strides, *dilation);
    return w;
  }
  auto pads = a.intList("padding");
  if (!pads)
    return std::nullopt;
  if (pads->size() != 2 || (*pads)[0] < 0 || (*pads)[1] < 0) {
    a.error("padding") << "'padding' must be \"valid\", \"same\" or two "
                          "non-negative integers [left, right]";
    return std::nullopt;
  }
  w.pads[1] = (*pads)[0];
  w.pads[3] = (*pads)[1];
  return w;
}

/// [N, L, C] viewed as [N, 1, L, C], and back.
static Value heightOne(OpBuilder &b, Location loc, Value x) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(x.getType()).getShape();
  return ReshapeOp::create(
      b, loc, RankedTensorType::get({s[0], 1, s[1], s[2]}, b.getF32Type()), x);
}
static Value dropHeight(OpBuilder &b, Location loc, Value x) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(x.getType()).getShape();
  return ReshapeOp::create(
      b, loc, RankedTensorType::get({s[0], s[2], s[3]}, b.getF32Type()), x);
}

Value MLIRGenImpl::conv1d(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto filters = a.positiveInt("filters", std::nullopt);
  auto useBias = a.boolean("use_bias", true);
  auto groups = a.positiveInt("groups", 1);
  auto w = window1d(p, a, x, "kernel", /*dilated=*/true);
  if (!filters || !useBias || !groups || !w)
    return nullptr;
  if (x[2] % *groups != 0 || *filters % *groups != 0) {
    a.error("groups") << "groups " << *groups
                      << " must divide the input channels (" << x[2]
                      << ") and the filters (" << *filters << ")";
    return nullptr;
  }
  std::vector<int64_t> kshape{w->kernel[1], x[2] / *groups, *filters};
  int64_t fanIn = kshape[0] * kshape[1];
  Value kernel =
      weight(p, a, "kernel", kshape, fanIn,
             *groups > 1 ? "[k, in / groups, filters]" : "[k, in, filters]");
  Value bias =
      *useBias ? weight(p, a, "bias", {*filters}, fanIn, "[filters]") : Value();
  if (!kernel || (*useBias && !bias))
    return nullptr;
  std::vector<int64_t> kernel2d{1, kshape[0], kshape[1], kshape[2]};
  Shape input2d{x[0], 1, x[1], x[2]};
  auto shape = inferConv2DShape(
      input2d, kernel2d, bias ? std::optional(shapeOf(bias)) : std::nullopt,
      w->strides, w->dilation, w->pads, shapeError(p, a), *groups);
  if (!shape)
    return nullptr;
  kernel = ReshapeOp::create(b, loc, tensorType(kernel2d), kernel);
  Value y =
      Conv2DOp::create(b, loc, tensorType(*shape), heightOne(b, loc, in[0]),
                       kernel, bias, w->strides, w->dilation, w->pads, *groups);
  // The activation before the view, so that it fuses into the convolution.
  y = activation(p, a, y);
  return y ? dropHeight(b, loc, y) : nullptr;
}

template <typename PoolOp>
Value MLIRGenImpl::pool1d(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto w = window1d(p, a, x, "pool", /*dilated=*/false);
  if (!w)
    return nullptr;
  auto shape = inferPool2DShape({x[0], 1, x[1], x[2]}, w->kernel, w->strides,
                                w->pads, shapeError(p, a));
  if (!shape)
    return nullptr;
  Value y = PoolOp::create(b, loc, tensorType(*shape), heightOne(b, loc, in[0]),
                           w->kernel, w->strides, w->pads);
  return dropHeight(b, loc, y);
}

// The lowering table (MLIRGen.cpp) binds these two.
template Value MLIRGenImpl::pool1d<MaxPool2DOp>(const ParticleDecl &,
                                                ParticleAttrs &,
                                                ArrayRef<Value>);
template Value MLIRGenImpl::pool1d<AvgPool2DOp>(const ParticleDecl &,
                                                ParticleAttrs &,
                                                ArrayRef<Value>);

} // namespace sora
