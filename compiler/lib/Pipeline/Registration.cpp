//===- Registration.cpp - Everything soracc registers with MLIR -----------===//

#include "sora/Pipeline/Registration.h"
#include "sora/Conversion/Passes.h"
#include "sora/Dialect/Particle/ParticleDialect.h"
#include "sora/Dialect/Particle/Passes.h"
#include "sora/Pipeline/Pipeline.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

namespace sora {

void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<particle::ParticleDialect, mlir::func::FuncDialect,
                  mlir::LLVM::LLVMDialect>();
  mlir::func::registerInlinerExtension(registry);
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
}

void registerAllPasses() {
  particle::registerParticlePasses();
  registerSoraConversionPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  mlir::PassPipelineRegistration<>(
      "soracc-pipeline", "particle graph to planned kernels (host target)",
      [](mlir::OpPassManager &pm) {
        buildSoraccPipeline(pm, PipelineOptions());
      });
}

} // namespace sora
