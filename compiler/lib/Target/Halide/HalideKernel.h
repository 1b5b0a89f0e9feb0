//===- HalideKernel.h - A KernelSpec as a scheduled Halide pipeline -------===//
//
// The one place a KernelSpec becomes Halide objects; ahead-of-time
// compilation (HalideBackend.cpp) and the JIT unit tests both call it.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TARGET_HALIDE_HALIDEKERNEL_H
#define SORA_TARGET_HALIDE_HALIDEKERNEL_H

#include "sora/Core/KernelSpec.h"

#include "Halide.h"

#include <vector>

namespace sora {

/// A kernel's Halide pipeline: one ImageParam per argument, in order, named
/// `<kernel>_a<i>`, and the output Func `<kernel>_result`. All buffers have
/// static bounds (min 0) and dense strides.
struct HalideKernel {
  std::vector<Halide::ImageParam> args;
  Halide::Func output;

  /// The exported function's buffer arguments, in order (Halide appends the
  /// output and, with the user_context feature, prepends the context).
  std::vector<Halide::Argument> arguments() const;
};

/// Validates `spec`, builds its algorithm and applies `spec.schedule` as a
/// CPU schedule, or as a GPU one when `gpu` (or, for a kernel an
/// autoscheduler schedules, gives its output estimates). Throws
/// Halide::CompileError for a malformed spec; Halide's own errors propagate
/// as Halide::Error.
HalideKernel buildHalideKernel(const KernelSpec &spec, bool gpu = false);

} // namespace sora

#endif // SORA_TARGET_HALIDE_HALIDEKERNEL_H
