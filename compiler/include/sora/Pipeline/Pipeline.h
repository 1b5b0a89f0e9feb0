//===- Pipeline.h - The soracc pass pipelines -------------------*- C++ -*-===//
#ifndef SORA_PIPELINE_PIPELINE_H
#define SORA_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "sora/Dialect/Particle/WeightValues.h"

#include <string>

namespace sora {

struct PipelineOptions {
  std::string target = "host"; ///< soracc target name
  /// The exported function returning the model's descriptor ("" = none).
  std::string descriptorSymbol;
  /// The external weights file the runtime maps ("" = weights linked in),
  /// and the blob's checksum.
  std::string weightsFile;
  uint64_t weightsChecksum = 0;
  /// `--max-batch`: how many samples a run may pass (0 = exact shapes); the
  /// graph holds that many when `runTimeBatch` (its kernels take the run's
  /// batch: sora-mark-run-time-batch), else one.
  int64_t maxBatch = 0;
  bool runTimeBatch = false;
  /// `--max-sequence`: the most tokens a run may pass (the graph is built
  /// for that many and marked by markRunTimeSequence); 0 = none.
  int64_t maxSequence = 0;
  /// The values of the model's weights, when the caller has them: constant
  /// folds (sora-fold-batch-norm) read and add tensors through it.
  particle::WeightValues *weights = nullptr;
  /// sora-assign-schedules: the tuning database, the thread count that
  /// selects its entries (0: this machine's CPUs), a remark per kernel.
  std::string tuningDb;
  int threads = 0;
  bool explainSchedules = false;
  /// Stop after sora-assign-schedules (sora-tune reads kernels there, before
  /// weights are packed for their schedules).
  bool untilSchedules = false;
};

/// Particle graph to planned kernels: inline composites, canonicalize,
/// sora-fold-batch-norm (with `weights`), sora-decompose-recurrent,
/// sora-decompose-transformer, sora-fuse, sora-assign-schedules,
/// sora-pack-weights, sora-plan-memory, sora-layout-weights. The result is
/// `--emit=mlir-fused`.
void buildSoraccPipeline(mlir::OpPassManager &pm,
                         const PipelineOptions &options);

/// Planned kernels to the graph driver in the LLVM dialect.
void buildDriverLoweringPipeline(mlir::OpPassManager &pm,
                                 const PipelineOptions &options);

} // namespace sora

#endif
