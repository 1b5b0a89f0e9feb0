//===- RecurrentOps.cpp - Verifiers of the recurrent particles ------------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

using namespace mlir;
using namespace sora::particle;

std::optional<Shape> LstmOp::inferShape(Adaptor adaptor,
                                        const ShapeError &emitError) {
  Value reverseWeights[] = {adaptor.getReverseKernel(),
                            adaptor.getReverseRecurrentKernel(),
                            adaptor.getReverseBias()};
  auto given =
      llvm::count_if(reverseWeights, [](Value v) { return v != nullptr; });
  if (given != 0 && given != 3) {
    emitError() << "the reverse direction needs reverse_kernel, "
                   "reverse_recurrent_kernel and reverse_bias";
    return std::nullopt;
  }
  LstmWeightShapes forward{shapeOf(adaptor.getKernel()),
                           shapeOf(adaptor.getRecurrentKernel()),
                           shapeOf(adaptor.getBias())};
  std::optional<LstmWeightShapes> reverse;
  if (given == 3)
    reverse =
        LstmWeightShapes{shapeOf(reverseWeights[0]), shapeOf(reverseWeights[1]),
                         shapeOf(reverseWeights[2])};
  return inferLstmShape(shapeOf(adaptor.getInput()), forward, reverse,
                        adaptor.getReturnSequences(), emitError);
}

std::optional<Shape> LstmRecurrenceOp::inferShape(Adaptor adaptor,
                                                  const ShapeError &emitError) {
  return inferLstmRecurrenceShape(shapeOf(adaptor.getGates()),
                                  shapeOf(adaptor.getRecurrentKernel()),
                                  emitError);
}
