//===- MLIRGen.h - Model AST to the particle dialect ------------*- C++ -*-===//
#ifndef SORA_FRONTEND_MLIRGEN_H
#define SORA_FRONTEND_MLIRGEN_H

#include "sora/Frontend/ModelAST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace sora {

class WeightStore;

/// Resolves names, orders the particles, checks every connection and weight,
/// and builds one `func.func` in the particle dialect. Returns null after
/// reporting errors through the context's diagnostic engine.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(const ModelAST &model,
                                          WeightStore &weights,
                                          mlir::MLIRContext &context);

} // namespace sora

#endif
