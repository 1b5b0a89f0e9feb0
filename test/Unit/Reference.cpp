//===- Reference.cpp - Naive kernel evaluation for the unit tests ---------===//

#include "Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace sora::test {

size_t numElements(const Shape &shape) {
  size_t n = 1;
  for (int64_t extent : shape)
    n *= (size_t)extent;
  return n;
}

Tensor randomTensor(const Shape &shape, unsigned seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t{shape, std::vector<float>(numElements(shape))};
  for (float &v : t.data)
    v = dist(rng);
  return t;
}

static Tensor dense(const KernelOp &op, const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0], &w = *in[1];
  int64_t n = x.shape[0], k = x.shape[1], u = w.shape[1];
  Tensor y{op.shape, std::vector<float>(n * u)};
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < u; ++j) {
      double sum = in.size() == 3 ? in[2]->data[j] : 0.0;
      for (int64_t l = 0; l < k; ++l)
        sum += (double)x.data[i * k + l] * w.data[l * u + j];
      y.data[i * u + j] = (float)sum;
    }
  return y;
}

static Tensor conv2d(const KernelOp &op,
                     const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0], &w = *in[1];
  int64_t H = x.shape[1], W = x.shape[2], C = x.shape[3];
  int64_t KH = w.shape[0], KW = w.shape[1], F = w.shape[3];
  int64_t N = op.shape[0], OH = op.shape[1], OW = op.shape[2];
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox)
        for (int64_t f = 0; f < F; ++f) {
          double sum = in.size() == 3 ? in[2]->data[f] : 0.0;
          for (int64_t ky = 0; ky < KH; ++ky)
            for (int64_t kx = 0; kx < KW; ++kx) {
              int64_t iy = oy * op.strides[0] + ky * op.dilation[0] - op.pad[0];
              int64_t ix = ox * op.strides[1] + kx * op.dilation[1] - op.pad[1];
              if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                continue;
              for (int64_t c = 0; c < C; ++c)
                sum += (double)x.data[((n * H + iy) * W + ix) * C + c] *
                       w.data[((ky * KW + kx) * C + c) * F + f];
            }
          y.data[((n * OH + oy) * OW + ox) * F + f] = (float)sum;
        }
  return y;
}

static Tensor pool(const KernelOp &op, const Tensor &x) {
  bool isMax = op.kind == KernelOpKind::MaxPool2D;
  int64_t H = x.shape[1], W = x.shape[2], C = x.shape[3];
  int64_t N = op.shape[0], OH = op.shape[1], OW = op.shape[2];
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
          int count = 0;
          for (int64_t ky = 0; ky < op.window[0]; ++ky)
            for (int64_t kx = 0; kx < op.window[1]; ++kx) {
              int64_t iy = oy * op.strides[0] - op.pad[0] + ky;
              int64_t ix = ox * op.strides[1] - op.pad[1] + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                continue;
              double v = x.data[((n * H + iy) * W + ix) * C + c];
              acc = isMax ? std::max(acc, v) : acc + v;
              ++count;
            }
          y.data[((n * OH + oy) * OW + ox) * C + c] =
              (float)(isMax ? acc : acc / count);
        }
  return y;
}

static Tensor softmax(const KernelOp &op, const Tensor &x) {
  int64_t outer = 1, inner = 1, len = x.shape[op.axis];
  for (int64_t d = 0; d < op.axis; ++d)
    outer *= x.shape[d];
  for (size_t d = op.axis + 1; d < x.shape.size(); ++d)
    inner *= x.shape[d];
  Tensor y{op.shape, std::vector<float>(x.data.size())};
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * len + j) * inner + i; };
      double m = -std::numeric_limits<double>::infinity(), sum = 0.0;
      for (int64_t j = 0; j < len; ++j)
        m = std::max(m, (double)x.data[at(j)]);
      for (int64_t j = 0; j < len; ++j)
        sum += std::exp(x.data[at(j)] - m);
      for (int64_t j = 0; j < len; ++j)
        y.data[at(j)] = (float)(std::exp(x.data[at(j)] - m) / sum);
    }
  return y;
}

/// Row-major offset into `operand` of the result element at `index`, with
/// NumPy broadcasting (shapes aligned on the right).
static size_t broadcastOffset(const Shape &operand,
                              const std::vector<int64_t> &index) {
  size_t offset = 0, shift = index.size() - operand.size();
  for (size_t d = 0; d < operand.size(); ++d)
    offset = offset * operand[d] + (operand[d] == 1 ? 0 : index[d + shift]);
  return offset;
}

static Tensor elementwise(const KernelOp &op,
                          const std::vector<const Tensor *> &in) {
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  std::vector<int64_t> index(op.shape.size(), 0);
  for (float &out : y.data) {
    double a = in[0]->data[broadcastOffset(in[0]->shape, index)];
    double b =
        in.size() > 1 ? in[1]->data[broadcastOffset(in[1]->shape, index)] : 0.0;
    switch (op.kind) {
    case KernelOpKind::Add:
      out = (float)(a + b);
      break;
    case KernelOpKind::Mul:
      out = (float)(a * b);
      break;
    case KernelOpKind::Relu:
      out = (float)std::max(a, 0.0);
      break;
    case KernelOpKind::Sigmoid:
      out = (float)(1.0 / (1.0 + std::exp(-a)));
      break;
    default:
      out = (float)std::tanh(a);
      break;
    }
    for (size_t d = index.size(); d-- > 0;) {
      if (++index[d] < op.shape[d])
        break;
      index[d] = 0;
    }
  }
  return y;
}

Tensor evaluateReference(const KernelSpec &spec,
                         const std::vector<Tensor> &args) {
  std::vector<Tensor> values = args;
  values.reserve(spec.numValues());
  for (const KernelOp &op : spec.ops) {
    std::vector<const Tensor *> in;
    for (int id : op.operands)
      in.push_back(&values[id]);
    switch (op.kind) {
    case KernelOpKind::Dense:
      values.push_back(dense(op, in));
      break;
    case KernelOpKind::Conv2D:
      values.push_back(conv2d(op, in));
      break;
    case KernelOpKind::MaxPool2D:
    case KernelOpKind::AvgPool2D:
      values.push_back(pool(op, *in[0]));
      break;
    case KernelOpKind::Softmax:
      values.push_back(softmax(op, *in[0]));
      break;
    default:
      values.push_back(elementwise(op, in));
      break;
    }
  }
  return values[spec.result];
}

} // namespace sora::test
