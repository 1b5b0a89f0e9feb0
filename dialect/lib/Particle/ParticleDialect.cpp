//===- ParticleDialect.cpp - The particle dialect -------------------------===//

#include "sora/Dialect/Particle/ParticleDialect.h"
#include "sora/Dialect/Particle/ParticleOps.h"

using namespace mlir;
using namespace sora::particle;

#include "sora/Dialect/Particle/ParticleDialect.cpp.inc"

void ParticleDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "sora/Dialect/Particle/ParticleOps.cpp.inc"
      >();
}
