//===- LLVMEmitter.h - Graph driver and weights to objects ------*- C++ -*-===//
#ifndef SORA_TARGET_LLVMEMITTER_H
#define SORA_TARGET_LLVMEMITTER_H

#include "sora/Conversion/WeightLayout.h"
#include "sora/Target/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>

namespace sora {

/// Translates a module in the LLVM dialect to LLVM IR for `target`. Writes
/// the textual IR to `irPath` (if not empty) and an object to `objectPath`
/// (if not empty). Reports failures on the module.
mlir::LogicalResult emitDriver(mlir::ModuleOp module, const TargetInfo &target,
                               const std::string &irPath,
                               const std::string &objectPath);

/// The weight blob laid out by `layout`; `fill(name, dst)` copies one
/// tensor's bytes.
std::string
weightBlob(const std::vector<WeightSlot> &layout,
           const std::function<void(const std::string &, char *)> &fill);

/// Writes an ELF object defining `blob` as the hidden, 64-byte aligned
/// `_sora_weights` in .rodata (WeightsObject.cpp).
bool emitWeightsObject(const std::string &blob, const TargetInfo &target,
                       const std::string &objectPath, std::string &error);

} // namespace sora

#endif
