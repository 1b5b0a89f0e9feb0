//===- WeightLayout.h - Where each weight lives in the blob -----*- C++ -*-===//
#ifndef SORA_CONVERSION_WEIGHTLAYOUT_H
#define SORA_CONVERSION_WEIGHTLAYOUT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace sora {

/// One weight tensor in the embedded blob.
struct WeightSlot {
  std::string name;
  int64_t offset; ///< bytes from the blob start, 64-byte aligned
  int64_t bytes;
};

/// The blob layout of the graph's `particle.weight` ops: distinct names in
/// order of first appearance. The driver generator and the blob writer both
/// call this, so they agree by construction.
std::vector<WeightSlot> weightLayout(mlir::func::FuncOp graph);

/// Total blob size for a layout.
int64_t weightBlobSize(const std::vector<WeightSlot> &layout);

} // namespace sora

#endif
