//===- KernelTestSupport.h - Building and JIT-running kernels in tests ----===//
#ifndef SORA_TEST_UNIT_KERNELTESTSUPPORT_H
#define SORA_TEST_UNIT_KERNELTESTSUPPORT_H

#include "Reference.h"

#include "sora/Core/KernelSpec.h"
#include "sora/Target/TargetInfo.h"

#include "gtest/gtest.h"

#include <array>
#include <string>
#include <vector>

namespace sora::test {

/// Builds a KernelSpec op by op, each result shape from its kind's shape
/// rule (sora/Core/KernelShapes.h). Every method returns the new value's id.
class SpecBuilder {
public:
  explicit SpecBuilder(const std::string &name) { spec.name = name; }

  int arg(const Shape &shape);
  int dense(int x, int w, int bias = -1);
  int conv(int x, int w, int bias = -1, std::array<int64_t, 2> strides = {1, 1},
           std::array<int64_t, 2> dilation = {1, 1},
           std::array<int64_t, 4> pad = {0, 0, 0, 0}, int64_t groups = 1);
  int pool(KernelOpKind kind, int x, std::array<int64_t, 2> window,
           std::array<int64_t, 2> strides,
           std::array<int64_t, 4> pad = {0, 0, 0, 0});
  int softmax(int x, int64_t axis);
  int binary(KernelOpKind kind, int a, int b);
  int unary(KernelOpKind kind, int a);
  int logSoftmax(int x, int64_t axis);
  int transpose(int x, std::vector<int64_t> perm);
  int concat(std::vector<int> xs, int64_t axis);
  int slice(int x, std::vector<int64_t> begin, std::vector<int64_t> end,
            std::vector<int64_t> step);
  /// Pad, PadReflect (`value` unused) or PadEdge (likewise).
  int pad(int x, std::vector<int64_t> low, std::vector<int64_t> high,
          float value, KernelOpKind kind = KernelOpKind::Pad);
  /// Packed weights [G, d..., P] read as [d..., columns].
  int unpackPanels(int packed, int64_t columns);
  /// Winograd-transformed filters [G, 4, 4, C, P] read as [3, 3, C, G * P].
  int winogradFilter(int transformed);
  int layerNorm(int x, int gamma, int beta, int64_t axis, float epsilon);
  int reduce(int x, ReduceKind reduction, std::vector<int64_t> axes,
             bool keepDims);
  int matmul(int a, int b, bool transposeA = false, bool transposeB = false);
  int embedding(int ids, int table);
  /// A unary op with scalar attributes (leaky_relu alpha, clip bounds).
  int unary(KernelOpKind kind, int a, std::array<float, 2> scalars);

  /// The spec with `result` (default: the last value) and the default
  /// schedule for `target`.
  KernelSpec finish(const TargetInfo &target, int result = -1);

  KernelSpec spec;

  /// Any op: `op` (kind and attributes) reading `operands`.
  int add(KernelOp op, std::vector<int> operands);
};

/// Random arguments for `spec`, reproducible from `seed`.
std::vector<Tensor> randomArgs(const KernelSpec &spec, unsigned seed = 1);

/// JIT-compiles `spec` for `target` with the backend's own pipeline builder
/// and runs it on `args`.
Tensor runJit(const KernelSpec &spec, const std::vector<Tensor> &args,
              const TargetInfo &target);

/// Runs `spec` on random arguments through the JIT and the reference and
/// expects agreement to 1e-5 relative to the result's magnitude.
void expectMatchesReference(const KernelSpec &spec, const TargetInfo &target);

/// The targets whose code this machine can run.
std::vector<std::string> hostTargetNames();

/// The fixture of the kernel tests: its parameter is the name of a target
/// this machine runs (see SORA_INSTANTIATE_FOR_HOST_TARGETS).
class KernelJitTest : public ::testing::TestWithParam<std::string> {
protected:
  const TargetInfo &target() const { return *lookupTarget(GetParam()); }
  /// expectMatchesReference on this target.
  void check(const KernelSpec &spec) { expectMatchesReference(spec, target()); }
  /// `spec` with a hand-written schedule in place of the default one.
  void checkWith(KernelSpec spec, const ScheduleRecord &schedule) {
    spec.schedule = schedule;
    check(spec);
  }
  /// Runs `spec` on `args` through the JIT and the reference and expects
  /// every element within `tolerance` relative to max(1, |expected|).
  void expectClose(const KernelSpec &spec, const std::vector<Tensor> &args,
                   double tolerance);
};

/// "x86-64-avx512" -> "x86_64_avx512": target names as gtest test names.
std::string
hostTargetTestName(const ::testing::TestParamInfo<std::string> &info);

} // namespace sora::test

/// Runs every TEST_P of `suite` (a KernelJitTest) once per host target.
#define SORA_INSTANTIATE_FOR_HOST_TARGETS(suite)                               \
  INSTANTIATE_TEST_SUITE_P(                                                    \
      HostTargets, suite,                                                      \
      ::testing::ValuesIn(::sora::test::hostTargetNames()),                    \
      ::sora::test::hostTargetTestName)

#endif // SORA_TEST_UNIT_KERNELTESTSUPPORT_H
