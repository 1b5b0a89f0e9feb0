//===- OnnxImporter.h - ONNX models to the model AST ------------*- C++ -*-===//
//
// `soracc model.onnx` reads an ONNX model (opsets 7 to 18) with Debian's
// libonnx, runs ONNX's shape inference, checks every node against the table
// of supported operators, and builds the same ModelAST a JSON model gives,
// plus a WeightStore holding the initializers in the particles' layouts.
// This header includes neither ONNX nor protobuf headers.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNXIMPORTER_H
#define SORA_FRONTEND_ONNXIMPORTER_H

#include "sora/Frontend/ModelAST.h"
#include "sora/Frontend/WeightStore.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
}

namespace sora {

/// A model imported from ONNX: the particle graph and its weights.
struct OnnxImport {
  ModelAST model;
  std::unique_ptr<WeightStore> weights;
};

/// True for paths that name an ONNX model (`.onnx`).
bool isOnnxModelPath(const std::string &path);

/// Shapes given to model inputs by name (`soracc --input-shape`): they pin
/// an ONNX model's dynamic dimensions before shape inference.
using InputShapes = std::map<std::string, std::vector<int64_t>>;

/// Parses `--input-shape`'s "NAME=d0,d1,..." (positive extents) into
/// `shapes`; false with a one-line `error` when malformed or repeated.
bool parseInputShape(const std::string &spec, InputShapes &shapes,
                     std::string &error);

/// Imports `path` with `inputShapes` pinned and, when `batch` is positive,
/// the first (dynamic) dimension of every input pinned to `batch` (`soracc
/// --max-batch` imports one sample, batch 1, and checks it against two);
/// when `sequence` is positive, every other dynamic dimension pinned to it
/// (`soracc --max-sequence`).
/// Every problem is reported on `context` as one error at the file (a list
/// of all unsupported constructs, with node names) before anything is
/// lowered; returns std::nullopt then.
std::optional<OnnxImport> importOnnxModel(const std::string &path,
                                          mlir::MLIRContext &context,
                                          const InputShapes &inputShapes = {},
                                          int64_t batch = 0,
                                          int64_t sequence = 0);

/// One row of the supported-operator table: an ONNX operator and the
/// particles it becomes.
struct OnnxOperatorInfo {
  std::string onnxOp;
  std::string particles;
  std::string notes;
};

/// The supported-operator table, in the order docs/onnx.md prints it.
std::vector<OnnxOperatorInfo> onnxOperatorTable();

} // namespace sora

#endif
