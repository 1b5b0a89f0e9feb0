//===- FusePatterns.cpp - Multi-node ONNX patterns to single nodes --------===//
//
// Exporters spell some particles as several nodes. Each pattern here is
// matched on the whole graph and replaced by one node at the position of
// its last node (so its inputs are defined and its consumers follow):
//
//   Gather(table, ids), table a 2-D       soracc.Embedding(table, ids)
//   initializer, ids computed at run time
//   Conv → BatchNormalization             Conv with folded weights
//   MatMul(x, W) → Add(·, b)              soracc.MatMul(x, W, b)  (dense)
//   x·½·(1 + erf(x/√2)), any association  soracc.Gelu(x)
//   ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div [→ Mul γ → Add β]
//                                         soracc.LayerNormalization
//   Mul/Div by a scalar constant          the scale folded into the weights
//                                         of the Conv/Gemm/MatMul that feeds
//                                         it (through views, a slice of the
//                                         last axis, or a MatMul of two
//                                         run-time tensors: attention's 1/√d)
//
// Intermediate values must have no other reader and not be model outputs.
//
//===----------------------------------------------------------------------===//

#include "Fuser.h"
#include "sora/Core/ParticleShapes.h"

#include <cmath>
#include <set>

namespace sora::onnximport {

void Fuser::index() {
  producers.clear();
  readers.clear();
  for (const Node &node : model.nodes) {
    for (const std::string &out : node.output())
      producers[out] = &node;
    for (const std::string &in : node.input())
      if (!in.empty())
        readers[in].push_back(&node);
  }
}

const onnx::NodeProto *Fuser::producedBy(const std::string &value,
                                         const char *op) const {
  auto it = producers.find(value);
  return it != producers.end() && it->second->op_type() == op &&
                 it->second->domain().empty()
             ? it->second
             : nullptr;
}

const onnx::NodeProto *Fuser::onlyReader(const std::string &value,
                                         const char *op) const {
  auto it = readers.find(value);
  if (it == readers.end() || it->second.size() != 1 ||
      model.isGraphOutput(value))
    return nullptr;
  const Node *reader = it->second[0];
  return reader->op_type() == op && reader->domain().empty() ? reader : nullptr;
}

std::string Fuser::other(const Node &node, const std::string &value) {
  if (node.input_size() != 2)
    return "";
  return node.input(0) == value ? node.input(1) : node.input(0);
}

std::optional<float> Fuser::scalar(const std::string &value) const {
  const ConstTensor *t = model.constant(value);
  return t ? t->scalar() : std::nullopt;
}

void Fuser::replace(const Node *last, Node fused,
                    std::vector<const Node *> others) {
  std::set<const Node *> drop(others.begin(), others.end());
  std::vector<Node> nodes;
  for (const Node &node : model.nodes) {
    if (&node == last)
      nodes.push_back(fused);
    else if (!drop.count(&node))
      nodes.push_back(node);
  }
  model.nodes = std::move(nodes);
  index();
}

bool Fuser::near(std::optional<float> v, double want) {
  return v && std::fabs(*v - want) <= 1e-4 * std::fabs(want);
}

//===----------------------------------------------------------------------===//
// Gather of a table, Conv + BatchNormalization, MatMul + Add
//===----------------------------------------------------------------------===//

bool Fuser::embedding(const Node &gather) {
  if (gather.op_type() != "Gather" || !gather.domain().empty() ||
      gather.input_size() != 2 || model.constant(gather.input(1)))
    return false;
  // The table's dtype and data are checked with the node's inputs.
  const ConstTensor *table = model.constant(gather.input(0));
  int64_t axis = NodeAttrs(gather).getInt("axis", 0);
  if (!table || table->dims.size() != 2 || (axis != 0 && axis != -2))
    return false;
  Node fused = gather;
  fused.set_domain(kFusedDomain);
  fused.set_op_type("Embedding");
  replace(&gather, fused, {});
  return true;
}

bool Fuser::convBatchNorm(const Node &bn) {
  if (bn.op_type() != "BatchNormalization" || bn.input_size() != 5 ||
      NodeAttrs(bn).getInt("training_mode", 0))
    return false;
  const Node *conv = producedBy(bn.input(0), "Conv");
  if (!conv || !onlyReader(bn.input(0), "BatchNormalization"))
    return false;
  for (int i = 1; i < bn.output_size(); ++i)
    if (!bn.output(i).empty())
      return false;
  const ConstTensor *w = model.constant(conv->input(1));
  const ConstTensor *bias =
      conv->input_size() > 2 ? model.constant(conv->input(2)) : nullptr;
  if (!w || !w->isFloat() || !w->readable || w->dims.size() != 4 ||
      (conv->input_size() > 2 && !conv->input(2).empty() &&
       (!bias || !bias->isFloat() || !bias->readable)))
    return false;
  int64_t filters = w->dims[0];
  const ConstTensor *p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = model.constant(bn.input(i + 1));
    if (!p[i] || !p[i]->isFloat() || !p[i]->readable ||
        p[i]->numel() != filters)
      return false;
  }
  float eps =
      NodeAttrs(bn).getFloat("epsilon", sora::particle::kDefaultNormEpsilon);
  ConstTensor newW = *w, newB;
  newB.dims = {filters};
  newB.floats.resize(filters);
  int64_t perFilter = w->numel() / filters;
  for (int64_t o = 0; o < filters; ++o) {
    double scale = p[0]->floats[o] / std::sqrt(double(p[3]->floats[o]) + eps);
    for (int64_t k = 0; k < perFilter; ++k)
      newW.floats[o * perFilter + k] *= scale;
    double b0 = bias ? bias->floats[o] : 0.0;
    newB.floats[o] = (b0 - p[2]->floats[o]) * scale + p[1]->floats[o];
  }
  Node fused = *conv;
  std::string base = bn.output(0) + "::folded_";
  model.setConstant(base + "W", std::move(newW));
  model.setConstant(base + "B", std::move(newB));
  fused.set_input(1, base + "W");
  if (fused.input_size() > 2)
    fused.set_input(2, base + "B");
  else
    fused.add_input(base + "B");
  fused.set_output(0, bn.output(0));
  replace(&bn, fused, {conv});
  return true;
}

