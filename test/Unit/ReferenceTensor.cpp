//===- ReferenceTensor.cpp - Reference copies and resampling --------------===//

#include "ReferenceOps.h"

#include <algorithm>
#include <cmath>

namespace sora::test {

static Tensor embedding(const KernelOp &op, const Inputs &in) {
  const Tensor &ids = *in[0], &table = *in[1];
  int64_t width = table.shape[1];
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  for (size_t i = 0; i < ids.data.size(); ++i)
    for (int64_t d = 0; d < width; ++d)
      y.data[i * width + d] = table.data[(int64_t)ids.data[i] * width + d];
  return y;
}

/// A copy: each result element is element `src` of operand `x`, which
/// `locate(index, src, x)` sets from the result index (src starts as the
/// index, x as operand 0); it returns false for padding (scalars[0]).
template <typename Locate>
static Tensor copy(const KernelOp &op, const Inputs &in, Locate locate) {
  Tensor y = resultOf(op);
  std::vector<int64_t> index(op.shape.size(), 0);
  for (float &out : y.data) {
    const Tensor *x = in[0];
    std::vector<int64_t> src(index);
    bool inside = locate(index, src, x);
    out = inside ? x->data[offsetOf(x->shape, src)] : op.scalars[0];
    nextIndex(index, op.shape);
  }
  return y;
}

using Index = std::vector<int64_t>;

/// Index into tensor `packed` ([G, rest..., P], panels of P rows) of row f
/// of the unpacked tensor, at `rest`.
static Index panelIndex(const Tensor &packed, int64_t f, const Index &rest) {
  int64_t width = packed.shape.back();
  Index src{f / width};
  src.insert(src.end(), rest.begin(), rest.end());
  src.push_back(f % width);
  return src;
}

template <>
Tensor reference<KernelOpKind::Transpose>(const KernelOp &op,
                                          const Inputs &in) {
  return copy(op, in, [&](const Index &index, Index &src, const Tensor *&) {
    for (size_t i = 0; i < index.size(); ++i)
      src[op.perm[i]] = index[i];
    return true;
  });
}

template <>
Tensor reference<KernelOpKind::UnpackPanels>(const KernelOp &op,
                                             const Inputs &in) {
  return copy(op, in, [&](const Index &index, Index &src, const Tensor *&x) {
    src = panelIndex(*x, index.back(), Index(index.begin(), index.end() - 1));
    return true;
  });
}

/// g = G+ U G+^T per channel pair, G+ = [[1, 0, 0, 0], [0, 1, -1, 0],
/// [0, 0, 0, 1]] (U is [G, 4, 4, C, P], panels of P filters; g [3, 3, C,
/// G * P]).
template <>
Tensor reference<KernelOpKind::WinogradFilter>(const KernelOp &op,
                                               const Inputs &in) {
  const Tensor &u = *in[0];
  int64_t channels = u.shape[3], filters = u.shape[0] * u.shape[4];
  static const int kInverse[3][4] = {{1, 0, 0, 0}, {0, 1, -1, 0}, {0, 0, 0, 1}};
  Tensor g = resultOf(op);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t f = 0; f < filters; ++f) {
      float tile[4][4]; // U of this channel pair, read once
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b)
          tile[a][b] = u.data[offsetOf(u.shape, panelIndex(u, f, {a, b, c}))];
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          float sum = 0.0f;
          for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 4; ++b)
              sum += kInverse[i][a] * kInverse[j][b] * tile[a][b];
          g.data[((i * 3 + j) * channels + c) * filters + f] = sum;
        }
    }
  return g;
}

template <>
Tensor reference<KernelOpKind::Slice>(const KernelOp &op, const Inputs &in) {
  return copy(op, in, [&](const Index &index, Index &src, const Tensor *&) {
    for (size_t i = 0; i < index.size(); ++i)
      src[i] = op.begin[i] + index[i] * op.step[i];
    return true;
  });
}

template <>
Tensor reference<KernelOpKind::Pad>(const KernelOp &op, const Inputs &in) {
  return copy(op, in, [&](const Index &index, Index &src, const Tensor *&x) {
    bool inside = true;
    for (size_t i = 0; i < index.size(); ++i) {
      src[i] = index[i] - op.low[i];
      inside &= src[i] >= 0 && src[i] < x->shape[i];
    }
    return inside;
  });
}

