//===- RecurrentOps.cpp - Verifiers of the recurrent particles ------------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

using namespace mlir;
using namespace sora::particle;

LogicalResult LstmOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ShapeError shapeEmit = shapeErrorOf(*this);
  int reverseCount = (getReverseKernel() != nullptr) +
                     (getReverseRecurrentKernel() != nullptr) +
                     (getReverseBias() != nullptr);
  if (reverseCount != 0 && reverseCount != 3)
    return emit() << "the reverse direction needs reverse_kernel, "
                     "reverse_recurrent_kernel and reverse_bias";
  LstmWeightShapes forward{shapeOf(getKernel()), shapeOf(getRecurrentKernel()),
                           shapeOf(getBias())};
  std::optional<LstmWeightShapes> reverse;
  if (isBidirectional())
    reverse = LstmWeightShapes{shapeOf(getReverseKernel()),
                               shapeOf(getReverseRecurrentKernel()),
                               shapeOf(getReverseBias())};
  return checkResult(*this,
                     inferLstmShape(shapeOf(getInput()), forward, reverse,
                                    getReturnSequences(), shapeEmit));
}

LogicalResult LstmRecurrenceOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  return checkResult(
      *this, inferLstmRecurrenceShape(shapeOf(getGates()),
                                      shapeOf(getRecurrentKernel()), emit));
}
