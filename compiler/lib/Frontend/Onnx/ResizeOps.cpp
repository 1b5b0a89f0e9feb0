//===- ResizeOps.cpp - ONNX Resize ----------------------------------------===//
//
// The modes that are PyTorch's F.interpolate become the resize particle:
// nearest with coordinate_transformation_mode "asymmetric" and nearest_mode
// "floor" (PyTorch's 'nearest'), and linear with "half_pixel" /
// "pytorch_half_pixel" (bilinear) or "align_corners" to whole sizes, over H
// and W of an NCHW input read NHWC.
//
// Every other mode (cubic, the other nearest roundings and coordinate
// transformations, any resized axis) is separable and linear: along each
// resized axis the output is M · x for an [out, in] interpolation matrix
// computed here in double precision exactly as ONNX's reference does it
// (neighbours, edge clamping, exclude_outside). Each becomes a dense
// particle over that axis. Its cost is in · out per output row, not a few
// taps: right for the small maps such models resize, slow for big images.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "sora/Core/Shape.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using nlohmann::json;

namespace sora::onnximport {

/// The 4 scales of a Resize, or nullptr when its sizes give the output (the
/// scales input absent or an empty tensor).
static const ConstTensor *resizeScales(const NodeContext &c) {
  const ConstTensor *scales = c.constant(2);
  return scales && scales->numel() > 0 ? scales : nullptr;
}

/// The coordinate transformation modes and roundings the matrices take.
static bool oneOf(const std::string &value,
                  std::initializer_list<const char *> choices) {
  return std::any_of(choices.begin(), choices.end(),
                     [&](const char *c) { return value == c; });
}

/// Whether the resize particle computes this Resize (PyTorch's modes).
static bool isParticleMode(const NodeContext &c) {
  std::string mode = c.attrs.getString("mode", "nearest");
  std::string transform =
      c.attrs.getString("coordinate_transformation_mode", "half_pixel");
  const ValueType *x = c.model.type(c.in(0));
  const ValueType *y = c.model.type(c.out(0));
  if (!x || !y || x->dims.size() != 4 || y->dims.size() != 4 ||
      y->dims[0] != x->dims[0] || y->dims[1] != x->dims[1])
    return false;
  if (mode == "nearest")
    return transform == "asymmetric" &&
           c.attrs.getString("nearest_mode", "round_prefer_floor") == "floor";
  if (mode != "linear")
    return false;
  if (transform == "pytorch_half_pixel")
    return y->dims[2] > 1 && y->dims[3] > 1;
  if (transform == "half_pixel")
    return true;
  if (transform != "align_corners")
    return false;
  // ONNX aligns corners with the unrounded length in * scale.
  const ConstTensor *scales = resizeScales(c);
  for (int d = 2; d < 4 && scales; ++d)
    if ((double)x->dims[d] * scales->floats[d] != (double)y->dims[d])
      return false;
  return true;
}

/// Interpolation matrices larger than this are refused (in * out of one
/// axis).
static constexpr int64_t kMaxMatrixElements = int64_t{1} << 24;

void checkResize(const NodeContext &c, Problems &p) {
  std::string mode = c.attrs.getString("mode", "nearest");
  std::string transform =
      c.attrs.getString("coordinate_transformation_mode", "half_pixel");
  if (!oneOf(mode, {"nearest", "linear", "cubic"}))
    p.node(c.node,
           "mode " + mode + " is not supported (nearest, linear, cubic)");
  if (!oneOf(transform, {"half_pixel", "pytorch_half_pixel", "align_corners",
                         "asymmetric"}))
    p.node(c.node,
           "coordinate_transformation_mode " + transform + " is not supported");
  std::string rounding =
      c.attrs.getString("nearest_mode", "round_prefer_floor");
  if (!oneOf(rounding,
             {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    p.node(c.node, "nearest_mode " + rounding + " is not supported");
  const ValueType *x = c.model.type(c.in(0));
  const ValueType *y = c.model.type(c.out(0));
  if (!x || !x->hasShape || !y || !y->hasShape)
    return;
  const ConstTensor *scales = resizeScales(c);
  const ConstTensor *sizes = c.constant(3);
  if (c.has(2) && !c.constant(2))
    p.node(c.node, "input 'scales' must be a constant");
  if (c.has(3) && (!sizes || !sizes->isInt()))
    p.node(c.node, "input 'sizes' must be a constant integer tensor");
  if (!scales && !sizes) {
    p.node(c.node, "needs constant scales or sizes");
    return;
  }
  size_t rank = x->dims.size();
  if (scales && (!scales->isFloat() || scales->numel() != (int64_t)rank)) {
    p.node(c.node, "scales must hold one float per dimension");
    return;
  }
  if (isParticleMode(c)) {
    // The particle takes the output size floor(in * scale) from the scales;
    // it must be the one ONNX infers.
    for (int d = 2; d < 4 && scales; ++d) {
      // Compared as doubles: a huge or NaN scale does not convert to int64.
      double extent = std::floor((double)x->dims[d] * scales->floats[d]);
      if (extent != (double)y->dims[d])
        p.node(c.node, "scale " + std::to_string(scales->floats[d]) +
                           " does not give the inferred output extent " +
                           std::to_string(y->dims[d]));
    }
    return;
  }
  if (rank < 2)
    p.node(c.node, "only inputs of rank 2 or more are supported");
  for (size_t d = 0; d < rank && d < y->dims.size(); ++d) {
    if (scales &&
        !(scales->floats[d] > 0.0f && std::isfinite(scales->floats[d])))
      p.node(c.node, "scale " + std::to_string(scales->floats[d]) +
                         " must be positive");
    std::optional<int64_t> cells = checkedNumElements({x->dims[d], y->dims[d]});
    if (!cells || *cells > kMaxMatrixElements)
      p.node(c.node, "resizing an extent of " + std::to_string(x->dims[d]) +
                         " to " + std::to_string(y->dims[d]) +
                         " needs too large an interpolation matrix");
  }
}

namespace {

/// The ONNX reference's interpolation along one axis.
struct AxisResize {
  std::string mode, transform, rounding;
  double cubicA;
  bool excludeOutside;
  int64_t in, out;
  double scale; ///< out / in as given (scales) or as the sizes make it

  /// The source coordinate of output cell `o`.
  double source(int64_t o) const {
    double resized = scale * (double)in; // unrounded, as the reference has it
    if (transform == "half_pixel")
      return ((double)o + 0.5) / scale - 0.5;
    if (transform == "pytorch_half_pixel")
      return resized > 1 ? ((double)o + 0.5) / scale - 0.5 : 0.0;
    if (transform == "align_corners")
      return resized == 1 ? 0.0 : (double)o * (double)(in - 1) / (resized - 1);
    return (double)o / scale; // asymmetric
  }

  /// The weights of the n = 2 (nearest, linear) or 4 (cubic) neighbours.
  std::vector<double> coefficients(double ratio, bool integral) const {
    if (mode == "nearest") {
      if (integral)
        return {0, 1};
      if (rounding == "round_prefer_floor")
        return {double(ratio <= 0.5), double(ratio > 0.5)};
      if (rounding == "round_prefer_ceil")
        return {double(ratio < 0.5), double(ratio >= 0.5)};
      return rounding == "floor" ? std::vector<double>{1, 0}
                                 : std::vector<double>{0, 1};
    }
    if (mode == "linear")
      return {1 - ratio, ratio};
    double a = cubicA, r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }

  /// The [out, in] matrix: row o holds the weights of output cell o.
  std::vector<double> matrix() const {
    std::vector<double> m(out * in, 0.0);
    for (int64_t o = 0; o < out; ++o) {
      double x = source(o);
      double floor = std::floor(x);
      bool integral = x == floor;
      std::vector<double> coeffs =
          coefficients(integral ? 1.0 : x - floor, integral);
      int64_t n = (int64_t)coeffs.size(), pad = (n + 1) / 2;
      // The n cells nearest to x (ties: the lower one) of the input edge-
      // padded by `pad` on both sides, in increasing order.
      std::vector<int64_t> cells(in + 2 * pad);
      std::iota(cells.begin(), cells.end(), -pad);
      std::stable_sort(cells.begin(), cells.end(), [&](int64_t a, int64_t b) {
        return std::fabs(x - (double)a) < std::fabs(x - (double)b);
      });
      cells.resize(n);
      std::sort(cells.begin(), cells.end());
      if (excludeOutside) {
        double sum = 0;
        for (int64_t k = 0; k < n; ++k) {
          if (cells[k] < 0 || cells[k] >= in)
            coeffs[k] = 0;
          sum += coeffs[k];
        }
        for (double &coeff : coeffs)
          coeff /= sum;
      }
      for (int64_t k = 0; k < n; ++k)
        m[o * in + std::clamp<int64_t>(cells[k], 0, in - 1)] += coeffs[k];
    }
    return m;
  }
};

} // namespace

/// Resizes along each axis whose extent or sampling changes by a dense
/// particle with that axis's interpolation matrix (transposed: [in, out]),
/// the axis held last.
static void lowerResizeByMatrices(const NodeContext &c, GraphBuilder &b) {
  std::vector<int64_t> shape = b.get(c.in(0)).shape;
  const std::vector<int64_t> &y = c.outShape(0);
  const ConstTensor *scales = resizeScales(c);
  int64_t rank = (int64_t)shape.size();
  std::string current = c.in(0);
  // Innermost first: a plain input needs no transpose for its last axis.
  for (int64_t d = rank - 1; d >= 0; --d) {
    AxisResize axis{
        c.attrs.getString("mode", "nearest"),
        c.attrs.getString("coordinate_transformation_mode", "half_pixel"),
        c.attrs.getString("nearest_mode", "round_prefer_floor"),
        c.attrs.getFloat("cubic_coeff_a", -0.75f),
        c.attrs.getInt("exclude_outside", 0) != 0,
        shape[d],
        y[d],
        scales ? (double)scales->floats[d] : (double)y[d] / (double)shape[d]};
    std::vector<double> m = axis.matrix();
    bool identity = axis.in == axis.out;
    for (int64_t i = 0; identity && i < axis.out; ++i)
      for (int64_t j = 0; j < axis.in; ++j)
        identity &= m[i * axis.in + j] == (i == j ? 1.0 : 0.0);
    if (identity)
      continue;
    // Logical dim d is held last, the others in order.
    std::vector<int64_t> perm(rank);
    for (int64_t i = 0, next = 0; i < rank; ++i)
      perm[i] = i == d ? rank - 1 : next++;
    std::string ref = b.withPerm(current, perm);
    std::string dense =
        b.particle(c.node, "_axis" + std::to_string(d), "dense", {ref},
                   json{{"units", axis.out}, {"use_bias", false}});
    std::vector<float> kernel(axis.in * axis.out);
    for (int64_t o = 0; o < axis.out; ++o)
      for (int64_t i = 0; i < axis.in; ++i)
        kernel[i * axis.out + o] = (float)m[o * axis.in + i];
    b.weight(dense, "kernel", {axis.in, axis.out}, std::move(kernel));
    shape[d] = axis.out;
    current = c.out(0) + "#axis" + std::to_string(d);
    b.define(current, Held{dense, shape, perm});
  }
  if (current == c.in(0)) // nothing changes
    b.define(c.out(0), b.get(c.in(0)));
  else
    b.define(c.out(0), b.get(current));
}

void lowerResize(const NodeContext &c, GraphBuilder &b) {
  if (!isParticleMode(c)) {
    lowerResizeByMatrices(c, b);
    return;
  }
  std::string transform =
      c.attrs.getString("coordinate_transformation_mode", "half_pixel");
  json attrs = json::object();
  attrs["mode"] =
      c.attrs.getString("mode", "nearest") == "linear" ? "bilinear" : "nearest";
  if (transform == "align_corners")
    attrs["align_corners"] = true;
  const std::vector<int64_t> &y = c.outShape(0);
  if (const ConstTensor *scales = resizeScales(c))
    attrs["scale_factor"] = {(double)scales->floats[2],
                             (double)scales->floats[3]};
  else
    attrs["size"] = {y[2], y[3]};
  defineOutput(
      c, b, 0,
      b.particle(c.node, "", "resize", {b.channelsLast(c.in(0))}, attrs),
      kChannelsLast);
}

} // namespace sora::onnximport
