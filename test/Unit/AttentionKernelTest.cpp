//===- AttentionKernelTest.cpp - The kernels attention decomposes into ----===//
//
// The batched matmuls of multi-head attention with the shapes the ONNX
// encoder layer and sora-decompose-transformer produce (heads as batch dims,
// widths below one vector, row counts off the register tile), under the
// default schedule and hand-written ones (parallel, grains, ragged tiles);
// the scores epilogue (scale, causal table, padding bias broadcast over
// heads and queries); softmax over the keys of rank-4 scores.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "gtest/gtest.h"

namespace sora::test {
namespace {

using K = KernelOpKind;

/// Schedules that split the output in every way a heuristic might:
/// {vector, tileRows, tileCols, parallel, grain, packWeights}.
const ScheduleRecord kSchedules[] = {
    {16, 8, 32, 1, 1, 0}, {8, 3, 16, 1, 2, 0}, {4, 5, 4, 0, 1, 0}};

class AttentionJit : public KernelJitTest {
protected:
  /// `spec` under its default schedule and each of kSchedules.
  void checkAllSchedules(const KernelSpec &spec) {
    check(spec);
    for (const ScheduleRecord &s : kSchedules)
      checkWith(spec, s);
  }
};

TEST_P(AttentionJit, BatchedMatMulShapes) {
  struct Case {
    Shape a, b;
  };
  for (Case c : {// torch's encoder layer as exported to ONNX: q . k^T, p . v
                 Case{{4, 8, 16}, {4, 16, 8}}, Case{{4, 8, 8}, {4, 8, 16}},
                 // decomposed attention: [B, H, S, d] x [B, H, d, S]
                 Case{{2, 3, 7, 5}, {2, 3, 5, 7}},
                 Case{{1, 12, 19, 64}, {1, 12, 64, 19}}}) {
    SpecBuilder b("attention_matmul");
    b.matmul(b.arg(c.a), b.arg(c.b));
    checkAllSchedules(b.finish(target()));
  }
}

TEST_P(AttentionJit, ScoresEpilogue) {
  // scores * scale + causal[S, S] + padding[B, 1, 1, S].
  SpecBuilder b("attention_scores");
  int q = b.arg({2, 3, 6, 4}), k = b.arg({2, 3, 4, 6}), scale = b.arg({1}),
      causal = b.arg({6, 6}), padding = b.arg({2, 1, 1, 6});
  int s = b.binary(K::Mul, b.matmul(q, k), scale);
  b.binary(K::Add, b.binary(K::Add, s, causal), padding);
  checkAllSchedules(b.finish(target()));
}

TEST_P(AttentionJit, SoftmaxOverKeys) {
  SpecBuilder b("attention_softmax");
  b.softmax(b.arg({2, 3, 7, 19}), 3);
  check(b.finish(target()));
}

SORA_INSTANTIATE_FOR_HOST_TARGETS(AttentionJit);

} // namespace
} // namespace sora::test