template <>
Tensor reference<KernelOpKind::PadReflect>(const KernelOp &op,
                                           const Inputs &in) {
  return copy(op, in, [&](const Index &index, Index &src, const Tensor *&x) {
    for (size_t i = 0; i < index.size(); ++i) {
      int64_t at = index[i] - op.low[i], last = x->shape[i] - 1;
      src[i] = at < 0 ? -at : at > last ? 2 * last - at : at;
    }
    return true;
  });
}

template <>
Tensor reference<KernelOpKind::PadEdge>(const KernelOp &op, const Inputs &in) {
  return copy(op, in, [&](const Index &index, Index &src, const Tensor *&x) {
    for (size_t i = 0; i < index.size(); ++i)
      src[i] = std::clamp<int64_t>(index[i] - op.low[i], 0, x->shape[i] - 1);
    return true;
  });
}

template <>
Tensor reference<KernelOpKind::Concat>(const KernelOp &op, const Inputs &in) {
  return copy(op, in, [&](const Index &, Index &src, const Tensor *&x) {
    for (const Tensor *piece : in) {
      x = piece;
      if (src[op.axis] < piece->shape[op.axis])
        break;
      src[op.axis] -= piece->shape[op.axis];
    }
    return true;
  });
}

/// PyTorch's source coordinate scale: 1 / scale_factor when the size came
/// from one, else in / out.
static double coordinateScale(int64_t in, int64_t out, double scaleFactor) {
  return scaleFactor > 0 ? 1.0 / scaleFactor : (double)in / (double)out;
}

/// Resampling of an NHWC tensor along H and W: `sample(axis, o)` gives the
/// source cells and weights of output cell `o` along axis 0 (H) or 1 (W).
template <typename Sample>
static Tensor resample(const KernelOp &op, const Tensor &x, Sample sample) {
  Tensor y = resultOf(op);
  int64_t inH = x.shape[1], inW = x.shape[2], channels = x.shape[3];
  std::vector<int64_t> index(4, 0);
  for (float &out : y.data) {
    auto [r0, r1, wr] = sample(0, index[1]);
    auto [c0, c1, wc] = sample(1, index[2]);
    auto at = [&](int64_t r, int64_t c) {
      return (double)
          x.data[((index[0] * inH + r) * inW + c) * channels + index[3]];
    };
    out = (float)((1 - wr) * ((1 - wc) * at(r0, c0) + wc * at(r0, c1)) +
                  wr * ((1 - wc) * at(r1, c0) + wc * at(r1, c1)));
    nextIndex(index, op.shape);
  }
  return y;
}

/// torch.nn.functional.interpolate(mode='nearest'): floor(o * scale).
static Tensor resizeNearest(const KernelOp &op, const Tensor &x) {
  return resample(op, x, [&](int axis, int64_t o) {
    int64_t in = x.shape[1 + axis], out = op.shape[1 + axis];
    double scale = coordinateScale(in, out, op.scaleFactor[axis]);
    int64_t i = std::min((int64_t)std::floor(o * (float)scale), in - 1);
    return std::tuple<int64_t, int64_t, double>{i, i, 0.0};
  });
}

/// mode='bilinear': half-pixel centres clamped at 0, or corner-aligned.
static Tensor resizeBilinear(const KernelOp &op, const Tensor &x) {
  return resample(op, x, [&](int axis, int64_t o) {
    int64_t in = x.shape[1 + axis], out = op.shape[1 + axis];
    double src;
    if (op.alignCorners)
      src = out > 1 ? (double)o * (in - 1) / (out - 1) : 0.0;
    else
      src = std::max(
          (o + 0.5) * coordinateScale(in, out, op.scaleFactor[axis]) - 0.5,
          0.0);
    int64_t i0 = std::min((int64_t)src, in - 1);
    int64_t i1 = std::min(i0 + 1, in - 1);
    return std::tuple<int64_t, int64_t, double>{i0, i1,
                                                std::clamp(src - i0, 0.0, 1.0)};
  });
}

