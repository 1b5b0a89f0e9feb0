//===- ActivationOps.cpp - Unary elementwise math -------------------------===//
//
// The formula of each unary kind, written as PyTorch's CPU kernels write it
// (same operation order, so float32 results round alike). Only accurate
// Halide math is used: exp and erf are documented (and, for erf, tested in
// MathKernelTest) to be within a few ulps; the fast_* variants are not.
// tanh is vectorTanh, built from exp: Halide's tanh is a scalar call to the
// C library's tanhf in every lane.
//
// NaN and infinity come out as PyTorch's: Halide compiles with fast-math
// flags and x86's min/max return their second operand when either is NaN,
// so clamps, relu, max and min pass NaN on explicitly (is_nan is always
// evaluated strictly), and exp and erf handle the arguments their
// approximations do not cover.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

#include <limits>

namespace sora {

using namespace Halide;

/// select(condition, a, b) on the floats' bits: Halide compiles float
/// operations with fast-math flags (nnan, ninf), under which LLVM may drop a
/// float select whose result is NaN or infinite; an integer select it keeps.
static Expr selectBits(const Expr &condition, const Expr &a, const Expr &b) {
  Type bits = a.type().with_code(Type::Int);
  return reinterpret(
      a.type(), select(condition, reinterpret(bits, a), reinterpret(bits, b)));
}

/// Whether x is NaN, from its bits: Halide's is_nan may become an fcmp that
/// carries the nnan flag, which LLVM folds to false.
static Expr isNaN(const Expr &x) {
  Expr bits = reinterpret(x.type().with_code(Type::Int), x);
  return (bits & 0x7fffffff) > 0x7f800000;
}

Expr propagateNaN(const Expr &x, const Expr &value) {
  return selectBits(isNaN(x), x, value);
}

Expr accurateExp(const Expr &x) {
  // Halide's exp builds 2^k from the exponent's bits: beyond ln(FLT_MAX)
  // k overflows and exp(x) came out 0, as did exp(NaN).
  constexpr float kLogMax = 88.72283935546875f;
  Expr infinity(std::numeric_limits<float>::infinity());
  return propagateNaN(x, selectBits(x > kLogMax, infinity, exp(x)));
}

Expr accurateErf(const Expr &x) {
  // Halide 14's erf is a minimax approximation accurate to the last three
  // bits of the mantissa (measured: relative error < 5e-7 on [-6, 6]);
  // beyond +-10 (where erf rounds to +-1) and at infinity it is NaN. NaN
  // itself comes out as a number (gelu multiplies it back in).
  return erf(clamp(x, -10.0f, 10.0f));
}

Expr vectorTanh(const Expr &x) {
  // x - x^3/3 + 2x^5/15 - 17x^7/315 for |x| < 1/16 (the next term is below
  // 1e-11 relative), where (1 - e) / (1 + e) would lose digits to
  // cancellation; else sign(x) (1 - e) / (1 + e) with e = exp(-2|x|).
  // Measured against double tanh over [-20, 20]: at most 7 ulps.
  Expr a = abs(x), x2 = x * x;
  Expr e = accurateExp(-2.0f * a);
  Expr large = (1.0f - e) / (1.0f + e);
  Expr small =
      x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315))));
  return propagateNaN(
      x, select(a < 0.0625f, small, select(x < 0.0f, -large, large)));
}

#define SORA_UNARY(Kind, expr)                                                 \
  template <>                                                                  \
  Expr pointwise<KernelOpKind::Kind>([[maybe_unused]] const KernelOp &op,      \
                                     const std::vector<Expr> &operands,        \
                                     const std::vector<Var> &) {               \
    const Expr &x = operands[0];                                               \
    return expr;                                                               \
  }
SORA_UNARY(Relu, propagateNaN(x, max(x, 0.0f)))
SORA_UNARY(Sigmoid, 1.0f / (1.0f + accurateExp(-x)))
SORA_UNARY(Tanh, vectorTanh(x))
SORA_UNARY(Exp, accurateExp(x))
SORA_UNARY(Sqrt, sqrt(x))
SORA_UNARY(Erf, propagateNaN(x, accurateErf(x)))
// x * 0.5 * (1 + erf(x / sqrt(2))).
SORA_UNARY(Gelu, x * 0.5f * (1.0f + accurateErf(x * 0.70710678118654752f)))
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
SORA_UNARY(GeluTanh, 0.5f * x *
                         (1.0f + vectorTanh(0.79788456080286536f *
                                            (x + 0.044715f * x * x * x))))
SORA_UNARY(Silu, x / (1.0f + accurateExp(-x)))
SORA_UNARY(LeakyRelu, select(x > 0.0f, x, x *op.scalars[0]))
SORA_UNARY(HardSwish, x *clamp(x + 3.0f, 0.0f, 6.0f) / 6.0f)
SORA_UNARY(Relu6, propagateNaN(x, clamp(x, 0.0f, 6.0f)))
SORA_UNARY(HardSigmoid, propagateNaN(x, clamp(op.scalars[0] * x + op.scalars[1],
                                              0.0f, 1.0f)))
SORA_UNARY(Clip, propagateNaN(x, min(max(x, op.scalars[0]), op.scalars[1])))
#undef SORA_UNARY

} // namespace sora
