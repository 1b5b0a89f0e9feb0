//===- JsonModelParser.cpp - JSON model files to the model AST ------------===//

#include "sora/Frontend/JsonModelParser.h"
#include "sora/Frontend/Diagnostics.h"
#include "sora/Frontend/JsonSourceMap.h"
#include "sora/Support/Json.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Path.h"

using nlohmann::json;

namespace sora {
namespace {

/// Walks the parsed document, checking structure and types, and builds the
/// AST. Every check reports at the JSON element it is about.
class Parser {
public:
  Parser(const std::string &file, const std::string &text,
         mlir::MLIRContext &context)
      : file(file), map(text), context(context) {}

  std::optional<ModelAST> parse(const json &root);

private:
  SourceLoc at(const std::string &path) const {
    auto [line, col] = map.find(path);
    return SourceLoc{file, line, col, path};
  }
  mlir::InFlightDiagnostic error(const std::string &path) {
    failed = true;
    return emitErrorAt(&context, at(path));
  }

  bool checkKeys(const json &object, const std::string &path,
                 std::initializer_list<const char *> known);
  std::optional<std::string> string(const json &object, const std::string &path,
                                    const char *key);
  void parseInputs(const json &value, const std::string &path,
                   std::vector<InputDecl> &inputs);
  void parseOutputs(const json &value, const std::string &path,
                    std::vector<OutputDecl> &outputs);
  void parseWeights(const json &value, const std::string &path, ModelAST &m);
  void parseParticles(const json &value, const std::string &path,
                      std::vector<ParticleDecl> &particles);
  void parseParticle(const json &value, const std::string &path,
                     std::vector<ParticleDecl> &particles);
  void parseComposites(const json &value, const std::string &path, ModelAST &m);

