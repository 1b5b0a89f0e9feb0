//===- ParticleFolds.cpp - Folders and canonicalization patterns ----------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace sora::particle;

namespace {
#include "sora/Dialect/Particle/ParticleCanonicalize.inc"
} // namespace

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu is idempotent.
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FlattenToReshape>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ReshapeOfReshape>(context);
}
