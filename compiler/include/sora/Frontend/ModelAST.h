//===- ModelAST.h - A particle model as written by the user -----*- C++ -*-===//
//
// What every frontend (JSON, the .sora DSL, the ONNX importer) produces:
// the model's declarations with the source location of each, before any
// name resolution or shape checking. MLIRGen turns it into the particle
// dialect.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_MODELAST_H
#define SORA_FRONTEND_MODELAST_H

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sora {

/// A place in a model file: 1-based line and column, plus a readable path
/// to the element (e.g. `particles[2].filters`).
struct SourceLoc {
  std::string file;
  unsigned line = 0, col = 0;
  std::string path;
};

struct InputDecl {
  std::string name;
  std::vector<int64_t> shape;
  std::string dtype; ///< "f32", or "i64" for token ids (isInputDtype)
  SourceLoc loc;
};

/// The element types an input may declare: f32, or i64 token ids, which
/// only an embedding particle reads.
inline bool isInputDtype(const std::string &dtype) {
  return dtype == "f32" || dtype == "i64";
}

struct OutputDecl {
  std::string name;
  SourceLoc loc;
};

/// One particle: its op, the names it reads, and its remaining attributes.
struct ParticleDecl {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
  std::vector<SourceLoc> inputLocs;          ///< one per entry of `inputs`
  nlohmann::json attrs;                      ///< every key but name/op/input(s)
  std::map<std::string, SourceLoc> attrLocs; ///< where each value is
  std::map<std::string, SourceLoc> attrKeyLocs; ///< where each key is
  SourceLoc loc;

  /// Location of attribute `key`, or of the particle if it has none.
  const SourceLoc &locOf(const std::string &key) const {
    auto it = attrLocs.find(key);
    return it == attrLocs.end() ? loc : it->second;
  }
};

/// Where the weights come from, as the model file says.
struct WeightsDecl {
  enum Kind { None, File, Inline } kind = None;
  std::string file;       ///< resolved against the model's directory
  nlohmann::json tensors; ///< Inline: name -> nested arrays
  std::map<std::string, SourceLoc> tensorLocs;
  SourceLoc loc;
};

/// A composite particle: a named, reusable block with typed inputs. A
/// particle whose `op` is a composite's name instantiates it: its `inputs`
/// bind to the composite's inputs in order, and the weights of the inner
/// particles are named `<instance>.<inner particle>.<param>`.
struct CompositeDecl {
  std::string name;
  std::vector<InputDecl> inputs;
  std::vector<ParticleDecl> particles;
  std::vector<OutputDecl> outputs; ///< what an instance evaluates to
  SourceLoc loc;
};

struct ModelAST {
  std::string name;
  std::string file;
  std::vector<InputDecl> inputs;
  std::vector<OutputDecl> outputs;
  std::vector<CompositeDecl> composites;
  std::vector<ParticleDecl> particles;
  WeightsDecl weights;
  SourceLoc loc;
};

} // namespace sora

#endif
