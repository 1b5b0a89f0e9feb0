//===- HeuristicsTest.cpp - Default schedules from kernel shapes ----------===//

#include "KernelTestSupport.h"

#include "sora/Tuning/CostModel.h"
#include "sora/Tuning/Heuristics.h"

#include "gtest/gtest.h"

namespace sora::test {
namespace {

using K = KernelOpKind;

const TargetInfo &avx2() { return *lookupTarget("x86-64-avx2"); }
const TargetInfo &avx512() { return *lookupTarget("x86-64-avx512"); }
const TargetInfo &arm() { return *lookupTarget("aarch64-linux"); }

KernelSpec denseSpec(int64_t n, int64_t k, int64_t u) {
  SpecBuilder b("dense");
  b.dense(b.arg({n, k}), b.arg({k, u}));
  b.spec.result = 2;
  return b.spec;
}

KernelSpec convSpec(Shape x, Shape w, std::array<int64_t, 4> pad,
                    int64_t groups = 1) {
  SpecBuilder b("conv");
  b.conv(b.arg(x), b.arg(w), -1, {1, 1}, {1, 1}, pad, groups);
  b.spec.result = 2;
  return b.spec;
}

TEST(Heuristics, FindsTheAnchor) {
  SpecBuilder b("k");
  int x = b.arg({2, 3});
  b.unary(K::Relu, b.dense(b.unary(K::Tanh, x), b.arg({3, 4})));
  EXPECT_EQ(anchorOpIndex(b.spec), 1);
  EXPECT_EQ(fusionRole(K::Softmax), FusionRole::Anchor);
  EXPECT_EQ(fusionRole(K::Add), FusionRole::Epilogue);
  SpecBuilder e("e");
  e.unary(K::Sigmoid, e.arg({4}));
  EXPECT_EQ(anchorOpIndex(e.spec), -1);
}

TEST(Heuristics, VectorWidthComesFromTheTarget) {
  KernelSpec spec = denseSpec(4, 8, 8);
  EXPECT_EQ(defaultSchedule(spec, avx2()).vector, 8);
  EXPECT_EQ(defaultSchedule(spec, avx512()).vector, 16);
  EXPECT_EQ(defaultSchedule(spec, arm()).vector, 4);
}

TEST(Heuristics, GemmUsesPackedRegisterTilesAndRowBlocks) {
  ScheduleRecord s = defaultSchedule(denseSpec(512, 512, 512), avx512());
  EXPECT_EQ(s.tileRows, 8);
  EXPECT_EQ(s.tileCols, 32);
  EXPECT_EQ(s.packWeights, 1);
  EXPECT_EQ(s.parallel, 1);
  EXPECT_EQ(s.grain * s.tileRows, 64); // 64-row parallel blocks
  // AVX2 has half the registers: a 6 x 2-vector tile.
  ScheduleRecord s2 = defaultSchedule(denseSpec(512, 512, 512), avx2());
  EXPECT_EQ(s2.tileRows, 6);
  EXPECT_EQ(s2.tileCols, 16);
}

TEST(Heuristics, Batch1DenseIsOneRowWithoutPacking) {
  for (auto [k, u] : {std::pair{784, 64}, {64, 10}, {5408, 64}}) {
    ScheduleRecord s = defaultSchedule(denseSpec(1, k, u), avx512());
    EXPECT_EQ(s.tileRows, 1);
    EXPECT_EQ(s.packWeights, 0);
    EXPECT_EQ(s.tileCols % s.vector, 0);
    EXPECT_LE(s.tileCols, ((u + 15) / 16) * 16);
  }
}

TEST(Heuristics, Batch1DenseStreamsLargeWeightsInParallel) {
  // 784x64 (196 KiB of weights) stays on one thread; 5408x64 (1.4 MiB) is
  // split into two column panels that two threads stream.
  ScheduleRecord small = defaultSchedule(denseSpec(1, 784, 64), avx512());
  EXPECT_EQ(small.parallel, 0);
  ScheduleRecord large = defaultSchedule(denseSpec(1, 5408, 64), avx512());
  EXPECT_EQ(large.parallel, 1);
  EXPECT_EQ(large.tileCols, 32);
  ScheduleRecord narrow = defaultSchedule(denseSpec(1, 5408, 10), avx512());
  EXPECT_EQ(narrow.parallel, 0) << "10 units fill one vector only";
}

TEST(Heuristics, ConvTilesChannelsTimesPixels) {
  ScheduleRecord s = defaultSchedule(
      convSpec({1, 56, 56, 64}, {3, 3, 64, 64}, {1, 1, 1, 1}), avx512());
  EXPECT_EQ(s.tileCols, 64);
  EXPECT_EQ(s.tileRows, 4) << "a Winograd tile: 16 accumulators";
  EXPECT_EQ(s.packWeights, 0);
  EXPECT_EQ(s.parallel, 1);

  ScheduleRecord mnist = defaultSchedule(
      convSpec({1, 28, 28, 1}, {3, 3, 1, 32}, {0, 0, 0, 0}), avx512());
  EXPECT_EQ(mnist.tileCols, 32);
  EXPECT_EQ(mnist.parallel, 0);

  ScheduleRecord wide = defaultSchedule(
      convSpec({1, 8, 8, 16}, {1, 1, 16, 200}, {0, 0, 0, 0}), avx2());
  // AVX2's 16 registers: 2 vectors x up to 6 pixels = 12 accumulators, plus
  // 2 weight vectors and a broadcast input (4 x 3 would need 17: spills);
  // 4 pixels cover the 8-wide rows exactly.
  EXPECT_EQ(wide.tileCols, 16);
  EXPECT_EQ(wide.tileRows, 4);
  EXPECT_EQ(wide.packWeights, 1);
}

TEST(Heuristics, GroupedConvTilesDivideTheFilters) {
  // 32 groups of 4 input channels over 96 filters: three vectors per tile,
  // not a ragged four (whose last tile would gather clamped input channels).
  ScheduleRecord s = defaultSchedule(
      convSpec({1, 28, 28, 128}, {3, 3, 4, 96}, {1, 1, 1, 1}, 32), avx512());
  EXPECT_EQ(s.tileCols, 48);
  // 40 filters have no divisor tile: the widest one covers them.
  EXPECT_EQ(
      defaultSchedule(convSpec({1, 8, 8, 80}, {3, 3, 2, 40}, {1, 1, 1, 1}, 40),
                      avx512())
          .tileCols,
      48);
}

TEST(Heuristics, DepthwiseConvsRunInOneVectorTiles) {
  auto depthwise = [](int64_t width, int64_t channels, TargetInfo target) {
    return defaultSchedule(convSpec({1, width, width, channels},
                                    {3, 3, 1, channels}, {1, 1, 1, 1},
                                    channels),
                           target);
  };
  // One vector of channels x a run of pixels: a whole row of up to 16, a
  // wider row in tiles of up to 14 that divide it, at least three (a 28-wide
  // row in four tiles of 7, not two of 14); a prime width in tiles of a
  // third of it.
  ScheduleRecord s = depthwise(14, 576, avx512());
  EXPECT_EQ(s.tileCols, 16);
  EXPECT_EQ(s.tileRows, 14);
  EXPECT_EQ(s.packWeights, 1);
  EXPECT_EQ(depthwise(56, 96, avx512()).tileRows, 14);
  EXPECT_EQ(depthwise(16, 24, avx512()).tileRows, 16);
  EXPECT_EQ(depthwise(28, 192, avx512()).tileRows, 7);
  EXPECT_EQ(depthwise(112, 32, avx512()).tileRows, 14);
  EXPECT_EQ(depthwise(23, 32, avx512()).tileRows, 8);
  // 120 channels in vectors of 8, which divide them (a ragged vector would
  // gather); 3 channels, which no vector divides, in the conv's tile.
  ScheduleRecord halved = depthwise(28, 120, avx512());
  EXPECT_EQ(halved.vector, 8);
  EXPECT_EQ(halved.tileCols, 8);
  EXPECT_EQ(depthwise(28, 3, avx512()).vector, 16);
  // 16 registers: whole rows of 8, else tiles of up to 6.
  ScheduleRecord narrow = depthwise(56, 96, avx2());
  EXPECT_EQ(narrow.tileCols, 8);
  EXPECT_EQ(narrow.tileRows, 4);
  EXPECT_EQ(depthwise(7, 96, avx2()).tileRows, 7);
  // 1.35 MFLOP, under the threshold for FMA-bound kernels, but a depthwise
  // conv is bound by its loads: parallel.
  EXPECT_EQ(depthwise(14, 384, avx512()).parallel, 1);
}

TEST(Heuristics, WeightsBeyondTheCacheGoPanelsOuter) {
  // A BERT FFN layer: 9 MiB of weights are read once per panel, not once
  // per row tile; the threads share the panels.
  ScheduleRecord ffn = defaultSchedule(denseSpec(128, 768, 3072), avx2());
  EXPECT_EQ(ffn.panelsOuter, 1);
  EXPECT_EQ(ffn.parallel, 1);
  EXPECT_EQ(ffn.grain, 1);
  EXPECT_EQ(defaultSchedule(denseSpec(128, 64, 64), avx2()).panelsOuter, 0);
  ScheduleRecord late = defaultSchedule(
      convSpec({1, 7, 7, 512}, {3, 3, 512, 512}, {1, 1, 1, 1}), avx2());
  EXPECT_EQ(late.panelsOuter, 1);
  EXPECT_EQ(late.parallel, 1);
  ScheduleRecord early = defaultSchedule(
      convSpec({1, 56, 56, 64}, {3, 3, 64, 64}, {1, 1, 1, 1}), avx2());
  EXPECT_EQ(early.panelsOuter, 0) << "144 KiB of weights stay in cache";
}

TEST(Heuristics, Stride1ThreeByThreeConvsRunWinograd) {
  ScheduleRecord early = defaultSchedule(
      convSpec({1, 56, 56, 64}, {3, 3, 64, 64}, {1, 1, 1, 1}), avx512());
  EXPECT_EQ(early.winograd, 1);
  EXPECT_EQ(early.panelsOuter, 0) << "256 KiB of transformed filters";
  EXPECT_EQ(early.grain, 3) << "tasks of 3 of the 28 tile rows";
  ScheduleRecord late = defaultSchedule(
      convSpec({1, 7, 7, 512}, {3, 3, 512, 512}, {1, 1, 1, 1}), avx512());
  EXPECT_EQ(late.winograd, 1);
  EXPECT_EQ(late.panelsOuter, 1) << "16 MiB of transformed filters";
  // Fewer input channels than a vector, a 1x1 window, a depthwise conv: the
  // direct sum.
  EXPECT_EQ(defaultSchedule(
                convSpec({1, 28, 28, 8}, {3, 3, 8, 64}, {1, 1, 1, 1}), avx512())
                .winograd,
            0);
  EXPECT_EQ(
      defaultSchedule(convSpec({1, 28, 28, 64}, {1, 1, 64, 64}, {0, 0, 0, 0}),
                      avx512())
          .winograd,
      0);
  EXPECT_EQ(
      defaultSchedule(
          convSpec({1, 28, 28, 64}, {3, 3, 1, 64}, {1, 1, 1, 1}, 64), avx512())
          .winograd,
      0);
}

TEST(Heuristics, PoolsGoParallelByTheElementsTheyRead) {
  // ResNet-18's max pool: 200K outputs of 9 reads each.
  SpecBuilder b("pool");
  b.pool(K::MaxPool2D, b.arg({1, 112, 112, 64}), {3, 3}, {2, 2}, {1, 1, 1, 1});
  b.spec.result = 1;
  EXPECT_EQ(defaultSchedule(b.spec, avx512()).parallel, 1);
  SpecBuilder small("small_pool");
  small.pool(K::MaxPool2D, small.arg({1, 26, 26, 32}), {2, 2}, {2, 2});
  small.spec.result = 1;
  EXPECT_EQ(defaultSchedule(small.spec, avx512()).parallel, 0);
}

TEST(Heuristics, SoftmaxesGoParallelByTheirWork) {
  // BERT-base's attention scores: 196K elements, each an exponential.
  SpecBuilder b("scores");
  b.softmax(b.arg({12, 128, 128}), 2);
  b.spec.result = 1;
  EXPECT_EQ(defaultSchedule(b.spec, avx512()).parallel, 1);
  SpecBuilder add("add");
  add.binary(K::Add, add.arg({12, 128, 128}), add.arg({12, 128, 128}));
  add.spec.result = 2;
  EXPECT_EQ(defaultSchedule(add.spec, avx512()).parallel, 0);
  SpecBuilder small("small_scores");
  small.softmax(small.arg({12, 64, 64}), 2);
  small.spec.result = 1;
  EXPECT_EQ(defaultSchedule(small.spec, avx512()).parallel, 0);
}

TEST(Heuristics, RowProducersRunInTasksOfAQuarterImage) {
  // MobileNetV2's second block: each task computes the depthwise window's
  // first producer rows again, so 56 output rows go in 4 tasks, not 8.
  SpecBuilder b("expand_depthwise");
  int x = b.arg({1, 112, 112, 16}), pw = b.arg({1, 1, 16, 96});
  int dw = b.arg({3, 3, 1, 96});
  int expanded = b.unary(K::Relu6, b.conv(x, pw));
  b.conv(expanded, dw, -1, {2, 2}, {1, 1}, {0, 0, 1, 1}, 96);
  b.spec.result = 5;
  ASSERT_TRUE(isRowProducer(b.spec, 0));
  EXPECT_EQ(anchorOpIndex(b.spec), 2);
  ScheduleRecord s = defaultSchedule(b.spec, avx512());
  EXPECT_EQ(s.grain, 14);
  EXPECT_EQ(s.tileCols, 48); // the widest tile dividing the 96 channels
  EXPECT_EQ(s.parallel, 1);
}

TEST(Heuristics, AConvComputedPerImageOwnsThePoolsSchedule) {
  // cnn_mnist at batch 64: the conv's tiles, tasks of one image each, no
  // Winograd (its tiles are not scheduled per image).
  SpecBuilder b("conv_pool");
  int x = b.arg({64, 28, 28, 16}), w = b.arg({3, 3, 16, 32});
  int conv = b.unary(K::Relu, b.conv(x, w));
  b.pool(K::MaxPool2D, conv, {2, 2}, {2, 2});
  ASSERT_TRUE(isImageProducer(b.spec, 0));
  EXPECT_EQ(anchorOpIndex(b.spec), 0);
  ScheduleRecord s = defaultSchedule(b.spec, avx512());
  EXPECT_EQ(s.tileCols, 32);
  EXPECT_GT(s.tileRows, 1);
  EXPECT_EQ(s.winograd, 0);
  EXPECT_EQ(s.parallel, 1);
  EXPECT_EQ(s.grain, 1);
  EXPECT_EQ(parallelLoopExtent(kernelWork(b.spec), s), 64);
}

TEST(Heuristics, ConvPixelTilesAvoidRecomputingShortRows) {
  auto pixels = [](int64_t width) {
    return defaultSchedule(
               convSpec({1, width, width, 512}, {3, 3, 512, 512}, {1, 1, 1, 1}),
               avx2())
        .tileRows;
  };
  EXPECT_EQ(pixels(56), 6); // 60 computed for 56: close enough
  EXPECT_EQ(pixels(28), 6);
  EXPECT_EQ(pixels(14), 5); // tiles of 6 would compute 18
  EXPECT_EQ(pixels(7), 4);  // tiles of 6 would compute 12
  EXPECT_EQ(pixels(5), 5);  // the whole row
}

TEST(Heuristics, ConvTilesGoOneVectorNarrowerWhenThatComputesLess) {
  auto tile = [](int64_t width, int64_t filters) {
    ScheduleRecord s = defaultSchedule(
        convSpec({1, width, width, 160}, {1, 1, 160, filters}, {0, 0, 0, 0}),
        avx512());
    return std::pair(s.tileCols, s.tileRows);
  };
  // MobileNetV2's 7- and 14-wide rows: 3 vectors x 7 pixels cover them
  // exactly; 4 x 4 computes 8 pixels per 7, 4 x 5 15 per 14.
  EXPECT_EQ(tile(7, 960), std::pair(48, 7));
  EXPECT_EQ(tile(14, 576), std::pair(48, 7));
  // 160 filters: 4 vectors compute 192, and so do 3, on fewer pixels.
  EXPECT_EQ(tile(7, 160), std::pair(48, 7));
  // 64 filters: a 3-vector tile would compute 96.
  EXPECT_EQ(tile(14, 64), std::pair(64, 5));
  // 112-wide rows: 6 pixels compute 114, close enough.
  EXPECT_EQ(tile(112, 64), std::pair(64, 6));
  // Panels outermost guard their last pixel tile: no recomputation to save.
  ScheduleRecord late = defaultSchedule(
      convSpec({1, 7, 7, 320}, {1, 1, 320, 1280}, {0, 0, 0, 0}), avx512());
  EXPECT_EQ(late.panelsOuter, 1);
  EXPECT_EQ(late.tileCols, 64);
}

TEST(Heuristics, TilesNeverExceedTheShape) {
  ScheduleRecord s = defaultSchedule(denseSpec(3, 7, 5), avx512());
  EXPECT_EQ(s.tileRows, 3);
  EXPECT_EQ(s.tileCols, 16);
  ScheduleRecord c = defaultSchedule(
      convSpec({1, 4, 2, 3}, {3, 3, 3, 5}, {1, 1, 1, 1}), avx2());
  EXPECT_EQ(c.tileRows, 2);
  EXPECT_EQ(c.tileCols, 8);
}

TEST(Heuristics, ElementwiseGoesParallelOnlyWhenLarge) {
  SpecBuilder small("small");
  small.unary(K::Relu, small.arg({4, 100}));
  small.spec.result = 1;
  EXPECT_EQ(defaultSchedule(small.spec, avx512()).parallel, 0);
  SpecBuilder large("large");
  large.unary(K::Relu, large.arg({1024, 1024}));
  large.spec.result = 1;
  EXPECT_EQ(defaultSchedule(large.spec, avx512()).parallel, 1);
}

TEST(Heuristics, MalformedSpecsGetAGenericSchedule) {
  KernelSpec spec = denseSpec(4, 8, 8);
  spec.ops[0].operands = {42};
  ScheduleRecord s = defaultSchedule(spec, avx512());
  EXPECT_EQ(s.vector, 16);
  EXPECT_EQ(s.tileCols % s.vector, 0);
  spec = convSpec({1, 4, 4, 3}, {3, 3, 3, 8}, {0, 0, 0, 0});
  spec.ops[0].shape = {1, 0, 0, 8};
  EXPECT_GE(defaultSchedule(spec, avx2()).tileRows, 1);
}

} // namespace
} // namespace sora::test
