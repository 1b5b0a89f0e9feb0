//===- TransformerOps.cpp - Verifiers of the Transformer particles --------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace sora::particle;

LogicalResult MultiHeadAttentionOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  AttentionWeightShapes w{
      optionalShape(getQkvKernel()), optionalShape(getQkvBias()),
      optionalShape(getQKernel()),   optionalShape(getQBias()),
      optionalShape(getKKernel()),   optionalShape(getKBias()),
      optionalShape(getVKernel()),   optionalShape(getVBias()),
      shapeOf(getOutKernel()),       shapeOf(getOutBias())};
  return checkResult(*this, inferMultiHeadAttentionShape(
                                shapeOf(getInput()), optionalShape(getMask()),
                                w, getHeads(), emit));
}

LogicalResult FeedForwardOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ShapeError shapeEmit = shapeErrorOf(*this);
  if (!llvm::is_contained(feedForwardActivations(), getActivation()))
    return emit() << "activation must be one of "
                  << llvm::join(feedForwardActivations(), ", ") << "; got '"
                  << getActivation() << "'";
  return checkResult(
      *this,
      inferFeedForwardShape(shapeOf(getInput()), shapeOf(getHiddenKernel()),
                            shapeOf(getHiddenBias()), shapeOf(getOutKernel()),
                            shapeOf(getOutBias()), shapeEmit));
}

LogicalResult PositionalEncodingOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  return checkResult(
      *this, inferPositionalEncodingShape(shapeOf(getInput()),
                                          optionalShape(getTable()), emit));
}
