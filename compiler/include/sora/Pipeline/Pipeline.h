//===- Pipeline.h - The soracc pass pipelines -------------------*- C++ -*-===//
#ifndef SORA_PIPELINE_PIPELINE_H
#define SORA_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace sora {

struct PipelineOptions {
  std::string target = "host"; ///< soracc target name
};

/// Particle graph to planned kernels: canonicalize, sora-fuse,
/// sora-assign-schedules, sora-plan-memory. The result is `--emit=mlir-fused`.
void buildSoraccPipeline(mlir::OpPassManager &pm,
                         const PipelineOptions &options);

/// Planned kernels to the graph driver in the LLVM dialect.
void buildDriverLoweringPipeline(mlir::OpPassManager &pm,
                                 const PipelineOptions &options);

} // namespace sora

#endif
