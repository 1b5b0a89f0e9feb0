//===- JsonSourceMap.h - Line and column of every JSON element --*- C++ -*-===//
//
// nlohmann::json keeps no source positions, so diagnostics would only have
// paths. This scanner walks the same text once and records, for every value,
// its path (`particles[2].filters`) and where it starts.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_JSONSOURCEMAP_H
#define SORA_FRONTEND_JSONSOURCEMAP_H

#include <map>
#include <string>
#include <utility>

namespace sora {

class JsonSourceMap {
public:
  /// Scans `text`, which must already be known to be valid JSON.
  explicit JsonSourceMap(const std::string &text);

  /// 1-based {line, column} of the value at `path`, or of the nearest
  /// enclosing value that was recorded.
  std::pair<unsigned, unsigned> find(const std::string &path) const;

  /// 1-based {line, column} of the key of the object member at `path`, or
  /// of its value if `path` is not an object member.
  std::pair<unsigned, unsigned> findKey(const std::string &path) const;

  /// Path of member `key` in the object at `parent`.
  static std::string member(const std::string &parent, const std::string &key);
  /// Path of element `index` in the array at `parent`.
  static std::string element(const std::string &parent, size_t index);

private:
  void scanValue(const std::string &path);
  void skipSpace();
  void skipSeparator(); ///< spaces, then an optional ',' and more spaces
  void skipString();

  const std::string &text;
  size_t pos = 0;
  std::map<std::string, size_t> offsets;
  std::map<std::string, size_t> keyOffsets;
};

} // namespace sora

#endif
