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
  int64_t inH = x.shape[1], inW = x.shape[2], channels = x.shape[3];
  int64_t kh = w.shape[0], kw = w.shape[1], filters = w.shape[3];
  int64_t batch = op.shape[0], outH = op.shape[1], outW = op.shape[2];
  int64_t groupC = w.shape[2], groupF = filters / op.groups; // per group
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oy = 0; oy < outH; ++oy)
      for (int64_t ox = 0; ox < outW; ++ox)
        for (int64_t f = 0; f < filters; ++f) {
          int64_t c0 = f / groupF * groupC; // first input channel of f's group
          double sum = in.size() == 3 ? in[2]->data[f] : 0.0;
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t iy = oy * op.strides[0] + ky * op.dilation[0] - op.pad[0];
              int64_t ix = ox * op.strides[1] + kx * op.dilation[1] - op.pad[1];
              if (iy < 0 || iy >= inH || ix < 0 || ix >= inW)
                continue;
              for (int64_t c = 0; c < groupC; ++c)
                sum +=
                    (double)x
                        .data[((n * inH + iy) * inW + ix) * channels + c0 + c] *
                    w.data[((ky * kw + kx) * groupC + c) * filters + f];
            }
          y.data[((n * outH + oy) * outW + ox) * filters + f] = (float)sum;
        }
  return y;
}

static Tensor pool(const KernelOp &op, const Tensor &x) {
  bool isMax = op.kind == KernelOpKind::MaxPool2D;
  int64_t inH = x.shape[1], inW = x.shape[2], channels = x.shape[3];
  int64_t batch = op.shape[0], outH = op.shape[1], outW = op.shape[2];
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oy = 0; oy < outH; ++oy)
      for (int64_t ox = 0; ox < outW; ++ox)
        for (int64_t c = 0; c < channels; ++c) {
          double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
          int count = 0;
          for (int64_t ky = 0; ky < op.window[0]; ++ky)
            for (int64_t kx = 0; kx < op.window[1]; ++kx) {
              int64_t iy = oy * op.strides[0] - op.pad[0] + ky;
              int64_t ix = ox * op.strides[1] - op.pad[1] + kx;
              if (iy < 0 || iy >= inH || ix < 0 || ix >= inW)
                continue;
              double v = x.data[((n * inH + iy) * inW + ix) * channels + c];
              acc = isMax ? std::max(acc, v) : acc + v;
              ++count;
            }
          y.data[((n * outH + oy) * outW + ox) * channels + c] =
              (float)(isMax ? acc : acc / count);
        }
  return y;
}

/// Calls `fn(at, len)` once per lane of `shape` along `axis`: the lane's
/// `len` elements are at row-major offsets at(0), ..., at(len - 1).
template <typename Fn>
static void forEachLane(const Shape &shape, int64_t axis, Fn fn) {
  int64_t outer = 1, inner = 1, len = shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      fn([&](int64_t j) { return (o * len + j) * inner + i; }, len);
}

static Tensor softmax(const KernelOp &op, const Tensor &x) {
  Tensor y{op.shape, std::vector<float>(x.data.size())};
  forEachLane(x.shape, op.axis, [&](auto at, int64_t len) {
    double m = -std::numeric_limits<double>::infinity(), sum = 0.0;
    for (int64_t j = 0; j < len; ++j)
      m = std::max(m, (double)x.data[at(j)]);
    for (int64_t j = 0; j < len; ++j)
      sum += std::exp(x.data[at(j)] - m);
    for (int64_t j = 0; j < len; ++j)
      y.data[at(j)] = op.kind == KernelOpKind::LogSoftmax
                          ? (float)(x.data[at(j)] - m - std::log(sum))
                          : (float)(std::exp(x.data[at(j)] - m) / sum);
  });
  return y;
}

static Tensor layerNorm(const KernelOp &op,
                        const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  Tensor y{op.shape, std::vector<float>(x.data.size())};
  forEachLane(x.shape, op.axis, [&](auto at, int64_t len) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < len; ++j)
      mean += x.data[at(j)];
    mean /= len;
    for (int64_t j = 0; j < len; ++j)
      var += (x.data[at(j)] - mean) * (x.data[at(j)] - mean);
    var /= len;
    for (int64_t j = 0; j < len; ++j)
      y.data[at(j)] =
          (float)((x.data[at(j)] - mean) / std::sqrt(var + op.scalars[0]) *
                      in[1]->data[j] +
                  in[2]->data[j]);
  });
  return y;
}

/// Row-major offset of element (batch index..., row, col) of a matrix
/// operand, broadcasting its batch dims against the result's.
static size_t matrixOffset(const Tensor &t, const std::vector<int64_t> &index,
                           int64_t row, int64_t col, bool transposed) {
  size_t rank = t.shape.size(), shift = index.size() - 2 - (rank - 2);
  size_t offset = 0;
  for (size_t d = 0; d + 2 < rank; ++d)
    offset = offset * t.shape[d] + (t.shape[d] == 1 ? 0 : index[d + shift]);
  int64_t r = transposed ? col : row, c = transposed ? row : col;
  return (offset * t.shape[rank - 2] + r) * t.shape[rank - 1] + c;
}

