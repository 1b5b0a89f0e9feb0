//===- KernelValidation.cpp - Checks a KernelSpec before building it ------===//

#include "KernelValidation.h"

#include "sora/Tuning/Heuristics.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <sstream>

namespace sora {

/// The printable name of an op kind, for messages.
static const char *kernelOpName(KernelOpKind kind) {
  switch (kind) {
  case KernelOpKind::Dense:
    return "dense";
  case KernelOpKind::Conv2D:
    return "conv2d";
  case KernelOpKind::MaxPool2D:
    return "max_pool2d";
  case KernelOpKind::AvgPool2D:
    return "avg_pool2d";
  case KernelOpKind::Softmax:
    return "softmax";
  case KernelOpKind::Add:
    return "add";
  case KernelOpKind::Mul:
    return "mul";
  case KernelOpKind::Relu:
    return "relu";
  case KernelOpKind::Sigmoid:
    return "sigmoid";
  case KernelOpKind::Tanh:
    return "tanh";
  case KernelOpKind::Sub:
    return "sub";
  case KernelOpKind::Div:
    return "div";
  case KernelOpKind::Maximum:
    return "maximum";
  case KernelOpKind::Minimum:
    return "minimum";
  case KernelOpKind::Exp:
    return "exp";
  case KernelOpKind::Sqrt:
    return "sqrt";
  case KernelOpKind::Gelu:
    return "gelu";
  case KernelOpKind::GeluTanh:
    return "gelu(tanh)";
  case KernelOpKind::Silu:
    return "silu";
  case KernelOpKind::LeakyRelu:
    return "leaky_relu";
  case KernelOpKind::HardSwish:
    return "hard_swish";
  case KernelOpKind::Relu6:
    return "relu6";
  case KernelOpKind::Clip:
    return "clip";
  case KernelOpKind::LogSoftmax:
    return "log_softmax";
  case KernelOpKind::BatchNorm:
    return "batch_norm";
  case KernelOpKind::LayerNorm:
    return "layer_norm";
  case KernelOpKind::MatMul:
    return "matmul";
  case KernelOpKind::Embedding:
    return "embedding";
  case KernelOpKind::Transpose:
    return "transpose";
  case KernelOpKind::Concat:
    return "concat";
  case KernelOpKind::Slice:
    return "slice";
  case KernelOpKind::Pad:
    return "pad";
  case KernelOpKind::LstmCell:
    return "lstm_cell";
  case KernelOpKind::Erf:
    return "erf";
  case KernelOpKind::Normalize:
    return "normalize";
  case KernelOpKind::ResizeNearest:
    return "resize(nearest)";
  case KernelOpKind::ResizeBilinear:
    return "resize(bilinear)";
  }
  return "unknown";
}

static std::string str(const Shape &shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? "," : "") << shape[i];
  os << ']';
  return os.str();
}

/// Checks that every extent is positive and the element count fits Halide's
/// 32-bit indexing.
static std::string checkExtents(const Shape &shape) {
  int64_t elements = 1;
  for (int64_t extent : shape) {
    if (extent < 1)
      return "shape " + str(shape) + " has a non-positive extent";
    elements *= extent;
    if (elements > INT32_MAX)
      return "shape " + str(shape) + " has more than 2^31-1 elements";
  }
  return "";
}

static bool isIdentifier(const std::string &name) {
  if (name.empty() || std::isdigit((unsigned char)name[0]))
    return false;
  for (char c : name)
    if (!std::isalnum((unsigned char)c) && c != '_')
      return false;
  return true;
}

/// Output extent of a window sliding over `in` cells (plus padding).
static int64_t windowOutput(int64_t in, int64_t padLow, int64_t padHigh,
                            int64_t span, int64_t stride) {
  return (in + padLow + padHigh - span) / stride + 1;
}

