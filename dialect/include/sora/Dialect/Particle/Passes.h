//===- Passes.h - Particle dialect passes -----------------------*- C++ -*-===//
#ifndef SORA_DIALECT_PARTICLE_PASSES_H
#define SORA_DIALECT_PARTICLE_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "sora/Dialect/Particle/ParticleDialect.h"
#include "sora/Dialect/Particle/WeightValues.h"

namespace sora::particle {

#define GEN_PASS_DECL
#include "sora/Dialect/Particle/Passes.h.inc"

/// sora-fold-batch-norm reading and writing weight values through
/// `weights`; with none (as registered in sora-opt) it changes nothing.
std::unique_ptr<mlir::Pass>
createSoraFoldBatchNormPass(WeightValues *weights = nullptr);

/// sora-decompose-transformer, defining its constant tensors (the scale,
/// the causal and sinusoid tables) in `weights` when given.
std::unique_ptr<mlir::Pass>
createSoraDecomposeTransformerPass(WeightValues *weights = nullptr);

/// sora-pack-weights, reading weights and defining their panels in
/// `weights`; with none (as registered in sora-opt) it changes nothing.
std::unique_ptr<mlir::Pass>
createSoraPackWeightsPass(WeightValues *weights = nullptr);

#define GEN_PASS_REGISTRATION
#include "sora/Dialect/Particle/Passes.h.inc"

/// Name of the function attribute holding the arena size in bytes.
inline constexpr llvm::StringLiteral kArenaSizeAttr = "particle.arena_size";
/// Name of the kernel attribute holding its result's arena offset.
inline constexpr llvm::StringLiteral kArenaOffsetAttr = "arena_offset";
/// Name of the unit kernel attribute of the second of two adjacent kernels
/// that run concurrently (sora-pair-recurrences).
inline constexpr llvm::StringLiteral kConcurrentAttr =
    "concurrent_with_previous";
/// Name of the function attribute of a graph whose runs choose some
/// extents (sora-mark-run-time-batch): the most units (samples) a run may
/// pass. The graph is built for that many.
inline constexpr llvm::StringLiteral kRunTimeUnitsAttr =
    "particle.run_time_units";
/// Name of the attribute of an input, view or kernel whose result has
/// extents a run chooses: per dimension the least extent, a run's being
/// units × least where it differs from the static extent (fixed elsewhere).
inline constexpr llvm::StringLiteral kRunTimeLeastAttr = "run_time_least";
/// Name of the module attribute holding the weight blob's size in bytes.
inline constexpr llvm::StringLiteral kWeightsSizeAttr = "particle.weights_size";
/// Name of the particle.weight attribute holding its tensor's blob offset.
inline constexpr llvm::StringLiteral kBlobOffsetAttr = "blob_offset";

} // namespace sora::particle

#endif
