//===- KernelTestSupport.cpp - Building and JIT-running kernels in tests --===//

#include "KernelTestSupport.h"

#include "HalideKernel.h"

#include "sora/Tuning/Heuristics.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>

namespace sora::test {

int SpecBuilder::add(KernelOp op) {
  spec.ops.push_back(std::move(op));
  return spec.numValues() - 1;
}

int SpecBuilder::arg(const Shape &shape) {
  // Arguments come before ops; builders add all of them first.
  spec.args.push_back(shape);
  return (int)spec.args.size() - 1;
}

int SpecBuilder::dense(int x, int w, int bias) {
  KernelOp op{KernelOpKind::Dense, {x, w}, {}};
  if (bias >= 0)
    op.operands.push_back(bias);
  op.shape = {spec.shapeOf(x)[0], spec.shapeOf(w)[1]};
  return add(op);
}

int SpecBuilder::conv(int x, int w, int bias, std::array<int64_t, 2> strides,
                      std::array<int64_t, 2> dilation,
                      std::array<int64_t, 4> pad, int64_t groups) {
  KernelOp op{KernelOpKind::Conv2D, {x, w}, {}};
  op.groups = groups;
  if (bias >= 0)
    op.operands.push_back(bias);
  op.strides = strides;
  op.dilation = dilation;
  op.pad = pad;
  const Shape &xs = spec.shapeOf(x), &ws = spec.shapeOf(w);
  int64_t spanH = dilation[0] * (ws[0] - 1) + 1;
  int64_t spanW = dilation[1] * (ws[1] - 1) + 1;
  op.shape = {xs[0], (xs[1] + pad[0] + pad[2] - spanH) / strides[0] + 1,
              (xs[2] + pad[1] + pad[3] - spanW) / strides[1] + 1, ws[3]};
  return add(op);
}

int SpecBuilder::pool(KernelOpKind kind, int x, std::array<int64_t, 2> window,
                      std::array<int64_t, 2> strides,
                      std::array<int64_t, 4> pad) {
  KernelOp op{kind, {x}, {}};
  op.window = window;
  op.strides = strides;
  op.pad = pad;
  const Shape &xs = spec.shapeOf(x);
  op.shape = {xs[0], (xs[1] + pad[0] + pad[2] - window[0]) / strides[0] + 1,
              (xs[2] + pad[1] + pad[3] - window[1]) / strides[1] + 1, xs[3]};
  return add(op);
}

int SpecBuilder::softmax(int x, int64_t axis) {
  KernelOp op{KernelOpKind::Softmax, {x}, spec.shapeOf(x)};
  op.axis = axis;
  return add(op);
}

int SpecBuilder::binary(KernelOpKind kind, int a, int b) {
  const Shape &sa = spec.shapeOf(a), &sb = spec.shapeOf(b);
  size_t rank = std::max(sa.size(), sb.size());
  Shape shape(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t ea = i < sa.size() ? sa[sa.size() - 1 - i] : 1;
    int64_t eb = i < sb.size() ? sb[sb.size() - 1 - i] : 1;
    shape[rank - 1 - i] = std::max(ea, eb);
  }
  return add(KernelOp{kind, {a, b}, shape});
}

int SpecBuilder::unary(KernelOpKind kind, int a) {
  return add(KernelOp{kind, {a}, spec.shapeOf(a)});
}

int SpecBuilder::logSoftmax(int x, int64_t axis) {
  KernelOp op{KernelOpKind::LogSoftmax, {x}, spec.shapeOf(x)};
  op.axis = axis;
  return add(op);
}

int SpecBuilder::transpose(int x, std::vector<int64_t> perm) {
  KernelOp op{KernelOpKind::Transpose, {x}, {}};
  for (int64_t p : perm)
    op.shape.push_back(spec.shapeOf(x)[p]);
  op.perm = std::move(perm);
  return add(op);
}

int SpecBuilder::concat(std::vector<int> xs, int64_t axis) {
  KernelOp op{KernelOpKind::Concat, xs, spec.shapeOf(xs[0])};
  op.axis = axis;
  op.shape[axis] = 0;
  for (int x : xs)
    op.shape[axis] += spec.shapeOf(x)[axis];
  return add(op);
}

int SpecBuilder::slice(int x, std::vector<int64_t> begin,
                       std::vector<int64_t> end, std::vector<int64_t> step) {
  KernelOp op{KernelOpKind::Slice, {x}, {}};
  for (size_t d = 0; d < begin.size(); ++d)
    op.shape.push_back((end[d] - begin[d] + step[d] - 1) / step[d]);
  op.begin = std::move(begin);
  op.step = std::move(step);
  return add(op);
}

int SpecBuilder::pad(int x, std::vector<int64_t> low, std::vector<int64_t> high,
                     float value) {
  KernelOp op{KernelOpKind::Pad, {x}, spec.shapeOf(x)};
  for (size_t d = 0; d < low.size(); ++d)
    op.shape[d] += low[d] + high[d];
  op.low = std::move(low);
  op.high = std::move(high);
  op.scalars[0] = value;
  return add(op);
}

int SpecBuilder::layerNorm(int x, int gamma, int beta, int64_t axis,
                           float epsilon) {
  KernelOp op{KernelOpKind::LayerNorm, {x, gamma, beta}, spec.shapeOf(x)};
  op.axis = axis;
  op.scalars[0] = epsilon;
  return add(op);
}

int SpecBuilder::matmul(int a, int b, bool transposeA, bool transposeB) {
  const Shape &sa = spec.shapeOf(a), &sb = spec.shapeOf(b);
  size_t ra = sa.size(), rb = sb.size(), batch = std::max(ra, rb) - 2;
  KernelOp op{KernelOpKind::MatMul, {a, b}, Shape(batch, 1)};
  for (size_t i = 0; i < batch; ++i) {
    int64_t ea = i + 2 < ra ? sa[ra - 3 - i] : 1;
    int64_t eb = i + 2 < rb ? sb[rb - 3 - i] : 1;
    op.shape[batch - 1 - i] = std::max(ea, eb);
  }
  op.shape.push_back(transposeA ? sa[ra - 1] : sa[ra - 2]);
  op.shape.push_back(transposeB ? sb[rb - 2] : sb[rb - 1]);
  op.transposeA = transposeA;
  op.transposeB = transposeB;
  return add(op);
}

int SpecBuilder::embedding(int ids, int table) {
  KernelOp op{KernelOpKind::Embedding, {ids, table}, spec.shapeOf(ids)};
  op.shape.push_back(spec.shapeOf(table)[1]);
  return add(op);
}

int SpecBuilder::unary(KernelOpKind kind, int a, std::array<float, 2> scalars) {
  KernelOp op{kind, {a}, spec.shapeOf(a)};
  op.scalars = scalars;
  return add(op);
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