/// Result shape of a Transpose, Concat, Slice or Pad, or a message.
static std::string inferDataMovementShape(const KernelSpec &spec,
                                          const KernelOp &op, Shape &result) {
  if (op.operands.empty() ||
      (op.kind != KernelOpKind::Concat && op.operands.size() != 1))
    return op.kind == KernelOpKind::Concat ? "expects one or more operands"
                                           : "expects one operand";
  const Shape &x = spec.shapeOf(op.operands[0]);
  size_t rank = x.size();
  switch (op.kind) {
  case KernelOpKind::Transpose: {
    std::vector<bool> seen(rank, false);
    if (op.perm.size() != rank)
      return "perm needs one entry per dimension of " + str(x);
    result.clear();
    for (int64_t p : op.perm) {
      if (p < 0 || p >= (int64_t)rank || seen[p])
        return "perm is not a permutation of the dimensions of " + str(x);
      seen[p] = true;
      result.push_back(x[p]);
    }
    return "";
  }
  case KernelOpKind::Concat: {
    if (op.axis < 0 || op.axis >= (int64_t)rank)
      return "axis " + std::to_string(op.axis) + " is out of range for " +
             str(x);
    result = x;
    for (size_t k = 1; k < op.operands.size(); ++k) {
      const Shape &y = spec.shapeOf(op.operands[k]);
      bool fits = y.size() == rank;
      for (size_t d = 0; fits && d < rank; ++d)
        fits = (int64_t)d == op.axis || y[d] == x[d];
      if (!fits)
        return "operand " + str(y) + " does not match " + str(x) +
               " outside the axis";
      result[op.axis] += y[op.axis];
    }
    return "";
  }
  case KernelOpKind::Slice:
    if (op.begin.size() != rank || op.step.size() != rank)
      return "begin and step need one entry per dimension of " + str(x);
    result = op.shape;
    if (result.size() != rank)
      return "result rank differs from " + str(x);
    for (size_t d = 0; d < rank; ++d)
      if (op.begin[d] < 0 || op.step[d] < 1 || result[d] < 1 ||
          op.begin[d] + (result[d] - 1) * op.step[d] >= x[d])
        return "slice reads outside " + str(x) + " in dimension " +
               std::to_string(d);
    return "";
  default: // Pad
    if (op.low.size() != rank || op.high.size() != rank)
      return "low and high need one entry per dimension of " + str(x);
    result.clear();
    for (size_t d = 0; d < rank; ++d) {
      if (op.low[d] < 0 || op.high[d] < 0)
        return "padding must be non-negative";
      result.push_back(x[d] + op.low[d] + op.high[d]);
    }
    return "";
  }
}

