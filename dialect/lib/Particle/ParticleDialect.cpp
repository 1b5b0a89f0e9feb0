//===- ParticleDialect.cpp - The particle dialect -------------------------===//

#include "sora/Dialect/Particle/ParticleDialect.h"
#include "sora/Dialect/Particle/ParticleOps.h"

#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace sora::particle;

#include "sora/Dialect/Particle/ParticleDialect.cpp.inc"

namespace {
/// Particles have no side effects on control flow: composite bodies (and
/// kernel bodies) may be inlined anywhere.
struct ParticleInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void ParticleDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "sora/Dialect/Particle/ParticleOps.cpp.inc"
      >();
  registerAttributes();
  addInterfaces<ParticleInlinerInterface>();
}
