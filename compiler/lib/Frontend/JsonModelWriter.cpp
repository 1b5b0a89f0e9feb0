//===- JsonModelWriter.cpp - The model AST back to a JSON model -----------===//

#include "sora/Frontend/JsonModelWriter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <tuple>

using nlohmann::json;

namespace sora {
namespace {

/// Sorts `keys` by where `locs` places them, unlocated keys last.
std::vector<std::string>
bySourceOrder(std::vector<std::string> keys,
              const std::map<std::string, SourceLoc> &locs) {
  auto rank = [&](const std::string &key) {
    auto it = locs.find(key);
    bool located = it != locs.end() && it->second.line != 0;
    return std::make_tuple(!located, located ? it->second.line : 0,
                           located ? it->second.col : 0, key);
  };
  std::stable_sort(keys.begin(), keys.end(),
                   [&](const std::string &a, const std::string &b) {
                     return rank(a) < rank(b);
                   });
  return keys;
}

std::string quote(const std::string &s) { return formatJsonValue(json(s)); }

/// `items` as a JSON array, one per line at `indent` + 2 spaces.
std::string block(const std::vector<std::string> &items, unsigned indent) {
  if (items.empty())
    return "[]";
  std::string pad(indent + 2, ' '), out = "[\n";
  for (size_t i = 0; i < items.size(); ++i)
    out += pad + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
  return out + std::string(indent, ' ') + "]";
}

std::string input(const InputDecl &in) {
  return "{\"name\": " + quote(in.name) +
         ", \"shape\": " + formatJsonValue(json(in.shape)) +
         ", \"dtype\": " + quote(in.dtype.empty() ? "f32" : in.dtype) + "}";
}

std::string names(const std::vector<OutputDecl> &outputs) {
  json list = json::array();
  for (const OutputDecl &out : outputs)
    list.push_back(out.name);
  return formatJsonValue(list);
}

std::string particle(const ParticleDecl &p) {
  std::string out = "{\"name\": " + quote(p.name) + ", \"op\": " + quote(p.op);
  if (p.inputs.size() == 1)
    out += ", \"input\": " + quote(p.inputs[0]);
  else if (!p.inputs.empty())
    out += ", \"inputs\": " + formatJsonValue(json(p.inputs));
  for (const std::string &key : attributeOrder(p))
    out += ", " + quote(key) + ": " + formatJsonValue(p.attrs[key]);
  return out + "}";
}

std::string particles(const std::vector<ParticleDecl> &list, unsigned indent) {
  std::vector<std::string> items;
  for (const ParticleDecl &p : list)
    items.push_back(particle(p));
  return block(items, indent);
}

std::string inputs(const std::vector<InputDecl> &list, unsigned indent) {
  std::vector<std::string> items;
  for (const InputDecl &in : list)
    items.push_back(input(in));
  return block(items, indent);
}

std::string composite(const CompositeDecl &c) {
  return "{\n      \"name\": " + quote(c.name) +
         ",\n      \"inputs\": " + inputs(c.inputs, 6) +
         ",\n      \"outputs\": " + names(c.outputs) +
         ",\n      \"particles\": " + particles(c.particles, 6) + "\n    }";
}

std::string weights(const ModelAST &m) {
  if (m.weights.kind == WeightsDecl::File)
    return quote(weightsFileAsWritten(m));
  std::vector<std::string> items;
  for (const std::string &name : tensorOrder(m.weights))
    items.push_back(quote(name) + ": " +
                    formatJsonValue(m.weights.tensors[name]));
  if (items.empty())
    return "{}";
  std::string out = "{\n";
  for (size_t i = 0; i < items.size(); ++i)
    out += "    " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
  return out + "  }";
}

} // namespace

std::string formatJsonValue(const json &value) {
  if (value.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < value.size(); ++i)
      out += (i ? ", " : "") + formatJsonValue(value[i]);
    return out + "]";
  }
  if (value.is_object()) {
    std::string out = "{";
    bool first = true;
    for (auto &[key, v] : value.items()) {
      out += (first ? "" : ", ") + quote(key) + ": " + formatJsonValue(v);
      first = false;
    }
    return out + "}";
  }
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> attributeOrder(const ParticleDecl &particle) {
  std::vector<std::string> keys;
  if (particle.attrs.is_object())
    for (auto &[key, value] : particle.attrs.items())
      keys.push_back(key);
  return bySourceOrder(std::move(keys), particle.attrKeyLocs);
}

std::vector<std::string> tensorOrder(const WeightsDecl &weights) {
  std::vector<std::string> keys;
  if (weights.tensors.is_object())
    for (auto &[key, value] : weights.tensors.items())
      keys.push_back(key);
  return bySourceOrder(std::move(keys), weights.tensorLocs);
}

std::string weightsFileAsWritten(const ModelAST &model) {
  llvm::StringRef dir = llvm::sys::path::parent_path(model.file);
  llvm::StringRef file = model.weights.file;
  if (!dir.empty() && file.starts_with(dir) &&
      file.drop_front(dir.size()).starts_with("/"))
    return file.drop_front(dir.size() + 1).str();
  return file.str();
}

std::string writeJsonModel(const ModelAST &m) {
  std::string out = "{\n  \"sora\": 1,\n  \"name\": " + quote(m.name) +
                    ",\n  \"inputs\": " + inputs(m.inputs, 2) +
                    ",\n  \"outputs\": " + names(m.outputs);
  if (m.weights.kind != WeightsDecl::None)
    out += ",\n  \"weights\": " + weights(m);
  if (!m.composites.empty()) {
    std::vector<std::string> items;
    for (const CompositeDecl &c : m.composites)
      items.push_back(composite(c));
    out += ",\n  \"composites\": " + block(items, 2);
  }
  return out + ",\n  \"particles\": " + particles(m.particles, 2) + "\n}\n";
}

} // namespace sora
