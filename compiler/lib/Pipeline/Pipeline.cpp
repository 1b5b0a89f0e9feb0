//===- Pipeline.cpp - The soracc pass pipelines ---------------------------===//

#include "sora/Pipeline/Pipeline.h"
#include "sora/Conversion/Passes.h"
#include "sora/Dialect/Particle/Passes.h"

#include "mlir/Transforms/Passes.h"

namespace sora {

void buildSoraccPipeline(mlir::OpPassManager &pm,
                         const PipelineOptions &options) {
  // Composite particles are private functions called per instance.
  pm.addPass(mlir::createInlinerPass());
  pm.addPass(mlir::createSymbolDCEPass());
  pm.addPass(mlir::createCanonicalizerPass());
  mlir::OpPassManager &graph = pm.nest<mlir::func::FuncOp>();
  if (options.weights)
    graph.addPass(particle::createSoraFoldBatchNormPass(options.weights));
  graph.addPass(particle::createSoraDecomposeRecurrent());
  graph.addPass(particle::createSoraDecomposeTransformerPass(options.weights));
  graph.addPass(particle::createSoraFuse());
  graph.addPass(
      createSoraAssignSchedules({options.target, options.tuningDb,
                                 options.threads, options.explainSchedules}));
  if (options.untilSchedules)
    return;
  graph.addPass(particle::createSoraPackWeightsPass(options.weights));
  graph.addPass(particle::createSoraPairRecurrences());
  graph.addPass(particle::createSoraPlanMemory());
  if (options.runTimeBatch)
    graph.addPass(particle::createSoraMarkRunTimeBatch({options.maxBatch}));
  pm.addPass(particle::createSoraLayoutWeights());
}

void buildDriverLoweringPipeline(mlir::OpPassManager &pm,
                                 const PipelineOptions &options) {
  pm.addPass(createConvertParticleToLLVM(
      {options.target, options.descriptorSymbol, options.weightsFile,
       options.weightsChecksum, options.maxBatch, options.maxSequence}));
}

} // namespace sora
