//===- ActivationOps.cpp - Unary elementwise math -------------------------===//
//
// The formula of each unary kind, written as PyTorch's CPU kernels write it
// (same operation order, so float32 results round alike). Only accurate
// Halide math is used: exp and erf are documented (and, for erf, tested in
// MathKernelTest) to be within a few ulps; the fast_* variants are not.
// tanh is vectorTanh, built from exp: Halide's tanh is a scalar call to the
// C library's tanhf in every lane.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

Expr accurateErf(const Expr &x) {
  // Halide 14's erf is a minimax approximation accurate to the last three
  // bits of the mantissa (measured: relative error < 5e-7 on [-6, 6]).
  return erf(x);
}

Expr vectorTanh(const Expr &x) {
  // x - x^3/3 + 2x^5/15 - 17x^7/315 for |x| < 1/16 (the next term is below
  // 1e-11 relative), where (1 - e) / (1 + e) would lose digits to
  // cancellation; else sign(x) (1 - e) / (1 + e) with e = exp(-2|x|).
  // Measured against double tanh over [-20, 20]: at most 7 ulps.
  Expr a = abs(x), x2 = x * x;
  Expr e = exp(-2.0f * a);
  Expr large = (1.0f - e) / (1.0f + e);
  Expr small =
      x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315))));
  return select(a < 0.0625f, small, select(x < 0.0f, -large, large));
}

#define SORA_UNARY(Kind, expr)                                                 \
  template <>                                                                  \
  Expr pointwise<KernelOpKind::Kind>([[maybe_unused]] const KernelOp &op,      \
                                     const std::vector<Expr> &operands,        \
                                     const std::vector<Var> &) {               \
    const Expr &x = operands[0];                                               \
    return expr;                                                               \
  }
SORA_UNARY(Relu, max(x, 0.0f))
SORA_UNARY(Sigmoid, 1.0f / (1.0f + exp(-x)))
SORA_UNARY(Tanh, vectorTanh(x))
SORA_UNARY(Exp, exp(x))
SORA_UNARY(Sqrt, sqrt(x))
SORA_UNARY(Erf, accurateErf(x))
// x * 0.5 * (1 + erf(x / sqrt(2))).
SORA_UNARY(Gelu, x * 0.5f * (1.0f + accurateErf(x * 0.70710678118654752f)))
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
SORA_UNARY(GeluTanh, 0.5f * x *
                         (1.0f + vectorTanh(0.79788456080286536f *
                                            (x + 0.044715f * x * x * x))))
SORA_UNARY(Silu, x / (1.0f + exp(-x)))
SORA_UNARY(LeakyRelu, select(x > 0.0f, x, x *op.scalars[0]))
SORA_UNARY(HardSwish, x *clamp(x + 3.0f, 0.0f, 6.0f) / 6.0f)
SORA_UNARY(Relu6, clamp(x, 0.0f, 6.0f))
SORA_UNARY(HardSigmoid, clamp(op.scalars[0] * x + op.scalars[1], 0.0f, 1.0f))
SORA_UNARY(Clip, min(max(x, op.scalars[0]), op.scalars[1]))
#undef SORA_UNARY

} // namespace sora