/// F.grid_sample's source coordinate (GridSampler.h, in double precision).
static double gridSource(const KernelOp &op, double g, int64_t size) {
  double coord = op.alignCorners ? (g + 1) / 2 * (double)(size - 1)
                                 : ((g + 1) * (double)size - 1) / 2;
  auto clip = [&](double c) { return std::clamp(c, 0.0, (double)size - 1); };
  if (op.gridPadding == GridPadding::Border)
    return clip(coord);
  if (op.gridPadding == GridPadding::Reflection) {
    double twiceLow = op.alignCorners ? 0.0 : -1.0;
    double twiceHigh =
        op.alignCorners ? 2.0 * (double)(size - 1) : 2.0 * (double)size - 1;
    if (twiceLow == twiceHigh)
      return 0.0;
    double low = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
    double in = std::fabs(coord - low);
    double extra = std::fmod(in, span);
    bool even = std::fmod(std::floor(in / span), 2.0) == 0.0;
    return clip(even ? extra + low : span - extra + low);
  }
  return coord;
}

/// F.grid_sample of NHWC x at grid [N, OH, OW, 2].
static Tensor gridSample(const KernelOp &op, const Inputs &in, bool bilinear) {
  const Tensor &x = *in[0], &grid = *in[1];
  Tensor y = resultOf(op);
  int64_t inH = x.shape[1], inW = x.shape[2], channels = x.shape[3];
  std::vector<int64_t> index(4, 0);
  for (float &out : y.data) {
    int64_t point =
        (index[0] * op.shape[1] + index[1]) * op.shape[2] + index[2];
    double ix = gridSource(op, grid.data[point * 2], inW);
    double iy = gridSource(op, grid.data[point * 2 + 1], inH);
    auto at = [&](int64_t r, int64_t c) {
      if (r < 0 || r >= inH || c < 0 || c >= inW)
        return 0.0;
      return (double)
          x.data[((index[0] * inH + r) * inW + c) * channels + index[3]];
    };
    if (!std::isfinite(ix) || !std::isfinite(iy)) {
      out = 0.0f; // no pixel (soracc's choice; PyTorch's is undefined)
    } else if (!bilinear) {
      out = (float)at((int64_t)std::nearbyint(iy), (int64_t)std::nearbyint(ix));
    } else {
      auto r = (int64_t)std::floor(iy), c = (int64_t)std::floor(ix);
      double wy = iy - (double)r, wx = ix - (double)c;
      out = (float)((1 - wy) * ((1 - wx) * at(r, c) + wx * at(r, c + 1)) +
                    wy * ((1 - wx) * at(r + 1, c) + wx * at(r + 1, c + 1)));
    }
    nextIndex(index, op.shape);
  }
  return y;
}

template <>
Tensor reference<KernelOpKind::GridSampleNearest>(const KernelOp &op,
                                                  const Inputs &in) {
  return gridSample(op, in, /*bilinear=*/false);
}

template <>
Tensor reference<KernelOpKind::GridSampleBilinear>(const KernelOp &op,
                                                   const Inputs &in) {
  return gridSample(op, in, /*bilinear=*/true);
}

template <>
Tensor reference<KernelOpKind::Embedding>(const KernelOp &op,
                                          const Inputs &in) {
  return embedding(op, in);
}

/// 1 where the last index equals the id, else 0.
template <>
Tensor reference<KernelOpKind::OneHot>(const KernelOp &op, const Inputs &in) {
  const Tensor &ids = *in[0];
  int64_t depth = op.shape.back();
  Tensor y{op.shape, std::vector<float>(numElements(op.shape))};
  for (size_t i = 0; i < ids.data.size(); ++i)
    for (int64_t c = 0; c < depth; ++c)
      y.data[i * depth + c] = ids.data[i] == (float)c ? 1.0f : 0.0f;
  return y;
}

template <>
Tensor reference<KernelOpKind::ResizeNearest>(const KernelOp &op,
                                              const Inputs &in) {
  return resizeNearest(op, *in[0]);
}

template <>
Tensor reference<KernelOpKind::ResizeBilinear>(const KernelOp &op,
                                               const Inputs &in) {
  return resizeBilinear(op, *in[0]);
}

} // namespace sora::test
