//===- PreprocessOps.cpp - Normalize, resize and grid_sample --------------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

using namespace mlir;
using namespace sora::particle;

LogicalResult NormalizeOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  return success(
      checkNormalize(shapeOf(getInput()), getMean(), getStd(), emit));
}

LogicalResult ResizeOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ShapeError shapeEmit = shapeErrorOf(*this);
  if (!checkResizeMode(getMode(), getAlignCorners(), shapeEmit))
    return failure();
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (std::optional<ArrayRef<double>> scales = getScaleFactor())
    return checkResult(
        *this,
        inferResizeShape(shapeOf(getInput()), std::nullopt, scales, shapeEmit));
  if (result.size() != 4)
    return emit() << "result expects rank 4 NHWC, got " << formatDims(result);
  return checkResult(*this,
                     inferResizeShape(shapeOf(getInput()), result.slice(1, 2),
                                      std::nullopt, shapeEmit));
}

std::optional<sora::Shape>
GridSampleOp::inferShape(Adaptor adaptor, const sora::ShapeError &emitError) {
  if (!checkGridSampleMode(adaptor.getMode(), emitError) ||
      !parseGridPadding(adaptor.getPaddingMode(), emitError))
    return std::nullopt;
  return inferGridSampleShape(shapeOf(adaptor.getInput()),
                              shapeOf(adaptor.getGrid()), emitError);
}

//===----------------------------------------------------------------------===//
// Kernel forms (KernelOpInterface)
//===----------------------------------------------------------------------===//

sora::KernelOp NormalizeOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Normalize);
  k.scalars[0] = getScale().convertToFloat();
  k.channelMean.assign(getMean().begin(), getMean().end());
  k.channelStd.assign(getStd().begin(), getStd().end());
  return k;
}

sora::KernelOp ResizeOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(
      getMode() == "bilinear" ? sora::KernelOpKind::ResizeBilinear
                              : sora::KernelOpKind::ResizeNearest);
  k.alignCorners = getAlignCorners();
  if (std::optional<ArrayRef<double>> scales = getScaleFactor())
    k.scaleFactor = {(*scales)[0], (*scales)[1]};
  return k;
}

sora::KernelOp GridSampleOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(
      getMode() == "nearest" ? sora::KernelOpKind::GridSampleNearest
                             : sora::KernelOpKind::GridSampleBilinear);
  k.alignCorners = getAlignCorners();
  // Verified: the padding parses.
  k.gridPadding = *parseGridPadding(getPaddingMode(), shapeErrorOf(*this));
  return k;
}
