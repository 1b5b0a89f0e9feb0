//===- DslModelParser.h - .sora model files to the model AST ----*- C++ -*-===//
//
// The .sora text language (docs/dsl.md) describes the same models as the
// JSON format and yields the same ModelAST, with every element located in
// the .sora file so that MLIRGen's diagnostics point into it.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_DSLMODELPARSER_H
#define SORA_FRONTEND_DSLMODELPARSER_H

#include "sora/Frontend/ModelAST.h"

#include <optional>

namespace mlir {
class MLIRContext;
}

namespace sora {

/// Parses the .sora model in `text` (read from `file`). Reports every syntax
/// error through the context's diagnostic engine and returns nullopt on
/// error. Names, ops and attributes are checked later, by MLIRGen, exactly
/// as for JSON models.
std::optional<ModelAST> parseDslModel(const std::string &file,
                                      const std::string &text,
                                      mlir::MLIRContext &context);

} // namespace sora

#endif
