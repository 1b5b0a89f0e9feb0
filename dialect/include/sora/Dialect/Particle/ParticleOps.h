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
#include "sora/Dialect/Particle/ParticleDialect.h"

#define GET_OP_CLASSES
#include "sora/Dialect/Particle/ParticleOps.h.inc"

#endif
