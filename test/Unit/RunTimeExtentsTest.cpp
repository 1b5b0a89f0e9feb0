//===- RunTimeExtentsTest.cpp - Kernels whose extents a run chooses -------===//
//
// A kernel compiled for the largest extents (KernelSpec::runTimeArgs) and
// run at smaller ones in the bound's strides (a sequence of 1, 5 and 8
// tokens in a kernel built for 8): each op the sequence passes through in
// an encoder layer, against the reference evaluated at the run's shapes.
// Ops that cannot take a run's extents are refused at compile time.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "HalideKernel.h"

#include "sora/Tuning/Heuristics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <functional>

namespace sora::test {
namespace {

using K = KernelOpKind;

/// The largest sequence the kernels are built for.
constexpr int64_t kBound = 8;

/// A kernel over a sequence of `tokens`.
using SequenceKernel = std::function<KernelSpec(int64_t tokens)>;

/// The spec of `b` with its last value as the result.
KernelSpec finished(SpecBuilder &b) {
  b.spec.result = b.spec.numValues() - 1;
  return b.spec;
}

/// The least extents of `bound` (built for kBound tokens) against `smaller`
/// (built for fewer): where they differ, the extent per token.
Shape leastExtents(const Shape &bound, const Shape &smaller) {
  Shape least = bound;
  for (size_t d = 0; d < bound.size(); ++d)
    if (bound[d] != smaller[d])
      least[d] = bound[d] / kBound;
  return least;
}

/// `spec` at kBound tokens with every extent that follows the sequence left
/// to the run, found by building it for one token less.
KernelSpec withRunTimeSequence(const SequenceKernel &build) {
  KernelSpec bound = build(kBound), smaller = build(kBound - 1);
  for (size_t i = 0; i < bound.args.size(); ++i)
    if (bound.args[i] != smaller.args[i])
      bound.runTimeArgs[(int)i] = leastExtents(bound.args[i], smaller.args[i]);
  bound.runTimeResult = leastExtents(bound.shapeOf(bound.result),
                                     smaller.shapeOf(smaller.result));
  return bound;
}

/// Row-major strides of `shape`.
std::vector<int> stridesOf(const Shape &shape) {
  std::vector<int> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * (int)shape[d];
  return strides;
}

/// A Halide buffer over `storage` (laid out for `bound`) with `run`'s
/// extents.
Halide::Buffer<float> boundBuffer(std::vector<float> &storage,
                                  const Shape &bound, const Shape &run) {
  std::vector<int> strides = stridesOf(bound);
  std::vector<halide_dimension_t> dims;
  for (size_t d = run.size(); d-- > 0;)
    dims.push_back({0, (int32_t)run[d], strides[d], 0});
  return Halide::Buffer<float>(storage.data(), (int)dims.size(), dims.data());
}

/// Copies a dense `run`-shaped tensor into (or out of) bound-strided storage.
void copyStrided(const Shape &bound, const Shape &run,
                 std::vector<float> &dense, std::vector<float> &strided,
                 bool intoStrided) {
  std::vector<int> bounds = stridesOf(bound), runs = stridesOf(run);
  for (size_t i = 0; i < numElements(run); ++i) {
    size_t at = 0;
    for (size_t d = 0; d < run.size(); ++d)
      at += (i / runs[d]) % run[d] * bounds[d];
    if (intoStrided)
      strided[at] = dense[i];
    else
      dense[i] = strided[at];
  }
}

class RunTimeExtentsJit : public KernelJitTest {
protected:
  /// Runs the kernel built for kBound tokens at `tokens` and compares it
  /// with the reference of the kernel built for `tokens`.
  void checkAt(const SequenceKernel &build, int64_t tokens) {
    KernelSpec bound = withRunTimeSequence(build);
    bound.schedule = defaultSchedule(bound, target());
    KernelSpec run = build(tokens);
    std::vector<Tensor> args = randomArgs(run);
    Tensor want = evaluateReference(run, args);

    HalideKernel kernel = buildHalideKernel(bound);
    std::vector<std::vector<float>> storage;
    for (size_t i = 0; i < args.size(); ++i) {
      storage.emplace_back(numElements(bound.args[i]), NAN);
      copyStrided(bound.args[i], args[i].shape, args[i].data, storage.back(),
                  true);
    }
    for (size_t i = 0; i < args.size(); ++i)
      kernel.args[i].set(boundBuffer(storage[i], bound.args[i], args[i].shape));
    const Shape &resultBound = bound.shapeOf(bound.result);
    std::vector<float> out(numElements(resultBound), NAN);
    Halide::Buffer<float> result = boundBuffer(out, resultBound, want.shape);
    Halide::Pipeline(kernel.output)
        .realize(result, Halide::Target(target().halideTarget));
    std::vector<float> got(want.data.size());
    copyStrided(resultBound, want.shape, got, out, false);
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want.data[i],
                  1e-5 * std::max(1.0f, std::fabs(want.data[i])))
          << bound.name << " at " << tokens << " tokens, element " << i;
  }
  void check(const SequenceKernel &build) {
    for (int64_t tokens : {kBound, (int64_t)5, (int64_t)1})
      checkAt(build, tokens);
  }
};

TEST_P(RunTimeExtentsJit, AttentionScoresAndWeightedValues) {
  // q . k^T: the keys' extent is the result's columns.
  check([](int64_t s) {
    SpecBuilder b("scores");
    b.matmul(b.arg({4, s, 16}), b.arg({4, 16, s}));
    return finished(b);
  });
  check([](int64_t s) {
    SpecBuilder b("scores_transposed");
    b.matmul(b.arg({4, s, 16}), b.arg({4, s, 16}), false, true);
    return finished(b);
  });
  // p . v contracts over the keys: the run's count of them.
  check([](int64_t s) {
    SpecBuilder b("weighted_values");
    b.matmul(b.arg({4, s, s}), b.arg({4, s, 16}));
    return finished(b);
  });
}

TEST_P(RunTimeExtentsJit, SoftmaxOverTheRunsKeys) {
  check([](int64_t s) {
    SpecBuilder b("softmax_keys");
    b.softmax(b.arg({4, s, s}), 2);
    return finished(b);
  });
  check([](int64_t s) {
    SpecBuilder b("softmax_queries");
    b.softmax(b.arg({4, s, s}), 1);
    return finished(b);
  });
}

TEST_P(RunTimeExtentsJit, TokenwiseOps) {
  check([](int64_t s) {
    SpecBuilder b("dense_gelu");
    b.unary(K::Gelu, b.dense(b.arg({s, 64}), b.arg({64, 48}), b.arg({48})));
    return finished(b);
  });
  check([](int64_t s) {
    SpecBuilder b("residual_layer_norm");
    int x = b.arg({s, 1, 64}), residual = b.arg({s, 1, 64});
    int gamma = b.arg({64}), beta = b.arg({64});
    b.layerNorm(b.binary(K::Add, x, residual), gamma, beta, 2, 1e-5f);
    return finished(b);
  });
  check([](int64_t s) {
    SpecBuilder b("heads_apart");
    b.transpose(b.arg({s, 4, 16}), {1, 2, 0});
    return finished(b);
  });
  check([](int64_t s) {
    SpecBuilder b("value_slice");
    b.slice(b.arg({1, s, 192}), {0, 0, 64}, {1, s, 128}, {1, 1, 1});
    return finished(b);
  });
  // A bias row broadcast over the run's tokens.
  check([](int64_t s) {
    SpecBuilder b("position_bias");
    b.binary(K::Add, b.arg({s, 64}), b.arg({64}));
    return finished(b);
  });
}

TEST_P(RunTimeExtentsJit, OpsWorkingAlongTheRunsExtentAreRefused) {
  // Statistics over a run-time axis, a contraction over it, a pool along it.
  for (const SequenceKernel &build : std::vector<SequenceKernel>{
           [](int64_t s) {
             SpecBuilder b("layer_norm_over_tokens");
             b.layerNorm(b.arg({4, s}), b.arg({s}), b.arg({s}), 1, 1e-5f);
             return finished(b);
           },
           [](int64_t s) {
             SpecBuilder b("dense_over_tokens");
             b.dense(b.arg({4, s}), b.arg({s, 8}));
             return finished(b);
           },
           [](int64_t s) {
             SpecBuilder b("reduce_over_tokens");
             b.reduce(b.arg({4, s, 16}), ReduceKind::Mean, {1}, false);
             return finished(b);
           }}) {
    KernelSpec spec = withRunTimeSequence(build);
    spec.schedule = defaultSchedule(spec, target());
    try {
      buildHalideKernel(spec);
      ADD_FAILURE() << spec.name << " was built";
    } catch (const Halide::CompileError &e) {
      EXPECT_NE(
          std::string(e.what()).find("cannot take extents chosen at run time"),
          std::string::npos)
          << e.what();
    }
  }
}

SORA_INSTANTIATE_FOR_HOST_TARGETS(RunTimeExtentsJit);

} // namespace
} // namespace sora::test
