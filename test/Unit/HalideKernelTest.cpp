//===- HalideKernelTest.cpp - Kernels through the JIT vs. the reference ---===//
//
// Every op kind on odd shapes, paddings, strides and dilations, JIT-compiled
// from the same pipeline builder the AOT path uses, for each target this
// machine runs, with the default schedule and with explicit odd schedules.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "sora/Tuning/Heuristics.h"

#include "gtest/gtest.h"

#include <cmath>

namespace sora::test {
namespace {

using K = KernelOpKind;

class KernelJit : public KernelJitTest {};

//===----------------------------------------------------------------------===//
// Dense
//===----------------------------------------------------------------------===//

TEST_P(KernelJit, DenseBatch1MnistLayers) {
  for (auto [k, u] : {std::pair{784, 64}, {64, 64}, {64, 10}, {5408, 64}}) {
    SpecBuilder b("dense_b1");
    int x = b.arg({1, k}), w = b.arg({k, u}), bias = b.arg({u});
    b.unary(K::Relu, b.dense(x, w, bias));
    check(b.finish(target()));
  }
}

TEST_P(KernelJit, DenseOddShapes) {
  for (auto [n, k, u] : {std::tuple{3, 7, 10},
                         {13, 33, 45},
                         {2, 1, 1},
                         {17, 64, 97},
                         {64, 96, 80}}) {
    SpecBuilder b("dense_odd");
    int x = b.arg({n, k}), w = b.arg({k, u});
    b.dense(x, w);
    check(b.finish(target()));
  }
}

TEST_P(KernelJit, DenseExplicitSchedules) {
  SpecBuilder b("dense_sched");
  int x = b.arg({37, 29}), w = b.arg({29, 53}), bias = b.arg({53});
  b.dense(x, w, bias);
  KernelSpec spec = b.finish(target());
  // {vector, tileRows, tileCols, parallel, grain, packWeights}.
  // Packed ragged panels, parallel row blocks of 2 tiles.
  checkWith(spec, {8, 3, 24, 1, 2, 1});
  // Unpacked weights, a single column vector per tile.
  checkWith(spec, {4, 5, 4, 0, 1, 0});
  // One row per tile, parallel over column panels.
  checkWith(spec, {8, 40, 16, 1, 1, 1});
}

TEST_P(KernelJit, DenseWithBroadcastEpilogue) {
  SpecBuilder b("dense_epilogue");
  int x = b.arg({5, 12}), w = b.arg({12, 19}), bias = b.arg({19}),
      shift = b.arg({19});
  int d = b.dense(x, w, bias);
  b.unary(K::Tanh, b.binary(K::Add, d, shift));
  check(b.finish(target()));
}

TEST_P(KernelJit, DenseBroadcastIntoLargerResult) {
  // The epilogue broadcasts the dense result to a bigger shape, so the dense
  // op gets its own loop nest.
  SpecBuilder b("dense_bigger");
  int x = b.arg({1, 9}), w = b.arg({9, 21}), other = b.arg({4, 21});
  b.binary(K::Mul, b.dense(x, w), other);
  check(b.finish(target()));
}

//===----------------------------------------------------------------------===//
// Conv2D
//===----------------------------------------------------------------------===//

TEST_P(KernelJit, ConvMnistFirstLayer) {
  SpecBuilder b("conv_mnist");
  int x = b.arg({1, 28, 28, 1}), w = b.arg({3, 3, 1, 32}), bias = b.arg({32});
  b.unary(K::Relu, b.conv(x, w, bias));
  check(b.finish(target()));
}

TEST_P(KernelJit, ConvSamePadding) {
  SpecBuilder b("conv_same");
  int x = b.arg({2, 9, 11, 5}), w = b.arg({3, 3, 5, 7}), bias = b.arg({7});
  b.conv(x, w, bias, {1, 1}, {1, 1}, {1, 1, 1, 1});
  check(b.finish(target()));
}

TEST_P(KernelJit, ConvStridedAsymmetricPadding) {
  SpecBuilder b("conv_stride");
  int x = b.arg({2, 10, 9, 3}), w = b.arg({3, 2, 3, 20});
  b.conv(x, w, -1, {2, 3}, {1, 1}, {0, 1, 1, 0});
  check(b.finish(target()));
}

TEST_P(KernelJit, ConvTranspose) {
  // op.pad is the zero-inserted input's padding: (k - 1) * d - padding,
  // plus the output padding at the bottom and right; negative cuts rows.
  struct Case {
    Shape x, w;
    std::array<int64_t, 2> strides, dilation;
    std::array<int64_t, 4> pad;
    int64_t groups;
  };
  for (const Case &c : {
           Case{{2, 5, 6, 3}, {3, 3, 4, 3}, {2, 2}, {1, 1}, {1, 1, 2, 2}, 1},
           Case{{1, 4, 4, 6}, {2, 3, 5, 6}, {2, 3}, {1, 1}, {1, 2, 1, 2}, 2},
           Case{{1, 7, 5, 4}, {3, 3, 4, 4}, {1, 1}, {2, 1}, {4, 1, 3, 2}, 4},
           Case{{1, 6, 6, 2}, {5, 5, 17, 2}, {3, 3}, {1, 1}, {-1, 0, 2, 4}, 1},
       }) {
    SpecBuilder b("conv_transpose");
    KernelOp op = KernelOp::of(K::ConvTranspose2D);
    op.window = {c.w[0], c.w[1]};
    op.strides = c.strides;
    op.dilation = c.dilation;
    op.pad = c.pad;
    op.groups = c.groups;
    int x = b.arg(c.x), w = b.arg(c.w), bias = b.arg({c.w[2] * c.groups});
    b.unary(K::Relu, b.add(op, {x, w, bias}));
    check(b.finish(target()));
  }
}

TEST_P(KernelJit, ConvDilated) {
  SpecBuilder b("conv_dilated");
  int x = b.arg({1, 9, 8, 4}), w = b.arg({3, 3, 4, 17}), bias = b.arg({17});
  b.conv(x, w, bias, {1, 1}, {2, 2}, {2, 1, 0, 2});
  check(b.finish(target()));
}

TEST_P(KernelJit, ConvPointwiseWide) {
  // More output channels than one tile: packed weights, ragged last panel.
  SpecBuilder b("conv_1x1");
  int x = b.arg({1, 5, 7, 16}), w = b.arg({1, 1, 16, 90});
  b.conv(x, w);
  check(b.finish(target()));
}

TEST_P(KernelJit, Conv64To64WithEpilogue) {
  SpecBuilder b("conv_64");
  int x = b.arg({1, 14, 14, 64}), w = b.arg({3, 3, 64, 64}), bias = b.arg({64}),
      residual = b.arg({1, 14, 14, 64});
  int c = b.conv(x, w, bias, {1, 1}, {1, 1}, {1, 1, 1, 1});
  b.unary(K::Relu, b.binary(K::Add, c, residual));
  KernelSpec spec = b.finish(target());
  check(spec);
  // Packed panels narrower than F, parallel rows.
  checkWith(spec, {8, 4, 16, 1, 2, 1});
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

TEST_P(KernelJit, MaxPoolMnist) {
  SpecBuilder b("maxpool_mnist");
  b.pool(K::MaxPool2D, b.arg({1, 26, 26, 32}), {2, 2}, {2, 2});
  check(b.finish(target()));
}

TEST_P(KernelJit, MaxPoolPaddedCellsNeverWin) {
  SpecBuilder b("maxpool_pad");
  b.pool(K::MaxPool2D, b.arg({2, 7, 7, 3}), {3, 3}, {2, 2}, {1, 1, 1, 1});
  KernelSpec spec = b.finish(target());
  // All inputs negative: a padded zero would win if it were counted.
  std::vector<Tensor> args{randomTensor({2, 7, 7, 3}, 3, -2.0f, -1.0f)};
  Tensor got = runJit(spec, args, target());
  Tensor want = evaluateReference(spec, args);
  for (size_t i = 0; i < want.data.size(); ++i)
    ASSERT_FLOAT_EQ(got.data[i], want.data[i]) << "element " << i;
}

TEST_P(KernelJit, MaxPoolWithEpilogue) {
  SpecBuilder b("maxpool_relu");
  int x = b.arg({1, 9, 10, 40});
  b.unary(K::Relu, b.pool(K::MaxPool2D, x, {3, 2}, {2, 2}, {1, 0, 1, 1}));
  check(b.finish(target()));
}

TEST_P(KernelJit, AvgPoolExcludesPadding) {
  SpecBuilder b("avgpool_same");
  b.pool(K::AvgPool2D, b.arg({1, 5, 6, 20}), {3, 3}, {1, 1}, {1, 1, 1, 1});
  check(b.finish(target()));
}

TEST_P(KernelJit, AvgPoolValidOddInput) {
  SpecBuilder b("avgpool_valid");
  b.pool(K::AvgPool2D, b.arg({3, 5, 5, 1}), {2, 2}, {2, 2});
  check(b.finish(target()));
}

TEST_P(KernelJit, LpPoolNorms) {
  // p = 2 takes the x * x / sqrt path, the others pow; padded cells add
  // nothing; a relu epilogue fuses.
  for (float p : {2.0f, 3.0f, 1.5f, 1.0f}) {
    SpecBuilder b("lp_pool");
    KernelOp op = KernelOp::of(K::LpPool2D);
    op.window = {3, 2};
    op.strides = {2, 1};
    op.pad = {1, 0, 1, 1};
    op.scalars[0] = p;
    b.unary(K::Relu, b.add(op, {b.arg({2, 9, 10, 19})}));
    check(b.finish(target()));
  }
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

TEST_P(KernelJit, SoftmaxLastAxis) {
  for (Shape shape : {Shape{1, 10}, Shape{4, 33}, Shape{6}, Shape{2, 3, 40}}) {
    SpecBuilder b("softmax_last");
    b.softmax(b.arg(shape), (int64_t)shape.size() - 1);
    check(b.finish(target()));
  }
}

TEST_P(KernelJit, SoftmaxInnerAxis) {
  for (auto [shape, axis] : {std::pair{Shape{3, 20}, 0},
                             {Shape{3, 5, 7}, 1},
                             {Shape{2, 6, 30}, 0}}) {
    SpecBuilder b("softmax_inner");
    b.softmax(b.arg(shape), axis);
    check(b.finish(target()));
  }
}

TEST_P(KernelJit, SoftmaxLargeLogits) {
  // exp(x) overflows without the max subtraction.
  SpecBuilder b("softmax_large");
  int x = b.arg({2, 10}), scale = b.arg({1});
  b.softmax(b.binary(K::Mul, x, scale), 1);
  KernelSpec spec = b.finish(target());
  std::vector<Tensor> args{randomTensor({2, 10}, 5), Tensor{{1}, {200.0f}}};
  expectClose(spec, args, 1e-6);
}

TEST_P(KernelJit, SoftmaxWithEpilogue) {
  SpecBuilder b("softmax_mul");
  int x = b.arg({3, 12}), w = b.arg({12});
  b.binary(K::Mul, b.softmax(x, 1), w);
  check(b.finish(target()));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

TEST_P(KernelJit, AddBroadcastsAcrossRanks) {
  SpecBuilder b("add_bcast");
  b.binary(K::Add, b.arg({2, 3, 4}), b.arg({3, 1}));
  check(b.finish(target()));
}

TEST_P(KernelJit, MulBroadcastsBothOperands) {
  SpecBuilder b("mul_bcast");
  b.binary(K::Mul, b.arg({5, 1, 7}), b.arg({1, 6, 1}));
  check(b.finish(target()));
}

TEST_P(KernelJit, AddScalar) {
  SpecBuilder b("add_scalar");
  b.binary(K::Add, b.arg({}), b.arg({4, 5}));
  check(b.finish(target()));
}

TEST_P(KernelJit, ActivationChain) {
  SpecBuilder b("activations");
  int x = b.arg({3, 37});
  b.unary(K::Sigmoid, b.unary(K::Tanh, b.unary(K::Relu, x)));
  check(b.finish(target()));
}

TEST_P(KernelJit, ActivationsAreExact) {
  for (KernelOpKind kind : {K::Sigmoid, K::Tanh}) {
    SpecBuilder b("activation");
    b.unary(kind, b.arg({3, 1000}));
    KernelSpec spec = b.finish(target());
    std::vector<Tensor> args{randomTensor({3, 1000}, 7, -12.0f, 12.0f)};
    expectClose(spec, args, 1e-6);
  }
}

TEST_P(KernelJit, LargeElementwiseRunsInParallel) {
  SpecBuilder b("relu_big");
  b.unary(K::Relu, b.arg({600, 501}));
  KernelSpec spec = b.finish(target());
  EXPECT_EQ(spec.schedule.parallel, 1);
  check(spec);
}

TEST_P(KernelJit, ResultIsAnArgument) {
  SpecBuilder b("identity");
  b.arg({3, 4});
  check(b.finish(target(), 0));
}

SORA_INSTANTIATE_FOR_HOST_TARGETS(KernelJit);

} // namespace
} // namespace sora::test
