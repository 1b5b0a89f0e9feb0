//===- Opset18.cpp - Opset-18 models in their opset-17 form ---------------===//

#include "Opset18.h"
#include "GuardedSchemas.h"
#include "OnnxModel.h"

#include <onnx/shape_inference/implementation.h>

#include "sora/Support/Json.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace sora::onnximport {

namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

/// The operators whose axes opset 18 moved from an attribute to an input
/// (ReduceSum's moved in opset 13).
bool readsAxesInput(const std::string &op) {
  static const std::set<std::string> reductions{
      "ReduceL1",  "ReduceL2",   "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
      "ReduceMin", "ReduceMean", "ReduceProd",   "ReduceSumSquare"};
  return reductions.count(op) != 0;
}

const onnx::AttributeProto *attribute(const onnx::NodeProto &node,
                                      const std::string &name) {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t intAttribute(const onnx::NodeProto &node, const std::string &name,
                     int64_t fallback) {
  const onnx::AttributeProto *a = attribute(node, name);
  return a ? a->i() : fallback;
}

void eraseAttribute(onnx::NodeProto &node, const std::string &name) {
  auto *attributes = node.mutable_attribute();
  for (int i = attributes->size() - 1; i >= 0; --i)
    if (attributes->Get(i).name() == name)
      attributes->DeleteSubrange(i, 1);
}

/// Drops trailing empty (omitted optional) inputs.
void trimInputs(onnx::NodeProto &node) {
  while (node.input_size() > 0 && node.input(node.input_size() - 1).empty())
    node.mutable_input()->RemoveLast();
}

std::string where(const onnx::NodeProto &node) {
  return "node '" + abbreviate(node.name()) + "' (" + node.op_type() + ")";
}

void setDefaultOpset(onnx::ModelProto &proto, int64_t version) {
  for (onnx::OperatorSetIdProto &opset : *proto.mutable_opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      opset.set_version(version);
}

/// Whether rewriting `node` needs the shapes of its inputs: Pad's axes,
/// Split's num_outputs and GroupNormalization's reshapes.
bool needsShapes(const onnx::NodeProto &node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return false;
  const std::string &op = node.op_type();
  if (op == "Pad")
    return node.input_size() >= 4 && !node.input(3).empty();
  if (op == "Split")
    return node.input_size() >= 1 && attribute(node, "num_outputs");
  return op == "GroupNormalization" && node.input_size() == 3 &&
         node.output_size() == 1 && attribute(node, "num_groups");
}

/// What a rewrite that needs shapes did: changed the node in place,
/// replaced it by the nodes it appended, waits for shapes, failed.
enum class Step { Changed, Replaced, Waiting, Failed };

class Downgrade {
public:
  explicit Downgrade(onnx::ModelProto &proto)
      : proto(proto), graph(*proto.mutable_graph()), scopes{&graph} {
    takeNames(graph);
  }

  bool run(std::string &error);

private:
  void takeNames(const onnx::GraphProto &scope);
  std::optional<std::vector<int64_t>>
  constantInts(const std::string &value) const;
  std::string fresh(const std::string &base);
  std::string addInts(const std::string &base,
                      const std::vector<int64_t> &values);
  onnx::NodeProto &addNode(const std::string &op, const std::string &name,
                           std::vector<std::string> inputs,
                           const std::string &output);

  bool rewriteNodes(onnx::GraphProto &scope, std::string &error);
  bool rewriteReduce(onnx::NodeProto &node, std::string &error);
  void expandMish(const onnx::NodeProto &mish);
  Step expandGroupNorm(const onnx::NodeProto &norm, const Shapes &shapes,
                       std::string &error);
  Step rewriteWithShapes(onnx::NodeProto &node, const Shapes &shapes,
                         std::string &error);
  bool inferShapes(Shapes &shapes, std::string &error);
  Step rewritePad(onnx::NodeProto &pad, const Shapes &shapes,
                  std::string &error);
  Step rewriteSplit(onnx::NodeProto &split, const Shapes &shapes,
                    std::string &error);

  onnx::ModelProto &proto;
  onnx::GraphProto &graph;
  std::set<std::string> taken;
  /// The graph being rewritten (last) and those around it, whose values it
  /// may read.
  std::vector<onnx::GraphProto *> scopes;
};

void Downgrade::takeNames(const onnx::GraphProto &scope) {
  for (const onnx::ValueInfoProto &in : scope.input())
    taken.insert(in.name());
  for (const onnx::TensorProto &init : scope.initializer())
    taken.insert(init.name());
  for (const onnx::NodeProto &node : scope.node()) {
    taken.insert(node.name());
    taken.insert(node.output().begin(), node.output().end());
    for (const onnx::AttributeProto &a : node.attribute()) {
      if (a.has_g())
        takeNames(a.g());
      for (const onnx::GraphProto &subgraph : a.graphs())
        takeNames(subgraph);
    }
  }
}

std::optional<std::vector<int64_t>>
Downgrade::constantInts(const std::string &value) const {
  auto ints = [](const ConstTensor &t) -> std::optional<std::vector<int64_t>> {
    if (!t.isInt() || !t.readable || t.dims.size() > 1)
      return std::nullopt;
    return t.ints;
  };
  for (const onnx::GraphProto *scope : scopes) {
    for (const onnx::TensorProto &init : scope->initializer())
      if (init.name() == value)
        return ints(readTensor(init));
    for (const onnx::NodeProto &node : scope->node()) {
      if (node.op_type() != "Constant" || node.output_size() != 1 ||
          node.output(0) != value)
        continue;
      if (const onnx::AttributeProto *t = attribute(node, "value"))
        return ints(readTensor(t->t()));
      if (const onnx::AttributeProto *list = attribute(node, "value_ints"))
        return std::vector<int64_t>(list->ints().begin(), list->ints().end());
      if (const onnx::AttributeProto *one = attribute(node, "value_int"))
        return std::vector<int64_t>{one->i()};
    }
  }
  return std::nullopt;
}

std::string Downgrade::fresh(const std::string &base) {
  std::string name = base;
  for (int i = 1; taken.count(name); ++i)
    name = base + "_" + std::to_string(i);
  taken.insert(name);
  return name;
}

std::string Downgrade::addInts(const std::string &base,
                               const std::vector<int64_t> &values) {
  ConstTensor t;
  t.elemType = onnx::TensorProto::INT64;
  t.dims = {static_cast<int64_t>(values.size())};
  t.ints = values;
  std::string name = fresh(base);
  *graph.add_initializer() = writeTensor(name, t);
  return name;
}

onnx::NodeProto &Downgrade::addNode(const std::string &op,
                                    const std::string &name,
                                    std::vector<std::string> inputs,
                                    const std::string &output) {
  onnx::NodeProto &node = *scopes.back()->add_node();
  node.set_op_type(op);
  node.set_name(name);
  for (std::string &in : inputs)
    node.add_input(std::move(in));
  node.add_output(output);
  return node;
}

bool Downgrade::rewriteReduce(onnx::NodeProto &node, std::string &error) {
  std::vector<int64_t> axes;
  if (node.input_size() >= 2 && !node.input(1).empty()) {
    std::optional<std::vector<int64_t>> given = constantInts(node.input(1));
    if (!given) {
      error = where(node) + " reads its axes from '" +
              abbreviate(node.input(1)) +
              "', which is not a constant: soracc needs constant axes";
      return false;
    }
    axes = *given;
  }
  bool noop = intAttribute(node, "noop_with_empty_axes", 0) != 0;
  eraseAttribute(node, "noop_with_empty_axes");
  eraseAttribute(node, "axes");
  if (node.input_size() > 1)
    node.mutable_input()->DeleteSubrange(1, node.input_size() - 1);
  if (axes.empty() && noop) {
    // Nothing reduced, each element still goes through the reduction's own
    // functions (ONNX's clarified spec, and ONNX Runtime): |x| for L1 and
    // L2, x² for SumSquare, log x for LogSum, x for the others.
    const std::string &op = node.op_type();
    bool norm = op == "ReduceL1" || op == "ReduceL2";
    if (op == "ReduceSumSquare")
      node.add_input(node.input(0));
    node.set_op_type(norm                      ? "Abs"
                     : op == "ReduceSumSquare" ? "Mul"
                     : op == "ReduceLogSum"    ? "Log"
                                               : "Identity");
    node.clear_attribute();
    return true;
  }
  if (!axes.empty()) {
    onnx::AttributeProto &a = *node.add_attribute();
    a.set_name("axes");
    a.set_type(onnx::AttributeProto::INTS);
    for (int64_t axis : axes)
      a.add_ints(axis);
  }
  return true;
}

void Downgrade::expandMish(const onnx::NodeProto &mish) {
  // mish(x) = x · tanh(softplus(x))
  const std::string &x = mish.input(0), &y = mish.output(0);
  std::string softplus = fresh(y + "/softplus"), tanh = fresh(y + "/tanh");
  addNode("Softplus", fresh(mish.name() + "/softplus"), {x}, softplus);
  addNode("Tanh", fresh(mish.name() + "/tanh"), {softplus}, tanh);
  addNode("Mul", mish.name(), {x, tanh}, y);
}

Step Downgrade::expandGroupNorm(const onnx::NodeProto &norm,
                                const Shapes &shapes, std::string &error) {
  // Opset 18's scale and bias hold one value per group: instance
  // normalization of [N, groups, C / groups · spatial] with them, reshaped
  // back to [N, C, spatial...].
  const std::string &x = norm.input(0), &y = norm.output(0);
  int64_t groups = intAttribute(norm, "num_groups", 0);
  auto shape = shapes.find(x);
  bool known = shape != shapes.end() && shape->second.size() >= 2;
  for (size_t d = 1; known && d < shape->second.size(); ++d)
    known = shape->second[d] >= 0;
  if (!known) {
    error = where(norm) + ": the shape of its input '" + abbreviate(x) +
            "' is not known, and opset 17 needs it to form the groups";
    return Step::Waiting;
  }
  std::vector<int64_t> back = shape->second;
  back[0] = 0; // Reshape copies the batch
  if (groups <= 0 || back[1] % groups != 0) {
    error = where(norm) + ": its " + std::to_string(back[1]) +
            " channels do not form " + std::to_string(groups) + " groups";
    return Step::Failed;
  }
  std::string grouped = fresh(y + "/grouped"), normed = fresh(y + "/normed");
  addNode("Reshape", fresh(norm.name() + "/group"),
          {x, addInts(y + "/groups", {0, groups, -1})}, grouped);
  onnx::NodeProto &instance =
      addNode("InstanceNormalization", fresh(norm.name() + "/instance"),
              {grouped, norm.input(1), norm.input(2)}, normed);
  if (const onnx::AttributeProto *epsilon = attribute(norm, "epsilon"))
    *instance.add_attribute() = *epsilon;
  addNode("Reshape", norm.name(), {normed, addInts(y + "/shape", back)}, y);
  return Step::Replaced;
}

bool Downgrade::inferShapes(Shapes &shapes, std::string &error) {
  // A copy with small initializers (shapes, axes, pads: inference reads
  // them) and large ones as typed inputs: weights are not copied.
  constexpr int64_t kMaxCopied = 4096;
  google::protobuf::RepeatedPtrField<onnx::TensorProto> initializers;
  initializers.Swap(graph.mutable_initializer());
  onnx::ModelProto copy = proto;
  initializers.Swap(graph.mutable_initializer());
  std::set<std::string> inputs;
  for (const onnx::ValueInfoProto &in : graph.input())
    inputs.insert(in.name());
  for (const onnx::TensorProto &init : graph.initializer()) {
    int64_t count = 1;
    for (int64_t d : init.dims())
      count = d < 0 || d > kMaxCopied ? kMaxCopied + 1
                                      : std::min(count * d, kMaxCopied + 1);
    if (count <= kMaxCopied) {
      *copy.mutable_graph()->add_initializer() = init;
      continue;
    }
    if (inputs.count(init.name()))
      continue;
    onnx::ValueInfoProto &input = *copy.mutable_graph()->add_input();
    input.set_name(init.name());
    onnx::TypeProto_Tensor *type = input.mutable_type()->mutable_tensor_type();
    type->set_elem_type(init.data_type());
    for (int64_t d : init.dims())
      type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  setDefaultOpset(copy, 17);
  try {
    onnx::shape_inference::InferShapes(copy, guardedSchemas());
  } catch (const std::exception &e) {
    error = "ONNX shape inference failed: " + std::string(e.what());
    return false;
  }
  auto read = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type() ||
        !info.type().tensor_type().has_shape())
      return;
    std::vector<int64_t> &dims = shapes[info.name()];
    for (const onnx::TensorShapeProto_Dimension &d :
         info.type().tensor_type().shape().dim())
      dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  };
  shapes.clear();
  for (const onnx::ValueInfoProto &in : copy.graph().input())
    read(in);
  for (const onnx::ValueInfoProto &info : copy.graph().value_info())
    read(info);
  for (const onnx::ValueInfoProto &out : copy.graph().output())
    read(out);
  return true;
}

Step Downgrade::rewritePad(onnx::NodeProto &pad, const Shapes &shapes,
                           std::string &error) {
  std::optional<std::vector<int64_t>> axes = constantInts(pad.input(3));
  std::optional<std::vector<int64_t>> pads = constantInts(pad.input(1));
  if (!axes || !pads) {
    error = where(pad) + " has an axes input and " + (axes ? "pads" : "axes") +
            " that are not constants: soracc needs both constant";
    return Step::Failed;
  }
  auto shape = shapes.find(pad.input(0));
  if (shape == shapes.end()) {
    error = where(pad) + ": the rank of its input '" +
            abbreviate(pad.input(0)) +
            "' is not known, and opset 17 needs pads for every axis";
    return Step::Waiting;
  }
  auto rank = static_cast<int64_t>(shape->second.size());
  if (pads->size() != 2 * axes->size()) {
    error = where(pad) + " has " + std::to_string(pads->size()) + " pads for " +
            std::to_string(axes->size()) + " axes; it needs two per axis";
    return Step::Failed;
  }
  std::vector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < axes->size(); ++i) {
    int64_t axis = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
    if (axis < 0 || axis >= rank) {
      error = where(pad) + ": axis " + std::to_string((*axes)[i]) +
              " is out of range for its rank-" + std::to_string(rank) +
              " input";
      return Step::Failed;
    }
    full[axis] = (*pads)[i];
    full[rank + axis] = (*pads)[axes->size() + i];
  }
  pad.set_input(1, addInts(pad.input(1) + "/all_axes", full));
  pad.set_input(3, "");
  trimInputs(pad);
  return Step::Changed;
}

