//===- HalideBackend.h - Kernels to target code through Halide ------------===//
//
// Turns fused kernels (KernelSpec) into Halide pipelines and compiles them
// for a target. The header is free of Halide (and MLIR) so that either side
// of the LLVM 14 / LLVM 22 divide can include it. Every Halide failure comes
// back as `false` with a message in `error`; nothing here aborts.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TARGET_HALIDEBACKEND_H
#define SORA_TARGET_HALIDEBACKEND_H

#include "sora/Core/KernelSpec.h"
#include "sora/Target/TargetInfo.h"

#include <functional>
#include <string>
#include <vector>

namespace sora {

/// Why the backend failed: the message, and the kernel it was building
/// (empty when the failure is not one kernel's: a bad target, an object
/// that cannot be written), so that a driver can point at the particles.
struct BackendError {
  std::string kernel;
  std::string message;
};

/// Builds each kernel's Halide pipeline (scheduled from its ScheduleRecord)
/// and compiles kernel i into the object file `objectPaths[i]` for `target`,
/// with the Halide features no_runtime and user_context; `jobs` kernels at a
/// time (0: one per hardware thread). Each kernel is exported as
///   int <name>(void *user_context, halide_buffer_t *arg0, ...,
///              halide_buffer_t *result).
/// Returns false and fills `error` with the first failing kernel's error
/// (in kernel order, whatever the jobs).
bool compileKernelsToObjects(
    const std::vector<KernelSpec> &kernels, const TargetInfo &target,
    const std::vector<std::string> &objectPaths, unsigned jobs,
    BackendError &error,
    const std::function<void(size_t done, size_t total)> &progress = nullptr);

/// Compiles Halide's standalone runtime for `target` (with user_context) into
/// an object; a model library links exactly one. Returns false and fills
/// `error` on failure.
bool compileHalideRuntimeObject(const TargetInfo &target,
                                const std::string &objectPath,
                                BackendError &error);

/// Appends Halide's lowered statement of every kernel to `out`, for
/// `soracc --emit=halide`. Returns false and fills `error` on failure.
bool printKernels(const std::vector<KernelSpec> &kernels,
                  const TargetInfo &target, std::string &out,
                  BackendError &error);

} // namespace sora

#endif // SORA_TARGET_HALIDEBACKEND_H
