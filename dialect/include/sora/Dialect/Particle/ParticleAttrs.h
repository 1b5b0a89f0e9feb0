//===- ParticleAttrs.h - Particle dialect attributes ------------*- C++ -*-===//
#ifndef SORA_DIALECT_PARTICLE_PARTICLEATTRS_H
#define SORA_DIALECT_PARTICLE_PARTICLEATTRS_H

#include "sora/Core/Schedule.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/Hashing.h"

namespace sora {
/// Lets a PartialSchedule be an attribute parameter (uniquing); LLVM finds
/// it by this name.
// NOLINTNEXTLINE(readability-identifier-naming)
llvm::hash_code hash_value(const PartialSchedule &record);
} // namespace sora

#define GET_ATTRDEF_CLASSES
#include "sora/Dialect/Particle/ParticleAttrs.h.inc"

#endif // SORA_DIALECT_PARTICLE_PARTICLEATTRS_H
