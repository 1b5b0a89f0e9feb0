//===- NNKernelTest.cpp - Network layer kernels vs. the reference ---------===//
//
// Grouped and depthwise convolutions (with padding, strides, packed and
// unpacked weights, epilogues) and the other network layers added with them.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "Halide.h"

#include "gtest/gtest.h"

#include <cmath>

namespace sora::test {
namespace {

using K = KernelOpKind;

class NNJit : public KernelJitTest {
protected:
  /// Runs `spec` with positive variances (argument `variance`), at 1e-5.
  void checkBatchNorm(const KernelSpec &spec, int variance) {
    std::vector<Tensor> args = randomArgs(spec);
    args[variance] = randomTensor(spec.args[variance], 40, 0.25f, 2.0f);
    expectClose(spec, args, 1e-5);
  }
};

//===----------------------------------------------------------------------===//
// Grouped convolution
//===----------------------------------------------------------------------===//

TEST_P(NNJit, DepthwiseConv) {
  SpecBuilder b("depthwise");
  int x = b.arg({2, 9, 10, 32}), w = b.arg({3, 3, 1, 32}), bias = b.arg({32});
  b.unary(K::Relu6,
          b.conv(x, w, bias, {1, 1}, {1, 1}, {1, 1, 1, 1}, /*groups=*/32));
  check(b.finish(target()));
}

TEST_P(NNJit, DepthwiseRaggedTiles) {
  // 40 channels: the last register tile is partial, with the default tile
  // and with packed 16-wide panels in tasks of 3 output rows.
  SpecBuilder b("depthwise_ragged");
  int x = b.arg({1, 13, 11, 40}), w = b.arg({3, 3, 1, 40}), bias = b.arg({40});
  b.conv(x, w, bias, {2, 2}, {1, 1}, {1, 1, 1, 1}, /*groups=*/40);
  KernelSpec spec = b.finish(target());
  check(spec);
  checkWith(spec, {8, 3, 16, 1, 3, 1, 0});
}

TEST_P(NNJit, DepthwiseMultiplierStrided) {
  // Two filters per input channel, stride 2, asymmetric padding.
  SpecBuilder b("depthwise_x2");
  int x = b.arg({1, 11, 9, 12}), w = b.arg({3, 3, 1, 24});
  b.conv(x, w, -1, {2, 2}, {1, 1}, {0, 1, 1, 1}, /*groups=*/12);
  check(b.finish(target()));
}

TEST_P(NNJit, DepthwiseReadsItsPaddingInPlace) {
  // One-vector tiles read the padded input in place, bounds tested: rows in
  // tiles shifted inwards (29 wide in tiles of 10), in one tile meeting both
  // borders (whole rows), tiles of one pixel; a 7x7 window padded by 3
  // (ConvNeXt), 40 channels (a ragged last vector), 2 images; then
  // stride 2 with dilation 2 and asymmetric padding.
  SpecBuilder b("depthwise_in_place");
  int x = b.arg({2, 9, 29, 40}), w = b.arg({7, 7, 1, 40}), bias = b.arg({40});
  b.unary(K::Relu6,
          b.conv(x, w, bias, {1, 1}, {1, 1}, {3, 3, 3, 3}, /*groups=*/40));
  KernelSpec spec = b.finish(target());
  check(spec);
  checkWith(spec, {8, 10, 8, 1, 2, 1, 0});
  checkWith(spec, {8, 29, 8, 0, 1, 0, 0});
  checkWith(spec, {8, 1, 8, 1, 1, 1, 0});
  SpecBuilder s("depthwise_in_place_strided");
  int sx = s.arg({1, 12, 23, 24}), sw = s.arg({3, 3, 1, 24});
  s.conv(sx, sw, -1, {2, 2}, {2, 2}, {0, 2, 1, 1}, /*groups=*/24);
  KernelSpec strided = s.finish(target());
  check(strided);
  checkWith(strided, {8, 4, 8, 1, 1, 1, 0});
}

TEST_P(NNJit, GroupedConv) {
  for (int64_t groups : {2, 4}) {
    SpecBuilder b("grouped");
    int x = b.arg({1, 7, 8, 16}), w = b.arg({3, 3, 16 / groups, 40}),
        bias = b.arg({40});
    b.conv(x, w, bias, {1, 1}, {2, 2}, {2, 2, 2, 2}, groups);
    KernelSpec spec = b.finish(target());
    check(spec);
    // Packed panels that straddle groups, and unpacked weights.
    checkWith(spec, {8, 3, 16, 1, 1, 1});
    checkWith(spec, {4, 2, 8, 0, 1, 0});
  }
}

//===----------------------------------------------------------------------===//
// Batch norm
//===----------------------------------------------------------------------===//

/// The arguments gamma, beta, mean and variance of a batch norm.
struct BatchNormArgs {
  int gamma, beta, mean, variance;
  BatchNormArgs(SpecBuilder &b, int64_t channels)
      : gamma(b.arg({channels})), beta(b.arg({channels})),
        mean(b.arg({channels})), variance(b.arg({channels})) {}
};

static int batchNorm(SpecBuilder &b, int x, const BatchNormArgs &p,
                     float epsilon) {
  KernelOp op = KernelOp::of(K::BatchNorm);
  op.scalars[0] = epsilon;
  return b.add(op, {x, p.gamma, p.beta, p.mean, p.variance});
}

TEST_P(NNJit, BatchNormAlone) {
  SpecBuilder b("batch_norm");
  int x = b.arg({2, 5, 3, 19});
  BatchNormArgs p(b, 19);
  batchNorm(b, x, p, 1e-3f);
  checkBatchNorm(b.finish(target()), p.variance);
}

TEST_P(NNJit, BatchNormFusedIntoConv) {
  SpecBuilder b("conv_bn");
  int x = b.arg({1, 8, 9, 6}), w = b.arg({3, 3, 6, 24});
  BatchNormArgs p(b, 24);
  int c = b.conv(x, w, -1, {1, 1}, {1, 1}, {1, 1, 1, 1});
  b.unary(K::Relu, batchNorm(b, c, p, 1e-5f));
  checkBatchNorm(b.finish(target()), p.variance);
}

//===----------------------------------------------------------------------===//
// Layer norm
//===----------------------------------------------------------------------===//

TEST_P(NNJit, LayerNormAxes) {
  for (auto [shape, axis] : {std::pair{Shape{4, 64}, 1},
                             {Shape{2, 5, 33}, 2},
                             {Shape{3, 20}, 0},
                             {Shape{2, 7, 6}, 1}}) {
    SpecBuilder b("layer_norm");
    int x = b.arg(shape), gamma = b.arg({shape[axis]}),
        beta = b.arg({shape[axis]});
    b.layerNorm(x, gamma, beta, axis, 1e-5f);
    check(b.finish(target()));
  }
}

TEST_P(NNJit, LayerNormWithoutAffine) {
  // Instance and group norms: the statistics along an inner or an outer
  // axis, no gamma and beta; a scale and shift fuse after it.
  for (auto [shape, axis] :
       {std::pair{Shape{2, 49, 6}, 1}, {Shape{2, 3, 40}, 2}}) {
    SpecBuilder b("layer_norm_plain");
    int x = b.arg(shape), scale = b.arg({shape.back()});
    KernelOp op = KernelOp::of(K::LayerNorm);
    op.axis = axis;
    op.scalars[0] = 1e-5f;
    b.binary(K::Mul, b.add(op, {x}), scale);
    check(b.finish(target()));
  }
}

TEST_P(NNJit, LayerNormWithEpilogue) {
  SpecBuilder b("layer_norm_gelu");
  int x = b.arg({6, 40}), gamma = b.arg({40}), beta = b.arg({40}),
      residual = b.arg({6, 40});
  int y = b.layerNorm(x, gamma, beta, 1, 1e-3f);
  b.binary(K::Add, b.unary(K::Gelu, y), residual);
  check(b.finish(target()));
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

TEST_P(NNJit, ReduceEveryKindAndAxes) {
  // Inner, outer and several axes, kept or dropped, on ragged extents.
  struct Case {
    Shape shape;
    std::vector<int64_t> axes;
    bool keepDims;
  };
  for (const Case &c :
       {Case{{2, 7, 5, 19}, {1, 2}, true}, Case{{3, 37}, {1}, false},
        Case{{6, 4, 9}, {0}, true}, Case{{2, 3, 17}, {0, 2}, false}})
    for (int k = 0; k <= (int)ReduceKind::LogSumExp; ++k) {
      SpecBuilder b(std::string("reduce_") + reduceKindName(ReduceKind(k)));
      b.reduce(b.arg(c.shape), ReduceKind(k), c.axes, c.keepDims);
      check(b.finish(target()));
    }
}

TEST_P(NNJit, ReduceWithEpilogue) {
  // A global mean of NHWC channels, then a broadcast scale (squeeze-excite).
  SpecBuilder b("reduce_mean_mul");
  int x = b.arg({1, 6, 5, 24}), scale = b.arg({24});
  b.binary(K::Mul, b.reduce(x, ReduceKind::Mean, {1, 2}, true), scale);
  check(b.finish(target()));
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

TEST_P(NNJit, MatMulShapes) {
  struct Case {
    Shape a, b;
    bool ta, tb;
  };
  for (Case c : {Case{{7, 13}, {13, 21}, false, false},
                 Case{{1, 64}, {64, 40}, false, false},
                 Case{{2, 3, 8, 16}, {2, 3, 16, 8}, false, false},
                 Case{{2, 8, 16}, {2, 9, 16}, false, true},
                 Case{{16, 5}, {16, 33}, true, false},
                 Case{{3, 1, 6, 5}, {4, 5, 7}, false, false},
                 Case{{5, 6}, {2, 3, 7, 6}, false, true}}) {
    SpecBuilder b("matmul");
    int x = b.arg(c.a), y = b.arg(c.b);
    b.matmul(x, y, c.ta, c.tb);
    check(b.finish(target()));
  }
}

TEST_P(NNJit, MatMulSchedulesAndEpilogue) {
  SpecBuilder b("matmul_sched");
  int x = b.arg({2, 37, 29}), y = b.arg({29, 45}), scale = b.arg({45});
  b.unary(K::Relu, b.binary(K::Mul, b.matmul(x, y), scale));
  KernelSpec spec = b.finish(target());
  check(spec);
  // {vector, tileRows, tileCols, parallel, grain, packWeights}.
  checkWith(spec, {8, 3, 24, 1, 2, 0});
  checkWith(spec, {4, 5, 4, 0, 1, 0});
}

//===----------------------------------------------------------------------===//
// Winograd F(2x2, 3x3) convolutions
//===----------------------------------------------------------------------===//

TEST_P(NNJit, ConvWinograd) {
  // Odd output rows and columns (a partial last 2x2 tile), asymmetric
  // padding, two images, filters in a ragged last tile, an epilogue; per
  // tile row and panels outer, and an image narrower than a register tile.
  SpecBuilder b("conv_winograd");
  int x = b.arg({2, 9, 11, 24}), w = b.arg({3, 3, 24, 40}), bias = b.arg({40});
  b.unary(K::Relu, b.conv(x, w, bias, {1, 1}, {1, 1}, {1, 0, 2, 1}));
  KernelSpec spec = b.finish(target());
  // {vector, tileRows, tileCols, parallel, grain, packWeights, panelsOuter,
  // winograd}.
  checkWith(spec, {8, 4, 16, 1, 2, 0, 0, 1});
  checkWith(spec, {8, 3, 32, 1, 1, 0, 1, 1});
  checkWith(spec, {16, 6, 32, 0, 1, 0, 0, 1});
  SpecBuilder small("conv_winograd_small");
  int sx = small.arg({1, 3, 3, 16}), sw = small.arg({3, 3, 16, 16});
  small.conv(sx, sw, -1, {1, 1}, {1, 1}, {1, 1, 1, 1});
  checkWith(small.finish(target()), {8, 6, 16, 1, 1, 0, 0, 1});
}

TEST_P(NNJit, WinogradFilterViewReadsTheFilters) {
  // The view of U in two panels of 8 filters gives back g = G+ U G+^T to a
  // direct conv. (A Winograd conv reads U itself, which equals G g G^T only
  // for U that sora-pack-weights made: the end-to-end tests check those.)
  SpecBuilder b("winograd_view");
  int x = b.arg({1, 6, 5, 8}), u = b.arg({2, 4, 4, 8, 8});
  b.conv(x, b.winogradFilter(u), -1, {1, 1}, {1, 1}, {1, 1, 1, 1});
  KernelSpec spec = b.finish(target());
  checkWith(spec, {8, 4, 16, 0, 1, 0, 0, 0});
  checkWith(spec, {8, 3, 8, 1, 1, 0, 1, 0});
}

TEST_P(NNJit, PointwiseConvRowsInsideADepthwiseConv) {
  // A pointwise conv (and its epilogue) computed row by row inside the
  // depthwise conv reading it: two images, stride 2 with asymmetric padding
  // (the producer's rows on the padding read its input clamped, then zero),
  // a width that is no multiple of the register tile; row tasks of 1 and 2
  // rows, up front (panels outer), a ragged register tile (24 of 32
  // channels, as the tuner may choose) and on one thread.
  SpecBuilder b("pointwise_depthwise");
  int x = b.arg({2, 7, 9, 8}), pw = b.arg({1, 1, 8, 32}), pb = b.arg({32});
  int dw = b.arg({3, 3, 1, 32}), db = b.arg({32});
  int expanded = b.unary(K::Relu6, b.conv(x, pw, pb));
  b.unary(K::Relu, b.conv(expanded, dw, db, {2, 2}, {1, 1}, {1, 0, 2, 1}, 32));
  KernelSpec spec = b.finish(target());
  ASSERT_TRUE(isRowProducer(spec, 0));
  // {vector, tileRows, tileCols, parallel, grain, packWeights, panelsOuter}.
  checkWith(spec, {8, 4, 16, 1, 2, 0, 0});
  checkWith(spec, {8, 3, 32, 1, 1, 0, 0});
  checkWith(spec, {8, 6, 16, 1, 1, 0, 1});
  checkWith(spec, {8, 5, 24, 1, 2, 0, 0});
  checkWith(spec, {16, 8, 32, 0, 3, 0, 0});
  // Unpadded: the producer's own rows slide along the consumer's.
  SpecBuilder v("pointwise_depthwise_valid");
  int vx = v.arg({1, 6, 10, 4}), vp = v.arg({1, 1, 4, 16});
  int vd = v.arg({3, 3, 1, 16});
  v.conv(v.conv(vx, vp), vd, -1, {1, 1}, {1, 1}, {0, 0, 0, 0}, 16);
  checkWith(v.finish(target()), {8, 4, 16, 1, 2, 0, 0});
}

TEST_P(NNJit, ConvImagesInsideAPool) {
  // A conv (and its epilogue) computed one image at a time inside the pool
  // reading it: three images, a padded conv whose width is no multiple of
  // the register tile, a ragged tile (24 of 40 channels), weights read as
  // they are or from compile-time panels; a padded max pool with NaN-free
  // input and a padded average pool over a window wider than its stride.
  SpecBuilder b("conv_max_pool");
  int x = b.arg({3, 9, 11, 4}), w = b.arg({3, 3, 4, 40}), bias = b.arg({40});
  int conv = b.unary(K::Relu, b.conv(x, w, bias, {1, 1}, {1, 1}, {1, 1, 1, 1}));
  b.pool(K::MaxPool2D, conv, {2, 2}, {2, 2}, {0, 0, 1, 1});
  KernelSpec spec = b.finish(target());
  ASSERT_TRUE(isImageProducer(spec, 0));
  EXPECT_FALSE(isImageProducer(spec, 1)); // relu
  // {vector, tileRows, tileCols, parallel, grain, packWeights, panelsOuter}.
  checkWith(spec, {8, 4, 16, 1, 1, 0, 0});
  checkWith(spec, {8, 5, 24, 1, 2, 0, 0});
  checkWith(spec, {8, 3, 16, 0, 1, 0, 1});
  checkWith(spec, {16, 8, 32, 1, 1, 0, 0});

  SpecBuilder p("conv_panels_avg_pool");
  int px = p.arg({2, 8, 8, 8}), packed = p.arg({2, 3, 3, 8, 16});
  int pooled =
      p.conv(px, p.unpackPanels(packed, 24), -1, {2, 2}, {1, 1}, {1, 1, 1, 1});
  p.pool(K::AvgPool2D, pooled, {3, 3}, {2, 2}, {1, 1, 1, 1});
  KernelSpec avg = p.finish(target());
  ASSERT_TRUE(isImageProducer(avg, 1)); // after the unpack_panels view
  checkWith(avg, {8, 4, 16, 1, 1, 1});
  checkWith(avg, {8, 2, 16, 0, 1, 1, /*panelsOuter=*/1});

  // Unpadded windows as tall as their stride: the conv computed per pooled
  // row (its window's rows); 9 conv rows, the last one read by no window.
  SpecBuilder r("conv_rows_max_pool");
  int rx = r.arg({3, 11, 13, 4}), rw = r.arg({3, 3, 4, 40});
  int rows = r.unary(K::Relu, r.conv(rx, rw, -1, {1, 1}, {1, 1}));
  r.pool(K::MaxPool2D, rows, {2, 2}, {2, 2}, {0, 0, 0, 0});
  KernelSpec perRow = r.finish(target());
  ASSERT_TRUE(isImageProducer(perRow, 0));
  checkWith(perRow, {8, 4, 16, 1, 1, 0, 0});
  checkWith(perRow, {8, 5, 24, 0, 1, 0, 0});
  checkWith(perRow, {16, 8, 32, 1, 2, 0, 0});
  checkWith(perRow, {8, 3, 16, 0, 1, 0, /*panelsOuter=*/1});

  SpecBuilder t("conv_rows_avg_pool");
  int tx = t.arg({2, 10, 9, 8}), tw = t.arg({3, 3, 8, 16});
  t.pool(K::AvgPool2D, t.conv(tx, tw, -1, {1, 1}, {1, 1}), {3, 2}, {3, 2},
         {0, 0, 0, 0});
  KernelSpec tall = t.finish(target());
  ASSERT_TRUE(isImageProducer(tall, 0));
  checkWith(tall, {8, 4, 16, 1, 1, 0, 0});
  checkWith(tall, {8, 7, 16, 0, 1, 0, 0});
}

//===----------------------------------------------------------------------===//
// Weights packed at compile time (unpack_panels)
//===----------------------------------------------------------------------===//

TEST_P(NNJit, DenseReadsCompileTimePanels) {
  // 40 columns in 3 panels of 16 (the last one part padding), a ragged
  // register tile, and an epilogue.
  SpecBuilder b("dense_panels");
  int x = b.arg({13, 64}), packed = b.arg({3, 64, 16}), bias = b.arg({40});
  b.unary(K::Relu, b.dense(x, b.unpackPanels(packed, 40), bias));
  KernelSpec spec = b.finish(target());
  // {vector, tileRows, tileCols, parallel, grain, packWeights}.
  checkWith(spec, {8, 6, 16, 1, 1, 1});
  checkWith(spec, {8, 6, 16, 1, 1, 1, /*panelsOuter=*/1});
  checkWith(spec, {4, 3, 8, 0, 1, 0}); // other panels than the tile's
}

TEST_P(NNJit, ConvReadsCompileTimePanels) {
  SpecBuilder b("conv_panels");
  int x = b.arg({1, 9, 7, 8}), packed = b.arg({2, 3, 3, 8, 16}),
      bias = b.arg({24});
  b.conv(x, b.unpackPanels(packed, 24), bias, {1, 1}, {1, 1}, {1, 1, 1, 1});
  KernelSpec spec = b.finish(target());
  checkWith(spec, {8, 4, 16, 1, 1, 1});
  checkWith(spec, {8, 4, 16, 1, 1, 1, /*panelsOuter=*/1});
}

TEST_P(NNJit, ConvPanelsOuterReducesInChannelBlocks) {
  // Panels outermost: the reduction runs in channel blocks (32 + a partial
  // 8 of 40), over ragged pixel tiles (4 of 11, 6 wide rows) and a ragged
  // column panel, two images, strides and dilation, plain and grouped.
  for (int64_t groups : {1, 2}) {
    SpecBuilder b("conv_blocked");
    int x = b.arg({2, 9, 11, 40 * groups}), w = b.arg({3, 3, 40, 24}),
        bias = b.arg({24});
    b.unary(K::Relu, b.conv(x, w, bias, {2, 1}, {1, 2}, {1, 2, 1, 2}, groups));
    KernelSpec spec = b.finish(target());
    checkWith(spec, {8, 4, 16, 1, 1, 1, /*panelsOuter=*/1});
    checkWith(spec, {8, 6, 16, 0, 1, 0, /*panelsOuter=*/1});
    // Tasks of two 8-wide panels (the last one ragged).
    checkWith(spec, {8, 4, 8, 1, 2, 1, /*panelsOuter=*/1});
  }
}

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

TEST_P(NNJit, EmbeddingGathersRows) {
  SpecBuilder b("embedding");
  int ids = b.arg({2, 5}), table = b.arg({11, 19});
  b.unary(K::Tanh, b.embedding(ids, table));
  KernelSpec spec = b.finish(target());
  std::vector<Tensor> args{Tensor{{2, 5}, {0, 10, 3, 3, 7, 1, 2, 9, 4, 10}},
                           randomTensor({11, 19}, 3)};
  expectClose(spec, args, 1e-6);
}

TEST_P(NNJit, OneHotMarksIdsAndZeroesOthers) {
  SpecBuilder b("one_hot");
  int ids = b.arg({2, 4});
  KernelOp op = KernelOp::of(K::OneHot);
  op.shape = {2, 4, 5};
  b.add(op, {ids});
  KernelSpec spec = b.finish(target());
  // In range, negative, past the depth, fractional and NaN ids.
  std::vector<Tensor> args{Tensor{{2, 4}, {0, 4, 2, -1, 5, 2.5f, NAN, 3}}};
  Tensor got = runJit(spec, args, target());
  std::vector<float> want(40, 0.0f);
  for (int i : {0 * 5 + 0, 1 * 5 + 4, 2 * 5 + 2, 7 * 5 + 3})
    want[i] = 1.0f;
  EXPECT_EQ(got.data, want);
}

TEST_P(NNJit, EmbeddingRejectsBadIds) {
  for (float bad : {11.0f, -1.0f, 2.5f, NAN, 1e30f}) {
    SpecBuilder b("embedding_bad");
    int ids = b.arg({3}), table = b.arg({11, 4});
    b.embedding(ids, table);
    KernelSpec spec = b.finish(target());
    std::vector<Tensor> args{Tensor{{3}, {1, bad, 2}},
                             randomTensor({11, 4}, 3)};
    try {
      runJit(spec, args, target());
      ADD_FAILURE() << "id " << bad << " was accepted";
    } catch (const Halide::RuntimeError &e) {
      EXPECT_NE(std::string(e.what()).find("token id"), std::string::npos)
          << e.what();
    }
  }
}

//===----------------------------------------------------------------------===//
// Recurrent steps
//===----------------------------------------------------------------------===//

TEST_P(NNJit, LstmCellMatchesReference) {
  // 4H = 32 columns tile by whole vectors; 4H = 20 does not.
  for (int64_t units : {8, 5}) {
    SpecBuilder b("lstm_cell");
    int gates = b.arg({3, 4 * units}), recurrent = b.arg({units, 4 * units});
    int state = b.arg({2, 3, units});
    b.add(KernelOp::of(K::LstmCell), {gates, recurrent, state});
    check(b.finish(target()));
  }
}

TEST_P(NNJit, RecurrentStepsReadCompileTimePanels) {
  // The gate product through panels of one gate tile (PackWeights.cpp), the
  // GRU's reset-before product reading its n block at an offset into them.
  for (K kind : {K::LstmCell, K::GruResetBeforeCell}) {
    SCOPED_TRACE(kernelOpName(kind));
    int64_t units = 8, columns = (kind == K::LstmCell ? 4 : 3) * units;
    SpecBuilder b(kernelOpName(kind));
    std::vector<int> args{b.arg({3, columns})};
    int packed = b.arg({(columns + 15) / 16, units, 16}); // GRU: padded
    if (kind != K::LstmCell)
      args.push_back(b.arg({columns}));
    args.push_back(b.arg({kind == K::LstmCell ? 2 : 1, 3, units}));
    args.insert(args.begin() + 1, b.unpackPanels(packed, columns));
    b.add(KernelOp::of(kind), args);
    KernelSpec spec = b.finish(target());
    // {vector, tileRows, tileCols, parallel, grain, packWeights}.
    checkWith(spec, {8, 1, 16, 0, 1, 1});
    checkWith(spec, {4, 1, 8, 0, 1, 1}); // other panels than the tile's
  }
}

TEST_P(NNJit, GruAndRnnCellsMatchReference) {
  struct Cell {
    K kind;
    int gateBlocks;
    bool recurrentBias;
  };
  for (Cell cell :
       {Cell{K::GruCell, 3, true}, Cell{K::GruResetBeforeCell, 3, true},
        Cell{K::RnnTanhCell, 1, false}, Cell{K::RnnReluCell, 1, false}})
    // G * H columns that tile by whole vectors, and ones that do not.
    for (int64_t units : {16, 5}) {
      SCOPED_TRACE(std::string(kernelOpName(cell.kind)) + " units " +
                   std::to_string(units));
      SpecBuilder b(kernelOpName(cell.kind));
      int64_t columns = cell.gateBlocks * units;
      std::vector<int> args{b.arg({3, columns}), b.arg({units, columns})};
      if (cell.recurrentBias)
        args.push_back(b.arg({columns}));
      args.push_back(b.arg({1, 3, units}));
      b.add(KernelOp::of(cell.kind), args);
      check(b.finish(target()));
    }
}

SORA_INSTANTIATE_FOR_HOST_TARGETS(NNJit);

} // namespace
} // namespace sora::test
