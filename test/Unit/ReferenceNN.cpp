//===- ReferenceNN.cpp - Reference contractions, pools and reductions -----===//

#include "ReferenceOps.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sora::test {

static Tensor dense(const KernelOp &op, const Inputs &in) {
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

static Tensor conv2d(const KernelOp &op, const Inputs &in) {
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

/// conv_transpose2d by its definition: every input cell scatters
/// x * kernel[ky, kx, fg, c] to output cell (iy * s - top + ky * d, ...).
/// op.pad is the zero-inserted input's padding: top = span - pad[0].
static Tensor convTranspose2d(const KernelOp &op, const Inputs &in) {
  const Tensor &x = *in[0], &w = *in[1];
  int64_t inH = x.shape[1], inW = x.shape[2], channels = x.shape[3];
  int64_t kh = w.shape[0], kw = w.shape[1], groupF = w.shape[2];
  int64_t batch = op.shape[0], outH = op.shape[1], outW = op.shape[2];
  int64_t filters = op.shape[3], groupC = channels / op.groups;
  int64_t top = (kh - 1) * op.dilation[0] - op.pad[0];
  int64_t left = (kw - 1) * op.dilation[1] - op.pad[1];
  std::vector<double> sum(numElements(op.shape));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t iy = 0; iy < inH; ++iy)
      for (int64_t ix = 0; ix < inW; ++ix)
        for (int64_t c = 0; c < channels; ++c)
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t oy = iy * op.strides[0] - top + ky * op.dilation[0];
              int64_t ox = ix * op.strides[1] - left + kx * op.dilation[1];
              if (oy < 0 || oy >= outH || ox < 0 || ox >= outW)
                continue;
              double v = x.data[((n * inH + iy) * inW + ix) * channels + c];
              for (int64_t fg = 0; fg < groupF; ++fg) {
                int64_t f = c / groupC * groupF + fg;
                sum[((n * outH + oy) * outW + ox) * filters + f] +=
                    v * w.data[((ky * kw + kx) * groupF + fg) * channels + c];
              }
            }
  Tensor y{op.shape, std::vector<float>(sum.size())};
  for (size_t i = 0; i < sum.size(); ++i)
    y.data[i] =
        (float)(sum[i] + (in.size() == 3 ? in[2]->data[i % filters] : 0.0));
  return y;
}

/// Max, average or (when `lp`) Lp-norm pooling: padded cells never win, are
/// not counted, add nothing.
static Tensor pool(const KernelOp &op, const Tensor &x, bool isMax,
                   bool lp = false) {
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
              acc = isMax ? std::max(acc, v)
                    : lp  ? acc + std::pow(std::fabs(v), (double)op.scalars[0])
                          : acc + v;
              ++count;
            }
          y.data[((n * outH + oy) * outW + ox) * channels + c] =
              (float)(isMax ? acc
                      : lp  ? std::pow(acc, 1.0 / op.scalars[0])
                            : acc / count);
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

static Tensor softmax(const KernelOp &op, const Tensor &x, bool logarithm) {
  Tensor y{op.shape, std::vector<float>(x.data.size())};
  forEachLane(x.shape, op.axis, [&](auto at, int64_t len) {
    double m = -std::numeric_limits<double>::infinity(), sum = 0.0;
    for (int64_t j = 0; j < len; ++j)
      m = std::max(m, (double)x.data[at(j)]);
    for (int64_t j = 0; j < len; ++j)
      sum += std::exp(x.data[at(j)] - m);
    for (int64_t j = 0; j < len; ++j)
      y.data[at(j)] = logarithm ? (float)(x.data[at(j)] - m - std::log(sum))
                                : (float)(std::exp(x.data[at(j)] - m) / sum);
  });
  return y;
}

