//===- WidenWindows.cpp - 1-D windows as 2-D windows of height 1 ----------===//
//
// Conv, ConvTranspose, the pools and BatchNormalization over an [N, C, L]
// input become their 2-D forms over [N, C, 1, L], which the particles
// implement:
//
//   Op(x [N, C, L], W [M, C/g, k])   Unsqueeze(x, [2]) → Op(·, W [M, C/g, 1,
//   k])
//                                    → Squeeze(·, [2])
//
// with a height-1 window: kernel_shape, strides, dilations [1, ·], pads
// [0, begin, 0, end], output_padding [0, ·], output_shape [1, ·]. A node whose
// attributes or weights do not have the 1-D form is left for validation to
// report.
//
//===----------------------------------------------------------------------===//

#include "ImportSteps.h"

#include <set>

namespace sora::onnximport {

namespace {
/// How one window attribute widens: the value put in front of each spatial
/// half (pads hold a begin half and an end half).
struct Widening {
  const char *name;
  int64_t height;
  size_t halves;
};
constexpr Widening kWidenings[] = {
    {"kernel_shape", 1, 1}, {"strides", 1, 1},        {"dilations", 1, 1},
    {"pads", 0, 2},         {"output_padding", 0, 1}, {"output_shape", 1, 1}};

class Widener {
public:
  explicit Widener(OnnxModel &model) : model(model) {
    for (const onnx::NodeProto &node : model.nodes) {
      names.insert(node.input().begin(), node.input().end());
      names.insert(node.output().begin(), node.output().end());
    }
    names.insert(model.inputs.begin(), model.inputs.end());
  }

  bool run() {
    std::vector<onnx::NodeProto> nodes;
    bool changed = false;
    for (const onnx::NodeProto &node : model.nodes) {
      if (!widenable(node)) {
        nodes.push_back(node);
        continue;
      }
      widen(node, nodes);
      changed = true;
    }
    model.nodes = std::move(nodes);
    return changed;
  }

private:
  /// A 1-D window node of the default domain whose attributes (and
  /// weights) have their 1-D form.
  bool widenable(const onnx::NodeProto &node) const {
    static const std::set<std::string> windowOps{
        "Conv",        "ConvTranspose", "MaxPool",
        "AveragePool", "LpPool",        "BatchNormalization"};
    if (!node.domain().empty() || !windowOps.count(node.op_type()) ||
        node.input_size() < 1 || node.output_size() < 1)
      return false;
    const ValueType *x = model.type(node.input(0));
    if (!x || !x->hasShape || x->dims.size() != 3)
      return false;
    if (node.output_size() > 1 && !node.output(1).empty())
      return false; // MaxPool's Indices, BatchNormalization's statistics
    bool convolution = node.op_type().rfind("Conv", 0) == 0;
    if (convolution) {
      const ConstTensor *w =
          node.input_size() > 1 ? model.constant(node.input(1)) : nullptr;
      if (!w || w->dims.size() != 3)
        return false;
    }
    for (const onnx::AttributeProto &attr : node.attribute())
      for (const Widening &w : kWidenings)
        if (attr.name() == w.name && (size_t)attr.ints_size() != w.halves)
          return false;
    return true;
  }

  void widen(const onnx::NodeProto &node, std::vector<onnx::NodeProto> &out) {
    std::string axes = fresh(node.output(0) + "_height_axis");
    ConstTensor axis;
    axis.elemType = onnx::TensorProto::INT64;
    axis.dims = {1};
    axis.ints = {2};
    model.setConstant(axes, axis);

    std::string input = fresh(node.input(0) + "_2d");
    out.push_back(reshapeNode("Unsqueeze", node.input(0), axes, input));
    onnx::NodeProto wide = node;
    wide.set_input(0, input);
    if (node.op_type().rfind("Conv", 0) == 0) {
      ConstTensor weight = *model.constant(node.input(1));
      weight.dims.insert(weight.dims.begin() + 2, 1);
      std::string name = fresh(node.input(1) + "_2d");
      model.setConstant(name, weight);
      wide.set_input(1, name);
    }
    for (onnx::AttributeProto &attr : *wide.mutable_attribute())
      for (const Widening &w : kWidenings)
        if (attr.name() == w.name) {
          // Pads [begin, end] become [0, begin, 0, end].
          std::vector<int64_t> values(attr.ints().begin(), attr.ints().end());
          attr.clear_ints();
          for (int64_t v : values) {
            attr.add_ints(w.height);
            attr.add_ints(v);
          }
        }
    std::string result = fresh(node.output(0) + "_2d");
    wide.set_output(0, result);
    out.push_back(wide);
    out.push_back(reshapeNode("Squeeze", result, axes, node.output(0)));
  }

  static onnx::NodeProto reshapeNode(const char *op, const std::string &in,
                                     const std::string &axes,
                                     const std::string &result) {
    onnx::NodeProto node;
    node.set_op_type(op);
    node.set_name(result);
    node.add_input(in);
    node.add_input(axes);
    node.add_output(result);
    return node;
  }

  /// `base`, or `base` with a number, not yet a value name of the graph.
  std::string fresh(const std::string &base) {
    std::string name = base;
    for (int i = 1; names.count(name) || model.constant(name); ++i)
      name = base + "_" + std::to_string(i);
    names.insert(name);
    return name;
  }

  OnnxModel &model;
  std::set<std::string> names;
};
} // namespace

bool widenWindows(OnnxModel &model) { return Widener(model).run(); }

} // namespace sora::onnximport
