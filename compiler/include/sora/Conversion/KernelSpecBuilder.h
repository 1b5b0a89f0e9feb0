//===- KernelSpecBuilder.h - particle.kernel to KernelSpec ------*- C++ -*-===//
#ifndef SORA_CONVERSION_KERNELSPECBUILDER_H
#define SORA_CONVERSION_KERNELSPECBUILDER_H

#include "sora/Core/KernelSpec.h"
#include "sora/Dialect/Particle/ParticleOps.h"

namespace sora {

/// Describes a kernel region as plain data for the Halide backend. Fails
/// (with a diagnostic on the op) for an op the backend cannot generate.
/// The schedule is the kernel's record, its missing fields (none after
/// sora-assign-schedules) at their ScheduleFields.def fallbacks.
mlir::FailureOr<KernelSpec> buildKernelSpec(particle::KernelOp kernel);

/// The particle a location names: "conv1", or "block1/conv1" for an op
/// inlined from composite instance block1; "" if it names none.
std::string particleName(mlir::Location loc);

/// The kernel's signature for the tuning database (kernelSignature()): its
/// spec, with the operands that are `particle.weight`s as its weights.
std::string kernelSignatureOf(particle::KernelOp kernel,
                              const KernelSpec &spec);

} // namespace sora

#endif
