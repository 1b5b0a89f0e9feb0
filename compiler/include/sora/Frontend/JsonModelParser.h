//===- JsonModelParser.h - JSON model files to the model AST ----*- C++ -*-===//
#ifndef SORA_FRONTEND_JSONMODELPARSER_H
#define SORA_FRONTEND_JSONMODELPARSER_H

#include "sora/Frontend/ModelAST.h"

#include <optional>

namespace mlir {
class MLIRContext;
}

namespace sora {

/// Parses the JSON model in `text` (read from `file`). Reports every problem
/// through the context's diagnostic engine and returns nullopt on error.
std::optional<ModelAST> parseJsonModel(const std::string &file,
                                       const std::string &text,
                                       mlir::MLIRContext &context);

} // namespace sora

#endif
