//===- LossOps.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss --===//
//
// Both read scores [N, C, d...] and int64 class labels [N, d...] (a model
// input), with an optional class weight [C], and have a reduction (none,
// sum, mean) and an ignore_index. With the scores held channels last as
// P [N, d..., C] (SoftmaxCrossEntropyLoss: P = log_softmax(scores) over C,
// its optional second output):
//
//   hit  = one_hot(labels, C) * w'      w' = weight (or 1), 0 at ignore_index
//   loss = -reduce_sum(P * hit, C)      [N, d...]     (none)
//   sum(loss), or sum(loss) / sum(hit)  rank 0        (sum, mean)
//
// A label outside [0, C) (an ignore_index there among them) is a row of
// zeros of one_hot, so it weighs nothing either way. Constant labels (an
// export's fixed targets) are one-hot rows computed at compile time.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include <algorithm>
#include <numeric>

using nlohmann::json;

namespace sora::onnximport {

void checkLoss(const NodeContext &c, Problems &p) {
  std::string reduction = c.attrs.getString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    p.node(c.node,
           "reduction '" + reduction + "' is not one of none, sum, mean");
  const ValueType *x = c.model.type(c.in(0));
  const ValueType *labels = c.model.type(c.in(1));
  const ConstTensor *fixed = c.constant(1);
  bool runtime =
      std::count(c.model.inputs.begin(), c.model.inputs.end(), c.in(1)) &&
      labels && labels->elemType == onnx::TensorProto::INT64;
  if (!runtime && !(fixed && fixed->isInt() && fixed->readable)) {
    p.node(c.node, "labels '" + c.in(1) +
                       "' must be an int64 model input or integer constants");
    return;
  }
  if (!x || !x->hasShape || !labels || !labels->hasShape)
    return;
  if (x->dims.size() < 2) {
    p.node(c.node, "input '" + c.in(0) + "' must be [N, C, d...]");
    return;
  }
  std::vector<int64_t> expected = x->dims;
  expected.erase(expected.begin() + 1);
  if (labels->dims != expected)
    p.node(c.node, "labels '" + c.in(1) + "' must be [N, d...] of the scores");
  if (!c.has(2))
    return;
  const ValueType *weight = c.model.type(c.in(2));
  const ConstTensor *constant = c.constant(2);
  bool floats = constant
                    ? constant->isFloat()
                    : weight && weight->elemType == onnx::TensorProto::FLOAT;
  std::vector<int64_t> dims = constant ? constant->dims
                              : weight ? weight->dims
                                       : std::vector<int64_t>{};
  if (!floats || dims != std::vector<int64_t>{x->dims[1]})
    p.node(c.node, "weight '" + c.in(2) + "' must be float32 [C]");
}

void lowerLoss(const NodeContext &c, GraphBuilder &b) {
  const std::vector<int64_t> &scores = b.get(c.in(0)).shape;
  int64_t rank = (int64_t)scores.size(), classes = scores[1];
  // [N, d..., C] is logical [N, C, d...] under this perm.
  std::vector<int64_t> channelsLast{0, rank - 1};
  for (int64_t d = 1; d + 1 < rank; ++d)
    channelsLast.push_back(d);
  std::string logProb = b.withPerm(c.in(0), channelsLast);
  if (c.node.op_type() == "SoftmaxCrossEntropyLoss") {
    logProb = b.particle(c.node, "_log_prob", "log_softmax", {logProb},
                         json{{"axis", -1}});
    std::map<std::string, int> uses = c.model.useCounts();
    if (c.outputUsed(1, uses))
      defineOutput(c, b, 1, logProb, channelsLast);
  }
  std::string hit;
  if (const ConstTensor *labels = c.constant(1)) {
    // Constant labels: their one-hot rows, computed here.
    std::vector<int64_t> shape = labels->dims;
    shape.push_back(classes);
    std::vector<float> rows(labels->ints.size() * classes, 0.0f);
    for (size_t i = 0; i < labels->ints.size(); ++i)
      if (labels->ints[i] >= 0 && labels->ints[i] < classes)
        rows[i * classes + labels->ints[i]] = 1.0f;
    hit = b.particle(c.node, "_hit", "constant", {}, json{{"shape", shape}});
    b.weight(hit, "value", shape, std::move(rows));
  } else {
    hit = b.particle(c.node, "_hit", "one_hot", {b.plain(c.in(1))},
                     json{{"depth", classes}});
  }
  // The class weights, 0 at an ignored class.
  std::string weight = c.has(2) ? b.plain(c.in(2)) : "";
  int64_t ignored = c.attrs.getInt("ignore_index", -1);
  if (c.attrs.find("ignore_index") && ignored >= 0 && ignored < classes) {
    std::vector<float> keep(classes, 1.0f);
    keep[ignored] = 0.0f;
    std::string mask =
        b.particle(c.node, "_keep", "constant", {}, json{{"shape", {classes}}});
    b.weight(mask, "value", {classes}, std::move(keep));
    weight = weight.empty() ? mask
                            : b.particle(c.node, "_weight", "mul",
                                         {weight, mask}, json::object());
  }
  if (!weight.empty())
    hit = b.particle(c.node, "_weighted", "mul", {hit, weight}, json::object());
  std::string picked =
      b.particle(c.node, "_picked", "mul", {logProb, hit}, json::object());
  picked = b.particle(c.node, "_gathered", "reduce_sum", {picked},
                      json{{"axes", {-1}}, {"keepdims", false}});
  std::string loss =
      b.particle(c.node, "_loss", "neg", {picked}, json::object());
  std::string reduction = c.attrs.getString("reduction", "mean");
  if (reduction != "none") {
    // loss is [N, d...], hit [N, d..., C].
    auto total = [&](const std::string &suffix, const std::string &x,
                     int64_t xRank) {
      std::vector<int64_t> all(xRank);
      std::iota(all.begin(), all.end(), 0);
      std::string sum = b.particle(c.node, suffix, "reduce_sum", {x},
                                   json{{"axes", all}, {"keepdims", true}});
      return b.particle(c.node, suffix + "_one", "reshape", {sum},
                        json{{"shape", {1}}});
    };
    loss = total("_sum", loss, rank - 1);
    if (reduction == "mean") {
      std::string count =
          b.particle(c.node, "_count_inverse", "reciprocal",
                     {total("_count", hit, rank)}, json::object());
      loss = b.particle(c.node, "_mean", "mul", {loss, count}, json::object());
    }
    // ONNX's scalar: a rank-0 view.
    loss = b.particle(c.node, "_scalar", "reshape", {loss},
                      json{{"shape", json::array()}});
  }
  defineOutput(c, b, 0, loss);
}

} // namespace sora::onnximport
