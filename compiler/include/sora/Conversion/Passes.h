//===- Passes.h - soracc conversion passes ----------------------*- C++ -*-===//
#ifndef SORA_CONVERSION_PASSES_H
#define SORA_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/Pass.h"

namespace sora {

#define GEN_PASS_DECL
#include "sora/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sora/Conversion/Passes.h.inc"

} // namespace sora

#endif
