//===- PreprocessKernelTest.cpp - erf, normalize, resize, grid_sample -----===//
//
// The preprocessing kinds JIT-compiled on every host target and compared
// with values worked out by hand from PyTorch's definitions (the e2e tests
// compare whole models with PyTorch itself).
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "HalideKernel.h"

#include <cmath>

namespace sora::test {
namespace {

using K = KernelOpKind;

/// A kernel of one op of `kind` reading one argument of shape `in`.
KernelSpec oneOp(KernelOpKind kind, const Shape &in, const Shape &out) {
  KernelSpec spec;
  spec.name = "pre";
  spec.args = {in};
  KernelOp op;
  op.kind = kind;
  op.operands = {0};
  op.shape = out;
  spec.ops = {op};
  spec.result = 1;
  return spec;
}

Tensor iota(const Shape &shape) {
  Tensor t{shape, std::vector<float>(numElements(shape))};
  for (size_t i = 0; i < t.data.size(); ++i)
    t.data[i] = (float)i;
  return t;
}

class PreprocessKernelTest : public KernelJitTest {
protected:
  void expectValues(const KernelSpec &spec, const Tensor &x,
                    const std::vector<float> &want) {
    Tensor got = runJit(spec, {x}, target());
    ASSERT_EQ(got.data.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got.data[i], want[i], 1e-5f) << "element " << i;
  }
};

TEST_P(PreprocessKernelTest, NearestPicksPyTorchSourceRows) {
  // 'nearest': min(floor(o * in / out), in - 1); twice the size reads o / 2.
  expectValues(oneOp(KernelOpKind::ResizeNearest, {1, 5, 1, 1}, {1, 3, 1, 1}),
               iota({1, 5, 1, 1}), {0, 1, 3});
  expectValues(oneOp(KernelOpKind::ResizeNearest, {1, 3, 1, 1}, {1, 6, 1, 1}),
               iota({1, 3, 1, 1}), {0, 0, 1, 1, 2, 2});
  // With a scale factor of 1.5 the coordinate scale is 1/1.5, not 4/6.
  KernelSpec spec =
      oneOp(KernelOpKind::ResizeNearest, {1, 1, 4, 2}, {1, 1, 6, 2});
  spec.ops[0].scaleFactor = {1.0, 1.5};
  expectValues(spec, iota({1, 1, 4, 2}), {0, 1, 0, 1, 2, 3, 4, 5, 4, 5, 6, 7});
}

TEST_P(PreprocessKernelTest, BilinearUsesHalfPixelCentres) {
  // in 2 -> out 4: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (row 1).
  Tensor x{{1, 2, 1, 1}, {0.0f, 10.0f}};
  expectValues(oneOp(KernelOpKind::ResizeBilinear, {1, 2, 1, 1}, {1, 4, 1, 1}),
               x, {0.0f, 2.5f, 7.5f, 10.0f});
}

TEST_P(PreprocessKernelTest, BilinearAlignsCorners) {
  KernelSpec spec =
      oneOp(KernelOpKind::ResizeBilinear, {1, 2, 2, 1}, {1, 3, 3, 1});
  spec.ops[0].alignCorners = true;
  expectValues(spec, iota({1, 2, 2, 1}),
               {0.0f, 0.5f, 1.0f, 1.0f, 1.5f, 2.0f, 2.0f, 2.5f, 3.0f});
}

TEST_P(PreprocessKernelTest, NormalizeIsPerChannel) {
  KernelSpec spec = oneOp(KernelOpKind::Normalize, {1, 2, 3}, {1, 2, 3});
  spec.ops[0].scalars[0] = 2.0f;
  spec.ops[0].channelMean = {1.0f, 2.0f, 3.0f};
  spec.ops[0].channelStd = {2.0f};
  // (x * 2 - mean[c]) / 2 for x = 0..5.
  expectValues(spec, iota({1, 2, 3}), {-0.5f, 0.0f, 0.5f, 2.5f, 3.0f, 3.5f});
}

TEST_P(PreprocessKernelTest, ErfMatchesTheCLibrary) {
  Tensor x{{41}, {}};
  for (int i = 0; i <= 40; ++i)
    x.data.push_back(-5.0f + 0.25f * (float)i);
  std::vector<float> want;
  for (float v : x.data)
    want.push_back((float)std::erf((double)v));
  expectValues(oneOp(KernelOpKind::Erf, {41}, {41}), x, want);
}

SORA_INSTANTIATE_FOR_HOST_TARGETS(PreprocessKernelTest);

TEST_P(PreprocessKernelTest, ResizesMatchTheReference) {
  for (K kind : {K::ResizeNearest, K::ResizeBilinear})
    for (std::array<double, 2> scale :
         {std::array<double, 2>{0.0, 0.0}, std::array<double, 2>{1.5, 0.75}}) {
      SpecBuilder b("resize");
      KernelOp op = KernelOp::of(kind);
      op.shape = {2, 0, 9, 3}; // the rule keeps N and C from the input
      op.shape[1] = scale[0] > 0 ? 7 : 11;
      op.scaleFactor = scale;
      b.add(op, {b.arg({2, 5, 12, 3})});
      check(b.finish(target()));
    }
  KernelOp aligned = KernelOp::of(K::ResizeBilinear);
  aligned.alignCorners = true;
  aligned.shape = {1, 8, 3, 2};
  SpecBuilder b("resize_aligned");
  b.add(aligned, {b.arg({1, 3, 5, 2})});
  check(b.finish(target()));
}

TEST_P(PreprocessKernelTest, GridSampleReadsPixelsAtGridPoints) {
  // A 1x3 image 0, 10, 20. Not corner-aligned, x = -1 is the left edge of
  // pixel 0 (source -0.5) and 0 the centre of pixel 1; aligned, -1 is the
  // centre of pixel 0. Zeros padding fades to 0 past the edge; border reads
  // the edge pixel; 0.5 lies between pixels 1 and 2 (source 1.75: 17.5); 2
  // is source 4, outside.
  KernelSpec spec;
  spec.name = "grid";
  spec.args = {{1, 1, 3, 1}, {1, 1, 4, 2}};
  KernelOp op = KernelOp::of(K::GridSampleBilinear);
  op.operands = {0, 1};
  op.shape = {1, 1, 4, 1};
  spec.ops = {op};
  spec.result = 2;
  Tensor image{{1, 1, 3, 1}, {0.0f, 10.0f, 20.0f}};
  Tensor grid{{1, 1, 4, 2}, {-1, 0, 0, 0, 0.5f, 0, 2, 0}};
  auto run = [&](GridPadding padding, bool aligned) {
    spec.ops[0].gridPadding = padding;
    spec.ops[0].alignCorners = aligned;
    return runJit(spec, {image, grid}, target()).data;
  };
  // Height 1: y = 0 is the row's centre (source 0) either way.
  EXPECT_EQ(run(GridPadding::Zeros, false),
            (std::vector<float>{0.0f, 10.0f, 17.5f, 0.0f}));
  EXPECT_EQ(run(GridPadding::Border, false),
            (std::vector<float>{0.0f, 10.0f, 17.5f, 20.0f}));
  // Aligned: sources 0, 1, 1.5 and 3, reflected about pixel 2's centre
  // to 1.
  EXPECT_EQ(run(GridPadding::Reflection, true),
            (std::vector<float>{0.0f, 10.0f, 15.0f, 10.0f}));
  spec.ops[0].kind = K::GridSampleNearest;
  // Nearest, not aligned: sources -0.5 (ties to even: 0), 1, 1.75, 4.
  EXPECT_EQ(run(GridPadding::Zeros, false),
            (std::vector<float>{0.0f, 10.0f, 20.0f, 0.0f}));
}

TEST_P(PreprocessKernelTest, GridSamplesMatchTheReference) {
  for (K kind : {K::GridSampleNearest, K::GridSampleBilinear})
    for (GridPadding padding :
         {GridPadding::Zeros, GridPadding::Border, GridPadding::Reflection})
      for (bool aligned : {false, true}) {
        SCOPED_TRACE(std::string(kernelOpName(kind)) + " " +
                     gridPaddingName(padding) + (aligned ? " aligned" : ""));
        SpecBuilder b("grid_sample");
        KernelOp op = KernelOp::of(kind);
        op.alignCorners = aligned;
        op.gridPadding = padding;
        op.shape = {2, 5, 7, 3};
        b.add(op, {b.arg({2, 4, 6, 3}), b.arg({2, 5, 7, 2})});
        KernelSpec spec = b.finish(target());
        std::vector<Tensor> args = randomArgs(spec);
        // Points up to 3.5 image widths away, and non-finite ones (no
        // pixel: 0 with zeros padding; PyTorch's is undefined otherwise).
        for (float &g : args[1].data)
          g *= 3.5f;
        if (padding == GridPadding::Zeros) {
          args[1].data[0] = NAN;
          args[1].data[3] = INFINITY;
          args[1].data[4] = -INFINITY;
        }
        expectClose(spec, args, 1e-5);
      }
}

TEST(PreprocessKernelSpec, RejectsMalformedOps) {
  KernelSpec spec = oneOp(KernelOpKind::Normalize, {1, 2, 3}, {1, 2, 3});
  spec.ops[0].channelMean = {1.0f, 2.0f};
  spec.ops[0].channelStd = {1.0f};
  EXPECT_THROW(buildHalideKernel(spec), Halide::CompileError);
  spec = oneOp(KernelOpKind::ResizeBilinear, {2, 3, 4}, {2, 6, 8});
  EXPECT_THROW(buildHalideKernel(spec), Halide::CompileError);
  spec = oneOp(KernelOpKind::ResizeNearest, {1, 2, 3, 4}, {1, 4, 6, 5});
  EXPECT_THROW(buildHalideKernel(spec), Halide::CompileError);
}

} // namespace
} // namespace sora::test
