//===- RecurrentOps.cpp - One time step of an LSTM, GRU or RNN ------------===//
//
// Every cell first forms u = h · R (+ the recurrent bias of a GRU) over its
// G gate blocks, in a buffer of its own (`gates`), with g the step's input
// gates [B, G * H] (x_t · kernel + bias):
//
//   LSTM  z = g + u;  i, f, c~, o = sigmoid, sigmoid, tanh, sigmoid of z
//         c' = f * c + i * c~,  h' = o * tanh(c')   (state [h, c])
//   GRU   r, z = sigmoid(g_r + u_r), sigmoid(g_z + u_z)
//         n = tanh(g_n + r * u_n)                        (reset after)
//         n = tanh(g_n + (r * h) · R_n + b_hn)           (reset before;
//             u is then needed for the r and z blocks only)
//         h' = (1 - z) * n + z * h                  (state [h])
//   RNN   h' = tanh(g + u) or relu(g + u)           (state [h])
//
// The driver calls this kernel once per time step, so the step is all it
// computes. The schedule (Schedules.cpp) gives u, the LSTM's c' (the reset
// GRU's r * h) and h' buffers of their own, so that each nonlinearity runs
// once per unit.
//
// tanh is vectorTanh (ActivationOps.cpp): Halide's tanh calls the C
// library's scalar tanhf, which cost ~60% of a bidirectional LSTM's run time.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

namespace {

/// The operands of a step: input gates, recurrent kernel, recurrent bias
/// (undefined when the cell has none) and state.
struct StepOperands {
  Func stepGates, recurrent, recurrentBias, state;
  explicit StepOperands(const std::vector<Value> &operands)
      : stepGates(operands.front().func), recurrent(operands[1].func),
        state(operands.back().func) {
    if (operands.size() == 4)
      recurrentBias = operands[2].func;
  }
};

/// The stages of a step with u = h · R (+ recurrent bias) in `gates`.
OpStages recurrentProduct(const KernelOp &op, const StepOperands &in,
                          const std::string &name, Var x, Var b) {
  int64_t units = op.shape[2];
  RDom k(0, (int)units, name + "_k");
  OpStages stages;
  stages.kind = op.kind;
  stages.reduction = k;
  stages.reduce = Func(name + "_dot");
  stages.gates = Func(name + "_u");
  stages.reduce(x, b) =
      in.recurrentBias.defined() ? in.recurrentBias(x) : Expr(0.0f);
  stages.reduce(x, b) += in.state(k, b, 0) * in.recurrent(x, k);
  stages.gates(x, b) = stages.reduce(x, b);
  return stages;
}

Expr sigmoid(const KernelOp &op, const Expr &z) {
  return pointwise<KernelOpKind::Sigmoid>(op, {z}, {});
}

/// The next state [h'] of a one-slot cell from its `hidden` Func.
void oneSlotState(OpStages &stages, const KernelOp &op, const std::string &name,
                  Var x, Var b) {
  Var which("which");
  stages.value = {Func(name), op.shape};
  stages.value.func(x, b, which) = stages.hidden(x, b);
}

/// A GRU step; `resetAfter`: PyTorch's form, else ONNX's default.
OpStages gruStep(const KernelOp &op, const std::vector<Value> &operands,
                 const std::string &name, bool resetAfter) {
  StepOperands in(operands);
  Var x("x"), b("b");
  OpStages stages = recurrentProduct(op, in, name, x, b);
  const Func &u = stages.gates, &g = in.stepGates;
  Expr h = (int)op.shape[2];
  Expr reset = sigmoid(op, g(x, b) + u(x, b));
  Expr update = sigmoid(op, g(x + h, b) + u(x + h, b));
  Expr candidate;
  if (resetAfter) {
    candidate = vectorTanh(g(x + 2 * h, b) + reset * u(x + 2 * h, b));
  } else {
    // r * h over the units, then its product with the n block of R.
    stages.cell = Func(name + "_rh");
    stages.cell(x, b) = reset * in.state(x, b, 0);
    RDom k(0, (int)op.shape[2], name + "_rk");
    Expr product =
        sum(stages.cell(k, b) * in.recurrent(x + 2 * h, k), name + "_rdot");
    candidate =
        vectorTanh(g(x + 2 * h, b) + in.recurrentBias(x + 2 * h) + product);
  }
  stages.hidden = Func(name + "_h");
  stages.hidden(x, b) =
      (1.0f - update) * candidate + update * in.state(x, b, 0);
  oneSlotState(stages, op, name, x, b);
  return stages;
}

/// An Elman RNN step.
OpStages rnnStep(const KernelOp &op, const std::vector<Value> &operands,
                 const std::string &name, bool relu) {
  StepOperands in(operands);
  Var x("x"), b("b");
  OpStages stages = recurrentProduct(op, in, name, x, b);
  Expr z = in.stepGates(x, b) + stages.gates(x, b);
  stages.hidden = Func(name + "_h");
  stages.hidden(x, b) =
      relu ? pointwise<KernelOpKind::Relu>(op, {z}, {}) : vectorTanh(z);
  oneSlotState(stages, op, name, x, b);
  return stages;
}

} // namespace

template <>
OpStages build<KernelOpKind::LstmCell>(const KernelOp &op,
                                       const std::vector<Value> &operands,
                                       const std::string &name,
                                       const ScheduleRecord &) {
  StepOperands in(operands);
  Var x("x"), b("b"), which("which");
  OpStages stages = recurrentProduct(op, in, name, x, b);
  const Func &u = stages.gates, &g = in.stepGates;
  Expr h = (int)op.shape[2];
  auto z = [&](const Expr &column) { return g(column, b) + u(column, b); };
  Expr inputGate = sigmoid(op, z(x));
  Expr forgetGate = sigmoid(op, z(x + h));
  Expr cellGate = vectorTanh(z(x + 2 * h));
  Expr outputGate = sigmoid(op, z(x + 3 * h));

  stages.cell = Func(name + "_c");
  stages.hidden = Func(name + "_h");
  stages.cell(x, b) = forgetGate * in.state(x, b, 1) + inputGate * cellGate;
  stages.hidden(x, b) = outputGate * vectorTanh(stages.cell(x, b));

  stages.value = {Func(name), op.shape};
  stages.value.func(x, b, which) =
      select(which == 0, stages.hidden(x, b), stages.cell(x, b));
  return stages;
}

template <>
OpStages build<KernelOpKind::GruCell>(const KernelOp &op,
                                      const std::vector<Value> &operands,
                                      const std::string &name,
                                      const ScheduleRecord &) {
  return gruStep(op, operands, name, /*resetAfter=*/true);
}

template <>
OpStages build<KernelOpKind::GruResetBeforeCell>(
    const KernelOp &op, const std::vector<Value> &operands,
    const std::string &name, const ScheduleRecord &) {
  return gruStep(op, operands, name, /*resetAfter=*/false);
}

template <>
OpStages build<KernelOpKind::RnnTanhCell>(const KernelOp &op,
                                          const std::vector<Value> &operands,
                                          const std::string &name,
                                          const ScheduleRecord &) {
  return rnnStep(op, operands, name, /*relu=*/false);
}

template <>
OpStages build<KernelOpKind::RnnReluCell>(const KernelOp &op,
                                          const std::vector<Value> &operands,
                                          const std::string &name,
                                          const ScheduleRecord &) {
  return rnnStep(op, operands, name, /*relu=*/true);
}

} // namespace sora
