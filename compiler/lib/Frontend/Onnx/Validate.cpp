//===- Validate.cpp - Every unsupported construct, before lowering --------===//
//
// Walks the whole graph once and lists everything the importer cannot
// lower: unknown operators and domains, attributes, input kinds (a constant
// where a run-time tensor is needed, a weight computed at run time),
// dtypes other than float32, shapes that are not static, and the op
// families' own attribute checks. An int64 model input is accepted as
// token ids: every reader must be an embedding (soracc.Embedding, see
// FusePatterns.cpp), each other reader is reported. Outputs of unsupported
// nodes are "tainted": their missing shapes are not reported again
// downstream.
//
//===----------------------------------------------------------------------===//

#include "ImportSteps.h"

#include "sora/Core/Shape.h"

#include <algorithm>
#include <set>

namespace sora::onnximport {
namespace {

class Validator {
public:
  explicit Validator(const OnnxModel &model);
  Problems run();

private:
  void checkGraphInput(const std::string &name);
  void checkNode(const onnx::NodeProto &node);
  void checkInput(const NodeContext &c, int i, InputKind kind);
  /// Problems of a float32 constant the graph reads (weight or constant).
  void checkFloatConstant(const NodeContext &c, const std::string &name,
                          const ConstTensor &constant);
  /// The problem with a run-time value's type, or "".
  std::string typeProblem(const std::string &value) const;
  /// The problem with the shape of `type`, or "".
  static std::string shapeProblem(const ValueType &type);

