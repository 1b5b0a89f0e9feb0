//===- RecurrentOps.cpp - LSTM, GRU, RNN ----------------------------------===//
//
// ONNX LSTM, GRU and RNN: X [seq, batch, in] (layout 1: [batch, seq, in]),
// W [dirs, G·H, in], R [dirs, G·H, H], B [dirs, 2·G·H] (Wb then Rb); output
// Y [seq, dirs, batch, H] (layout 1: [batch, seq, dirs, H]) and Y_h
// [dirs, batch, H] (layout 1: [batch, dirs, H]), each direction's state after
// its last step; the LSTM's cell state Y_c is not supported. Gate blocks:
// LSTM i, o, f, c; GRU z, r, h. The lstm, gru and rnn particles read
// [batch, seq, in] and return [batch, seq, dirs·H] (return_sequences), with
// weights per direction (docs/model-format.md): kernel [in, G·H],
// recurrent_kernel [H, G·H], bias [G·H] (a gru's is Wb, with Rb its
// recurrent_bias; the others' is Wb + Rb), gates in PyTorch's order (LSTM
// i, f, g, o; GRU r, z, n); the backward direction's tensors carry a
// `reverse_` prefix. GRU linear_before_reset=1 is PyTorch's form (the gru
// particle's default), 0 its reset_after=false.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"
#include "WeightConversion.h"

using nlohmann::json;

