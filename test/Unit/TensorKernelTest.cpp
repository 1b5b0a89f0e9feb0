//===- TensorKernelTest.cpp - Data movement and log_softmax kernels -------===//
//
// Transpose, concat, slice and pad on odd shapes (innermost dimension moved,
// ragged vectors, strides, several concat inputs), with and without an
// epilogue, and log_softmax along inner and outer axes.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "gtest/gtest.h"

#include <cmath>

namespace sora::test {
namespace {

using K = KernelOpKind;

class TensorJit : public KernelJitTest {};

TEST_P(TensorJit, TransposePermutations) {
  for (std::vector<int64_t> perm :
       {std::vector<int64_t>{1, 0}, {0, 2, 1}, {2, 0, 1}, {3, 1, 0, 2}}) {
    Shape shape = perm.size() == 2   ? Shape{13, 21}
                  : perm.size() == 3 ? Shape{3, 17, 9}
                                     : Shape{2, 5, 3, 19};
    SpecBuilder b("transpose");
    b.transpose(b.arg(shape), perm);
    check(b.finish(target()));
  }
}

TEST_P(TensorJit, FewInnermostElementsInterleave) {
  // NCHW RGB to NHWC: 3 innermost elements unrolled inside vectors along
  // the 19-wide rows (a shifted last vector); and a [37, 2] elementwise
  // kernel split over threads along its vectors of rows.
  SpecBuilder b("to_nhwc");
  b.transpose(b.arg({2, 3, 5, 19}), {0, 2, 3, 1});
  check(b.finish(target()));
  SpecBuilder e("pairs");
  e.unary(K::Tanh, e.arg({37, 2}));
  KernelSpec spec = e.finish(target());
  check(spec);
  checkWith(spec, {8, 1, 8, 1, 2, 0});
}

TEST_P(TensorJit, TransposesMovingTheInnermostDimensionInBlocks) {
  // Whole vectors along both dimensions that trade places: staged in
  // vector x vector blocks (scheduleBlockTranspose), also with an epilogue
  // and split over threads along the outermost dimension, whether or not it
  // is one of the two.
  struct Case {
    Shape shape;
    std::vector<int64_t> perm;
  };
  for (const Case &c :
       {Case{{32, 48}, {1, 0}}, Case{{32, 3, 16}, {1, 2, 0}},
        Case{{2, 16, 32}, {0, 2, 1}}, Case{{16, 2, 3, 32}, {3, 1, 2, 0}}}) {
    SpecBuilder b("block_transpose");
    int x = b.arg(c.shape), bias = b.arg({c.shape[c.perm.back()]});
    b.unary(K::Relu, b.binary(K::Add, b.transpose(x, c.perm), bias));
    KernelSpec spec = b.finish(target());
    check(spec);
    checkWith(spec, {8, 1, 8, 1, 1, 0});
    checkWith(spec, {16, 1, 16, 1, 2, 0});
  }
}

TEST_P(TensorJit, TransposeWithEpilogue) {
  SpecBuilder b("transpose_add");
  int x = b.arg({4, 6, 10}), bias = b.arg({6});
  b.unary(K::Relu, b.binary(K::Add, b.transpose(x, {0, 2, 1}), bias));
  check(b.finish(target()));
}

TEST_P(TensorJit, ConcatAlongEachAxis) {
  for (int64_t axis : {0, 1, 2}) {
    SpecBuilder b("concat");
    Shape s0{2, 3, 9}, s1{2, 3, 9}, s2{2, 3, 9};
    s0[axis] = 1;
    s1[axis] = 4;
    s2[axis] = 7;
    int a = b.arg(s0), c = b.arg(s1), d = b.arg(s2);
    b.concat({a, c, d}, axis);
    check(b.finish(target()));
  }
}

TEST_P(TensorJit, ConcatOfWholeVectorsAlongTheInnermostAxis) {
  // Channel concats (DenseNet, Inception) read each input a vector at a
  // time when every input is whole vectors: inputs of 16, 32 and 48
  // channels, then a relu epilogue; vectors of 16 (whole), 8 (whole) and 32
  // (not: clamped per lane).
  SpecBuilder b("concat_vectors");
  int a = b.arg({2, 3, 16}), c = b.arg({2, 3, 32}), d = b.arg({2, 3, 48});
  b.unary(KernelOpKind::Relu, b.concat({a, c, d}, 2));
  KernelSpec spec = b.finish(target());
  // {vector, tileRows, tileCols, parallel, grain, packWeights}.
  checkWith(spec, {16, 1, 16, 0, 1, 0});
  checkWith(spec, {8, 1, 8, 1, 1, 0});
  checkWith(spec, {32, 1, 32, 0, 1, 0});
}

TEST_P(TensorJit, ConcatOneInputIsACopy) {
  SpecBuilder b("concat_one");
  b.concat({b.arg({3, 5})}, 1);
  check(b.finish(target()));
}

TEST_P(TensorJit, SliceStrided) {
  SpecBuilder b("slice");
  b.slice(b.arg({5, 9, 23}), {1, 0, 2}, {5, 9, 23}, {2, 3, 1});
  check(b.finish(target()));
  SpecBuilder c("slice_inner");
  c.slice(c.arg({4, 40}), {0, 3}, {4, 38}, {1, 4});
  check(c.finish(target()));
  // Stepping down: torch.flip, and every third element from the end.
  SpecBuilder f("slice_reversed");
  f.slice(f.arg({3, 6, 17}), {2, 5, 16}, {-1, 0, -1}, {-1, -2, -3});
  check(f.finish(target()));
}

TEST_P(TensorJit, PadConstant) {
  SpecBuilder b("pad");
  b.pad(b.arg({2, 5, 7}), {0, 2, 1}, {1, 0, 9}, -2.5f);
  check(b.finish(target()));
}

TEST_P(TensorJit, PadReflectAndEdge) {
  // Reflection up to extent - 1 on each side; edge padding far past it.
  SpecBuilder b("pad_reflect");
  b.pad(b.arg({3, 5, 9}), {2, 4, 1}, {0, 3, 8}, 0.0f, KernelOpKind::PadReflect);
  check(b.finish(target()));
  SpecBuilder c("pad_edge");
  c.pad(c.arg({2, 5, 7}), {3, 0, 1}, {1, 6, 17}, 0.0f, KernelOpKind::PadEdge);
  check(c.finish(target()));
}

TEST_P(TensorJit, LogSoftmaxAxes) {
  for (auto [shape, axis] :
       {std::pair{Shape{4, 33}, 1}, {Shape{3, 20}, 0}, {Shape{2, 5, 7}, 1}}) {
    SpecBuilder b("log_softmax");
    b.logSoftmax(b.arg(shape), axis);
    check(b.finish(target()));
  }
}

TEST_P(TensorJit, LogSoftmaxLargeLogitsStayFinite) {
  SpecBuilder b("log_softmax_large");
  int x = b.arg({2, 10}), scale = b.arg({1});
  b.logSoftmax(b.binary(K::Mul, x, scale), 1);
  KernelSpec spec = b.finish(target());
  std::vector<Tensor> args{randomTensor({2, 10}, 5), Tensor{{1}, {500.0f}}};
  expectClose(spec, args, 1e-5);
}

SORA_INSTANTIATE_FOR_HOST_TARGETS(TensorJit);

} // namespace
} // namespace sora::test
