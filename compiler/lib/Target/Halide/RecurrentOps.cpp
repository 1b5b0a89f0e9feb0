//===- RecurrentOps.cpp - One time step of an LSTM ------------------------===//
//
// z = gates + h · R  (gates [B, 4H] of the step, R [H, 4H], h = state[0])
// i, f, g, o = sigmoid(z_i), sigmoid(z_f), tanh(z_g), sigmoid(z_o)
// c' = f * c + i * g,  h' = o * tanh(c')   (c = state[1])
// The result is the next state: [0] = h', [1] = c'.
//
// The driver calls this kernel once per time step, so the step is all it
// computes. The schedule (Schedules.cpp) gives z, c' and h' buffers of their
// own, so that each nonlinearity runs once per unit.
//
// tanh is vectorTanh (ActivationOps.cpp): Halide's tanh calls the C
// library's scalar tanhf, which cost ~60% of a bidirectional LSTM's run time.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

template <>
OpStages build<KernelOpKind::LstmCell>(const KernelOp &op,
                                       const std::vector<Value> &operands,
                                       const std::string &name,
                                       const ScheduleRecord &) {
  const Func &stepGates = operands[0].func, &recurrent = operands[1].func,
             &state = operands[2].func;
  int64_t units = op.shape[2];
  Var x("x"), b("b"), which("which");
  RDom k(0, (int)units, name + "_k");

  OpStages stages;
  stages.kind = op.kind;
  stages.reduction = k;
  stages.reduce = Func(name + "_dot");
  stages.gates = Func(name + "_z");
  stages.reduce(x, b) = stepGates(x, b);
  stages.reduce(x, b) += state(k, b, 0) * recurrent(x, k);
  stages.gates(x, b) = stages.reduce(x, b);

  auto sigmoid = [&](const Expr &z) {
    return pointwise<KernelOpKind::Sigmoid>(op, {z}, {});
  };
  const Func &gates = stages.gates;
  Expr h = (int)units;
  Expr inputGate = sigmoid(gates(x, b));
  Expr forgetGate = sigmoid(gates(x + h, b));
  Expr cellGate = vectorTanh(gates(x + 2 * h, b));
  Expr outputGate = sigmoid(gates(x + 3 * h, b));

  stages.cell = Func(name + "_c");
  stages.hidden = Func(name + "_h");
  stages.cell(x, b) = forgetGate * state(x, b, 1) + inputGate * cellGate;
  stages.hidden(x, b) = outputGate * vectorTanh(stages.cell(x, b));

  stages.value = {Func(name), op.shape};
  stages.value.func(x, b, which) =
      select(which == 0, stages.hidden(x, b), stages.cell(x, b));
  return stages;
}

} // namespace sora