static Tensor layerNorm(const KernelOp &op, const Inputs &in) {
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
    bool affine = in.size() == 3;
    for (int64_t j = 0; j < len; ++j)
      y.data[at(j)] =
          (float)((x.data[at(j)] - mean) / std::sqrt(var + op.scalars[0]) *
                      (affine ? in[1]->data[j] : 1.0) +
                  (affine ? in[2]->data[j] : 0.0));
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

static Tensor matmul(const KernelOp &op, const Inputs &in) {
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

/// One LSTM step: z = gates + h · R; i, f, g, o = sigmoid, sigmoid, tanh,
/// sigmoid of z's four quarters; c' = f c + i g; h' = o tanh(c').
static Tensor lstmCell(const KernelOp &op, const Inputs &in) {
  const Tensor &gates = *in[0], &recurrent = *in[1], &state = *in[2];
  int64_t batch = op.shape[1], units = op.shape[2];
  Tensor y = resultOf(op);
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t u = 0; u < units; ++u) {
      double z[4];
      for (int q = 0; q < 4; ++q) {
        int64_t col = q * units + u;
        z[q] = gates.data[b * 4 * units + col];
        for (int64_t k = 0; k < units; ++k)
          z[q] += (double)state.data[b * units + k] *
                  recurrent.data[k * 4 * units + col];
      }
      double c = sigmoid(z[1]) * state.data[(batch + b) * units + u] +
                 sigmoid(z[0]) * std::tanh(z[2]);
      y.data[b * units + u] = (float)(sigmoid(z[3]) * std::tanh(c));
      y.data[(batch + b) * units + u] = (float)c;
    }
  return y;
}

/// One GRU step (r, z, n blocks; recurrent bias b): reset after,
/// n = tanh(g_n + r (h · R_n + b_n)); reset before,
/// n = tanh(g_n + (r h) · R_n + b_n); h' = (1 - z) n + z h.
static Tensor gruCell(const KernelOp &op, const Inputs &in, bool resetAfter) {
  const Tensor &gates = *in[0], &recurrent = *in[1], &bias = *in[2],
               &state = *in[3];
  int64_t batch = op.shape[1], units = op.shape[2], cols = 3 * units;
  Tensor y = resultOf(op);
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int64_t b = 0; b < batch; ++b) {
    const float *h = &state.data[b * units];
    // u = h · R + bias for every column, and r for every unit.
    std::vector<double> u(cols), r(units);
    for (int64_t col = 0; col < cols; ++col) {
      u[col] = bias.data[col];
      for (int64_t k = 0; k < units; ++k)
        u[col] += (double)h[k] * recurrent.data[k * cols + col];
    }
    for (int64_t k = 0; k < units; ++k)
      r[k] = sigmoid(gates.data[b * cols + k] + u[k]);
    for (int64_t j = 0; j < units; ++j) {
      double z = sigmoid(gates.data[b * cols + units + j] + u[units + j]);
      double reset = r[j] * u[2 * units + j];
      if (!resetAfter) {
        reset = bias.data[2 * units + j];
        for (int64_t k = 0; k < units; ++k)
          reset += r[k] * h[k] * recurrent.data[k * cols + 2 * units + j];
      }
      double n = std::tanh(gates.data[b * cols + 2 * units + j] + reset);
      y.data[b * units + j] = (float)((1.0 - z) * n + z * h[j]);
    }
  }
  return y;
}

/// One Elman RNN step: h' = tanh(g + h · R), or relu.
static Tensor rnnCell(const KernelOp &op, const Inputs &in, bool relu) {
  const Tensor &gates = *in[0], &recurrent = *in[1], &state = *in[2];
  int64_t batch = op.shape[1], units = op.shape[2];
  Tensor y = resultOf(op);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = 0; j < units; ++j) {
      double z = gates.data[b * units + j];
      for (int64_t k = 0; k < units; ++k)
        z += (double)state.data[b * units + k] * recurrent.data[k * units + j];
      y.data[b * units + j] = (float)(relu ? std::max(z, 0.0) : std::tanh(z));
    }
  return y;
}

template <>
Tensor reference<KernelOpKind::Dense>(const KernelOp &op, const Inputs &in) {
  return dense(op, in);
}

template <>
Tensor reference<KernelOpKind::Conv2D>(const KernelOp &op, const Inputs &in) {
  return conv2d(op, in);
}

template <>
Tensor reference<KernelOpKind::ConvTranspose2D>(const KernelOp &op,
                                                const Inputs &in) {
  return convTranspose2d(op, in);
}

template <>
Tensor reference<KernelOpKind::MaxPool2D>(const KernelOp &op,
                                          const Inputs &in) {
  return pool(op, *in[0], /*isMax=*/true);
}

template <>
Tensor reference<KernelOpKind::AvgPool2D>(const KernelOp &op,
                                          const Inputs &in) {
  return pool(op, *in[0], /*isMax=*/false);
}

template <>
Tensor reference<KernelOpKind::LpPool2D>(const KernelOp &op, const Inputs &in) {
  return pool(op, *in[0], /*isMax=*/false, /*lp=*/true);
}

template <>
Tensor reference<KernelOpKind::Softmax>(const KernelOp &op, const Inputs &in) {
  return softmax(op, *in[0], /*logarithm=*/false);
}

