//===- Json.h - JSON from untrusted files -----------------------*- C++ -*-===//
//
// Every JSON file soracc reads (models, safetensors headers, tuning
// databases) comes from outside. nlohmann::json parses any valid text, but a
// number beyond a double's range throws an exception it does not position,
// an integer of 2^63 or more reads back wrapped through get<int64_t>(), and
// the recursive scans after parsing would exhaust the stack on deep nesting.
// parseJson refuses all three at their line and column, before parsing.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_SUPPORT_JSON_H
#define SORA_SUPPORT_JSON_H

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <utility>

namespace sora {

/// Deepest nesting of arrays and objects a file may have (a model's deepest
/// is an inline weight of rank 8 inside three levels of structure).
constexpr unsigned kMaxJsonDepth = 64;

/// Why and where untrusted JSON text was refused (1-based).
struct JsonError {
  unsigned line = 1, column = 1;
  std::string message;
};

/// Parses `text` into `Json` (nlohmann::json or nlohmann::ordered_json).
/// Returns nothing, with `error` set, when the text is not JSON, nests
/// deeper than kMaxJsonDepth, or holds an integer outside int64_t or a
/// number beyond a double's range. Every integer that parses fits int64_t.
template <typename Json>
std::optional<Json> parseJson(const std::string &text, JsonError &error);

/// 1-based {line, column} of byte `offset` of `text`.
std::pair<unsigned, unsigned> lineColumn(const std::string &text,
                                         size_t offset);

/// `text` for a diagnostic: at most `limit` characters, then "...".
std::string abbreviate(const std::string &text, size_t limit = 40);

/// `value` as JSON text for a diagnostic, abbreviated to 80 characters.
/// Invalid UTF-8 (a .sora or ONNX string may hold any bytes) is replaced:
/// nlohmann's dump() throws on it.
std::string describeJson(const nlohmann::json &value);

} // namespace sora

#endif
