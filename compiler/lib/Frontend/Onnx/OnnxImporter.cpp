//===- OnnxImporter.cpp - ONNX models to the model AST --------------------===//
//
// load → fold constants → fuse patterns → validate (one report of every
// unsupported construct) → lower to particles and weights.
//
//===----------------------------------------------------------------------===//

#include "sora/Frontend/OnnxImporter.h"
#include "ImportSteps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"

namespace sora {
namespace onnximport {

ModelAST lowerModel(const OnnxModel &model, TensorMap &weights) {
  GraphBuilder builder(model);
  std::map<std::string, int> uses = model.useCounts();
  for (const onnx::NodeProto &node : model.nodes) {
    bool used = false;
    for (const std::string &out : node.output())
      used |= uses.count(out) > 0;
    if (used)
      findRule(node)->lower(NodeContext(node, model), builder);
  }
  return builder.finish(weights);
}

} // namespace onnximport

bool isOnnxModelPath(const std::string &path) {
  return llvm::StringRef(path).ends_with_insensitive(".onnx");
}

static std::optional<OnnxImport> import(const std::string &path,
                                        const InputShapes &inputShapes,
                                        int64_t batch, int64_t sequence,
                                        mlir::MLIRContext &context) {
  using namespace onnximport;
  mlir::Location fileLoc = mlir::FileLineColLoc::get(&context, path, 0, 0);
  std::string error;
  std::unique_ptr<OnnxModel> model =
      OnnxModel::load(path, inputShapes, batch, sequence, error);
  if (!model) {
    mlir::emitError(fileLoc) << error;
    return std::nullopt;
  }
  // Folding can give shapes to values computed from the folded constants,
  // which can make more Shape nodes foldable: a dynamic-batch export
  // computes each block's reshapes from the shapes of the block before, so
  // it takes a round per block. Each round removes nodes, so this ends.
  while (foldConstants(*model)) {
    if (!model->reinferShapes(error)) {
      mlir::emitError(fileLoc) << error;
      return std::nullopt;
    }
  }
  if (widenWindows(*model) && !model->reinferShapes(error)) {
    mlir::emitError(fileLoc) << error;
    return std::nullopt;
  }
  fusePatterns(*model);
  Problems problems = validateModel(*model);
  if (!problems.empty()) {
    size_t n = problems.all().size();
    auto diag = mlir::emitError(fileLoc)
                << n << " unsupported construct" << (n == 1 ? "" : "s") << ":";
    for (const std::string &line : problems.all())
      diag << "\n  " << line;
    return std::nullopt;
  }
  TensorMap tensors;
  OnnxImport result;
  result.model = lowerModel(*model, tensors);
  result.weights = WeightStore::fromTensors(
      std::move(tensors), "the initializers of '" + path + "'");
  return result;
}

std::optional<OnnxImport> importOnnxModel(const std::string &path,
                                          mlir::MLIRContext &context,
                                          const InputShapes &inputShapes,
                                          int64_t batch, int64_t sequence) {
  // libonnx and protobuf report some failures by throwing.
  try {
    return import(path, inputShapes, batch, sequence, context);
  } catch (const std::exception &e) {
    mlir::emitError(mlir::FileLineColLoc::get(&context, path, 0, 0))
        << "cannot import the ONNX model: " << e.what();
    return std::nullopt;
  }
}

} // namespace sora
