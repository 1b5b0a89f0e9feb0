//===- MathOps.cpp - Verifiers of the elementwise math particles ----------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

#include <limits>

using namespace mlir;
using namespace sora::particle;

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitParticleError(*this)
           << "approximate must be \"none\" or \"tanh\", got \""
           << getApproximate() << "\"";
  return success();
}

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitParticleError(*this)
           << "min " << getMin()->convertToDouble() << " is greater than max "
           << getMax()->convertToDouble();
  return success();
}

LogicalResult LogSoftmaxOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  return success(checkAxis(getAxis(), getType().getRank(), emit));
}

//===----------------------------------------------------------------------===//
// Kernel forms (KernelOpInterface)
//===----------------------------------------------------------------------===//

sora::KernelOp GeluOp::describeKernelOp() {
  return sora::KernelOp::of(getApproximate() == "tanh"
                                ? sora::KernelOpKind::GeluTanh
                                : sora::KernelOpKind::Gelu);
}

sora::KernelOp LeakyReluOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::LeakyRelu);
  k.scalars[0] = getAlpha().convertToFloat();
  return k;
}

sora::KernelOp HardSigmoidOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::HardSigmoid);
  k.scalars = {getAlpha().convertToFloat(), getBeta().convertToFloat()};
  return k;
}

sora::KernelOp EluOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Elu);
  k.scalars = {getAlpha().convertToFloat()};
  return k;
}

sora::KernelOp SeluOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Selu);
  k.scalars = {getAlpha().convertToFloat(), getGamma().convertToFloat()};
  return k;
}

sora::KernelOp CeluOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Celu);
  k.scalars = {getAlpha().convertToFloat()};
  return k;
}

sora::KernelOp ThresholdedReluOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::ThresholdedRelu);
  k.scalars = {getAlpha().convertToFloat()};
  return k;
}

sora::KernelOp ShrinkOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Shrink);
  k.scalars = {getLambd().convertToFloat(), getBias().convertToFloat()};
  return k;
}

sora::KernelOp ClipOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Clip);
  float inf = std::numeric_limits<float>::infinity();
  k.scalars = {getMin() ? getMin()->convertToFloat() : -inf,
               getMax() ? getMax()->convertToFloat() : inf};
  return k;
}

sora::KernelOp LogSoftmaxOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::LogSoftmax);
  k.axis = (int64_t)getAxis();
  return k;
}
