//===- PreprocessOps.cpp - Normalize, resize and grid_sample --------------===//
//
// normalize selects its per-channel constants by channel. resize samples
// rows and columns through index and weight tables computed here, at compile
// time, with PyTorch's own float32 arithmetic (aten/src/ATen/native/
// UpSample.h), so that the compiled model picks the same source cells as
// F.interpolate; Halide only gathers. grid_sample computes its source
// coordinates from the grid at run time, as PyTorch's GridSampler.h does.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

#include <algorithm>
#include <cmath>

namespace sora {

using namespace Halide;

/// `values[index]` as a chain of selects over the channels (images have a
/// few), or the constant when there is one value. (A table embedded as a
/// Halide Buffer is read with aligned vector loads along the channels, which
/// its storage does not guarantee.)
static Expr perChannel(const std::vector<float> &values, const Expr &index) {
  Expr result = values.back();
  for (size_t c = values.size() - 1; c-- > 0;)
    result = select(index == (int)c, values[c], result);
  return result;
}

/// (x * scale - mean[c]) / std[c], c the channel (the last dim, Halide's
/// innermost).
template <>
Expr pointwise<KernelOpKind::Normalize>(const KernelOp &op,
                                        const std::vector<Expr> &operands,
                                        const std::vector<Var> &vars) {
  const Expr &x = operands[0], &channel = vars[0];
  return (x * op.scalars[0] - perChannel(op.channelMean, channel)) /
         perChannel(op.channelStd, channel);
}

namespace {

/// Where the output cells of one axis read: the source cells `first` and
/// `second` and their weights (nearest: `first` alone).
struct AxisSamples {
  std::vector<int> first, second;
  std::vector<float> firstWeight, secondWeight;
};

/// PyTorch's compute_scales_value: 1 / scale_factor when the size came from
/// one, else in / out, in float32.
float coordinateScale(int64_t in, int64_t out, double scaleFactor) {
  return scaleFactor > 0 ? (float)(1.0 / scaleFactor) : (float)in / (float)out;
}

/// PyTorch's nearest_idx ('nearest' mode).
AxisSamples nearestSamples(int64_t in, int64_t out, double scaleFactor) {
  AxisSamples s;
  float scale = coordinateScale(in, out, scaleFactor);
  for (int64_t o = 0; o < out; ++o) {
    int64_t i = out == in ? o
                : out == 2 * in
                    ? o >> 1
                    : std::min((int64_t)std::floor((float)o * scale), in - 1);
    s.first.push_back((int)i);
  }
  return s;
}

/// PyTorch's area_pixel_compute_scale / _source_index and the linear
/// weights of upsample_bilinear2d.
AxisSamples linearSamples(int64_t in, int64_t out, double scaleFactor,
                          bool alignCorners) {
  AxisSamples s;
  float scale = alignCorners
                    ? (out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f)
                    : coordinateScale(in, out, scaleFactor);
  for (int64_t o = 0; o < out; ++o) {
    int64_t i0 = o, i1 = o;
    float w1 = 0.0f;
    if (out != in) {
      float src =
          alignCorners ? scale * (float)o : scale * ((float)o + 0.5f) - 0.5f;
      src = std::max(src, 0.0f);
      i0 = std::min((int64_t)src, in - 1);
      i1 = std::min(i0 + 1, in - 1);
      w1 = std::clamp(src - (float)i0, 0.0f, 1.0f);
    }
    s.first.push_back((int)i0);
    s.second.push_back((int)i1);
    s.firstWeight.push_back(1.0f - w1);
    s.secondWeight.push_back(w1);
  }
  return s;
}

/// Tables are indexed by a row or a column, never along the vectorized
/// channels, so they are read with scalar loads.
/// An index table read at `at`, clamped into [0, extent) so that bounds
/// inference knows which input cells a gather may touch.
Expr indexTable(const std::vector<int> &values, const Expr &at, int extent,
                const std::string &name) {
  Buffer<int> table(std::vector<int>{(int)values.size()}, name);
  std::copy(values.begin(), values.end(), table.data());
  return clamp(table(at), 0, extent - 1);
}

Expr weightTable(const std::vector<float> &values, const Expr &at,
                 const std::string &name) {
  Buffer<float> table(std::vector<int>{(int)values.size()}, name);
  std::copy(values.begin(), values.end(), table.data());
  return table(at);
}

} // namespace

/// Nearest or bilinear resampling of an NHWC `input`.
static OpStages buildResize(const KernelOp &op, const Value &input,
                            const std::string &name, bool bilinear) {
  const Shape &x = input.shape;
  int height = (int)x[1], width = (int)x[2];
  // Halide dims of NHWC: 0 = c, 1 = w, 2 = h, 3 = n.
  std::vector<Var> v = makeVars(4, "d");
  Expr result;
  if (!bilinear) {
    AxisSamples rows = nearestSamples(x[1], op.shape[1], op.scaleFactor[0]);
    AxisSamples cols = nearestSamples(x[2], op.shape[2], op.scaleFactor[1]);
    result =
        input.func(v[0], indexTable(cols.first, v[1], width, name + "_c"),
                   indexTable(rows.first, v[2], height, name + "_r"), v[3]);
  } else {
    AxisSamples rows =
        linearSamples(x[1], op.shape[1], op.scaleFactor[0], op.alignCorners);
    AxisSamples cols =
        linearSamples(x[2], op.shape[2], op.scaleFactor[1], op.alignCorners);
    Expr c0 = indexTable(cols.first, v[1], width, name + "_c0");
    Expr c1 = indexTable(cols.second, v[1], width, name + "_c1");
    Expr wc0 = weightTable(cols.firstWeight, v[1], name + "_wc0");
    Expr wc1 = weightTable(cols.secondWeight, v[1], name + "_wc1");
    auto row = [&](const Expr &r) {
      return input.func(v[0], c0, r, v[3]) * wc0 +
             input.func(v[0], c1, r, v[3]) * wc1;
    };
    Expr r0 = indexTable(rows.first, v[2], height, name + "_r0");
    Expr r1 = indexTable(rows.second, v[2], height, name + "_r1");
    result = row(r0) * weightTable(rows.firstWeight, v[2], name + "_wr0") +
             row(r1) * weightTable(rows.secondWeight, v[2], name + "_wr1");
  }
  return pureStages(op, name, v, result);
}

template <>
OpStages build<KernelOpKind::ResizeNearest>(const KernelOp &op,
                                            const std::vector<Value> &operands,
                                            const std::string &name,
                                            const ScheduleRecord &) {
  return buildResize(op, operands[0], name, /*bilinear=*/false);
}

template <>
OpStages build<KernelOpKind::ResizeBilinear>(const KernelOp &op,
                                             const std::vector<Value> &operands,
                                             const std::string &name,
                                             const ScheduleRecord &) {
  return buildResize(op, operands[0], name, /*bilinear=*/true);
}

/// The source coordinate along an axis of `size` pixels of grid value `g`
/// (-1 and 1 at the borders), with the border or reflection padding
/// applied (PyTorch's grid_sampler_compute_source_index).
static Expr gridSource(const KernelOp &op, const Expr &g, int size) {
  // PyTorch's order of operations, so that nearest rounds alike.
  Expr coord = op.alignCorners ? (g + 1.0f) * 0.5f * (float)(size - 1)
                               : ((g + 1.0f) * (float)size - 1.0f) * 0.5f;
  auto inside = [&](const Expr &c) {
    return clamp(c, 0.0f, (float)(size - 1));
  };
  switch (op.gridPadding) {
  case GridPadding::Zeros:
    return coord;
  case GridPadding::Border:
    return inside(coord);
  case GridPadding::Reflection: {
    // Reflected at the border pixels' centres (corner-aligned) or outer
    // edges: the distance from the low border within one period of two
    // spans, folded back in its second half.
    float low = op.alignCorners ? 0.0f : -0.5f;
    float span = op.alignCorners ? (float)(size - 1) : (float)size;
    if (span == 0.0f)
      return Expr(0.0f);
    Expr distance = abs(coord - low);
    Expr phase = distance - floor(distance / (2 * span)) * (2 * span);
    return inside(select(phase < span, phase, 2 * span - phase) + low);
  }
  }
  return coord;
}

/// `c` clamped to [-2, size + 1], and -2 for NaN or an infinity (tested on
/// the bits: fast math assumes neither): the taps inside the image stay the
/// same, and converting the coordinate to an integer is defined.
static Expr safeCoordinate(const Expr &c, int size) {
  Expr bits = reinterpret(Int(32), c);
  Expr finite = (bits & 0x7f800000) != 0x7f800000;
  return select(finite, clamp(c, -2.0f, (float)(size + 1)), -2.0f);
}

static OpStages buildGridSample(const KernelOp &op,
                                const std::vector<Value> &operands,
                                const std::string &name, bool bilinear) {
  const Value &input = operands[0], &grid = operands[1];
  int height = (int)input.shape[1], width = (int)input.shape[2];
  // Halide dims of NHWC: 0 = c, 1 = w, 2 = h, 3 = n; the grid's 0 = (x, y).
  std::vector<Var> v = makeVars(4, "d");
  Expr ix = safeCoordinate(
      gridSource(op, grid.func(0, v[1], v[2], v[3]), width), width);
  Expr iy = safeCoordinate(
      gridSource(op, grid.func(1, v[1], v[2], v[3]), height), height);
  // A pixel, or 0 outside the image.
  auto tap = [&](const Expr &x, const Expr &y) {
    Expr within = x >= 0 && x < width && y >= 0 && y < height;
    return select(
        within,
        input.func(v[0], clamp(x, 0, width - 1), clamp(y, 0, height - 1), v[3]),
        0.0f);
  };
  Expr result;
  if (!bilinear) {
    // round() ties to even, as PyTorch's nearbyint.
    result = tap(cast<int>(round(ix)), cast<int>(round(iy)));
  } else {
    Expr fx = floor(ix), fy = floor(iy);
    Expr x0 = cast<int>(fx), y0 = cast<int>(fy);
    Expr wx = ix - fx, wy = iy - fy;
    result = (tap(x0, y0) * (1.0f - wx) + tap(x0 + 1, y0) * wx) * (1.0f - wy) +
             (tap(x0, y0 + 1) * (1.0f - wx) + tap(x0 + 1, y0 + 1) * wx) * wy;
  }
  return pureStages(op, name, v, result);
}

template <>
OpStages build<KernelOpKind::GridSampleNearest>(
    const KernelOp &op, const std::vector<Value> &operands,
    const std::string &name, const ScheduleRecord &) {
  return buildGridSample(op, operands, name, /*bilinear=*/false);
}

template <>
OpStages build<KernelOpKind::GridSampleBilinear>(
    const KernelOp &op, const std::vector<Value> &operands,
    const std::string &name, const ScheduleRecord &) {
  return buildGridSample(op, operands, name, /*bilinear=*/true);
}

} // namespace sora
