//===- RecurrentOps.cpp - LSTM --------------------------------------------===//
//
// ONNX LSTM: X [seq, batch, in], W [dirs, 4H, in], R [dirs, 4H, H],
// B [dirs, 8H] (Wb then Rb), gates in the order i, o, f, c; output Y
// [seq, dirs, batch, H], Y_h [dirs, batch, H] (each direction's state
// after its last step); the cell state Y_c is not supported. The lstm particle
// reads [batch, seq, in] and returns [batch, seq, dirs·H] (return_sequences),
// with weights per direction (docs/model-format.md): kernel [in, 4H],
// recurrent_kernel [H, 4H], bias [4H], gates i, f, g (= c), o as in PyTorch and
// Keras; the backward direction's tensors carry a `reverse_` prefix.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"
#include "WeightConversion.h"

using nlohmann::json;

namespace sora::onnximport {

void checkLstm(const NodeContext &c, Problems &p) {
  std::string direction = c.attrs.getString("direction", "forward");
  if (direction != "forward" && direction != "bidirectional")
    p.node(c.node, "attribute direction=" + direction + " is not supported");
  if (c.attrs.find("clip"))
    p.node(c.node, "attribute clip is not supported");
  if (c.attrs.getInt("input_forget", 0))
    p.node(c.node, "attribute input_forget=1 is not supported");
  if (c.attrs.getInt("layout", 0))
    p.node(c.node, "attribute layout=1 is not supported");
  if (c.attrs.find("activation_alpha") || c.attrs.find("activation_beta"))
    p.node(c.node, "activation_alpha/activation_beta are not supported");
  if (const onnx::AttributeProto *acts = c.attrs.find("activations")) {
    static const char *defaults[] = {"Sigmoid", "Tanh", "Tanh"};
    for (int i = 0; i < acts->strings_size(); ++i)
      if (acts->strings(i) != defaults[i % 3])
        p.node(c.node, "activation " + acts->strings(i) +
                           " is not supported "
                           "(only Sigmoid, Tanh, Tanh)");
  }
  if (c.has(4))
    p.node(c.node, "input sequence_lens is not supported");
  if (c.has(7))
    p.node(c.node, "peephole weights (input P) are not supported");
  for (int i : {5, 6}) {
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
  if (c.outputUsed(2, uses))
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
  int64_t hidden = c.attrs.getInt("hidden_size", w->dims[1] / 4);
  auto is = [](const ConstTensor *t, std::vector<int64_t> dims) {
    return t->dims == dims;
  };
  if (x->dims.size() != 3 || !is(w, {dirs, 4 * hidden, x->dims[2]}) ||
      !is(r, {dirs, 4 * hidden, hidden}) ||
      (bias && !is(bias, {dirs, 8 * hidden})))
    p.node(c.node, "weights W, R, B do not match the input, direction and "
                   "hidden_size");
}

/// Gate blocks of ONNX [4H, cols] (i, o, f, c) as a Keras kernel
/// [cols, 4H] (i, f, c, o).
static std::vector<float> gatesToKernel(const float *w, int64_t hidden,
                                        int64_t cols) {
  static const int order[] = {0, 2, 3, 1}; // Keras gate g <- ONNX gate
  std::vector<float> kernel(cols * 4 * hidden);
  for (int g = 0; g < 4; ++g)
    for (int64_t h = 0; h < hidden; ++h)
      for (int64_t k = 0; k < cols; ++k)
        kernel[k * 4 * hidden + g * hidden + h] =
            w[(order[g] * hidden + h) * cols + k];
  return kernel;
}

/// Y_h [dirs, batch, H] held as [batch, dirs, H]: the forward direction's
/// output at the last step and the reverse direction's at the first, sliced
/// out of `y` [batch, seq, dirs, H].
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

void lowerLstm(const NodeContext &c, GraphBuilder &b) {
  int64_t hidden = c.constant(2)->dims[2];
  int64_t dirs = c.constant(1)->dims[0], in = c.constant(1)->dims[2];
  // [seq, batch, in] held as [batch, seq, in].
  std::string x = b.withPerm(c.in(0), {1, 0, 2});
  std::string lstm = b.particle(c.node, "", "lstm", {x},
                                json{{"units", hidden},
                                     {"bidirectional", dirs == 2},
                                     {"return_sequences", true}});
  static const int order[] = {0, 2, 3, 1};
  for (int64_t d = 0; d < dirs; ++d) {
    std::string prefix = d ? "reverse_" : "";
    const float *w = c.constant(1)->floats.data() + d * 4 * hidden * in;
    const float *r = c.constant(2)->floats.data() + d * 4 * hidden * hidden;
    b.weight(lstm, prefix + "kernel", {in, 4 * hidden},
             gatesToKernel(w, hidden, in));
    b.weight(lstm, prefix + "recurrent_kernel", {hidden, 4 * hidden},
             gatesToKernel(r, hidden, hidden));
    std::vector<float> bias(4 * hidden, 0.0f);
    if (c.has(3)) {
      const float *onnxBias = c.constant(3)->floats.data() + d * 8 * hidden;
      for (int g = 0; g < 4; ++g)
        for (int64_t h = 0; h < hidden; ++h)
          bias[g * hidden + h] = onnxBias[order[g] * hidden + h] +
                                 onnxBias[(4 + order[g]) * hidden + h];
    }
    b.weight(lstm, prefix + "bias", {4 * hidden}, std::move(bias));
  }
  // [batch, seq, dirs·H] → [batch, seq, dirs, H], seen as Y [seq, dirs,
  // batch, H]. Y may be unnamed when only Y_h is read.
  const std::vector<int64_t> &sequence =
      b.get(c.in(0)).shape; // [seq, batch, in]
  std::vector<int64_t> split{sequence[1], sequence[0], dirs, hidden};
  std::string view =
      b.particle(c.node, "_y", "reshape", {lstm}, json{{"shape", split}});
  std::map<std::string, int> uses = c.model.useCounts();
  if (c.outputUsed(0, uses))
    defineOutput(c, b, 0, view, {1, 2, 0, 3});
  if (c.outputUsed(1, uses))
    defineOutput(c, b, 1, finalHidden(c, b, view, split), {1, 0, 2});
}

} // namespace sora::onnximport
