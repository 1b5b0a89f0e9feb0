//===- MathKernelTest.cpp - Elementwise math kernels vs. the reference ----===//
//
// The math particles (sub, div, maximum, minimum and the activations) on
// broadcast shapes and wide input ranges, fused as epilogues, and the erf
// that exact GELU relies on against the C library's double erf.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"
#include "KernelTestSupport.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

namespace sora::test {
namespace {

using K = KernelOpKind;

class MathJit : public KernelJitTest {};

TEST_P(MathJit, BinaryOpsBroadcast) {
  for (K kind : {K::Sub, K::Div, K::Maximum, K::Minimum, K::PRelu}) {
    SpecBuilder b("binary");
    int lhs = b.arg({5, 1, 7}), rhs = b.arg({1, 6, 1});
    b.binary(kind, lhs, rhs);
    KernelSpec spec = b.finish(target());
    // Divisors away from zero.
    std::vector<Tensor> args{randomTensor({5, 1, 7}, 1),
                             randomTensor({1, 6, 1}, 2, 0.5f, 2.0f)};
    expectClose(spec, args, 1e-6);
  }
}

TEST_P(MathJit, PowBroadcastsLikeC) {
  SpecBuilder b("pow");
  int lhs = b.arg({5, 1, 7}), rhs = b.arg({1, 6, 1});
  b.binary(K::Pow, lhs, rhs);
  // Positive bases (a negative one with a fractional exponent is NaN, as
  // check_nonfinite.py checks with the special values).
  std::vector<Tensor> args{randomTensor({5, 1, 7}, 3, 0.1f, 3.0f),
                           randomTensor({1, 6, 1}, 4, -2.5f, 2.5f)};
  expectClose(b.finish(target()), args, 1e-5);
}

TEST_P(MathJit, SubIsNotCommutative) {
  SpecBuilder b("sub_order");
  int lhs = b.arg({3}), rhs = b.arg({2, 3});
  b.binary(K::Sub, lhs, rhs);
  std::vector<Tensor> args{Tensor{{3}, {1, 2, 3}},
                           Tensor{{2, 3}, {10, 10, 10, 0, 0, 0}}};
  Tensor got = runJit(b.finish(target()), args, target());
  EXPECT_EQ(got.data, (std::vector<float>{-9, -8, -7, 1, 2, 3}));
}

TEST_P(MathJit, UnaryOpsOnWideRanges) {
  float inf = std::numeric_limits<float>::infinity();
  struct Case {
    K kind;
    float lo, hi;
    std::array<float, 2> scalars;
  };
  for (Case c : {Case{K::Exp, -20, 8, {}},
                 Case{K::Sqrt, 0, 100, {}},
                 Case{K::Gelu, -10, 10, {}},
                 Case{K::GeluTanh, -10, 10, {}},
                 Case{K::Silu, -30, 30, {}},
                 Case{K::LeakyRelu, -5, 5, {0.01f, 0}},
                 Case{K::LeakyRelu, -5, 5, {0.3f, 0}},
                 Case{K::HardSwish, -5, 5, {}},
                 Case{K::Relu6, -3, 9, {}},
                 Case{K::HardSigmoid, -5, 5, {1 / 6.0f, 0.5f}},
                 Case{K::HardSigmoid, -5, 5, {0.2f, 0.5f}},
                 Case{K::HardSigmoid, -5, 5, {-0.7f, 0.1f}},
                 Case{K::Clip, -3, 3, {-1.5f, 0.25f}},
                 Case{K::Clip, -3, 3, {-inf, 0.5f}},
                 Case{K::Clip, -3, 3, {0.5f, inf}},
                 Case{K::Elu, -10, 5, {0.7f, 0}},
                 Case{K::Selu, -10, 5, {1.6732632f, 1.0507010f}},
                 Case{K::Celu, -10, 5, {2.0f, 0}},
                 Case{K::ThresholdedRelu, -3, 3, {0.5f, 0}},
                 Case{K::Shrink, -3, 3, {0.5f, 0.2f}},
                 Case{K::Abs, -5, 5, {}},
                 Case{K::Neg, -5, 5, {}},
                 Case{K::Reciprocal, 0.1f, 10, {}},
                 Case{K::Floor, -50, 50, {}},
                 Case{K::Ceil, -50, 50, {}},
                 Case{K::Round, -50, 50, {}},
                 Case{K::Sign, -5, 5, {}},
                 Case{K::Log, 0.01f, 100, {}},
                 Case{K::Sin, -10, 10, {}},
                 Case{K::Cos, -10, 10, {}},
                 Case{K::Tan, -1.4f, 1.4f, {}},
                 Case{K::Asin, -1, 1, {}},
                 Case{K::Acos, -1, 1, {}},
                 Case{K::Atan, -10, 10, {}},
                 Case{K::Sinh, -5, 5, {}},
                 Case{K::Cosh, -5, 5, {}},
                 Case{K::Asinh, -10, 10, {}},
                 Case{K::Acosh, 1, 10, {}},
                 Case{K::Atanh, -0.99f, 0.99f, {}},
                 Case{K::Softplus, -30, 30, {}},
                 Case{K::Softsign, -5, 5, {}},
                 Case{K::Mish, -10, 10, {}}}) {
    SpecBuilder b("unary");
    b.unary(c.kind, b.arg({3, 1001}), c.scalars);
    KernelSpec spec = b.finish(target());
    expectClose(spec, {randomTensor({3, 1001}, 9, c.lo, c.hi)}, 1e-6);
  }
}

TEST_P(MathJit, ActivationsFuseIntoConv) {
  SpecBuilder b("conv_gelu");
  int x = b.arg({1, 7, 8, 5}), w = b.arg({3, 3, 5, 19}), bias = b.arg({19});
  int c = b.conv(x, w, bias, {1, 1}, {1, 1}, {1, 1, 1, 1});
  b.unary(K::LeakyRelu, b.unary(K::Gelu, c), {0.2f, 0.0f});
  expectMatchesReference(b.finish(target()), target());
}

TEST_P(MathJit, ActivationsFuseIntoDense) {
  SpecBuilder b("dense_hswish");
  int x = b.arg({4, 33}), w = b.arg({33, 40}), shift = b.arg({40});
  int d = b.binary(K::Sub, b.dense(x, w), shift);
  b.unary(K::Clip, b.unary(K::HardSwish, d), {-0.1f, 0.4f});
  expectMatchesReference(b.finish(target()), target());
}

/// The erf of exact GELU: relative error at most 1e-6 against double erf,
/// on a dense grid over [-6, 6] and on tiny magnitudes.
TEST_P(MathJit, ErfIsAccurate) {
  std::vector<float> values;
  for (int i = 0; i <= 240000; ++i)
    values.push_back(-6.0f + 12.0f * (float)i / 240000.0f);
  for (int e = -40; e <= 0; ++e)
    for (float m : {1.0f, 1.3f, 1.7f})
      values.push_back(std::ldexp(m, e));
  Halide::Buffer<float> in(values.data(), (int)values.size());
  Halide::Func f("erf_test");
  Halide::Var i("i");
  f(i) = accurateErf(in(i));
  f.vectorize(i, 8);
  Halide::Buffer<float> out =
      f.realize({(int)values.size()}, Halide::Target(target().halideTarget));
  double worst = 0;
  float worstAt = 0;
  for (size_t k = 0; k < values.size(); ++k) {
    double want = std::erf((double)values[k]);
    if (want == 0)
      continue;
    double relative = std::fabs(out((int)k) - want) / std::fabs(want);
    if (relative > worst) {
      worst = relative;
      worstAt = values[k];
    }
  }
  EXPECT_LE(worst, 1e-6) << "worst at x = " << worstAt;
}

SORA_INSTANTIATE_FOR_HOST_TARGETS(MathJit);

} // namespace
} // namespace sora::test