/// Infers the result shape of `op` from its operands, or returns a message.
static std::string inferShape(const KernelSpec &spec, const KernelOp &op,
                              Shape &result) {
  size_t numOperands = op.operands.size();
  auto operand = [&](size_t i) -> const Shape & {
    return spec.shapeOf(op.operands[i]);
  };
  auto rankIs = [&](size_t i, size_t rank) {
    return operand(i).size() == rank;
  };
  for (int64_t v : op.window)
    if (v < 1)
      return "window extents must be positive";
  for (int64_t v : op.strides)
    if (v < 1)
      return "strides must be positive";
  for (int64_t v : op.dilation)
    if (v < 1)
      return "dilations must be positive";
  for (int64_t v : op.pad)
    if (v < 0)
      return "padding must be non-negative";

  switch (op.kind) {
  case KernelOpKind::Dense: {
    if (numOperands != 2 && numOperands != 3)
      return "expects operands x, w and an optional b";
    if (!rankIs(0, 2) || !rankIs(1, 2))
      return "expects x [N,K] and w [K,U]";
    const Shape &x = operand(0), &w = operand(1);
    if (x[1] != w[0])
      return "x " + str(x) + " and w " + str(w) + " disagree on K";
    if (numOperands == 3 && operand(2) != Shape{w[1]})
      return "bias " + str(operand(2)) + " must be [" + std::to_string(w[1]) +
             "]";
    result = {x[0], w[1]};
    return "";
  }
  case KernelOpKind::Conv2D: {
    if (numOperands != 2 && numOperands != 3)
      return "expects operands x, w and an optional b";
    if (!rankIs(0, 4) || !rankIs(1, 4))
      return "expects x [N,H,W,C] and w [KH,KW,C/groups,F]";
    const Shape &x = operand(0), &w = operand(1);
    if (op.groups < 1 || x[3] % op.groups != 0 || w[3] % op.groups != 0)
      return "groups " + std::to_string(op.groups) + " must divide C and F";
    if (x[3] != w[2] * op.groups)
      return "x " + str(x) + " and w " + str(w) + " disagree on C";
    if (numOperands == 3 && operand(2) != Shape{w[3]})
      return "bias " + str(operand(2)) + " must be [" + std::to_string(w[3]) +
             "]";
    int64_t spanH = op.dilation[0] * (w[0] - 1) + 1;
    int64_t spanW = op.dilation[1] * (w[1] - 1) + 1;
    result = {
        x[0], windowOutput(x[1], op.pad[0], op.pad[2], spanH, op.strides[0]),
        windowOutput(x[2], op.pad[1], op.pad[3], spanW, op.strides[1]), w[3]};
    if (result[1] < 1 || result[2] < 1)
      return "the dilated kernel is larger than the padded input";
    return "";
  }
  case KernelOpKind::MaxPool2D:
  case KernelOpKind::AvgPool2D: {
    if (numOperands != 1 || !rankIs(0, 4))
      return "expects one operand x [N,H,W,C]";
    if (op.pad[0] >= op.window[0] || op.pad[2] >= op.window[0] ||
        op.pad[1] >= op.window[1] || op.pad[3] >= op.window[1])
      return "padding must be smaller than the window";
    const Shape &x = operand(0);
    result = {
        x[0],
        windowOutput(x[1], op.pad[0], op.pad[2], op.window[0], op.strides[0]),
        windowOutput(x[2], op.pad[1], op.pad[3], op.window[1], op.strides[1]),
        x[3]};
    if (result[1] < 1 || result[2] < 1)
      return "the window is larger than the padded input";
    return "";
  }
  case KernelOpKind::Transpose:
  case KernelOpKind::Concat:
  case KernelOpKind::Slice:
  case KernelOpKind::Pad:
    return inferDataMovementShape(spec, op, result);
  case KernelOpKind::LayerNorm: {
    if (numOperands != 3)
      return "expects x, gamma and beta";
    const Shape &x = operand(0);
    if (op.axis < 0 || op.axis >= (int64_t)x.size())
      return "axis " + std::to_string(op.axis) + " is out of range for " +
             str(x);
    Shape extent{x[op.axis]};
    if (operand(1) != extent || operand(2) != extent)
      return "gamma and beta must be " + str(extent);
    if (!(op.scalars[0] > 0))
      return "epsilon must be positive";
    result = x;
    return "";
  }
  case KernelOpKind::MatMul: {
    if (numOperands != 2)
      return "expects two operands";
    const Shape &a = operand(0), &b = operand(1);
    size_t ra = a.size(), rb = b.size();
    if (ra < 2 || rb < 2)
      return "operands must have rank >= 2";
    int64_t m = op.transposeA ? a[ra - 1] : a[ra - 2];
    int64_t ka = op.transposeA ? a[ra - 2] : a[ra - 1];
    int64_t kb = op.transposeB ? b[rb - 1] : b[rb - 2];
    int64_t n = op.transposeB ? b[rb - 2] : b[rb - 1];
    if (ka != kb)
      return "operands " + str(a) + " and " + str(b) + " disagree on K";
    size_t batch = std::max(ra, rb) - 2;
    result.assign(batch, 1);
    for (size_t i = 0; i < batch; ++i) {
      int64_t ea = i + 2 < ra ? a[ra - 3 - i] : 1;
      int64_t eb = i + 2 < rb ? b[rb - 3 - i] : 1;
      if (ea != eb && ea != 1 && eb != 1)
        return "batch dims of " + str(a) + " and " + str(b) +
               " do not broadcast";
      result[batch - 1 - i] = std::max(ea, eb);
    }
    result.push_back(m);
    result.push_back(n);
    return "";
  }
  case KernelOpKind::Embedding:
    if (numOperands != 2 || operand(1).size() != 2)
      return "expects ids and a table [V, D]";
    if (!spec.int64Args.count(op.operands[0]) && operand(1)[0] > (1 << 24))
      return "f32 ids cannot index more than 2^24 rows";
    result = operand(0);
    result.push_back(operand(1)[1]);
    return "";
  case KernelOpKind::LstmCell: {
    if (numOperands != 3 || !rankIs(0, 2) || !rankIs(1, 2) || !rankIs(2, 3))
      return "expects gates [B,4H], a recurrent kernel [H,4H] and a state "
             "[2,B,H]";
    const Shape &state = operand(2);
    int64_t batch = state[1], units = state[2];
    if (state[0] != 2 || operand(0) != Shape{batch, 4 * units} ||
        operand(1) != Shape{units, 4 * units})
      return "gates " + str(operand(0)) + ", recurrent kernel " +
             str(operand(1)) + " and state " + str(state) + " disagree";
    result = state;
    return "";
  }
  case KernelOpKind::ResizeNearest:
  case KernelOpKind::ResizeBilinear: {
    if (numOperands != 1 || !rankIs(0, 4) || op.shape.size() != 4)
      return "expects x [N,H,W,C] and a result [N,OH,OW,C]";
    if (op.scaleFactor[0] < 0 || op.scaleFactor[1] < 0)
      return "scale factors must not be negative";
    const Shape &x = operand(0);
    result = {x[0], op.shape[1], op.shape[2], x[3]};
    return "";
  }
  case KernelOpKind::Normalize: {
    if (numOperands != 1 || operand(0).empty())
      return "expects one operand with a channel dimension";
    size_t channels = (size_t)operand(0).back();
    for (const std::vector<float> *values : {&op.channelMean, &op.channelStd})
      if (values->size() != 1 && values->size() != channels)
        return "mean and std need 1 or " + std::to_string(channels) +
               " entries";
    result = operand(0);
    return "";
  }
  case KernelOpKind::Softmax:
  case KernelOpKind::LogSoftmax:
    if (numOperands != 1)
      return "expects one operand";
    if (op.axis < 0 || op.axis >= (int64_t)operand(0).size())
      return "axis " + std::to_string(op.axis) + " is out of range for " +
             str(operand(0));
    result = operand(0);
    return "";
  case KernelOpKind::Add:
  case KernelOpKind::Mul:
  case KernelOpKind::Sub:
  case KernelOpKind::Div:
  case KernelOpKind::Maximum:
  case KernelOpKind::Minimum: {
    if (numOperands != 2)
      return "expects two operands";
    const Shape &a = operand(0), &b = operand(1);
    size_t rank = std::max(a.size(), b.size());
    result.assign(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
      int64_t ea = i < a.size() ? a[a.size() - 1 - i] : 1;
      int64_t eb = i < b.size() ? b[b.size() - 1 - i] : 1;
      if (ea != eb && ea != 1 && eb != 1)
        return "operands " + str(a) + " and " + str(b) + " do not broadcast";
      result[rank - 1 - i] = std::max(ea, eb);
    }
    return "";
  }
  case KernelOpKind::BatchNorm: {
    if (numOperands != 5 || operand(0).empty())
      return "expects x, gamma, beta, mean and variance";
    Shape channels{operand(0).back()};
    for (size_t i = 1; i < 5; ++i)
      if (operand(i) != channels)
        return "parameter " + str(operand(i)) + " must be " + str(channels);
    if (!(op.scalars[0] > 0))
      return "epsilon must be positive";
    result = operand(0);
    return "";
  }
  case KernelOpKind::Clip:
    if (!(op.scalars[0] <= op.scalars[1]))
      return "min must not exceed max";
    [[fallthrough]];
  case KernelOpKind::Relu:
  case KernelOpKind::Sigmoid:
  case KernelOpKind::Tanh:
  case KernelOpKind::Exp:
  case KernelOpKind::Sqrt:
  case KernelOpKind::Gelu:
  case KernelOpKind::GeluTanh:
  case KernelOpKind::Silu:
  case KernelOpKind::LeakyRelu:
  case KernelOpKind::HardSwish:
  case KernelOpKind::Relu6:
  case KernelOpKind::Erf:
    if (numOperands != 1)
      return "expects one operand";
    result = operand(0);
    return "";
  }
  return "has an unknown kind";
}

