//===- DslPrinter.h - The model AST as a .sora file -------------*- C++ -*-===//
//
// Prints a ModelAST in the canonical .sora form (docs/dsl.md): the inverse
// of parseDslModel, so that JSON models convert to .sora and back.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_DSLPRINTER_H
#define SORA_FRONTEND_DSLPRINTER_H

#include "sora/Frontend/ModelAST.h"

#include <optional>
#include <string>

namespace mlir {
class MLIRContext;
}

namespace sora {

/// The model as canonical .sora text. Reports, at the element's source
/// location, what .sora cannot spell (an op, composite or attribute name
/// that is not an identifier; a null or object attribute value) and returns
/// nullopt.
std::optional<std::string> printDslModel(const ModelAST &model,
                                         mlir::MLIRContext &context);

} // namespace sora

#endif
