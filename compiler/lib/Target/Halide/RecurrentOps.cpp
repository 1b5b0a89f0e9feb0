//===- RecurrentOps.cpp - One time step of an LSTM ------------------------===//
//
// z = gates + h · R  (gates [B, 4H] of the step, R [H, 4H], h = state[0])
// i, f, g, o = sigmoid(z_i), sigmoid(z_f), tanh(z_g), sigmoid(z_o)
// c' = f * c + i * g,  h' = o * tanh(c')   (c = state[1])
// The result is the next state: [0] = h', [1] = c'.
//
// The driver calls this kernel once per time step, so the step is all it
// computes: z in its own buffer (the product vectorized along 4H, where R
// is contiguous), then c' and h' in buffers of their own, so that each
// nonlinearity runs once per unit.
//
// tanh is vectorTanh (ActivationOps.cpp): Halide's tanh calls the C
// library's scalar tanhf, which cost ~60% of a bidirectional LSTM's run time.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

/// z = gates + h · R, vectorized along the 4H columns (where R is
/// contiguous): each tile of up to eight vectors accumulates in registers
/// over the whole reduction, then is stored once. With `parallel`, the
/// threads share the tiles (each streams its share of R).
static void scheduleGates(Func gates, Func dot, RVar k, int64_t columns,
                          const ScheduleRecord &schedule) {
  Var x = gates.args()[0], b = gates.args()[1];
  int vector = schedule.vector;
  gates.compute_root();
  if (columns % vector != 0) {
    dot.compute_at(gates, b);
    return;
  }
  int tile = vector;
  while (tile < 8 * vector && columns % (2 * (int64_t)tile) == 0)
    tile *= 2;
  Var xo("xo"), xi("xi"), xv("xv"), xu("xu");
  gates.split(x, xo, xi, tile)
      .split(xi, xu, xv, vector)
      .reorder(xv, xu, xo, b)
      .vectorize(xv)
      .unroll(xu);
  if (schedule.parallel)
    gates.parallel(xo);
  dot.compute_at(gates, xo)
      .store_in(MemoryType::Register)
      .split(x, xu, xv, vector)
      .vectorize(xv)
      .unroll(xu);
  dot.update()
      .split(x, xu, xv, vector)
      .reorder(xv, xu, k, b)
      .vectorize(xv)
      .unroll(xu);
}

/// A [units, batch] stage of the cell in a buffer of its own, vectorized
/// along the units (guarded: it must not read z past 4H).
static void scheduleCellStage(Func stage, const ScheduleRecord &schedule) {
  stage.compute_root().vectorize(stage.args()[0], schedule.vector,
                                 TailStrategy::GuardWithIf);
}

Value buildLstmCell(const KernelOp &op, const std::vector<Value> &operands,
                    const std::string &name, const ScheduleRecord &schedule) {
  const Func &stepGates = operands[0].func, &recurrent = operands[1].func,
             &state = operands[2].func;
  int64_t units = op.shape[2];
  Var x("x"), b("b"), which("which");
  RDom k(0, (int)units, name + "_k");

  Func dot(name + "_dot"), gates(name + "_z");
  dot(x, b) = stepGates(x, b);
  dot(x, b) += state(k, b, 0) * recurrent(x, k);
  gates(x, b) = dot(x, b);
  scheduleGates(gates, dot, k, 4 * units, schedule);

  KernelOp sigmoid;
  sigmoid.kind = KernelOpKind::Sigmoid;
  Expr h = (int)units;
  Expr inputGate = unaryExpr(sigmoid, gates(x, b));
  Expr forgetGate = unaryExpr(sigmoid, gates(x + h, b));
  Expr cellGate = vectorTanh(gates(x + 2 * h, b));
  Expr outputGate = unaryExpr(sigmoid, gates(x + 3 * h, b));

  Func cell(name + "_c"), hidden(name + "_h");
  cell(x, b) = forgetGate * state(x, b, 1) + inputGate * cellGate;
  hidden(x, b) = outputGate * vectorTanh(cell(x, b));
  scheduleCellStage(cell, schedule);
  scheduleCellStage(hidden, schedule);

  Value next{Func(name), op.shape};
  next.func(x, b, which) = select(which == 0, hidden(x, b), cell(x, b));
  return next;
}

} // namespace sora
