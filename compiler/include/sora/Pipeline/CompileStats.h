//===- CompileStats.h - What soracc --stats reports -------------*- C++ -*-===//
#ifndef SORA_PIPELINE_COMPILESTATS_H
#define SORA_PIPELINE_COMPILESTATS_H

#include "sora/Core/KernelSpec.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sora {

/// Statistics of one compile, gathered as it goes and printed at the end.
class CompileStats {
public:
  /// Ends the phase that began at the previous call (or construction).
  void phase(const char *name);
  /// What the planned module and its kernels say (after the pipeline).
  void describe(mlir::ModuleOp module, const std::vector<KernelSpec> &kernels,
                int64_t weightBytes, int64_t weightTensors);
  void print(llvm::raw_ostream &os, const std::string &target) const;

private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now(), last = start;
  std::vector<std::pair<const char *, double>> phases; ///< name, ms
  std::string model;
  int64_t kernels = 0, operations = 0, views = 0;
  double flops = 0, bytes = 0;
  int64_t weightBytes = 0, weightTensors = 0;
  int64_t arenaBytes = 0, arenaLowerBound = 0;
};

/// The least arena any plan could use: the largest total size of the kernel
/// results live at once (a result lives from its kernel to its last use,
/// through views; model outputs to the end).
int64_t arenaLowerBound(mlir::ModuleOp module);

/// "1.3 MiB": bytes with one decimal in the largest binary unit below them.
std::string bytesText(double bytes);

} // namespace sora

#endif
