//===- MLIRGenGraph.cpp - Model AST to the particle dialect ---------------===//
//
// The graph level of MLIRGen: name resolution, topological order, the model
// function with its inputs and outputs, and composite particles, which
// become private functions called once per instance. A composite's weights
// are arguments of its function, so one function serves every instance; each
// call passes the instance's own tensors (`<instance>.<inner>.<param>`).
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"
#include "sora/Frontend/MLIRGen.h"

#include <climits>

using namespace mlir;
using namespace sora::particle;

namespace sora {

//===----------------------------------------------------------------------===//
// Names and order
//===----------------------------------------------------------------------===//

/// The particle that produces `ref`: the particle itself, or for a reference
/// `<instance>.<output>` to an output of a composite instance, the instance.
static const ParticleDecl *
producer(const std::string &ref,
         const std::map<std::string, const ParticleDecl *> &particles) {
  if (auto it = particles.find(ref); it != particles.end())
    return it->second;
  size_t dot = ref.rfind('.');
  if (dot == std::string::npos)
    return nullptr;
  auto it = particles.find(ref.substr(0, dot));
  return it == particles.end() ? nullptr : it->second;
}

bool MLIRGenImpl::order(const std::vector<InputDecl> &inputs,
                        const std::vector<ParticleDecl> &particles,
                        const std::vector<OutputDecl> &outputs,
                        std::vector<const ParticleDecl *> &sorted) {
  std::set<std::string> inputNames;
  std::map<std::string, const ParticleDecl *> byName;
  bool ok = true;
  auto duplicate = [&](const std::string &name, const SourceLoc &at) {
    emitErrorAt(&context, at) << "name '" << name << "' is defined twice";
    ok = false;
  };
  for (const InputDecl &in : inputs)
    if (!inputNames.insert(in.name).second)
      duplicate(in.name, in.loc);
  for (const ParticleDecl &p : particles)
    if (inputNames.count(p.name) || !byName.emplace(p.name, &p).second)
      duplicate(p.name, p.loc);
  if (!ok)
    return false;

  std::vector<std::string> known(inputNames.begin(), inputNames.end());
  for (auto &[name, p] : byName)
    known.push_back(name);
  auto resolve = [&](const std::string &name, const SourceLoc &at,
                     const std::string &who) {
    if (inputNames.count(name) || producer(name, byName))
      return true;
    auto diag = emitErrorAt(&context, at)
                << who << "unknown name '" << name << "'";
    addSpellingHint(diag, name, known);
    return false;
  };
  for (const ParticleDecl &p : particles)
    for (size_t i = 0; i < p.inputs.size(); ++i)
      ok &= resolve(p.inputs[i], p.inputLocs[i],
                    "particle '" + p.name + "' (" + p.op + "): ");
  for (const OutputDecl &out : outputs)
    ok &= resolve(out.name, out.loc, "output: ");
  if (!ok)
    return false;

  // Depth-first, in file order, so the IR follows the file where it can.
  enum State { New, Active, Done };
  std::map<std::string, State> state;
  std::vector<std::string> stack;
  std::function<bool(const ParticleDecl &)> visit =
      [&](const ParticleDecl &p) -> bool {
    State &s = state[p.name];
    if (s == Done)
      return true;
    if (s == Active) {
      std::string cycle;
      for (auto it = llvm::find(stack, p.name); it != stack.end(); ++it)
        cycle += *it + " -> ";
      emitErrorAt(&context, p.loc)
          << "particle '" << p.name << "' depends on itself: " << cycle
          << p.name;
      return false;
    }
    s = Active;
    stack.push_back(p.name);
    for (const std::string &in : p.inputs)
      if (const ParticleDecl *dep = producer(in, byName))
        if (!visit(*dep))
          return false;
    stack.pop_back();
    state[p.name] = Done;
    sorted.push_back(&p);
    return true;
  };
  for (const ParticleDecl &p : particles)
    if (!visit(p))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Values and weights
//===----------------------------------------------------------------------===//

Value MLIRGenImpl::lookup(const std::string &name, const SourceLoc &where,
                          const std::string &who, GraphValues &graph) {
  if (auto it = graph.values.find(name); it != graph.values.end())
    return it->second;
  if (auto it = graph.multiOutputs.find(name); it != graph.multiOutputs.end()) {
    auto diag = emitErrorAt(&context, where)
                << who << "'" << name << "' has " << it->second.size()
                << " outputs; name one of them:";
    for (const std::string &out : it->second)
      diag << " '" << name << "." << out << "'";
    return nullptr;
  }
  size_t dot = name.rfind('.');
  std::string instance = dot == std::string::npos ? "" : name.substr(0, dot);
  if (graph.failed.count(name) || graph.failed.count(instance))
    return nullptr; // reported where the particle failed
  auto outs = graph.multiOutputs.find(instance);
  auto diag = emitErrorAt(&context, where)
              << who << "'" << instance << "' has no output '"
              << name.substr(dot + 1) << "'";
  if (outs != graph.multiOutputs.end())
    addSpellingHint(diag, name.substr(dot + 1), outs->second);
  else
    diag << "; it has a single output, named '" << instance << "'";
  return nullptr;
}

bool MLIRGenImpl::checkSize(ArrayRef<int64_t> shape, const SourceLoc &where,
                            const std::string &what) {
  std::optional<int64_t> count = checkedNumElements(shape);
  if (count && *count <= kMaxTensorElements)
    return true;
  emitErrorAt(&context, where)
      << what << " of shape " << formatDims(shape)
      << " is too large: soracc supports tensors of at most "
      << kMaxTensorElements << " elements";
  return false;
}

Value MLIRGenImpl::namedWeight(const std::string &name,
                               const std::vector<int64_t> &shape, int64_t fanIn,
                               const std::string &layout,
                               const std::string &owner,
                               const SourceLoc &where) {
  if (!checkSize(shape, where, owner + ": weight '" + name + "'"))
    return nullptr;
  if (scope->composite) {
    scope->params.push_back({name, shape, fanIn, layout, owner});
    return scope->func.getBody().front().addArgument(tensorType(shape), loc);
  }
  if (!weights.require(name, shape, fanIn, where, owner, layout, context))
    return nullptr;
  return WeightOp::create(b, loc, tensorType(shape), name);
}

//===----------------------------------------------------------------------===//
// Particles and composite instances
//===----------------------------------------------------------------------===//

bool MLIRGenImpl::lower(const ParticleDecl &p, GraphValues &graph) {
  ParticleAttrs attrs(p, context);
  auto composite = compositesByName.find(p.op);
  auto it = lowerings().find(p.op);
  if (composite == compositesByName.end() && it == lowerings().end()) {
    std::vector<std::string> ops;
    for (auto &[name, l] : lowerings())
      ops.push_back(name);
    for (auto &[name, c] : compositesByName)
      ops.push_back(name);
    auto diag = emitErrorAt(&context, p.locOf("op"))
                << "particle '" << p.name << "': unknown op '" << p.op << "'";
    addSpellingHint(diag, p.op, ops);
    return false;
  }
  unsigned arity = composite != compositesByName.end()
                       ? composite->second->inputs.size()
                       : it->second.arity;
  bool ok = attrs.checkKnown(composite != compositesByName.end()
                                 ? std::vector<std::string>{}
                                 : it->second.attributes);
  // JSON spells the inputs as keys; the DSL as call arguments.
  bool json = !llvm::StringRef(p.loc.file).ends_with(".sora");
  if (arity == OpLowering::kVariadic) {
    if (p.inputs.empty()) {
      emitErrorAt(&context, p.loc)
          << attrs.owner() << ": takes one or more inputs"
          << (json ? " ('inputs': [...])" : "");
      return false;
    }
  } else if (arity == 0 && !p.inputs.empty()) {
    emitErrorAt(&context, p.loc)
        << attrs.owner() << ": takes no inputs, got " << p.inputs.size();
    return false;
  } else if (p.inputs.size() != arity) {
    const char *spelling =
        arity == 1 ? " ('input': name)" : " ('inputs': [...])";
    emitErrorAt(&context, p.loc)
        << attrs.owner() << ": takes " << arity
        << (arity == 1 ? " input" : " inputs") << (json ? spelling : "")
        << ", got " << p.inputs.size();
    return false;
  }
  SmallVector<Value> in;
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    Value v = lookup(p.inputs[i], p.inputLocs[i], attrs.owner() + ": ", graph);
    if (!v)
      return false;
    bool readsIds = composite != compositesByName.end() ||
                    ((p.op == "embedding" || p.op == "one_hot") && i == 0);
    if (isTokenIds(v.getType()) && !readsIds) {
      emitErrorAt(&context, p.inputLocs[i])
          << attrs.owner() << ": '" << p.inputs[i]
          << "' holds i64 ids; only embedding and one_hot particles read "
             "them";
      return false;
    }
    in.push_back(v);
  }
  loc = particleLocation(&context, p);
  if (composite != compositesByName.end())
    return ok && instantiate(p, *composite->second, attrs, in, graph);
  Value result = it->second.lower(p, attrs, in);
  if (!ok || !result || attrs.failed())
    return false;
  // A particle with several results (split) names them <name>.0, <name>.1 ...
  if (result.getDefiningOp() && result.getDefiningOp()->getNumResults() > 1)
    return defineResults(p, attrs, result.getDefiningOp()->getResults(), graph);
  if (!checkSize(shapeOf(result), p.loc, attrs.owner() + ": the result"))
    return false;
  graph.values[p.name] = result;
  return true;
}

/// "f32[1, 4]" (or "i64[1, 4]") for a tensor type.
static std::string describeType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return (isTokenIds(type) ? "i64" : "f32") + formatDims(tensor.getShape());
}

