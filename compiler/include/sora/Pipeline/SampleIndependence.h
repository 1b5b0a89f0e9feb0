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

namespace sora {

/// Succeeds when `fourSamples` (the model built with batch 4) is
/// `twoSamples` (batch 2) with the batch doubled and nothing else changed,
/// and every particle maps each sample of its operands to the same sample
/// of its results (SampleIndependence.cpp lists the rules). Otherwise emits
/// one error at the first particle that breaks a rule, saying why.
mlir::LogicalResult checkSamplesIndependent(mlir::ModuleOp twoSamples,
                                            mlir::ModuleOp fourSamples);

} // namespace sora

#endif // SORA_PIPELINE_SAMPLEINDEPENDENCE_H