Step Downgrade::rewriteSplit(onnx::NodeProto &split, const Shapes &shapes,
                             std::string &error) {
  int64_t parts = intAttribute(split, "num_outputs", 0);
  if (parts != split.output_size()) {
    error = where(split) + " has num_outputs " + std::to_string(parts) +
            " and " + std::to_string(split.output_size()) + " outputs";
    return Step::Failed;
  }
  auto shape = shapes.find(split.input(0));
  int64_t axis = intAttribute(split, "axis", 0);
  if (shape != shapes.end() && axis < 0)
    axis += static_cast<int64_t>(shape->second.size());
  if (shape == shapes.end() || axis < 0 ||
      axis >= static_cast<int64_t>(shape->second.size()) ||
      shape->second[axis] < 0) {
    error = where(split) + ": the extent it splits into num_outputs parts " +
            "is not known, and opset 17 needs the sizes of the parts";
    return Step::Waiting;
  }
  // Opset 18: parts of ceil(extent / parts), the last one smaller.
  int64_t extent = shape->second[axis];
  int64_t chunk = (extent + parts - 1) / parts;
  if (extent - chunk * (parts - 1) <= 0) {
    error = where(split) + " cannot split an extent of " +
            std::to_string(extent) + " into " + std::to_string(parts) +
            " parts of " + std::to_string(chunk) + " but the last";
    return Step::Failed;
  }
  std::vector<int64_t> sizes(parts, chunk);
  sizes.back() = extent - chunk * (parts - 1);
  eraseAttribute(split, "num_outputs");
  if (split.input_size() < 2)
    split.add_input("");
  split.set_input(1, addInts(split.output(0) + "/sizes", sizes));
  return Step::Changed;
}