  std::string file;
  JsonSourceMap map;
  mlir::MLIRContext &context;
  bool failed = false;
};

bool Parser::checkKeys(const json &object, const std::string &path,
                       std::initializer_list<const char *> known) {
  bool ok = true;
  for (auto &[key, value] : object.items()) {
    if (llvm::is_contained(known, llvm::StringRef(key)))
      continue;
    std::string keyPath = JsonSourceMap::member(path, key);
    auto [line, col] = map.findKey(keyPath);
    failed = true;
    auto diag = emitErrorAt(&context, SourceLoc{file, line, col, keyPath});
    diag << "unknown key '" << key << "'";
    addSpellingHint(diag, key,
                    std::vector<std::string>(known.begin(), known.end()));
    ok = false;
  }
  return ok;
}

std::optional<std::string>
Parser::string(const json &object, const std::string &path, const char *key) {
  auto it = object.find(key);
  if (it == object.end()) {
    error(path) << "missing required key '" << key << "'";
    return std::nullopt;
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    error(JsonSourceMap::member(path, key))
        << "'" << key << "' must be a non-empty string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

void Parser::parseInputs(const json &value, const std::string &path,
                         std::vector<InputDecl> &inputs) {
  if (!value.is_array()) {
    error(path) << "'inputs' must be an array of "
                   "{\"name\", \"shape\", \"dtype\"} objects";
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    std::string p = JsonSourceMap::element(path, i);
    const json &in = value[i];
    if (!in.is_object()) {
      error(p) << "an input must be an object with \"name\" and \"shape\"";
      continue;
    }
    checkKeys(in, p, {"name", "shape", "dtype"});
    InputDecl decl;
    decl.loc = at(p);
    if (auto name = string(in, p, "name"))
      decl.name = *name;
    std::string shapePath = JsonSourceMap::member(p, "shape");
    auto shape = in.find("shape");
    if (shape == in.end()) {
      error(p) << "missing required key 'shape'";
    } else if (!shape->is_array() || shape->empty() ||
               !llvm::all_of(*shape, [](const json &d) {
                 return d.is_number_integer() && d.get<int64_t>() > 0;
               })) {
      error(shapePath) << "'shape' must be a non-empty array of positive "
                          "integers";
    } else {
      decl.shape = shape->get<std::vector<int64_t>>();
    }
    decl.dtype = "f32";
    if (in.contains("dtype")) {
      const json &d = in["dtype"];
      if (d.is_string() && isInputDtype(d.get<std::string>()))
        decl.dtype = d.get<std::string>();
      else
        error(JsonSourceMap::member(p, "dtype"))
            << "unsupported dtype " << describeJson(d)
            << "; supported: \"f32\", \"i64\" (token ids)";
    }
    inputs.push_back(std::move(decl));
  }
}

void Parser::parseOutputs(const json &value, const std::string &path,
                          std::vector<OutputDecl> &outputs) {
  if (!value.is_array() || value.empty()) {
    error(path) << "'outputs' must be a non-empty array of particle names";
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    std::string p = JsonSourceMap::element(path, i);
    if (!value[i].is_string()) {
      error(p) << "an output must be a particle or input name (string)";
      continue;
    }
    outputs.push_back({value[i].get<std::string>(), at(p)});
  }
}

void Parser::parseWeights(const json &value, const std::string &path,
                          ModelAST &m) {
  m.weights.loc = at(path);
  if (value.is_string()) {
    m.weights.kind = WeightsDecl::File;
    llvm::SmallString<256> resolved(value.get<std::string>());
    if (llvm::sys::path::is_relative(resolved)) {
      llvm::SmallString<256> dir(llvm::sys::path::parent_path(file));
      llvm::sys::path::append(dir, resolved);
      resolved = dir;
    }
    m.weights.file = std::string(resolved);
    return;
  }
  if (value.is_object()) {
    m.weights.kind = WeightsDecl::Inline;
    m.weights.tensors = value;
    for (auto &[key, tensor] : value.items())
      m.weights.tensorLocs[key] = at(JsonSourceMap::member(path, key));
    return;
  }
  error(path) << "'weights' must be a safetensors file name or an object "
                 "mapping tensor names to nested arrays";
}

void Parser::parseParticles(const json &value, const std::string &path,
                            std::vector<ParticleDecl> &particles) {
  if (!value.is_array()) {
    error(path) << "'particles' must be an array of particle objects";
    return;
  }
  for (size_t i = 0; i < value.size(); ++i)
    parseParticle(value[i], JsonSourceMap::element(path, i), particles);
}

void Parser::parseComposites(const json &value, const std::string &path,
                             ModelAST &m) {
  if (!value.is_array()) {
    error(path) << "'composites' must be an array of composite particle "
                   "objects";
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    std::string p = JsonSourceMap::element(path, i);
    const json &c = value[i];
    if (!c.is_object()) {
      error(p) << "a composite particle must be an object with \"name\", "
                  "\"inputs\", \"outputs\" and \"particles\"";
      continue;
    }
    checkKeys(c, p, {"name", "inputs", "outputs", "particles"});
    CompositeDecl decl;
    decl.loc = at(p);
    if (auto name = string(c, p, "name"))
      decl.name = *name;
    for (const char *key : {"inputs", "outputs", "particles"})
      if (!c.contains(key))
        error(p) << "composite particle '" << decl.name
                 << "': missing required key '" << key << "'";
    if (c.contains("inputs"))
      parseInputs(c["inputs"], JsonSourceMap::member(p, "inputs"), decl.inputs);
    if (c.contains("outputs"))
      parseOutputs(c["outputs"], JsonSourceMap::member(p, "outputs"),
                   decl.outputs);
    if (c.contains("particles"))
      parseParticles(c["particles"], JsonSourceMap::member(p, "particles"),
                     decl.particles);
    m.composites.push_back(std::move(decl));
  }
}

void Parser::parseParticle(const json &value, const std::string &path,
                           std::vector<ParticleDecl> &particles) {
  if (!value.is_object()) {
    error(path) << "a particle must be an object with \"name\" and \"op\"";
    return;
  }
  ParticleDecl p;
  p.loc = at(path);
  auto name = string(value, path, "name");
  auto op = string(value, path, "op");
  if (!name || !op)
    return;
  p.name = *name;
  p.op = *op;
  bool hasInput = value.contains("input"), hasInputs = value.contains("inputs");
  if (hasInput && hasInputs) {
    error(JsonSourceMap::member(path, "inputs"))
        << "particle '" << p.name
        << "': give either 'input' or 'inputs', not both";
    return;
  }
  if (hasInput) {
    std::string ip = JsonSourceMap::member(path, "input");
    if (!value["input"].is_string()) {
      error(ip) << "particle '" << p.name
                << "': 'input' must be a name (string); use 'inputs' for "
                   "several";
      return;
    }
    p.inputs.push_back(value["input"].get<std::string>());
    p.inputLocs.push_back(at(ip));
  } else if (hasInputs) {
    std::string ip = JsonSourceMap::member(path, "inputs");
    const json &list = value["inputs"];
    if (!list.is_array() ||
        !llvm::all_of(list, [](const json &v) { return v.is_string(); })) {
      error(ip) << "particle '" << p.name
                << "': 'inputs' must be an array of names";
      return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      p.inputs.push_back(list[i].get<std::string>());
      p.inputLocs.push_back(at(JsonSourceMap::element(ip, i)));
    }
  }
  p.attrs = json::object();
  for (auto &[key, v] : value.items()) {
    if (key == "name" || key == "op" || key == "input" || key == "inputs")
      continue;
    p.attrs[key] = v;
    std::string keyPath = JsonSourceMap::member(path, key);
    p.attrLocs[key] = at(keyPath);
    auto [line, col] = map.findKey(keyPath);
    p.attrKeyLocs[key] = SourceLoc{file, line, col, keyPath};
  }
  particles.push_back(std::move(p));
}

std::optional<ModelAST> Parser::parse(const json &root) {
  if (!root.is_object()) {
    error("") << "a model file must hold one JSON object";
    return std::nullopt;
  }
  ModelAST m;
  m.file = file;
  m.loc = at("");
  checkKeys(root, "",
            {"sora", "name", "inputs", "outputs", "weights", "composites",
             "particles"});
  auto version = root.find("sora");
  if (version == root.end())
    error("") << "missing required key 'sora' (the format version, 1)";
  else if (!version->is_number_integer() || version->get<int64_t>() != 1)
    error("sora") << "unsupported format version " << describeJson(*version)
                  << "; this soracc reads version 1";
  if (root.contains("name")) {
    if (auto name = string(root, "", "name"))
      m.name = *name;
  } else {
    m.name = llvm::sys::path::stem(file).str();
  }
  for (const char *key : {"inputs", "outputs", "particles"})
    if (!root.contains(key))
      error("") << "missing required key '" << key << "'";
  if (root.contains("inputs"))
    parseInputs(root["inputs"], "inputs", m.inputs);
  if (root.contains("outputs"))
    parseOutputs(root["outputs"], "outputs", m.outputs);
  if (root.contains("weights"))
    parseWeights(root["weights"], "weights", m);
  if (root.contains("composites"))
    parseComposites(root["composites"], "composites", m);
  if (root.contains("particles"))
    parseParticles(root["particles"], "particles", m.particles);
  if (failed)
    return std::nullopt;
  return m;
}

} // namespace

std::optional<ModelAST> parseJsonModel(const std::string &file,
                                       const std::string &text,
                                       mlir::MLIRContext &context) {
  JsonError error;
  std::optional<json> root = parseJson<json>(text, error);
  if (!root) {
    emitErrorAt(&context, SourceLoc{file, error.line, error.column, ""})
        << "invalid JSON: " << error.message;
    return std::nullopt;
  }
  return Parser(file, text, context).parse(*root);
}

} // namespace sora
