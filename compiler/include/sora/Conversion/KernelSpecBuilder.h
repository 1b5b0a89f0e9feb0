//===- KernelSpecBuilder.h - particle.kernel to KernelSpec ------*- C++ -*-===//
#ifndef SORA_CONVERSION_KERNELSPECBUILDER_H
#define SORA_CONVERSION_KERNELSPECBUILDER_H

#include "sora/Core/KernelSpec.h"
#include "sora/Dialect/Particle/ParticleOps.h"

namespace sora {

/// Describes a kernel region as plain data for the Halide backend. Fails
/// (with a diagnostic on the op) for an op the backend cannot generate.
mlir::FailureOr<KernelSpec> buildKernelSpec(particle::KernelOp kernel);

/// Converts a schedule record to the dictionary printed in the IR, and back
/// (missing keys keep their defaults).
mlir::DictionaryAttr scheduleToAttr(mlir::MLIRContext *context,
                                    const ScheduleRecord &record);
ScheduleRecord scheduleFromAttr(mlir::DictionaryAttr attr);

} // namespace sora

#endif