Step Downgrade::rewriteWithShapes(onnx::NodeProto &node, const Shapes &shapes,
                                  std::string &error) {
  if (node.op_type() == "Pad")
    return rewritePad(node, shapes, error);
  if (node.op_type() == "Split")
    return rewriteSplit(node, shapes, error);
  return expandGroupNorm(node, shapes, error);
}

bool Downgrade::rewriteNodes(onnx::GraphProto &scope, std::string &error) {
  auto rewriteSubgraph = [&](onnx::GraphProto &subgraph) {
    scopes.push_back(&subgraph);
    bool ok = rewriteNodes(subgraph, error);
    scopes.pop_back();
    return ok;
  };
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  nodes.Swap(scope.mutable_node());
  for (onnx::NodeProto &node : nodes) {
    bool standard = node.domain().empty() || node.domain() == "ai.onnx";
    const std::string &op = node.op_type();
    for (onnx::AttributeProto &a : *node.mutable_attribute()) {
      if (a.has_g() && !rewriteSubgraph(*a.mutable_g()))
        return false;
      for (onnx::GraphProto &subgraph : *a.mutable_graphs())
        if (!rewriteSubgraph(subgraph))
          return false;
    }
    if (standard && op == "Mish" && node.input_size() == 1 &&
        node.output_size() == 1) {
      expandMish(node);
      continue;
    }
    if (standard && readsAxesInput(op) && node.input_size() >= 1 &&
        !rewriteReduce(node, error))
      return false;
    if (standard && op == "Resize") {
      if (intAttribute(node, "antialias", 0) == 0)
        eraseAttribute(node, "antialias");
      const onnx::AttributeProto *policy =
          attribute(node, "keep_aspect_ratio_policy");
      if (policy && policy->s() == "stretch")
        eraseAttribute(node, "keep_aspect_ratio_policy");
    }
    if (standard && op == "LpPool" && intAttribute(node, "ceil_mode", 1) == 0)
      eraseAttribute(node, "ceil_mode");
    if (standard && op == "Split" && node.input_size() >= 2 &&
        !node.input(1).empty())
      eraseAttribute(node, "num_outputs"); // the sizes are given
    if (needsShapes(node) && scopes.size() > 1) {
      error = where(node) + " inside a subgraph: soracc rewrites opset 18's " +
              op + " in the main graph only";
      return false;
    }
    *scope.add_node() = std::move(node);
  }
  return true;
}

