//===- FuzzFrontend.cpp - What the frontend harnesses share ---------------===//

#include "FuzzFrontend.h"

#include "sora/Dialect/Particle/ParticleDialect.h"
#include "sora/Frontend/MLIRGen.h"
#include "sora/Frontend/WeightStore.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

namespace sora::fuzz {

mlir::MLIRContext &context() {
  static mlir::MLIRContext *shared = [] {
    auto *context =
        new mlir::MLIRContext(mlir::MLIRContext::Threading::DISABLED);
    context->loadDialect<particle::ParticleDialect, mlir::func::FuncDialect>();
    context->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    return context;
  }();
  return *shared;
}

void lower(const std::optional<ModelAST> &model, WeightStore *weights) {
  if (!model)
    return;
  std::unique_ptr<WeightStore> random = WeightStore::random(1);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlirGen(*model, weights ? *weights : *random, context());
  if (module)
    (void)mlir::verify(*module);
}

} // namespace sora::fuzz
