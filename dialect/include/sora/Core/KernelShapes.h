//===- KernelShapes.h - The shape rule of each kernel op kind ---*- C++ -*-===//
//
// Kernel ops (KernelSpec.h) checked with the particles' own shape rules
// (ParticleShapes.h): kernel validation and the unit tests' spec builder
// both call this, so a kernel spec and the IR it came from get the same
// checks and messages.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_CORE_KERNELSHAPES_H
#define SORA_CORE_KERNELSHAPES_H

#include "sora/Core/KernelSpec.h"

namespace sora {

/// The operands of one kernel op as its shape rule sees them.
struct KernelOperands {
  std::vector<Shape> shapes;
  /// Per operand: i64 token ids (only the ids of an embedding may be).
  std::vector<bool> ids;

  /// The operands of `op` in `spec`; every operand id must be a value of
  /// the spec.
  static KernelOperands of(const KernelSpec &spec, const KernelOp &op);
};

/// The result shape of `op` from its operands and attributes, or nullopt
/// after reporting what is wrong. Slice, resize and unpack_panels read their
/// result extents from `op.shape` (their attributes do not determine them) and
/// check them.
std::optional<Shape> inferKernelOpShape(const KernelOp &op,
                                        const KernelOperands &operands,
                                        const ShapeError &emitError);

} // namespace sora

#endif // SORA_CORE_KERNELSHAPES_H
