//===- JsonModelWriter.h - The model AST back to a JSON model ---*- C++ -*-===//
//
// Writes a ModelAST as a canonical JSON model file (docs/dsl.md, "Canonical
// forms"), and the two helpers that the .sora printer shares with it: the
// order in which a particle's attributes are written, and the weights file
// name as the model file wrote it.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_JSONMODELWRITER_H
#define SORA_FRONTEND_JSONMODELWRITER_H

#include "sora/Frontend/ModelAST.h"

#include <string>
#include <vector>

namespace sora {

/// The model as a JSON model file: one particle per line, attributes in
/// source order. Parsing the result gives back the same model.
std::string writeJsonModel(const ModelAST &model);

/// The keys of `particle.attrs` in the order they were written in the model
/// file (by their source location), then alphabetically.
std::vector<std::string> attributeOrder(const ParticleDecl &particle);

/// Inline weight tensor names in source order, then alphabetically.
std::vector<std::string> tensorOrder(const WeightsDecl &weights);

/// The weights file name relative to the model file's directory when it
/// lies under it, as the model file most likely wrote it.
std::string weightsFileAsWritten(const ModelAST &model);

/// A JSON value on one line with ", " and ": " separators, e.g. `[3, 3]`.
std::string formatJsonValue(const nlohmann::json &value);

} // namespace sora

#endif
