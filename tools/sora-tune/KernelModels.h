//===- KernelModels.h - Each kernel of a model as a model of its own -----===//
//
// sora-tune times a kernel alone: a model whose inputs are the kernel's
// computed operands, whose weights are its weights (random values, baked in
// and packed as in the full model), and whose output is its result. Kernels
// with one signature are tuned once.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNE_KERNELMODELS_H
#define SORA_TUNE_KERNELMODELS_H

#include "sora/Core/KernelSpec.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace sora {

struct TunableKernel {
  std::string signature; ///< kernelSignature(): the tuning database key
  std::string names;     ///< the model's kernels with it: "_sora_k3, _sora_k7"
  std::string summary;   ///< the particles of the first: "c1 (conv2d, relu)"
  int count = 0;         ///< how many of the model's kernels have it
  KernelSpec spec;       ///< the first, with the heuristics' schedule
  /// The single-kernel model in the particle dialect, its schedule record
  /// written as formatSchedule(spec.schedule).
  std::string model;

  /// `model` with `schedule` in place of the heuristics' record.
  std::string modelWith(const ScheduleRecord &schedule) const;
};

/// The kernels of `module` (after sora-assign-schedules), one per
/// signature, in the order they first appear. Fails (with a diagnostic)
/// only for a kernel the backend cannot describe.
mlir::FailureOr<std::vector<TunableKernel>>
tunableKernels(mlir::ModuleOp module);

} // namespace sora

#endif // SORA_TUNE_KERNELMODELS_H