bool MLIRGenImpl::instantiate(const ParticleDecl &p, const CompositeDecl &c,
                              ParticleAttrs &attrs, ArrayRef<Value> in,
                              GraphValues &graph) {
  CompositeFunc *f = compositeFunc(c);
  if (!f)
    return false;
  bool ok = true;
  for (size_t i = 0; i < in.size(); ++i) {
    Type expected = f->func.getArgumentTypes()[i];
    if (in[i].getType() == expected)
      continue;
    auto diag = emitErrorAt(&context, p.inputLocs[i])
                << attrs.owner() << ": input '" << c.inputs[i].name
                << "' expects " << describeType(expected) << ", got "
                << describeType(in[i].getType()) << " from '" << p.inputs[i]
                << "'";
    std::vector<std::string> readers;
    for (const ParticleDecl &inner : c.particles)
      if (llvm::is_contained(inner.inputs, c.inputs[i].name))
        readers.push_back(inner.name);
    if (!readers.empty()) {
      diag << " (read by inner particle";
      for (const std::string &r : readers)
        diag << " '" << r << "'";
      diag << ")";
    }
    ok = false;
  }
  if (!ok)
    return false;
  SmallVector<Value> args(in.begin(), in.end());
  for (const WeightParam &param : f->params) {
    Value w = namedWeight(p.name + "." + param.name, param.shape, param.fanIn,
                          param.layout,
                          attrs.owner() + ", inner " + param.owner, p.loc);
    if (!w)
      return false;
    args.push_back(w);
  }
  auto call = func::CallOp::create(b, loc, f->func, args);
  if (c.outputs.size() == 1) {
    graph.values[p.name] = call.getResult(0);
    return true;
  }
  std::vector<std::string> names;
  for (auto [out, result] : llvm::zip(c.outputs, call.getResults())) {
    graph.values[p.name + "." + out.name] = result;
    names.push_back(out.name);
  }
  graph.multiOutputs[p.name] = names;
  return true;
}

