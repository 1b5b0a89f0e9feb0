//===- ElementwiseOps.cpp - Binary and unary elementwise ops --------------===//
//
// Pure Funcs, inlined by default into whatever consumes them, which is how an
// epilogue fuses into its anchor's loop nest. Binary ops broadcast like NumPy:
// shapes align on the right, which in Halide's reversed order means operand
// dimension i is result dimension i; a size-1 dimension reads index 0.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

/// `operand` read at the result coordinates `vars` with broadcasting.
static Expr broadcastRead(const Value &operand, const std::vector<Var> &vars,
                          const Shape &resultShape) {
  size_t rank = operand.shape.size(), resultRank = resultShape.size();
  std::vector<Expr> args;
  for (size_t d = 0; d < rank; ++d) {
    bool broadcast = operand.shape[rank - 1 - d] == 1 &&
                     resultShape[resultRank - 1 - d] != 1;
    args.push_back(broadcast ? Expr(0) : Expr(vars[d]));
  }
  return operand.func(args);
}

OpStages buildElementwise(const KernelOp &op,
                          const std::vector<Value> &operands,
                          const std::string &name, PointwiseFn combine) {
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  std::vector<Expr> at;
  for (const Value &operand : operands)
    at.push_back(broadcastRead(operand, vars, op.shape));
  OpStages stages;
  stages.kind = op.kind;
  stages.value = {Func(name), op.shape};
  stages.value.func(vars) = combine(op, at, vars);
  return stages;
}

#define SORA_BINARY(Kind, expr)                                                \
  template <>                                                                  \
  Expr pointwise<KernelOpKind::Kind>(const KernelOp &,                         \
                                     const std::vector<Expr> &x,               \
                                     const std::vector<Var> &) {               \
    const Expr &a = x[0], &b = x[1];                                           \
    return expr;                                                               \
  }
SORA_BINARY(Add, a + b)
SORA_BINARY(Sub, a - b)
SORA_BINARY(Mul, a *b)
SORA_BINARY(Div, a / b)
SORA_BINARY(Maximum, propagateNaN(a, propagateNaN(b, max(a, b))))
SORA_BINARY(Minimum, propagateNaN(a, propagateNaN(b, min(a, b))))
// C's powf from libm, one lane at a time: Halide's pow is exp(b * log(a))
// with fix-ups that miss C's (and PyTorch's) special cases (pow(NaN, 0) = 1,
// pow(-inf, -0.5) = 0, pow(0.5, -inf) = inf, ...).
SORA_BINARY(Pow, Internal::Call::make(Float(32), "powf", {a, b},
                                      Internal::Call::PureExtern))
// NaN fails a > 0 and stays NaN through the product; +-inf keep their sign.
SORA_BINARY(PRelu, select(a > 0.0f, a, a *b))
// C's fmodf (exact); GpuMathCalls computes it on a GPU.
SORA_BINARY(Fmod, Internal::Call::make(Float(32), "fmodf", {a, b},
                                       Internal::Call::PureExtern))
#undef SORA_BINARY

// NaN != 0 holds: a NaN condition selects a, as torch.where.
template <>
Expr pointwise<KernelOpKind::Where>(const KernelOp &,
                                    const std::vector<Expr> &x,
                                    const std::vector<Var> &) {
  return select(x[0] != 0.0f, x[1], x[2]);
}

/// As PyTorch computes it at inference: alpha = gamma / sqrt(var + eps),
/// y = x * alpha + (beta - mean * alpha), per channel (the last dim).
template <>
Expr pointwise<KernelOpKind::BatchNorm>(const KernelOp &op,
                                        const std::vector<Expr> &x,
                                        const std::vector<Var> &) {
  const Expr &gamma = x[1], &beta = x[2], &mean = x[3], &variance = x[4];
  Expr alpha = gamma / sqrt(variance + op.scalars[0]);
  return x[0] * alpha + (beta - mean * alpha);
}

} // namespace sora
