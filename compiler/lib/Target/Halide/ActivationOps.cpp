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

/// log(x) with IEEE's special cases: Halide's log reads the exponent bits,
/// so log(inf) and log(NaN) came out near 88.7 and denormals wrong. Those
/// are scaled by 2^24 first; 0 gives -inf, negatives NaN.
static Expr accurateLog(const Expr &x) {
  Expr bits = reinterpret(Int(32), x);
  Expr inf(std::numeric_limits<float>::infinity());
  Expr nan = reinterpret(Float(32), Expr(0x7fc00000));
  Expr tiny = bits < 0x00800000; // a denormal, zero or negative
  Expr value = log(select(tiny, x * 16777216.0f, x)) -
               select(tiny, 16.635532333438687f, 0.0f);
  value = selectBits(bits == 0x7f800000, inf, value);
  value = selectBits((bits & 0x7fffffff) == 0, -inf, value);
  value = selectBits(bits < 0 && (bits & 0x7fffffff) != 0, nan, value);
  return propagateNaN(x, value);
}

/// log(1 + e^x), and x itself above 20 (as torch.nn.functional.softplus).
static Expr softplus(const Expr &x) {
  return select(x > 20.0f, x, accurateLog(1.0f + accurateExp(x)));
}

/// sinh (odd) or cosh: e^|x| / 2 beyond |x| = 10, where Halide's versions
/// stop short of infinity (infinite from ln(FLT_MAX) on, as PyTorch's);
/// Halide's own inside.
static Expr hyperbolic(const Expr &x, bool odd) {
  Expr big = accurateExp(abs(x)) * 0.5f;
  Expr large = odd ? selectBits(x < 0.0f, -big, big) : big;
  return propagateNaN(
      x, selectBits(abs(x) > 10.0f, large, odd ? sinh(x) : cosh(x)));
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
SORA_UNARY(Abs, abs(x))
SORA_UNARY(Neg, -x)
SORA_UNARY(Reciprocal, 1.0f / x)
SORA_UNARY(Floor, floor(x))
SORA_UNARY(Ceil, ceil(x))
SORA_UNARY(Round, round(x))
SORA_UNARY(Sign, select(x > 0.0f, 1.0f, x < 0.0f, -1.0f, 0.0f))
SORA_UNARY(Log, accurateLog(x))
SORA_UNARY(Sin, sin(x))
SORA_UNARY(Cos, cos(x))
SORA_UNARY(Tan, tan(x))
SORA_UNARY(Asin, asin(x))
SORA_UNARY(Acos, acos(x))
SORA_UNARY(Atan, atan(x))
SORA_UNARY(Sinh, hyperbolic(x, /*odd=*/true))
SORA_UNARY(Cosh, hyperbolic(x, /*odd=*/false))
SORA_UNARY(Asinh, asinh(x))
SORA_UNARY(Acosh, acosh(x))
SORA_UNARY(Atanh, atanh(x))
SORA_UNARY(Softplus, softplus(x))
SORA_UNARY(Softsign, x / (1.0f + abs(x)))
SORA_UNARY(Mish, x *vectorTanh(softplus(x)))
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
SORA_UNARY(Elu,
           propagateNaN(x, select(x > 0.0f, x,
                                  op.scalars[0] * (accurateExp(x) - 1.0f))))
SORA_UNARY(Selu,
           propagateNaN(x, op.scalars[1] *
                               select(x > 0.0f, x,
                                      op.scalars[0] * (accurateExp(x) - 1.0f))))
SORA_UNARY(Celu,
           propagateNaN(x, select(x > 0.0f, x,
                                  op.scalars[0] *
                                      (accurateExp(x / op.scalars[0]) - 1.0f))))
SORA_UNARY(ThresholdedRelu, propagateNaN(x, select(x > op.scalars[0], x, 0.0f)))
// NaN gives 0, as ONNX defines Shrink (and torch's softshrink computes it).
SORA_UNARY(Shrink, select(x<-op.scalars[0], x + op.scalars[1], x> op.scalars[0],
                          x - op.scalars[1], 0.0f))
SORA_UNARY(Clip, propagateNaN(x, min(max(x, op.scalars[0]), op.scalars[1])))
#undef SORA_UNARY

} // namespace sora