/// Composites inside composites: deeper nesting is refused before the
/// recursion that builds them runs out of stack.
static constexpr unsigned kMaxCompositeDepth = 64;

MLIRGenImpl::CompositeFunc *MLIRGenImpl::compositeFunc(const CompositeDecl &c) {
  auto [entry, inserted] = compositeFuncs.try_emplace(c.name);
  CompositeFunc &f = entry->second;
  if (!inserted) {
    if (f.state == CompositeFunc::Building) {
      emitErrorAt(&context, c.loc)
          << "composite particle '" << c.name << "' instantiates itself";
      f.state = CompositeFunc::Failed;
    }
    return f.state == CompositeFunc::Done ? &f : nullptr;
  }
  if (compositeDepth == kMaxCompositeDepth) {
    emitErrorAt(&context, c.loc)
        << "composite particles nest deeper than " << kMaxCompositeDepth
        << " levels: '" << c.name << "' is the first beyond";
    f.state = CompositeFunc::Failed;
    return nullptr;
  }

  OpBuilder::InsertionGuard guard(b);
  Scope *outer = scope;
  Location outerLoc = loc;
  Scope inner;
  inner.composite = &c;
  SmallVector<Type> inputTypes;
  bool ok = true;
  for (const InputDecl &in : c.inputs) {
    ok &= checkSize(in.shape, in.loc, "input '" + in.name + "'");
    inputTypes.push_back(inputType(in));
  }
  if (!ok) {
    f.state = CompositeFunc::Failed;
    return nullptr;
  }
  b.setInsertionPointToEnd(module.getBody());
  inner.func = func::FuncOp::create(b, toLocation(&context, c.loc), c.name,
                                    b.getFunctionType(inputTypes, {}));
  inner.func.setPrivate();
  Block *body = inner.func.addEntryBlock();
  b.setInsertionPointToStart(body);
  GraphValues graph;
  for (auto [decl, arg] : llvm::zip(c.inputs, body->getArguments()))
    graph.values[decl.name] = arg;

  scope = &inner;
  SmallVector<Value> results;
  ++compositeDepth;
  ok = lowerGraph(c.inputs, c.particles, c.outputs, graph, results);
  --compositeDepth;
  scope = outer;
  loc = outerLoc;
  if (!ok) {
    inner.func.erase();
    f.state = CompositeFunc::Failed;
    return nullptr;
  }
  func::ReturnOp::create(b, toLocation(&context, c.loc), results);
  SmallVector<Type> resultTypes;
  for (Value r : results)
    resultTypes.push_back(r.getType());
  inner.func.setType(b.getFunctionType(body->getArgumentTypes(), resultTypes));
  f.func = inner.func;
  f.params = std::move(inner.params);
  f.state = CompositeFunc::Done;
  return &f;
}

