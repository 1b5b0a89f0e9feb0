//===- SampleIndependence.h - Is a particle graph batch-separable? -*- C++
//-*-===//
//
// `soracc --max-batch N` compiles a model for one sample and runs it once per
// sample of a batch; that is the model's answer only where no particle mixes
// samples. The frontends build the graph for two and for four samples, and
// this check follows the samples through both.
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
using SameForEverySample = llvm::function_ref<bool(
    llvm::StringRef weight, llvm::ArrayRef<int64_t> dims, int64_t axis)>;
mlir::LogicalResult
checkSamplesIndependent(mlir::ModuleOp twoSamples, mlir::ModuleOp fourSamples,
                        SameForEverySample sameForEverySample);

} // namespace sora

#endif // SORA_PIPELINE_SAMPLEINDEPENDENCE_H
