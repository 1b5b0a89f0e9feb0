//===- DslPrinter.cpp - The model AST as a .sora file ---------------------===//

#include "sora/Frontend/DslPrinter.h"
#include "DslLexer.h"
#include "sora/Frontend/Diagnostics.h"
#include "sora/Frontend/JsonModelWriter.h"

#include "llvm/ADT/StringExtras.h"

using nlohmann::json;

namespace sora {
namespace {

/// Binary particles written as infix operators.
const std::pair<const char *, const char *> kOperators[] = {
    {"add", "+"}, {"sub", "-"}, {"mul", "*"}, {"div", "/"}};

class Printer {
public:
  Printer(const ModelAST &model, mlir::MLIRContext &context)
      : model(model), context(context) {}

  std::optional<std::string> print();

private:
  /// Reports that .sora cannot spell something.
  mlir::InFlightDiagnostic error(const SourceLoc &loc) {
    failed = true;
    return emitErrorAt(&context, loc) << "cannot convert to .sora: ";
  }
  /// A bare name (`x`, `b1.y`), or a quoted one.
  static std::string name(const std::string &n) {
    return dsl::isDottedName(n) ? n : formatJsonValue(json(n));
  }
  /// A word that .sora requires bare (ops, keys, composite names); `what`
  /// names it in the message if it is not an identifier.
  std::string word(const std::string &w, const SourceLoc &loc,
                   const std::string &what) {
    if (!dsl::isIdentifier(w))
      error(loc) << what << " is not an identifier ([A-Za-z_][A-Za-z0-9_]*)";
    return w;
  }
  std::string value(const json &v, const SourceLoc &loc,
                    const std::string &what);
  std::string typedName(const InputDecl &in);
  std::string particle(const ParticleDecl &p, const std::string &indent);
  std::string weights();
  std::string composite(const CompositeDecl &c);

  const ModelAST &model;
  mlir::MLIRContext &context;
  bool failed = false;
};

std::string Printer::value(const json &v, const SourceLoc &loc,
                           const std::string &what) {
  if (v.is_string()) {
    const std::string &s = v.get_ref<const std::string &>();
    bool bare = dsl::isIdentifier(s) && s != "true" && s != "false";
    return bare ? s : formatJsonValue(v);
  }
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i)
      out += (i ? ", " : "") + value(v[i], loc, what);
    return out + "]";
  }
  if (v.is_null() || v.is_object()) {
    error(loc) << what << " is " << (v.is_null() ? "null" : "an object")
               << ", which .sora has no syntax for";
    return "";
  }
  return formatJsonValue(v);
}

std::string Printer::typedName(const InputDecl &in) {
  std::vector<std::string> dims;
  for (int64_t d : in.shape)
    dims.push_back(std::to_string(d));
  return name(in.name) + ": " + (in.dtype.empty() ? "f32" : in.dtype) + "[" +
         llvm::join(dims, ", ") + "]";
}

std::string Printer::particle(const ParticleDecl &p,
                              const std::string &indent) {
  std::string out = indent + name(p.name) + " = ";
  auto infix =
      llvm::find_if(kOperators, [&](auto &o) { return p.op == o.first; });
  if (infix != std::end(kOperators) && p.inputs.size() == 2 &&
      (!p.attrs.is_object() || p.attrs.empty()))
    return out + name(p.inputs[0]) + " " + infix->second + " " +
           name(p.inputs[1]) + "\n";
  std::string op = word(p.op, p.locOf("op"),
                        "op '" + p.op + "' of particle '" + p.name + "'");
  std::vector<std::string> args;
  for (const std::string &in : p.inputs)
    args.push_back(name(in));
  for (const std::string &key : attributeOrder(p)) {
    std::string what = "attribute '" + key + "' of particle '" + p.name + "'";
    auto keyLoc = p.attrKeyLocs.find(key);
    if (key == "name" || key == "op" || key == "input" || key == "inputs")
      error(keyLoc == p.attrKeyLocs.end() ? p.loc : keyLoc->second)
          << what << " has a name that .sora reserves for inputs";
    args.push_back(word(key,
                        keyLoc == p.attrKeyLocs.end() ? p.loc : keyLoc->second,
                        what) +
                   "=" + value(p.attrs[key], p.locOf(key), what));
  }
  return out + op + "(" + llvm::join(args, ", ") + ")\n";
}

std::string Printer::weights() {
  const WeightsDecl &w = model.weights;
  if (w.kind == WeightsDecl::File)
    return "weights " + formatJsonValue(json(weightsFileAsWritten(model))) +
           "\n";
  std::string out = "weights {\n";
  for (const std::string &tensor : tensorOrder(w)) {
    auto loc = w.tensorLocs.count(tensor) ? w.tensorLocs.at(tensor) : w.loc;
    out += "  " + name(tensor) + " = " +
           value(w.tensors[tensor], loc, "weight '" + tensor + "'") + "\n";
  }
  return out + "}\n";
}

std::string Printer::composite(const CompositeDecl &c) {
  std::vector<std::string> params, results;
  for (const InputDecl &in : c.inputs)
    params.push_back(typedName(in));
  for (const OutputDecl &out : c.outputs)
    results.push_back(name(out.name));
  std::string out = "particle " +
                    word(c.name, c.loc, "composite particle '" + c.name + "'") +
                    "(" + llvm::join(params, ", ") + ") {\n";
  for (const ParticleDecl &p : c.particles)
    out += particle(p, "  ");
  return out + "  return " + llvm::join(results, ", ") + "\n}\n";
}

std::optional<std::string> Printer::print() {
  std::vector<std::string> sections;
  std::string header = "model " + name(model.name) + "\n";
  for (const InputDecl &in : model.inputs)
    header += "input " + typedName(in) + "\n";
  if (model.weights.kind != WeightsDecl::None)
    header += weights();
  sections.push_back(header);
  for (const CompositeDecl &c : model.composites)
    sections.push_back(composite(c));
  std::string graph;
  for (const ParticleDecl &p : model.particles)
    graph += particle(p, "");
  std::vector<std::string> outputs;
  for (const OutputDecl &out : model.outputs)
    outputs.push_back(name(out.name));
  sections.push_back(graph + "output " + llvm::join(outputs, ", ") + "\n");
  if (failed)
    return std::nullopt;
  return llvm::join(sections, "\n");
}

} // namespace

std::optional<std::string> printDslModel(const ModelAST &model,
                                         mlir::MLIRContext &context) {
  return Printer(model, context).print();
}

} // namespace sora