bool Downgrade::run(std::string &error) {
  // Rewrites that read nothing but the node, in the graph's order.
  if (!rewriteNodes(graph, error))
    return false;

  // Pads for every axis, the sizes of Split's parts and GroupNormalization's
  // reshapes need the shapes inferred so far: each round of inference lets
  // the nodes whose input shapes it found be rewritten, until none is left.
  size_t waiting = 0;
  for (const onnx::NodeProto &node : graph.node())
    waiting += needsShapes(node);
  Shapes shapes;
  while (waiting > 0) {
    if (!inferShapes(shapes, error))
      return false;
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    nodes.Swap(graph.mutable_node());
    size_t stillWaiting = 0;
    std::string firstWait;
    for (onnx::NodeProto &node : nodes) {
      Step step = needsShapes(node) ? rewriteWithShapes(node, shapes, error)
                                    : Step::Changed;
      if (step == Step::Failed)
        return false;
      if (step == Step::Waiting && stillWaiting++ == 0)
        firstWait = error;
      if (step != Step::Replaced)
        *graph.add_node() = std::move(node);
    }
    if (stillWaiting == waiting) {
      error = firstWait;
      return false;
    }
    waiting = stillWaiting;
    error.clear();
  }
  setDefaultOpset(proto, 17);
  return true;
}

} // namespace

bool downgradeOpset18(onnx::ModelProto &proto, std::string &error) {
  return Downgrade(proto).run(error);
}

} // namespace sora::onnximport
