//===- WeightLayout.h - Where each weight lives in the blob -----*- C++ -*-===//
#ifndef SORA_CONVERSION_WEIGHTLAYOUT_H
#define SORA_CONVERSION_WEIGHTLAYOUT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace sora {

/// One weight tensor in the embedded blob.
struct WeightSlot {
  std::string name;
  int64_t offset; ///< bytes from the blob start, 64-byte aligned
  int64_t bytes;
};

/// The blob layout that sora-layout-weights decided for `module`: each
/// distinct weight once, in order of first appearance, at its
/// `blob_offset`. Fails (with a diagnostic) if the pass has not run.
mlir::FailureOr<std::vector<WeightSlot>> weightLayout(mlir::ModuleOp module);

/// Total blob size for a layout.
int64_t weightBlobSize(const std::vector<WeightSlot> &layout);

} // namespace sora

#endif
