//===- SampleIndependence.h - Is a particle graph batch-separable? -*- C++
//-*-===//
//
// `soracc --max-batch N` compiles a model for N samples and runs a batch of
// 1 to N in one call, or for one sample and runs it once per sample; that is
// the model's answer only where no particle mixes samples. The frontends build
// the graph for two and for four samples, and this check follows the samples
// through both.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_PIPELINE_SAMPLEINDEPENDENCE_H
#define SORA_PIPELINE_SAMPLEINDEPENDENCE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace sora {

/// Succeeds when `fourSamples` (the model built with batch 4) is
/// `twoSamples` (batch 2) with the batch doubled and nothing else changed,
/// and every particle maps each sample of its operands to the same sample
/// of its results (SampleIndependence.cpp lists the rules). Otherwise emits
/// one error at the first particle that breaks a rule, saying why.
/// A weight that follows the batch (a constant a frontend expanded to it,
/// as a ViT's class token) is accepted where `sameForEverySample` says that
/// its two halves along `axis` hold the same values.
/// On success, `batchOutermost` says whether every value that follows the
/// batch holds it as its outermost dimension, one sample after the other
/// (then the graph built for N samples runs any batch up to N in one call:
/// sora-mark-run-time-batch).
using SameForEverySample = llvm::function_ref<bool(
    llvm::StringRef weight, llvm::ArrayRef<int64_t> dims, int64_t axis)>;
mlir::LogicalResult
checkSamplesIndependent(mlir::ModuleOp twoSamples, mlir::ModuleOp fourSamples,
                        SameForEverySample sameForEverySample,
                        bool &batchOutermost);

} // namespace sora

#endif // SORA_PIPELINE_SAMPLEINDEPENDENCE_H
