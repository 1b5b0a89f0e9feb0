//===- PreprocessOps.cpp - Verifiers of normalize and resize --------------===//

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
