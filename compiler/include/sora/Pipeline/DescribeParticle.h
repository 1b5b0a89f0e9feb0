//===- DescribeParticle.h - A graph op as a diagnostic names it -*- C++ -*-===//
#ifndef SORA_PIPELINE_DESCRIBEPARTICLE_H
#define SORA_PIPELINE_DESCRIBEPARTICLE_H

#include "sora/Dialect/Particle/ParticleOps.h"

#include <string>

namespace sora {

/// "particle 'h' (dense)" for an op whose location names its particle
/// ("weights" for the op kind of a particle.weight, whose location is its
/// particle's), else the op kind alone ("kernel").
inline std::string describeParticle(mlir::Operation &op) {
  std::string what = mlir::isa<particle::WeightOp>(op)
                         ? std::string("weights")
                         : op.getName().stripDialect().str();
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(op.getLoc()))
    what = "particle '" + name.getName().str() + "' (" + what + ")";
  return what;
}

} // namespace sora

#endif // SORA_PIPELINE_DESCRIBEPARTICLE_H
