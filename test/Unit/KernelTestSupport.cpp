//===- KernelTestSupport.cpp - Building and JIT-running kernels in tests --===//

#include "KernelTestSupport.h"

#include "HalideKernel.h"

#include "sora/Core/KernelShapes.h"
#include "sora/Tuning/Heuristics.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>

namespace sora::test {

int SpecBuilder::add(KernelOp op, std::vector<int> operands) {
  op.operands = std::move(operands);
  // The shape rule the validator applies; a malformed op (a test of the
  // validator) keeps an empty shape and is rejected later.
  if (std::optional<Shape> shape =
          inferKernelOpShape(op, KernelOperands::of(spec, op),
                             ShapeError([](const std::string &) {})))
    op.shape = *shape;
  spec.ops.push_back(std::move(op));
  return spec.numValues() - 1;
}

int SpecBuilder::arg(const Shape &shape) {
  // Arguments come before ops; builders add all of them first.
  spec.args.push_back(shape);
  return (int)spec.args.size() - 1;
}

int SpecBuilder::dense(int x, int w, int bias) {
  std::vector<int> operands{x, w};
  if (bias >= 0)
    operands.push_back(bias);
  return add(KernelOp::of(KernelOpKind::Dense), operands);
}

int SpecBuilder::conv(int x, int w, int bias, std::array<int64_t, 2> strides,
                      std::array<int64_t, 2> dilation,
                      std::array<int64_t, 4> pad, int64_t groups) {
  KernelOp op = KernelOp::of(KernelOpKind::Conv2D);
  op.window = {spec.shapeOf(w)[0], spec.shapeOf(w)[1]};
  op.strides = strides;
  op.dilation = dilation;
  op.pad = pad;
  op.groups = groups;
  std::vector<int> operands{x, w};
  if (bias >= 0)
    operands.push_back(bias);
  return add(op, operands);
}

int SpecBuilder::pool(KernelOpKind kind, int x, std::array<int64_t, 2> window,
                      std::array<int64_t, 2> strides,
                      std::array<int64_t, 4> pad) {
  KernelOp op = KernelOp::of(kind);
  op.window = window;
  op.strides = strides;
  op.pad = pad;
  return add(op, {x});
}

int SpecBuilder::softmax(int x, int64_t axis) {
  KernelOp op = KernelOp::of(KernelOpKind::Softmax);
  op.axis = axis;
  return add(op, {x});
}

int SpecBuilder::binary(KernelOpKind kind, int a, int b) {
  return add(KernelOp::of(kind), {a, b});
}

int SpecBuilder::unary(KernelOpKind kind, int a) {
  return add(KernelOp::of(kind), {a});
}

int SpecBuilder::logSoftmax(int x, int64_t axis) {
  KernelOp op = KernelOp::of(KernelOpKind::LogSoftmax);
  op.axis = axis;
  return add(op, {x});
}

int SpecBuilder::transpose(int x, std::vector<int64_t> perm) {
  KernelOp op = KernelOp::of(KernelOpKind::Transpose);
  op.perm = std::move(perm);
  return add(op, {x});
}

int SpecBuilder::concat(std::vector<int> xs, int64_t axis) {
  KernelOp op = KernelOp::of(KernelOpKind::Concat);
  op.axis = axis;
  return add(op, std::move(xs));
}

int SpecBuilder::slice(int x, std::vector<int64_t> begin,
                       std::vector<int64_t> end, std::vector<int64_t> step) {
  KernelOp op = KernelOp::of(KernelOpKind::Slice);
  // A kernel slice holds its result extents; the rule checks them.
  for (size_t d = 0; d < begin.size(); ++d)
    op.shape.push_back(step[d] > 0 ? 1 + (end[d] - begin[d] - 1) / step[d]
                                   : 1 - (begin[d] - end[d] - 1) / step[d]);
  op.begin = std::move(begin);
  op.step = std::move(step);
  return add(op, {x});
}

int SpecBuilder::unpackPanels(int packed, int64_t columns) {
  KernelOp op = KernelOp::of(KernelOpKind::UnpackPanels);
  // Its result extents are its attribute; the rule checks them.
  const Shape &shape = spec.shapeOf(packed);
  op.shape.assign(shape.begin() + 1, shape.end() - 1);
  op.shape.push_back(columns);
  return add(op, {packed});
}

int SpecBuilder::winogradFilter(int transformed) {
  return add(KernelOp::of(KernelOpKind::WinogradFilter), {transformed});
}

int SpecBuilder::pad(int x, std::vector<int64_t> low, std::vector<int64_t> high,
                     float value, KernelOpKind kind) {
  KernelOp op = KernelOp::of(kind);
  op.low = std::move(low);
  op.high = std::move(high);
  op.scalars[0] = value;
  return add(op, {x});
}

int SpecBuilder::reduce(int x, ReduceKind reduction, std::vector<int64_t> axes,
                        bool keepDims) {
  KernelOp op = KernelOp::of(KernelOpKind::Reduce);
  op.reduction = reduction;
  op.axes = std::move(axes);
  op.keepDims = keepDims;
  return add(op, {x});
}

int SpecBuilder::layerNorm(int x, int gamma, int beta, int64_t axis,
                           float epsilon) {
  KernelOp op = KernelOp::of(KernelOpKind::LayerNorm);
  op.axis = axis;
  op.scalars[0] = epsilon;
  return add(op, {x, gamma, beta});
}

int SpecBuilder::matmul(int a, int b, bool transposeA, bool transposeB) {
  KernelOp op = KernelOp::of(KernelOpKind::MatMul);
  op.transposeA = transposeA;
  op.transposeB = transposeB;
  return add(op, {a, b});
}

int SpecBuilder::embedding(int ids, int table) {
  return add(KernelOp::of(KernelOpKind::Embedding), {ids, table});
}

int SpecBuilder::unary(KernelOpKind kind, int a, std::array<float, 2> scalars) {
  KernelOp op = KernelOp::of(kind);
  op.scalars = scalars;
  return add(op, {a});
}

KernelSpec SpecBuilder::finish(const TargetInfo &target, int result) {
  spec.result = result >= 0 ? result : spec.numValues() - 1;
  spec.schedule = defaultSchedule(spec, target);
  return spec;
}

std::vector<Tensor> randomArgs(const KernelSpec &spec, unsigned seed) {
  std::vector<Tensor> args;
  for (const Shape &shape : spec.args)
    args.push_back(randomTensor(shape, seed++));
  return args;
}

/// Halide's view of a row-major buffer: the reversed shape.
static std::vector<int> halideSizes(const Shape &shape) {
  return std::vector<int>(shape.rbegin(), shape.rend());
}

Tensor runJit(const KernelSpec &spec, const std::vector<Tensor> &args,
              const TargetInfo &target) {
  HalideKernel kernel = buildHalideKernel(spec);
  std::vector<Tensor> inputs = args; // Halide buffers want mutable data
  for (size_t i = 0; i < inputs.size(); ++i)
    kernel.args[i].set(Halide::Buffer<float>(inputs[i].data.data(),
                                             halideSizes(inputs[i].shape)));
  const Shape &shape = spec.shapeOf(spec.result);
  Tensor result{shape, std::vector<float>(numElements(shape))};
  Halide::Buffer<float> output(result.data.data(), halideSizes(shape));
  Halide::Pipeline(kernel.output)
      .realize(output, Halide::Target(target.halideTarget));
  return result;
}

void expectMatchesReference(const KernelSpec &spec, const TargetInfo &target) {
  std::vector<Tensor> args = randomArgs(spec);
  Tensor want = evaluateReference(spec, args);
  Tensor got;
  try {
    got = runJit(spec, args, target);
  } catch (const Halide::Error &e) {
    FAIL() << "Halide: " << e.what();
  }
  ASSERT_EQ(got.shape, want.shape);
  float scale = 1.0f;
  for (float v : want.data)
    scale = std::max(scale, std::fabs(v));
  float worst = 0.0f;
  size_t worstAt = 0;
  for (size_t i = 0; i < want.data.size(); ++i) {
    float error = std::fabs(got.data[i] - want.data[i]);
    if (std::isnan(error))
      error = INFINITY;
    if (error > worst) {
      worst = error;
      worstAt = i;
    }
  }
  EXPECT_LE(worst, 1e-5f * scale)
      << spec.name << " on " << target.name << ": element " << worstAt << " is "
      << got.data[worstAt] << ", expected " << want.data[worstAt];
}

std::vector<std::string> hostTargetNames() {
  const TargetInfo *host = lookupTarget("host");
  if (!host)
    return {};
  std::vector<std::string> names;
  if (host->name == "x86-64-avx512")
    names.push_back("x86-64-avx2");
  names.push_back(host->name);
  return names;
}

void KernelJitTest::expectClose(const KernelSpec &spec,
                                const std::vector<Tensor> &args,
                                double tolerance) {
  Tensor got = runJit(spec, args, target());
  Tensor want = evaluateReference(spec, args);
  ASSERT_EQ(got.shape, want.shape);
  for (size_t i = 0; i < want.data.size(); ++i)
    ASSERT_NEAR(got.data[i], want.data[i],
                tolerance * std::max(1.0f, std::fabs(want.data[i])))
        << spec.name << " element " << i;
}

std::string
hostTargetTestName(const ::testing::TestParamInfo<std::string> &info) {
  std::string name = info.param;
  for (char &c : name)
    if (!isalnum((unsigned char)c))
      c = '_';
  return name;
}

} // namespace sora::test