bool Fuser::matMulAdd(const Node &matmul) {
  if (matmul.op_type() != "MatMul" || !matmul.domain().empty())
    return false;
  const ConstTensor *w = model.constant(matmul.input(1));
  if (!w || !w->isFloat() || !w->readable || w->dims.size() != 2)
    return false;
  const Node *add = onlyReader(matmul.output(0), "Add");
  if (!add)
    return false;
  std::string biasName = other(*add, matmul.output(0));
  const ConstTensor *bias = model.constant(biasName);
  if (!bias || !bias->isFloat() || !bias->readable || bias->dims.size() > 1 ||
      bias->numel() != w->dims[1])
    return false;
  Node fused = matmul;
  fused.set_domain(kFusedDomain);
  fused.add_input(biasName);
  fused.set_output(0, add->output(0));
  replace(add, fused, {&matmul});
  return true;
}

void Fuser::run() {
  index();
  using Pattern = bool (Fuser::*)(const Node &);
  for (Pattern pattern :
       {&Fuser::embedding, &Fuser::convBatchNorm, &Fuser::matMulAdd,
        &Fuser::gelu, &Fuser::layerNorm, &Fuser::scaleIntoWeights}) {
    // A rewrite rebuilds the node list: start over after each.
    bool changed = true;
    while (changed) {
      changed = false;
      for (const Node &node : model.nodes)
        if ((this->*pattern)(node)) {
          changed = true;
          break;
        }
    }
  }
}

void fusePatterns(OnnxModel &model) { Fuser(model).run(); }

} // namespace sora::onnximport