/// Bound on the unrolled register tile, far above any useful one: it keeps
/// a bad tuning record from making Halide unroll for minutes.
static constexpr int64_t kMaxTileVectors = 256;

static std::string checkSchedule(const ScheduleRecord &s) {
  if (s.vector < 1 || s.tileRows < 1 || s.tileCols < 1 || s.grain < 1)
    return "vector, tileRows, tileCols and grain must be positive";
  if (s.tileCols % s.vector != 0)
    return "tileCols (" + std::to_string(s.tileCols) +
           ") must be a multiple of vector (" + std::to_string(s.vector) + ")";
  if ((int64_t)s.tileRows * (s.tileCols / s.vector) > kMaxTileVectors)
    return "the register tile (tileRows x tileCols/vector) exceeds " +
           std::to_string(kMaxTileVectors) + " vectors";
  if ((s.parallel != 0 && s.parallel != 1) ||
      (s.packWeights != 0 && s.packWeights != 1))
    return "parallel and packWeights must be 0 or 1";
  return "";
}

/// Checks the ops one by one; `used` marks the values some op reads.
static std::string checkOps(const KernelSpec &spec, std::vector<bool> &used) {
  int numArgs = (int)spec.args.size();
  int anchors = 0;
  for (size_t i = 0; i < spec.ops.size(); ++i) {
    const KernelOp &op = spec.ops[i];
    std::string where =
        "op " + std::to_string(i) + " (" + kernelOpName(op.kind) + "): ";
    for (size_t k = 0; k < op.operands.size(); ++k) {
      int id = op.operands[k];
      if (id < 0 || id >= numArgs + (int)i)
        return where + "operand " + std::to_string(id) +
               " is not an argument or an earlier op";
      if (spec.int64Args.count(id) &&
          (op.kind != KernelOpKind::Embedding || k != 0))
        return where + "operand " + std::to_string(id) +
               " is i64; only the ids of an embedding may be i64";
      used[id] = true;
    }
    Shape expected;
    std::string error = inferShape(spec, op, expected);
    if (!error.empty())
      return where + error;
    if (op.shape != expected)
      return where + "result shape " + str(op.shape) +
             " does not match the inferred " + str(expected);
    if (isAnchorKind(op.kind) && ++anchors > 1)
      return where + "a kernel holds at most one dense, conv, pool or softmax";
  }
  return "";
}