namespace sora::onnximport {

namespace {

/// What differs between the three ops.
struct RecurrentOp {
  const char *particle;
  int gateBlocks;
  /// Our gate block g is ONNX's block order[g].
  std::vector<int> order;
  /// The default activations, repeated per direction.
  std::vector<const char *> activations;
  /// The inputs holding initial states (zero is the only one supported).
  std::vector<int> initialStates;
};

const RecurrentOp &recurrentOp(const NodeContext &c) {
  static const RecurrentOp lstm{
      "lstm", 4, {0, 2, 3, 1}, {"Sigmoid", "Tanh", "Tanh"}, {5, 6}};
  static const RecurrentOp gru{"gru", 3, {1, 0, 2}, {"Sigmoid", "Tanh"}, {5}};
  static const RecurrentOp rnn{"rnn", 1, {0}, {"Tanh"}, {5}};
  const std::string &type = c.node.op_type();
  return type == "LSTM" ? lstm : type == "GRU" ? gru : rnn;
}

/// The RNN's activation ("Tanh" or "Relu", the same in both directions).
std::string rnnActivation(const NodeContext &c) {
  const onnx::AttributeProto *acts = c.attrs.find("activations");
  return acts && acts->strings_size() ? acts->strings(0) : "Tanh";
}

} // namespace

void checkRecurrent(const NodeContext &c, Problems &p) {
  const RecurrentOp &op = recurrentOp(c);
  std::string direction = c.attrs.getString("direction", "forward");
  if (direction != "forward" && direction != "bidirectional")
    p.node(c.node, "attribute direction=" + direction + " is not supported");
  if (c.attrs.find("clip"))
    p.node(c.node, "attribute clip is not supported");
  if (c.attrs.getInt("input_forget", 0))
    p.node(c.node, "attribute input_forget=1 is not supported");
  if (c.attrs.find("activation_alpha") || c.attrs.find("activation_beta"))
    p.node(c.node, "activation_alpha/activation_beta are not supported");
  if (const onnx::AttributeProto *acts = c.attrs.find("activations")) {
    bool relu = std::string(op.particle) == "rnn" && rnnActivation(c) == "Relu";
    std::string allowed;
    for (const char *name : op.activations)
      allowed += std::string(allowed.empty() ? "" : ", ") + name;
    for (int i = 0; i < acts->strings_size(); ++i) {
      std::string expected =
          relu ? "Relu" : op.activations[i % op.activations.size()];
      if (acts->strings(i) != expected)
        p.node(c.node, "activation " + acts->strings(i) +
                           " is not supported (only " + allowed +
                           (std::string(op.particle) == "rnn"
                                ? "; or Relu in every direction)"
                                : ")"));
    }
  }
  if (c.has(4))
    p.node(c.node, "input sequence_lens is not supported");
  if (c.has(7))
    p.node(c.node, "peephole weights (input P) are not supported");
  for (int i : op.initialStates) {
    const ConstTensor *state = c.constant(i);
    bool zero = state && state->readable && state->isFloat();
    if (zero)
      for (float v : state->floats)
        zero &= v == 0.0f;
    if (c.has(i) && state && !zero)
      p.node(c.node,
             "a non-zero initial state ('" + c.in(i) + "') is not supported");
  }
  std::map<std::string, int> uses = c.model.useCounts();
  if (std::string(op.particle) == "lstm" && c.outputUsed(2, uses))
    p.node(c.node, "output '" + c.out(2) +
                       "' (the final cell state Y_c) is not supported; use Y "
                       "or Y_h");
  // Weights must agree with the input and hidden_size.
  const ValueType *x = c.model.type(c.in(0));
  const ConstTensor *w = c.constant(1), *r = c.constant(2);
  const ConstTensor *bias = c.constant(3);
  if (!x || !x->isStatic() || !w || !r || w->dims.size() != 3)
    return;
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t blocks = op.gateBlocks;
  int64_t hidden = c.attrs.getInt("hidden_size", w->dims[1] / blocks);
  auto is = [](const ConstTensor *t, std::vector<int64_t> dims) {
    return t->dims == dims;
  };
  if (x->dims.size() != 3 || !is(w, {dirs, blocks * hidden, x->dims[2]}) ||
      !is(r, {dirs, blocks * hidden, hidden}) ||
      (bias && !is(bias, {dirs, 2 * blocks * hidden})))
    p.node(c.node, "weights W, R, B do not match the input, direction and "
                   "hidden_size");
}

/// ONNX's gate blocks of [G·H, cols] (in ONNX's order) as our kernel
/// [cols, G·H] (in PyTorch's order).
static std::vector<float> gatesToKernel(const RecurrentOp &op, const float *w,
                                        int64_t hidden, int64_t cols) {
  int64_t width = op.gateBlocks * hidden;
  std::vector<float> kernel(cols * width);
  for (int g = 0; g < op.gateBlocks; ++g)
    for (int64_t h = 0; h < hidden; ++h)
      for (int64_t k = 0; k < cols; ++k)
        kernel[k * width + g * hidden + h] =
            w[(op.order[g] * hidden + h) * cols + k];
  return kernel;
}

/// Y_h as [batch, dirs, H]: the forward direction's output at the last step
/// and the reverse direction's at the first, sliced out of `y` [batch, seq,
/// dirs, H].
static std::string finalHidden(const NodeContext &c, GraphBuilder &b,
                               const std::string &y,
                               const std::vector<int64_t> &shape) {
  int64_t batch = shape[0], seq = shape[1], dirs = shape[2], hidden = shape[3];
  std::vector<std::string> states;
  for (int64_t d = 0; d < dirs; ++d) {
    int64_t step = d == 0 ? seq - 1 : 0;
    states.push_back(b.particle(c.node, d == 0 ? "_h" : "_h_reverse", "slice",
                                {y},
                                json{{"begin", {0, step, d, 0}},
                                     {"end", {batch, step + 1, d + 1, hidden}},
                                     {"strides", {1, 1, 1, 1}}}));
  }
  std::string both = dirs == 1 ? states[0]
                               : b.particle(c.node, "_h_both", "concat", states,
                                            json{{"axis", 2}});
  return b.particle(c.node, "_h_view", "reshape", {both},
                    json{{"shape", {batch, dirs, hidden}}});
}

void lowerRecurrent(const NodeContext &c, GraphBuilder &b) {
  const RecurrentOp &op = recurrentOp(c);
  std::string particle = op.particle;
  int64_t hidden = c.constant(2)->dims[2], width = op.gateBlocks * hidden;
  int64_t dirs = c.constant(1)->dims[0], in = c.constant(1)->dims[2];
  bool batchFirst = c.attrs.getInt("layout", 0) == 1;
  // [seq, batch, in] held as [batch, seq, in].
  std::string x = batchFirst ? c.in(0) : b.withPerm(c.in(0), {1, 0, 2});
  json attrs{{"units", hidden},
             {"bidirectional", dirs == 2},
             {"return_sequences", true}};
  if (particle == "gru")
    attrs["reset_after"] = c.attrs.getInt("linear_before_reset", 0) != 0;
  if (particle == "rnn")
    attrs["activation"] = rnnActivation(c) == "Relu" ? "relu" : "tanh";
  std::string layer = b.particle(c.node, "", particle, {x}, attrs);
  for (int64_t d = 0; d < dirs; ++d) {
    std::string prefix = d ? "reverse_" : "";
    const float *w = c.constant(1)->floats.data() + d * width * in;
    const float *r = c.constant(2)->floats.data() + d * width * hidden;
    b.weight(layer, prefix + "kernel", {in, width},
             gatesToKernel(op, w, hidden, in));
    b.weight(layer, prefix + "recurrent_kernel", {hidden, width},
             gatesToKernel(op, r, hidden, hidden));
    // B holds Wb then Rb, each in ONNX's gate order.
    std::vector<float> bias(width, 0.0f), recurrentBias(width, 0.0f);
    if (c.has(3)) {
      const float *onnxBias = c.constant(3)->floats.data() + d * 2 * width;
      for (int g = 0; g < op.gateBlocks; ++g)
        for (int64_t h = 0; h < hidden; ++h) {
          bias[g * hidden + h] = onnxBias[op.order[g] * hidden + h];
          recurrentBias[g * hidden + h] =
              onnxBias[width + op.order[g] * hidden + h];
        }
    }
    if (particle == "gru") {
      b.weight(layer, prefix + "recurrent_bias", {width},
               std::move(recurrentBias));
    } else {
      for (int64_t i = 0; i < width; ++i)
        bias[i] += recurrentBias[i];
    }
    b.weight(layer, prefix + "bias", {width}, std::move(bias));
  }
  // [batch, seq, dirs·H] → [batch, seq, dirs, H], seen as Y [seq, dirs,
  // batch, H] (layout 1: as it is). Y may be unnamed when only Y_h is read.
  const std::vector<int64_t> &xShape = b.get(c.in(0)).shape;
  int64_t batch = xShape[batchFirst ? 0 : 1], seq = xShape[batchFirst ? 1 : 0];
  std::vector<int64_t> split{batch, seq, dirs, hidden};
  std::string view =
      b.particle(c.node, "_y", "reshape", {layer}, json{{"shape", split}});
  std::map<std::string, int> uses = c.model.useCounts();
  if (c.outputUsed(0, uses))
    defineOutput(c, b, 0, view,
                 batchFirst ? std::vector<int64_t>{}
                            : std::vector<int64_t>{1, 2, 0, 3});
  if (c.outputUsed(1, uses))
    defineOutput(c, b, 1, finalHidden(c, b, view, split),
                 batchFirst ? std::vector<int64_t>{}
                            : std::vector<int64_t>{1, 0, 2});
}

} // namespace sora::onnximport