static Tensor matmul(const KernelOp &op,
                     const std::vector<const Tensor *> &in) {
  const Tensor &a = *in[0], &b = *in[1];
  size_t rank = op.shape.size();
  int64_t depth = op.transposeA ? a.shape[a.shape.size() - 2] : a.shape.back();
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  std::vector<int64_t> index(rank, 0);
  for (float &out : y.data) {
    double sum = 0;
    for (int64_t k = 0; k < depth; ++k)
      sum +=
          (double)a
              .data[matrixOffset(a, index, index[rank - 2], k, op.transposeA)] *
          b.data[matrixOffset(b, index, k, index[rank - 1], op.transposeB)];
    out = (float)sum;
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < op.shape[d])
        break;
      index[d] = 0;
    }
  }
  return y;
}

static Tensor embedding(const KernelOp &op,
                        const std::vector<const Tensor *> &in) {
  const Tensor &ids = *in[0], &table = *in[1];
  int64_t width = table.shape[1];
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  for (size_t i = 0; i < ids.data.size(); ++i)
    for (int64_t d = 0; d < width; ++d)
      y.data[i * width + d] = table.data[(int64_t)ids.data[i] * width + d];
  return y;
}

/// Row-major strides of `shape`.
static std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

/// Transpose, Concat, Slice and Pad: each result element from its index.
static Tensor dataMovement(const KernelOp &op,
                           const std::vector<const Tensor *> &in) {
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  size_t rank = op.shape.size();
  std::vector<int64_t> index(rank, 0);
  for (float &out : y.data) {
    const Tensor *x = in[0];
    std::vector<int64_t> src(index);
    bool inside = true;
    switch (op.kind) {
    case KernelOpKind::Transpose:
      for (size_t i = 0; i < rank; ++i)
        src[op.perm[i]] = index[i];
      break;
    case KernelOpKind::Slice:
      for (size_t i = 0; i < rank; ++i)
        src[i] = op.begin[i] + index[i] * op.step[i];
      break;
    case KernelOpKind::Pad:
      for (size_t i = 0; i < rank; ++i) {
        src[i] = index[i] - op.low[i];
        inside &= src[i] >= 0 && src[i] < x->shape[i];
      }
      break;
    default: // Concat
      for (const Tensor *piece : in) {
        if (src[op.axis] < piece->shape[op.axis]) {
          x = piece;
          break;
        }
        src[op.axis] -= piece->shape[op.axis];
      }
      break;
    }
    int64_t offset = 0;
    std::vector<int64_t> strides = stridesOf(x->shape);
    for (size_t i = 0; i < rank; ++i)
      offset += src[i] * strides[i];
    out = inside ? x->data[offset] : op.scalars[0];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < op.shape[d])
        break;
      index[d] = 0;
    }
  }
  return y;
}

/// One element of a binary or unary elementwise op, in double precision.
static double elementwiseValue(const KernelOp &op, double a, double b) {
  switch (op.kind) {
  case KernelOpKind::Add:
    return a + b;
  case KernelOpKind::Mul:
    return a * b;
  case KernelOpKind::Sub:
    return a - b;
  case KernelOpKind::Div:
    return a / b;
  case KernelOpKind::Maximum:
    return std::max(a, b);
  case KernelOpKind::Minimum:
    return std::min(a, b);
  case KernelOpKind::Relu:
    return std::max(a, 0.0);
  case KernelOpKind::Sigmoid:
    return 1.0 / (1.0 + std::exp(-a));
  case KernelOpKind::Tanh:
    return std::tanh(a);
  case KernelOpKind::Exp:
    return std::exp(a);
  case KernelOpKind::Sqrt:
    return std::sqrt(a);
  case KernelOpKind::Gelu:
    return 0.5 * a * (1.0 + std::erf(a / std::sqrt(2.0)));
  case KernelOpKind::GeluTanh: {
    const double pi = 3.14159265358979323846;
    return 0.5 * a *
           (1.0 + std::tanh(std::sqrt(2.0 / pi) * (a + 0.044715 * a * a * a)));
  }
  case KernelOpKind::Silu:
    return a / (1.0 + std::exp(-a));
  case KernelOpKind::LeakyRelu:
    return a > 0 ? a : op.scalars[0] * a;
  case KernelOpKind::HardSwish:
    return a * std::min(std::max(a + 3.0, 0.0), 6.0) / 6.0;
  case KernelOpKind::Relu6:
    return std::min(std::max(a, 0.0), 6.0);
  case KernelOpKind::Clip:
    return std::min(std::max(a, (double)op.scalars[0]), (double)op.scalars[1]);
  default:
    return NAN;
  }
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
    if (op.kind == KernelOpKind::BatchNorm) {
      auto param = [&](int i) {
        return (double)in[i]->data[broadcastOffset(in[i]->shape, index)];
      };
      out = (float)((a - param(3)) / std::sqrt(param(4) + op.scalars[0]) *
                        param(1) +
                    param(2));
    } else {
      out = (float)elementwiseValue(op, a, b);
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
    case KernelOpKind::LogSoftmax:
      values.push_back(softmax(op, *in[0]));
      break;
    case KernelOpKind::Transpose:
    case KernelOpKind::Concat:
    case KernelOpKind::Slice:
    case KernelOpKind::Pad:
      values.push_back(dataMovement(op, in));
      break;
    case KernelOpKind::LayerNorm:
      values.push_back(layerNorm(op, in));
      break;
    case KernelOpKind::MatMul:
      values.push_back(matmul(op, in));
      break;
    case KernelOpKind::Embedding:
      values.push_back(embedding(op, in));
      break;
    default:
      values.push_back(elementwise(op, in));
      break;
    }
  }
  return values[spec.result];
}

} // namespace sora::test