std::string validateKernel(const KernelSpec &spec) {
  if (!isIdentifier(spec.name))
    return "kernel name '" + spec.name + "' is not a C identifier";
  std::string prefix = "kernel '" + spec.name + "': ";
  for (size_t i = 0; i < spec.args.size(); ++i) {
    std::string error = checkExtents(spec.args[i]);
    if (!error.empty())
      return prefix + "argument " + std::to_string(i) + ": " + error;
  }
  for (int id : spec.int64Args)
    if (id < 0 || id >= (int)spec.args.size())
      return prefix + "i64 argument " + std::to_string(id) +
             " is not an argument";
  for (size_t i = 0; i < spec.ops.size(); ++i) {
    std::string error = checkExtents(spec.ops[i].shape);
    if (!error.empty())
      return prefix + "op " + std::to_string(i) + ": " + error;
  }
  if (spec.result < 0 || spec.result >= spec.numValues())
    return prefix + "result " + std::to_string(spec.result) +
           " is not a value of the kernel";
  std::vector<bool> used(spec.numValues(), false);
  std::string error = checkOps(spec, used);
  if (!error.empty())
    return prefix + error;
  used[spec.result] = true;
  for (size_t i = 0; i < spec.ops.size(); ++i)
    if (!used[spec.args.size() + i])
      return prefix + "op " + std::to_string(i) + " (" +
             kernelOpName(spec.ops[i].kind) + ") is never used";
  error = checkSchedule(spec.schedule);
  if (!error.empty())
    return prefix + "schedule: " + error;
  return "";
}

} // namespace sora
