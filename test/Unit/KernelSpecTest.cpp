//===- KernelSpecTest.cpp - Which kernels are compiled once ---------------===//

#include "KernelTestSupport.h"

#include "gtest/gtest.h"

#include <cmath>

namespace sora::test {
namespace {

KernelSpec layerNorm(const std::string &name, float epsilon) {
  SpecBuilder b(name);
  b.layerNorm(b.arg({2, 8}), b.arg({8}), b.arg({8}), 1, epsilon);
  KernelSpec spec = b.finish(*lookupTarget("x86-64-avx2"));
  spec.ops[0].particle = name;
  spec.ops[0].location = name + ".json:1:1";
  return spec;
}

TEST(KernelSpec, APointwiseConvFeedingADepthwiseOneIsARowProducer) {
  using K = KernelOpKind;
  // pointwise -> relu6 -> depthwise: a row producer; the depthwise conv and
  // a pointwise conv feeding a full 3x3 conv are not.
  SpecBuilder b("k");
  int x = b.arg({1, 8, 8, 4}), pw = b.arg({1, 1, 4, 16});
  int dw = b.arg({3, 3, 1, 16}), pw2 = b.arg({1, 1, 16, 16});
  int full = b.arg({3, 3, 16, 16});
  int depthwise = b.conv(b.unary(K::Relu6, b.conv(x, pw)), dw, -1, {1, 1},
                         {1, 1}, {1, 1, 1, 1}, 16);
  b.conv(b.conv(depthwise, pw2), full, -1, {1, 1}, {1, 1}, {1, 1, 1, 1});
  ASSERT_EQ(b.spec.ops.size(), 5u);
  EXPECT_TRUE(isRowProducer(b.spec, 0));
  EXPECT_FALSE(isRowProducer(b.spec, 1)); // relu6
  EXPECT_FALSE(isRowProducer(b.spec, 2)); // depthwise
  EXPECT_FALSE(isRowProducer(b.spec, 3)); // feeds a full conv
}

TEST(KernelSpec, AConvFeedingAPoolIsAnImageProducer) {
  using K = KernelOpKind;
  // conv -> relu -> max pool: an image producer; a dense is not, nor is a
  // pointwise conv feeding a depthwise one (a row producer) before a pool.
  SpecBuilder b("k");
  int x = b.arg({8, 8, 8, 4}), w = b.arg({3, 3, 4, 16});
  int pw = b.arg({1, 1, 16, 16}), dw = b.arg({3, 3, 1, 16});
  int conv = b.unary(K::Relu, b.conv(x, w));
  int pooled = b.pool(K::MaxPool2D, conv, {2, 2}, {2, 2});
  b.pool(K::AvgPool2D,
         b.conv(b.conv(pooled, pw), dw, -1, {1, 1}, {1, 1}, {1, 1, 1, 1}, 16),
         {2, 2}, {2, 2});
  ASSERT_EQ(b.spec.ops.size(), 6u);
  EXPECT_TRUE(isImageProducer(b.spec, 0));
  EXPECT_FALSE(isImageProducer(b.spec, 1)); // relu
  EXPECT_FALSE(isImageProducer(b.spec, 2)); // the pool
  EXPECT_FALSE(isImageProducer(b.spec, 3)); // a row producer
  EXPECT_TRUE(isImageProducer(b.spec, 4));  // the depthwise conv
  SpecBuilder d("d");
  d.pool(K::MaxPool2D, d.dense(d.arg({8, 4}), d.arg({4, 16})), {1, 1}, {1, 1});
  EXPECT_FALSE(isImageProducer(d.spec, 0));
}

TEST(KernelSpec, NamesAndProvenanceDoNotMakeAKernelDistinct) {
  EXPECT_TRUE(sameComputation(layerNorm("a", 1e-5f), layerNorm("b", 1e-5f)));
}

TEST(KernelSpec, EveryAttributeBitMakesAKernelDistinct) {
  // The text form rounds these two to the same "1e-05".
  float next = std::nextafter(1e-5f, 1.0f);
  EXPECT_FALSE(sameComputation(layerNorm("a", 1e-5f), layerNorm("b", next)));
  KernelSpec other = layerNorm("b", 1e-5f);
  other.schedule.vector *= 2;
  EXPECT_FALSE(sameComputation(layerNorm("a", 1e-5f), other));
  other = layerNorm("b", 1e-5f);
  other.int64Args = {0};
  EXPECT_FALSE(sameComputation(layerNorm("a", 1e-5f), other));
}

TEST(KernelSpec, ReductionsDifferingInKindOrAxesAreDistinct) {
  // A sum and a log-sum-exp of one tensor over one axis once shared code.
  auto reduce = [](ReduceKind kind, std::vector<int64_t> axes, bool keep) {
    SpecBuilder b("r");
    b.reduce(b.arg({2, 5, 4, 6}), kind, std::move(axes), keep);
    return b.finish(*lookupTarget("x86-64-avx2"));
  };
  KernelSpec sum = reduce(ReduceKind::Sum, {3}, true);
  EXPECT_TRUE(sameComputation(sum, reduce(ReduceKind::Sum, {3}, true)));
  EXPECT_FALSE(sameComputation(sum, reduce(ReduceKind::LogSumExp, {3}, true)));
  EXPECT_FALSE(sameComputation(sum, reduce(ReduceKind::Sum, {2}, true)));
}

TEST(KernelSpec, RepeatsBecomeAliasesOfTheirFirstOccurrence) {
  std::vector<KernelAlias> aliases;
  std::vector<KernelSpec> unique = uniqueKernels(
      {layerNorm("k0", 1e-5f), layerNorm("k1", 1e-3f), layerNorm("k2", 1e-5f),
       layerNorm("k3", 1e-3f), layerNorm("k4", 1e-5f)},
      aliases);
  ASSERT_EQ(unique.size(), 2u);
  EXPECT_EQ(unique[0].name, "k0");
  EXPECT_EQ(unique[1].name, "k1");
  ASSERT_EQ(aliases.size(), 3u);
  EXPECT_EQ(aliases[0].name, "k2");
  EXPECT_EQ(aliases[0].definedAs, "k0");
  EXPECT_EQ(aliases[1].name, "k3");
  EXPECT_EQ(aliases[1].definedAs, "k1");
  EXPECT_EQ(aliases[2].definedAs, "k0");
}

} // namespace
} // namespace sora::test