  const OnnxModel &model;
  std::map<std::string, int> uses;
  std::set<std::string> tainted;
  /// Model inputs of dtype int64: token ids, read only by embeddings.
  std::set<std::string> ids;
  Problems problems;
};

Validator::Validator(const OnnxModel &model)
    : model(model), uses(model.useCounts()) {
  for (const std::string &in : model.inputs) {
    const ValueType *type = model.type(in);
    if (type && type->elemType == onnx::TensorProto::INT64)
      ids.insert(in);
  }
}

std::string Validator::typeProblem(const std::string &value) const {
  const ValueType *type = model.type(value);
  if (!type || !type->hasShape)
    return "has no shape after ONNX shape inference";
  if (ids.count(value))
    return "has dtype INT64; soracc reads int64 inputs only as embedding "
           "ids (a Gather, axis 0, of a 2-D float32 initializer)";
  if (type->elemType != onnx::TensorProto::FLOAT)
    return "has dtype " + dataTypeName(type->elemType) +
           "; soracc computes in float32";
  return shapeProblem(*type);
}

std::string Validator::shapeProblem(const ValueType &type) {
  for (size_t d = 0; d < type.dims.size(); ++d)
    if (type.dims[d] < 0)
      return "has a dynamic dimension " + std::to_string(d) +
             (type.symbols[d].empty() ? std::string()
                                      : " ('" + type.symbols[d] + "')") +
             "; soracc needs static shapes";
  for (int64_t d : type.dims)
    if (d == 0)
      return "is empty (a zero dimension)";
  std::optional<int64_t> count = checkedNumElements(type.dims);
  if (!count || *count > kMaxTensorElements)
    return "has shape " + formatDims(type.dims) +
           ", too large: soracc supports tensors of at most " +
           std::to_string(kMaxTensorElements) + " elements";
  return "";
}

void Validator::checkGraphInput(const std::string &name) {
  // Token ids: their readers are checked node by node.
  const ValueType *type = model.type(name);
  std::string problem = ids.count(name) && type->hasShape ? shapeProblem(*type)
                                                          : typeProblem(name);
  if (type && type->hasShape && !type->isStatic()) {
    std::string dims;
    for (size_t d = 0; d < type->dims.size(); ++d)
      dims += (d ? "," : "") +
              (type->dims[d] >= 0         ? std::to_string(type->dims[d])
               : type->symbols[d].empty() ? "<d" + std::to_string(d) + ">"
                                          : "<" + type->symbols[d] + ">");
    problem += "; pin them with --input-shape " + name + "=" + dims;
  }
  if (!problem.empty()) {
    problems.other("input '" + name + "' " + problem);
    tainted.insert(name);
  }
}

void Validator::checkFloatConstant(const NodeContext &c,
                                   const std::string &name,
                                   const ConstTensor &constant) {
  if (constant.external)
    problems.node(c.node, "initializer '" + name +
                              "' keeps its data in an external file, which "
                              "is not supported");
  else if (!constant.isFloat())
    problems.node(c.node, "initializer '" + name + "' has dtype " +
                              dataTypeName(constant.elemType) +
                              "; soracc supports float32 weights");
  else if (!constant.readable)
    problems.node(c.node, "initializer '" + name +
                              "' has data that does not match its shape");
}

void Validator::checkInput(const NodeContext &c, int i, InputKind kind) {
  bool optional = kind == InputKind::OptWeight || kind == InputKind::OptInts ||
                  kind == InputKind::OptFloatConst ||
                  kind == InputKind::Ignored;
  if (!c.has(i)) {
    if (!optional)
      problems.node(c.node, "input " + std::to_string(i) + " is missing");
    return;
  }
  if (kind == InputKind::Ignored || kind == InputKind::Any)
    return;
  const std::string &name = c.in(i);
  const ConstTensor *constant = model.constant(name);
  auto quoted = "input '" + name + "'";
  if (kind != InputKind::Ids && ids.count(name)) {
    // Once per node, however many of its inputs read the ids.
    auto first = c.node.input().begin();
    if (!tainted.count(name) && std::find(first, first + i, name) == first + i)
      problems.node(c.node, quoted + " " + typeProblem(name));
    return;
  }
  switch (kind) {
  case InputKind::Data:
    if (constant) {
      // A constant particle.
      checkFloatConstant(c, name, *constant);
    } else if (!tainted.count(name)) {
      std::string problem = typeProblem(name);
      if (!problem.empty())
        problems.node(c.node, quoted + " " + problem);
    }
    return;
  case InputKind::Weight:
  case InputKind::OptWeight:
    if (!constant)
      problems.node(c.node,
                    quoted + " must be a constant (an initializer): "
                             "weights computed at run time are not supported");
    else
      checkFloatConstant(c, name, *constant);
    return;
  case InputKind::Ints:
  case InputKind::OptInts:
    if (!constant || !constant->isInt() || !constant->readable)
      problems.node(c.node, quoted + " must be a constant integer tensor");
    return;
  case InputKind::FloatConst:
  case InputKind::OptFloatConst:
    if (!constant || !constant->scalar())
      problems.node(c.node, quoted + " must be a constant scalar");
    return;
  case InputKind::Ids:
    if (!ids.count(name) && !tainted.count(name))
      problems.node(c.node, quoted + " must be int64 token ids that are a "
                                     "model input");
    return;
  case InputKind::Any:
  case InputKind::Ignored:
    return;
  }
}

void Validator::checkNode(const onnx::NodeProto &node) {
  const OpRule *rule = findRule(node);
  bool taintedIn = false;
  for (const std::string &in : node.input())
    taintedIn |= tainted.count(in) > 0;
  if (!rule) {
    const std::string &domain = node.domain();
    if (!domain.empty() && domain != "ai.onnx")
      problems.node(node, "operator domain '" + domain + "' is not supported");
    else
      problems.node(node, "operator " + node.op_type() + " is not supported");
    for (const std::string &out : node.output())
      tainted.insert(out);
    return;
  }
  NodeContext c(node, model);
  size_t before = problems.all().size();
  for (const onnx::AttributeProto &a : node.attribute()) {
    bool known = false;
    for (const char *name : rule->attributes)
      known |= a.name() == name;
    if (!known)
      problems.node(node, "attribute '" + a.name() + "' is not supported");
  }
  // Every input given, and every position the rule lists.
  const std::vector<InputKind> &kinds = rule->inputs;
  int count = std::max<int>(node.input_size(), kinds.size());
  for (int i = 0; i < count; ++i)
    checkInput(c, i, kinds[std::min<size_t>(i, kinds.size() - 1)]);
  // Op checks look at constants' shapes, and at their data only when it is
  // readable: they run even when an input was reported.
  if (rule->check)
    rule->check(c, problems);
  bool failed = problems.all().size() != before || taintedIn;
  for (int i = 0; i < node.output_size(); ++i) {
    if (!c.outputUsed(i, uses))
      continue;
    if (failed) {
      tainted.insert(node.output(i));
      continue;
    }
    std::string problem = typeProblem(node.output(i));
    if (!problem.empty()) {
      problems.node(node, "output '" + node.output(i) + "' " + problem);
      tainted.insert(node.output(i));
    }
  }
}

Problems Validator::run() {
  if (model.outputs.empty())
    problems.other("the graph has no outputs");
  for (const std::string &in : model.inputs)
    checkGraphInput(in);
  for (const onnx::NodeProto &node : model.nodes)
    checkNode(node);
  for (const std::string &out : model.outputs) {
    if (const ConstTensor *constant = model.constant(out)) {
      // Folded, or an initializer: its data are the output.
      if (!constant->isFloat())
        problems.other("output '" + out + "' is a constant of dtype " +
                       dataTypeName(constant->elemType) +
                       "; soracc's outputs are float32");
      else if (!constant->readable || constant->numel() <= 0)
        problems.other("output '" + out +
                       "' is a constant with no data or data that do not "
                       "match its shape");
      continue;
    }
    if (ids.count(out) && !tainted.count(out))
      problems.other("output '" + out + "' " + typeProblem(out));
    else if (!tainted.count(out) && !model.producer(out) &&
             std::find(model.inputs.begin(), model.inputs.end(), out) ==
                 model.inputs.end())
      problems.other("output '" + out + "' is not computed by any node");
  }
  return problems;
}

} // namespace

Problems validateModel(const OnnxModel &model) {
  return Validator(model).run();
}

} // namespace sora::onnximport