template <>
Tensor reference<KernelOpKind::LogSoftmax>(const KernelOp &op,
                                           const Inputs &in) {
  return softmax(op, *in[0], /*logarithm=*/true);
}

template <>
Tensor reference<KernelOpKind::LayerNorm>(const KernelOp &op,
                                          const Inputs &in) {
  return layerNorm(op, in);
}

template <>
Tensor reference<KernelOpKind::MatMul>(const KernelOp &op, const Inputs &in) {
  return matmul(op, in);
}

template <>
Tensor reference<KernelOpKind::LstmCell>(const KernelOp &op, const Inputs &in) {
  return lstmCell(op, in);
}

template <>
Tensor reference<KernelOpKind::GruCell>(const KernelOp &op, const Inputs &in) {
  return gruCell(op, in, /*resetAfter=*/true);
}

template <>
Tensor reference<KernelOpKind::GruResetBeforeCell>(const KernelOp &op,
                                                   const Inputs &in) {
  return gruCell(op, in, /*resetAfter=*/false);
}

template <>
Tensor reference<KernelOpKind::RnnTanhCell>(const KernelOp &op,
                                            const Inputs &in) {
  return rnnCell(op, in, /*relu=*/false);
}

template <>
Tensor reference<KernelOpKind::RnnReluCell>(const KernelOp &op,
                                            const Inputs &in) {
  return rnnCell(op, in, /*relu=*/true);
}

/// Every cell of x adds to the result cell it reduces into, in double.
template <>
Tensor reference<KernelOpKind::Reduce>(const KernelOp &op, const Inputs &in) {
  const Tensor &x = *in[0];
  size_t rank = x.shape.size();
  std::vector<bool> reduced(rank, false);
  for (int64_t axis : op.axes)
    reduced[axis] = true;
  Shape kept; // the result index space with the reduced axes as extent 1
  for (size_t d = 0; d < rank; ++d)
    kept.push_back(reduced[d] ? 1 : x.shape[d]);
  int64_t cells = numElements(x.shape) / numElements(kept);
  bool isMax =
      op.reduction == ReduceKind::Max || op.reduction == ReduceKind::LogSumExp;
  double start = op.reduction == ReduceKind::Prod  ? 1.0
                 : isMax                           ? -INFINITY
                 : op.reduction == ReduceKind::Min ? INFINITY
                                                   : 0.0;
  std::vector<double> acc(numElements(kept), start),
      peak(acc.size(), -INFINITY);
  std::vector<int64_t> index(rank, 0);
  // Pass 1: the maximum (log_sum_exp), or the reduction itself.
  for (int pass = 0; pass < 2; ++pass) {
    std::fill(index.begin(), index.end(), 0);
    for (float value : x.data) {
      std::vector<int64_t> at = index;
      for (size_t d = 0; d < rank; ++d)
        at[d] = reduced[d] ? 0 : at[d];
      double v = value, &a = acc[offsetOf(kept, at)];
      double &m = peak[offsetOf(kept, at)];
      switch (op.reduction) {
      case ReduceKind::Sum:
      case ReduceKind::Mean:
        a += v;
        break;
      case ReduceKind::L1:
        a += std::fabs(v);
        break;
      case ReduceKind::L2:
      case ReduceKind::SumSquare:
        a += v * v;
        break;
      case ReduceKind::Prod:
        a *= v;
        break;
      case ReduceKind::Max:
        a = std::isnan(a) || std::isnan(v) ? NAN : std::max(a, v);
        break;
      case ReduceKind::Min:
        a = std::isnan(a) || std::isnan(v) ? NAN : std::min(a, v);
        break;
      case ReduceKind::LogSumExp:
        if (pass == 0)
          m = std::isnan(m) || std::isnan(v) ? NAN : std::max(m, v);
        else
          a = (a == -INFINITY ? 0.0 : a) +
              std::exp(v - (std::isfinite(m) ? m : 0.0));
        break;
      }
      nextIndex(index, x.shape);
    }
    if (op.reduction != ReduceKind::LogSumExp)
      break;
  }
  Tensor y = resultOf(op);
  for (size_t i = 0; i < acc.size(); ++i) {
    double a = acc[i];
    if (op.reduction == ReduceKind::Mean)
      a /= (double)cells;
    else if (op.reduction == ReduceKind::L2)
      a = std::sqrt(a);
    else if (op.reduction == ReduceKind::LogSumExp)
      a = (std::isfinite(peak[i]) ? peak[i] : 0.0) + std::log(a);
    y.data[i] = (float)a; // keepdims or not: the same row-major order
  }
  return y;
}

} // namespace sora::test
