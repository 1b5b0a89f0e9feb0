//===- JsonSourceMap.cpp - Line and column of every JSON element ----------===//

#include "sora/Frontend/JsonSourceMap.h"
#include "sora/Support/Json.h"

#include <cctype>

namespace sora {

JsonSourceMap::JsonSourceMap(const std::string &text) : text(text) {
  skipSpace();
  scanValue("");
}

std::string JsonSourceMap::member(const std::string &parent,
                                  const std::string &key) {
  bool identifier = !key.empty();
  for (char c : key)
    identifier &= std::isalnum((unsigned char)c) || c == '_';
  std::string suffix = identifier ? key : "[\"" + key + "\"]";
  if (parent.empty() || !identifier)
    return parent + suffix;
  return parent + "." + suffix;
}

std::string JsonSourceMap::element(const std::string &parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::pair<unsigned, unsigned>
JsonSourceMap::find(const std::string &path) const {
  std::string p = path;
  while (true) {
    auto it = offsets.find(p);
    if (it != offsets.end())
      return lineColumn(text, it->second);
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos || p.empty())
      return {1, 1};
    p.resize(cut);
  }
}

std::pair<unsigned, unsigned>
JsonSourceMap::findKey(const std::string &path) const {
  auto it = keyOffsets.find(path);
  if (it == keyOffsets.end())
    return find(path);
  return lineColumn(text, it->second);
}

void JsonSourceMap::skipSpace() {
  while (pos < text.size() && std::isspace((unsigned char)text[pos]))
    ++pos;
}

void JsonSourceMap::skipSeparator() {
  skipSpace();
  if (pos < text.size() && text[pos] == ',') {
    ++pos;
    skipSpace();
  }
}

void JsonSourceMap::skipString() {
  ++pos; // opening quote
  while (pos < text.size() && text[pos] != '"')
    pos += text[pos] == '\\' ? 2 : 1;
  ++pos; // closing quote
}

void JsonSourceMap::scanValue(const std::string &path) {
  offsets[path] = pos;
  if (pos >= text.size())
    return;
  char c = text[pos];
  if (c == '"') {
    skipString();
    return;
  }
  if (c == '{') {
    ++pos;
    skipSpace();
    while (pos < text.size() && text[pos] != '}') {
      size_t keyStart = pos + 1;
      skipString();
      std::string key = text.substr(keyStart, pos - 1 - keyStart);
      keyOffsets[member(path, key)] = keyStart - 1;
      skipSpace();
      ++pos; // ':'
      skipSpace();
      scanValue(member(path, key));
      skipSeparator();
    }
    ++pos;
    return;
  }
  if (c == '[') {
    ++pos;
    skipSpace();
    for (size_t i = 0; pos < text.size() && text[pos] != ']'; ++i) {
      scanValue(element(path, i));
      skipSeparator();
    }
    ++pos;
    return;
  }
  // Number, true, false, null.
  while (pos < text.size() && !std::isspace((unsigned char)text[pos]) &&
         text[pos] != ',' && text[pos] != '}' && text[pos] != ']')
    ++pos;
}

} // namespace sora
