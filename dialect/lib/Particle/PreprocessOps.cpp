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
