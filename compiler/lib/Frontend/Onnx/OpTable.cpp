//===- OpTable.cpp - The supported ONNX operators -------------------------===//
//
// The one list of supported operators. Each row: ONNX op, the particles it
// becomes, notes, accepted attributes, input kinds, check, lowering.
// docs/onnx.md's table is generated from it (`soracc --list-onnx-operators`,
// scripts/update-docs.sh); a lit test fails when the two differ.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"
#include "Ops.h"

#include "sora/Frontend/OnnxImporter.h"

namespace sora::onnximport {

using K = InputKind;

const std::vector<OpRule> &opRules() {
  static const std::vector<OpRule> rules = {
      // Convolutions and pools (ConvOps.cpp).
      {"Conv",
       "conv2d",
       "1-D or 2-D; group > 1 sets `groups` (depthwise too); pads: "
       "`\"valid\"`, `\"same\"` (Keras) or explicit `[top, left, bottom, "
       "right]`",
       {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"},
       {K::Data, K::Weight, K::OptWeight},
       checkConv,
       lowerConv},
      {"ConvTranspose",
       "conv_transpose2d",
       "1-D or 2-D; group > 1 sets `groups`; pads, `output_padding`, "
       "`output_shape` and auto_pad SAME_UPPER/SAME_LOWER become explicit "
       "`padding` and "
       "`output_padding`",
       {"auto_pad", "dilations", "group", "kernel_shape", "output_padding",
        "output_shape", "pads", "strides"},
       {K::Data, K::Weight, K::OptWeight},
       checkConvTranspose,
       lowerConvTranspose},
      {"BatchNormalization",
       "folded into the Conv before it, else batch_norm",
       "inference form only (one output, training_mode 0)",
       {"epsilon", "momentum", "training_mode"},
       {K::Data, K::Weight, K::Weight, K::Weight, K::Weight},
       checkBatchNorm,
       lowerBatchNorm},
      {"InstanceNormalization",
       "instance_norm",
       "rank >= 3; statistics per sample and channel over the other dims",
       {"epsilon"},
       {K::Data, K::Weight, K::Weight},
       checkInstanceNorm,
       lowerInstanceNorm},
      {"OneHot",
       "one_hot, mul, add",
       "float32 indices (negative ones count from the end); constant depth "
       "and [off, on] values; any axis; all constant: folded. ONNX's shape "
       "inference leaves the new axis unknown: the graph must declare the "
       "output's shape",
       {"axis"},
       {K::Data, K::FloatConst, K::Any},
       checkOneHot,
       lowerOneHot},
      {"LRN",
       "mul, dense, add, pow, mul",
       "rank >= 3; the sum of squares over nearby channels is a dense with a "
       "banded kernel",
       {"alpha", "beta", "bias", "size"},
       {K::Data},
       checkLrn,
       lowerLrn},
      {"MaxPool",
       "max_pool2d (+ pad)",
       "1-D or 2-D, dilations 1; ceil_mode as PyTorch sizes it; pads as large "
       "as the "
       "window become a `pad` of the lowest float",
       {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
        "storage_order", "strides"},
       {K::Data},
       checkMaxPool,
       lowerMaxPool},
      {"AveragePool",
       "avg_pool2d (+ pad)",
       "1-D or 2-D; ceil_mode as PyTorch sizes it; padded cells are not "
       "counted, "
       "except with count_include_pad=1: then a zero `pad` and a valid pool "
       "(ceil_mode's extra cells still not counted)",
       {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads",
        "strides"},
       {K::Data},
       checkAveragePool,
       lowerAveragePool},
      {"LpPool",
       "lp_pool2d (+ pad)",
       "1-D or 2-D; integer p (default 2); padded cells add nothing",
       {"auto_pad", "kernel_shape", "p", "pads", "strides"},
       {K::Data},
       checkLpPool,
       lowerLpPool},
      {"GlobalAveragePool",
       "global_avg_pool2d",
       "`keepdims`",
       {},
       {K::Data},
       checkGlobalPool,
       lowerGlobalPool},
      {"GlobalMaxPool",
       "global_max_pool2d",
       "`keepdims`",
       {},
       {K::Data},
       checkGlobalPool,
       lowerGlobalPool},
      // Linear algebra (LinearOps.cpp).
      {"Gemm",
       "dense (+ add)",
       "constant B (transA, transB either way; alpha/beta folded); C per "
       "output unit goes into the dense, any other broadcastable C into an "
       "`add` of a constant",
       {"alpha", "beta", "transA", "transB"},
       {K::Data, K::Weight, K::OptWeight},
       checkGemm,
       lowerGemm},
      {"MatMul",
       "dense (constant B) or matmul",
       "a following Add of a constant [N] becomes the dense bias; inputs of "
       "rank > 2 are folded to rows around the dense; an operand held with "
       "its last two axes swapped uses `transpose_a`/`transpose_b`",
       {},
       {K::Data, K::Any, K::Ignored},
       checkMatMul,
       lowerMatMul},
      // Elementwise (ElementwiseOps.cpp).
      {"Relu", "relu", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Sigmoid", "sigmoid", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Tanh", "tanh", "", {}, {K::Data}, nullptr, lowerUnary},
      {"HardSigmoid",
       "hard_sigmoid",
       "any alpha and beta (PyTorch's hardsigmoid exports alpha 1/6)",
       {"alpha", "beta"},
       {K::Data},
       nullptr,
       lowerHardSigmoid},
      {"HardSwish", "hard_swish", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Elu", "elu", "", {"alpha"}, {K::Data}, nullptr, lowerScalarActivation},
      {"Selu",
       "selu",
       "",
       {"alpha", "gamma"},
       {K::Data},
       nullptr,
       lowerScalarActivation},
      {"Celu",
       "celu",
       "",
       {"alpha"},
       {K::Data},
       nullptr,
       lowerScalarActivation},
      {"ThresholdedRelu",
       "thresholded_relu",
       "",
       {"alpha"},
       {K::Data},
       nullptr,
       lowerScalarActivation},
      {"Shrink",
       "shrink",
       "",
       {"lambd", "bias"},
       {K::Data},
       nullptr,
       lowerScalarActivation},
      {"LeakyRelu",
       "leaky_relu",
       "any alpha (default 0.01)",
       {"alpha"},
       {K::Data},
       nullptr,
       lowerLeakyRelu},
      {"Max",
       "maximum",
       "one or more inputs, broadcast; one particle per "
       "further input",
       {},
       {K::Data},
       nullptr,
       lowerVariadic},
      {"Min", "minimum", "as Max", {}, {K::Data}, nullptr, lowerVariadic},
      {"Sum", "add", "as Max", {}, {K::Data}, nullptr, lowerVariadic},
      {"Mean",
       "add, mul",
       "as Max; the sum times 1 / (number of inputs)",
       {},
       {K::Data},
       nullptr,
       lowerVariadic},
      {"Abs", "abs", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Neg", "neg", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Reciprocal", "reciprocal", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Floor", "floor", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Ceil", "ceil", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Round", "round", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Sign", "sign", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Log", "log", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Sin", "sin", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Cos", "cos", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Tan", "tan", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Asin", "asin", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Acos", "acos", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Atan", "atan", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Sinh", "sinh", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Cosh", "cosh", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Asinh", "asinh", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Acosh", "acosh", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Atanh", "atanh", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Softplus", "softplus", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Softsign", "softsign", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Mish", "mish", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Exp", "exp", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Sqrt", "sqrt", "", {}, {K::Data}, nullptr, lowerUnary},
      {"Erf",
       "erf",
       "alone: the erf particle; x·½·(1 + erf(x/√2)) in any association "
       "becomes one gelu",
       {},
       {K::Data},
       nullptr,
       lowerUnary},
      {"Gelu",
       "gelu",
       "fused from Div/Erf/Add/Mul (domain soracc)",
       {},
       {K::Data},
       nullptr,
       lowerUnary},
      {"PRelu",
       "prelu",
       "the slope broadcasts to the input (per channel, or one for all); a "
       "constant slope is held in the input's layout",
       {},
       {K::Data, K::Data},
       checkPRelu,
       lowerBinary},
      {"Clip",
       "relu (min 0, no max), relu6 (0, 6) or clip",
       "min/max must be constants",
       {},
       {K::Data, K::OptFloatConst, K::OptFloatConst},
       checkClip,
       lowerClip},
      {"Add",
       "add",
       "NumPy broadcasting; a float32 constant operand is a `constant` "
       "particle in the other operand's layout",
       {},
       {K::Data, K::Data},
       nullptr,
       lowerBinary},
      {"Sub", "sub", "as Add", {}, {K::Data, K::Data}, nullptr, lowerBinary},
      {"Mul", "mul", "as Add", {}, {K::Data, K::Data}, nullptr, lowerBinary},
      {"Div", "div", "as Add", {}, {K::Data, K::Data}, nullptr, lowerBinary},
      {"Pow", "pow", "as Add", {}, {K::Data, K::Data}, nullptr, lowerBinary},
      {"Mod",
       "fmod",
       "fmod=1 (C's fmod: the sign of the dividend; float32 needs it); as Add",
       {"fmod"},
       {K::Data, K::Data},
       checkMod,
       lowerBinary},
      {"Where",
       "where",
       "the condition a constant (bool or numbers: nonzero is true); x and y "
       "broadcast",
       {},
       {K::Any, K::Data, K::Data},
       checkWhere,
       lowerWhere},
      {"MeanVarianceNormalization",
       "reduce_mean, sub, mul, sqrt, add, div",
       "any axes (default N, H, W); (x - mean) / (std + 1e-9) as ONNX's "
       "function body",
       {"axes"},
       {K::Data},
       checkMeanVarianceNorm,
       lowerMeanVarianceNorm},
      {"ReduceMean",
       "reduce_mean",
       "any axes (attribute), keepdims; over the axes of the layout the "
       "input is held in; every axis with keepdims=0: a rank-0 output",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceSum",
       "reduce_sum",
       "as ReduceMean, axes from the second input; noop_with_empty_axes",
       {"keepdims", "noop_with_empty_axes"},
       {K::Data, K::OptInts},
       checkReduce,
       lowerReduce},
      {"ReduceMax",
       "reduce_max",
       "as ReduceMean; NaN propagates",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceMin",
       "reduce_min",
       "as ReduceMean; NaN propagates",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceProd",
       "reduce_prod",
       "as ReduceMean",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceL1",
       "reduce_l1",
       "as ReduceMean",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceL2",
       "reduce_l2",
       "as ReduceMean",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceSumSquare",
       "reduce_sum_square",
       "as ReduceMean",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceLogSum",
       "reduce_sum + log",
       "as ReduceMean",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"ReduceLogSumExp",
       "reduce_log_sum_exp",
       "as ReduceMean; the maximum is subtracted first, so it does not "
       "overflow",
       {"axes", "keepdims"},
       {K::Data},
       checkReduce,
       lowerReduce},
      {"Softmax",
       "softmax",
       "any axis (opset 13 semantics)",
       {"axis"},
       {K::Data},
       checkSoftmax,
       lowerSoftmax},
      {"LogSoftmax",
       "log_softmax",
       "any axis",
       {"axis"},
       {K::Data},
       checkSoftmax,
       lowerSoftmax},
      {"Hardmax",
       "reduce_max + sub + sign + dense + relu",
       "any axis (opset 13 semantics) of at most 2048 elements: 1 at the "
       "first maximum (a running count of the maxima, a dense particle "
       "with a triangular matrix, keeps the first)",
       {"axis"},
       {K::Data},
       checkHardmax,
       lowerHardmax},
      {"LayerNormalization",
       "layer_norm",
       "any axis (the axes from it on, as rows); outputs Mean and InvStdDev; "
       "also fused from ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add",
       {"axis", "epsilon", "stash_type"},
       {K::Data, K::Weight, K::OptWeight},
       checkLayerNorm,
       lowerLayerNorm},
      // Views and data movement (TensorOps.cpp).
      {"Flatten",
       "flatten or reshape",
       "after an NHWC value: flatten in NHWC order and permute the rows of "
       "the dense kernel that reads it",
       {"axis"},
       {K::Data},
       checkFlatten,
       lowerFlatten},
      {"Reshape",
       "reshape",
       "constant shape",
       {"allowzero"},
       {K::Data, K::Ints},
       nullptr,
       lowerReshape},
      {"Squeeze",
       "reshape",
       "constant axes",
       {},
       {K::Data, K::OptInts},
       nullptr,
       lowerReshape},
      {"Unsqueeze",
       "reshape",
       "constant axes",
       {},
       {K::Data, K::Ints},
       nullptr,
       lowerReshape},
      {"DepthToSpace",
       "depth_to_space",
       "rank 4; modes DCR and CRD",
       {"blocksize", "mode"},
       {K::Data},
       checkDepthSpace,
       lowerDepthSpace},
      {"SpaceToDepth",
       "space_to_depth",
       "rank 4",
       {"blocksize"},
       {K::Data},
       checkDepthSpace,
       lowerDepthSpace},
      {"Transpose",
       "none (a layout change), or transpose",
       "composed with the layout; a particle only where a consumer needs it",
       {"perm"},
       {K::Data},
       checkTranspose,
       lowerTranspose},
      {"Concat",
       "concat",
       "any axis",
       {"axis"},
       {K::Data},
       checkConcat,
       lowerConcat},
      {"Expand",
       "mul",
       "constant shape: a mul by ones over the expanded dims",
       {},
       {K::Data, K::Ints},
       checkExpand,
       lowerExpand},
      {"Tile",
       "concat",
       "constant repeats (at most 4096 per axis): copies joined per axis",
       {},
       {K::Data, K::Ints},
       checkTile,
       lowerTile},
      {"Pad",
       "pad",
       "modes constant, reflect and edge on any axes; constant pads ≥ 0; "
       "all-zero pads alias the input",
       {"mode"},
       {K::Data, K::Ints, K::OptFloatConst},
       checkPad,
       lowerPad},
      {"Slice",
       "slice",
       "constant starts/ends/axes/steps (negative steps count down)",
       {},
       {K::Data, K::Ints, K::Ints, K::OptInts, K::OptInts},
       checkSlice,
       lowerSlice},
      {"Split",
       "slice",
       "one slice per output; constant split sizes, or equal parts",
       {"axis"},
       {K::Data, K::OptInts},
       checkSplit,
       lowerSplit},
      {"Gather",
       "slice + concat + reshape, or embedding",
       "a run-time tensor at constant indices (any shape; one slice per run "
       "of consecutive ones, so `x[:, -1]` is one slice); a "
       "2-D float32 initializer (the table) at run-time int64 ids that are a "
       "model input, axis 0: an embedding (`nn.Embedding`, see Embedding); "
       "Gather on constants is folded",
       {"axis"},
       {K::Data, K::Ints},
       checkGather,
       lowerGather},
      {"GatherElements",
       "dense (a selection matrix)",
       "constant indices: each output element picks one input element, a "
       "dense particle with a 0/1 matrix over the flattened input (at most "
       "2^22 entries)",
       {"axis"},
       {K::Data, K::Ints},
       checkSelection,
       lowerSelection},
      {"GatherND",
       "dense (a selection matrix)",
       "constant indices, any batch_dims; as GatherElements",
       {"batch_dims"},
       {K::Data, K::Ints},
       checkSelection,
       lowerSelection},
      {"ScatterElements",
       "dense + add (selection matrices)",
       "constant indices, reduction none or add (opset 10's Scatter "
       "converts to it): the data and the updates each through a 0/1 "
       "matrix (the data's is skipped where it is the identity), added",
       {"axis", "reduction"},
       {K::Data, K::Ints, K::Data},
       checkSelection,
       lowerSelection},
      {"ScatterND",
       "dense + add (selection matrices)",
       "constant indices, reduction none or add; as ScatterElements",
       {"reduction"},
       {K::Data, K::Ints, K::Data},
       checkSelection,
       lowerSelection},
      {"ReverseSequence",
       "dense (a selection matrix)",
       "constant sequence_lens; as GatherElements",
       {"batch_axis", "time_axis"},
       {K::Data, K::Ints},
       checkSelection,
       lowerSelection},
      {"Compress",
       "slice + concat",
       "a constant condition (the indices it keeps, as Gather); its output "
       "needs a declared shape (shape inference cannot give one)",
       {"axis"},
       {K::Data, K::Ints},
       checkGather,
       lowerGather},
      {"Embedding",
       "embedding",
       "that Gather of a table at int64 ids, rewritten (domain soracc)",
       {"axis"},
       {K::Weight, K::Ids},
       checkEmbedding,
       lowerEmbedding},
      {"Identity", "none", "", {}, {K::Data}, nullptr, lowerIdentity},
      {"Dropout",
       "none",
       "inference: identity (training_mode true only with ratio 0); the mask "
       "output unused",
       {"seed"},
       {K::Data, K::OptFloatConst, K::OptInts},
       checkDropout,
       lowerIdentity},
      // Preprocessing (ResizeOps.cpp).
      {"Resize",
       "resize, or dense per axis",
       "constant scales or sizes; PyTorch's modes (nearest asymmetric + "
       "floor, linear half_pixel / pytorch_half_pixel / align_corners over "
       "H and W) as the resize particle; the others (cubic, other roundings "
       "and transforms, any axis; not tf_crop_and_resize) as interpolation "
       "matrices",
       {"coordinate_transformation_mode", "cubic_coeff_a", "exclude_outside",
        "extrapolation_value", "mode", "nearest_mode"},
       {K::Data, K::Ignored, K::Ignored, K::Ignored},
       checkResize,
       lowerResize},
      {"GridSample",
       "grid_sample",
       "2-D; modes bilinear and nearest (not bicubic); padding zeros, "
       "border, reflection; align_corners",
       {"align_corners", "mode", "padding_mode"},
       {K::Data, K::Data},
       checkGridSample,
       lowerGridSample},
      // Losses (LossOps.cpp).
      {"NegativeLogLikelihoodLoss",
       "one_hot, mul, reduce_sum, neg",
       "int64 labels (a model input, or constants); weight, ignore_index; "
       "reduction none, sum or mean (a rank-0 output)",
       {"ignore_index", "reduction"},
       {K::Data, K::Any, K::Ignored},
       checkLoss,
       lowerLoss},
      {"SoftmaxCrossEntropyLoss",
       "log_softmax, one_hot, mul, reduce_sum, neg",
       "as NegativeLogLikelihoodLoss, over log_softmax of the scores (its "
       "optional second output)",
       {"ignore_index", "reduction"},
       {K::Data, K::Any, K::Ignored},
       checkLoss,
       lowerLoss},
      // Recurrent (RecurrentOps.cpp).
      {"LSTM",
       "lstm",
       "forward or bidirectional; default activations; zero initial state; "
       "layout 0 or 1; outputs Y and Y_h (not the cell state Y_c)",
       {"activation_alpha", "activation_beta", "activations", "clip",
        "direction", "hidden_size", "input_forget", "layout"},
       {K::Data, K::Weight, K::Weight, K::OptWeight, K::Ignored, K::OptWeight,
        K::OptWeight, K::OptWeight},
       checkRecurrent,
       lowerRecurrent},
      {"GRU",
       "gru",
       "forward or bidirectional; default activations; zero initial state; "
       "layout 0 or 1; linear_before_reset 0 or 1; outputs Y and Y_h",
       {"activation_alpha", "activation_beta", "activations", "clip",
        "direction", "hidden_size", "layout", "linear_before_reset"},
       {K::Data, K::Weight, K::Weight, K::OptWeight, K::Ignored, K::OptWeight},
       checkRecurrent,
       lowerRecurrent},
      {"RNN",
       "rnn",
       "forward or bidirectional; Tanh or Relu; zero initial state; layout 0 "
       "or 1; outputs Y and Y_h",
       {"activation_alpha", "activation_beta", "activations", "clip",
        "direction", "hidden_size", "layout"},
       {K::Data, K::Weight, K::Weight, K::OptWeight, K::Ignored, K::OptWeight},
       checkRecurrent,
       lowerRecurrent},
  };
  return rules;
}

const OpRule *findRule(const onnx::NodeProto &node) {
  const std::string &domain = node.domain();
  if (!domain.empty() && domain != "ai.onnx" && domain != kFusedDomain)
    return nullptr;
  for (const OpRule &rule : opRules())
    if (rule.op == node.op_type())
      return &rule;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Node helpers
//===----------------------------------------------------------------------===//

std::string describeNode(const onnx::NodeProto &node) {
  std::string name =
      node.name().empty() && node.output_size() ? node.output(0) : node.name();
  return "node '" + name + "' (" + node.op_type() + ")";
}

void Problems::node(const onnx::NodeProto &node, const std::string &message) {
  lines.push_back(describeNode(node) + ": " + message);
}

const onnx::AttributeProto *NodeAttrs::find(const std::string &name) const {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeAttrs::getInt(const std::string &name, int64_t fallback) const {
  const onnx::AttributeProto *a = find(name);
  return a ? a->i() : fallback;
}

float NodeAttrs::getFloat(const std::string &name, float fallback) const {
  const onnx::AttributeProto *a = find(name);
  return a ? a->f() : fallback;
}

std::string NodeAttrs::getString(const std::string &name,
                                 const std::string &fallback) const {
  const onnx::AttributeProto *a = find(name);
  return a ? a->s() : fallback;
}

std::vector<int64_t> NodeAttrs::getInts(const std::string &name,
                                        std::vector<int64_t> fallback) const {
  const onnx::AttributeProto *a = find(name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end())
           : fallback;
}

const std::vector<int64_t> &NodeContext::inShape(int i) const {
  return model.type(in(i))->dims;
}

const std::vector<int64_t> &NodeContext::outShape(int i) const {
  return model.type(out(i))->dims;
}

bool NodeContext::outputUsed(int i,
                             const std::map<std::string, int> &uses) const {
  return i < node.output_size() && !out(i).empty() && uses.count(out(i));
}

} // namespace sora::onnximport

namespace sora {

std::vector<OnnxOperatorInfo> onnxOperatorTable() {
  std::vector<OnnxOperatorInfo> table;
  for (const onnximport::OpRule &rule : onnximport::opRules())
    table.push_back({rule.op, rule.particles, rule.notes});
  return table;
}

} // namespace sora
