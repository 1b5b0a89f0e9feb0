//===- ParticleOps.h - Particle dialect operations --------------*- C++ -*-===//
#ifndef SORA_DIALECT_PARTICLE_PARTICLEOPS_H
#define SORA_DIALECT_PARTICLE_PARTICLEOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "sora/Dialect/Particle/ParticleAttrs.h"
#include "sora/Dialect/Particle/ParticleDialect.h"
#include "sora/Dialect/Particle/ParticleTraits.h"

#define GET_OP_CLASSES
#include "sora/Dialect/Particle/ParticleOps.h.inc"

namespace sora::particle {

/// Whether `type` is a tensor of i64 token ids (a model input that only
/// embeddings read); every other particle tensor is f32.
inline bool isTokenIds(mlir::Type type) {
  return mlir::cast<mlir::RankedTensorType>(type).getElementType().isInteger(
      64);
}

} // namespace sora::particle

#endif
