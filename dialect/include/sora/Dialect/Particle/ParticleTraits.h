//===- ParticleTraits.h - Fusion roles, shape rules, kernel ops -*- C++ -*-===//
//
// The C++ side of ParticleInterfaces.td. sora-fuse asks an op its role with
// `op->hasTrait<FusionAnchor>()`; the roles mirror sora::FusionRole.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_DIALECT_PARTICLE_PARTICLETRAITS_H
#define SORA_DIALECT_PARTICLE_PARTICLETRAITS_H

#include "sora/Core/KernelSpec.h"
#include "sora/Core/ParticleShapes.h"

#include "mlir/IR/OpDefinition.h"

#include <optional>

namespace sora::particle {

template <typename ConcreteType>
class FusionAnchor
    : public mlir::OpTrait::TraitBase<ConcreteType, FusionAnchor> {};
template <typename ConcreteType>
class FusionEpilogue
    : public mlir::OpTrait::TraitBase<ConcreteType, FusionEpilogue> {};
template <typename ConcreteType>
class FusionCopy : public mlir::OpTrait::TraitBase<ConcreteType, FusionCopy> {};
template <typename ConcreteType>
class FusionRecurrence
    : public mlir::OpTrait::TraitBase<ConcreteType, FusionRecurrence> {};

/// An op whose result type its shape rule infers (Particle_ShapeRule).
template <typename ConcreteType>
class ShapeRule : public mlir::OpTrait::TraitBase<ConcreteType, ShapeRule> {};

/// The fusion role `op` declares, or nullopt for ops that are not fused
/// (inputs, weights, views, composites).
inline std::optional<FusionRole> fusionRoleOf(mlir::Operation *op) {
  if (op->hasTrait<FusionAnchor>())
    return FusionRole::Anchor;
  if (op->hasTrait<FusionEpilogue>())
    return FusionRole::Epilogue;
  if (op->hasTrait<FusionCopy>())
    return FusionRole::Copy;
  if (op->hasTrait<FusionRecurrence>())
    return FusionRole::Recurrence;
  return std::nullopt;
}

} // namespace sora::particle

#include "sora/Dialect/Particle/ParticleInterfaces.h.inc"

#endif // SORA_DIALECT_PARTICLE_PARTICLETRAITS_H