//===----------------------------------------------------------------------===//
// Graphs and the model
//===----------------------------------------------------------------------===//

bool MLIRGenImpl::lowerGraph(const std::vector<InputDecl> &inputs,
                             const std::vector<ParticleDecl> &particles,
                             const std::vector<OutputDecl> &outputs,
                             GraphValues &graph,
                             SmallVectorImpl<Value> &results) {
  std::vector<const ParticleDecl *> sorted;
  if (!order(inputs, particles, outputs, sorted))
    return false;
  bool ok = true;
  for (const ParticleDecl *p : sorted)
    if (!lower(*p, graph)) {
      graph.failed.insert(p->name);
      ok = false;
    }
  if (!ok)
    return false;
  for (const OutputDecl &out : outputs) {
    Value v = lookup(out.name, out.loc, "output: ", graph);
    if (!v)
      return false;
    if (isTokenIds(v.getType())) {
      emitErrorAt(&context, out.loc)
          << "output: '" << out.name
          << "' holds i64 token ids; outputs are f32 (embed them first)";
      return false;
    }
    results.push_back(v);
  }
  return true;
}

OwningOpRef<ModuleOp> MLIRGenImpl::generate() {
  OwningOpRef<ModuleOp> owned =
      ModuleOp::create(toLocation(&context, model.loc), model.name);
  module = *owned;
  bool ok = true;
  for (const CompositeDecl &c : model.composites) {
    if (lowerings().count(c.name)) {
      emitErrorAt(&context, c.loc) << "composite particle '" << c.name
                                   << "' has the name of a built-in particle";
      ok = false;
    } else if (!compositesByName.emplace(c.name, &c).second) {
      emitErrorAt(&context, c.loc)
          << "composite particle '" << c.name << "' is defined twice";
      ok = false;
    }
  }
  if (!ok)
    return nullptr;

  b.setInsertionPointToEnd(module.getBody());
  Scope graphScope;
  graphScope.func = func::FuncOp::create(b, toLocation(&context, model.loc),
                                         model.name, b.getFunctionType({}, {}));
  scope = &graphScope;
  b.setInsertionPointToStart(graphScope.func.addEntryBlock());
  GraphValues graph;
  for (const InputDecl &in : model.inputs) {
    if (!checkSize(in.shape, in.loc, "input '" + in.name + "'"))
      return nullptr;
    graph.values[in.name] = InputOp::create(b, toLocation(&context, in.loc),
                                            inputType(in), in.name);
  }
  SmallVector<Value> results;
  ok = lowerGraph(model.inputs, model.particles, model.outputs, graph, results);
  // Composites no instance used are still checked.
  for (const CompositeDecl &c : model.composites)
    ok &= compositeFunc(c) != nullptr;
  if (!ok)
    return nullptr;
  for (auto [out, value] : llvm::zip(model.outputs, results))
    OutputOp::create(b, toLocation(&context, out.loc), out.name, value);
  func::ReturnOp::create(b, toLocation(&context, model.loc));

  for (const std::string &name : weights.unused())
    mlir::emitWarning(toLocation(&context, model.weights.loc))
        << "weight '" << name << "' in " << weights.description()
        << " is not used by any particle";
  return owned;
}

OwningOpRef<ModuleOp> mlirGen(const ModelAST &model, WeightStore &weights,
                              MLIRContext &context) {
  return MLIRGenImpl(model, weights, context).generate();
}

} // namespace sora
