//===- ParticleDialect.h - The particle dialect -----------------*- C++ -*-===//
#ifndef SORA_DIALECT_PARTICLE_PARTICLEDIALECT_H
#define SORA_DIALECT_PARTICLE_PARTICLEDIALECT_H

#include "mlir/IR/Dialect.h"

#include "sora/Dialect/Particle/ParticleDialect.h.inc"

#endif
