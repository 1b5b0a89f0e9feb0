//===- Json.cpp - JSON from untrusted files -------------------------------===//

#include "sora/Support/Json.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace sora {
namespace {

JsonError errorAt(const std::string &text, size_t offset, std::string message) {
  auto [line, column] = lineColumn(text, offset);
  return JsonError{line, column, std::move(message)};
}

/// Why the number token `token` is out of range, or "" when it is not.
std::string numberDefect(const std::string &token) {
  errno = 0;
  if (token.find_first_of(".eE") != std::string::npos) {
    double value = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(value))
      return "number " + abbreviate(token) + " is beyond the range of a double";
    return "";
  }
  (void)std::strtoll(token.c_str(), nullptr, 10);
  if (errno == ERANGE)
    return "integer " + abbreviate(token) +
           " is outside the range of a 64-bit integer";
  return "";
}

/// The first nesting or number defect of `text`, scanning it as JSON
/// tokens (strings skipped); syntax is left to the parser.
std::optional<JsonError> findLimitDefect(const std::string &text) {
  unsigned depth = 0;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"';)
        i += text[i] == '\\' ? 2 : 1;
      ++i;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        return errorAt(text, i,
                       "arrays and objects nest deeper than " +
                           std::to_string(kMaxJsonDepth) + " levels");
      ++i;
    } else if (c == ']' || c == '}') {
      depth -= depth > 0;
      ++i;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t end = i + 1;
      while (end < text.size() && std::strchr("+-.eE0123456789", text[end]) &&
             text[end] != '\0')
        ++end;
      std::string defect = numberDefect(text.substr(i, end - i));
      if (!defect.empty())
        return errorAt(text, i, defect);
      i = end;
    } else {
      ++i;
    }
  }
  return std::nullopt;
}

} // namespace

template <typename Json>
std::optional<Json> parseJson(const std::string &text, JsonError &error) {
  if (std::optional<JsonError> defect = findLimitDefect(text)) {
    error = *defect;
    return std::nullopt;
  }
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::parse_error &e) {
    // nlohmann's byte is one past the offending character; its message
    // repeats the position before the first ": ".
    std::string what = e.what();
    size_t colon = what.find(": ");
    error = errorAt(text, e.byte ? e.byte - 1 : 0,
                    colon == std::string::npos ? what : what.substr(colon + 2));
  } catch (const nlohmann::json::exception &e) {
    error = JsonError{1, 1, e.what()};
  }
  return std::nullopt;
}

template std::optional<nlohmann::json>
parseJson<nlohmann::json>(const std::string &, JsonError &);
template std::optional<nlohmann::ordered_json>
parseJson<nlohmann::ordered_json>(const std::string &, JsonError &);

std::pair<unsigned, unsigned> lineColumn(const std::string &text,
                                         size_t offset) {
  unsigned line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::string abbreviate(const std::string &text, size_t limit) {
  if (text.size() <= limit)
    return text;
  return text.substr(0, limit) + "...";
}

std::string describeJson(const nlohmann::json &value) {
  return abbreviate(
      value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 80);
}

} // namespace sora
