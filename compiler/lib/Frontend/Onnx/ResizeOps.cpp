//===- ResizeOps.cpp - ONNX Resize as the resize particle -----------------===//
//
// The ONNX Resize modes that are PyTorch's F.interpolate: nearest with
// coordinate_transformation_mode "asymmetric" and nearest_mode "floor"
// (PyTorch's 'nearest'), and linear with "half_pixel" /
// "pytorch_half_pixel" (bilinear) or "align_corners". Only H and W of an
// NCHW input may change; the particle reads the input NHWC.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include <cmath>

using nlohmann::json;

namespace sora::onnximport {

/// The 4 scales of a Resize, or nullptr when its sizes give the output (the
/// scales input absent or an empty tensor).
static const ConstTensor *resizeScales(const NodeContext &c) {
  const ConstTensor *scales = c.constant(2);
  return scales && scales->numel() > 0 ? scales : nullptr;
}

void checkResize(const NodeContext &c, Problems &p) {
  std::string mode = c.attrs.getString("mode", "nearest");
  std::string transform =
      c.attrs.getString("coordinate_transformation_mode", "half_pixel");
  if (mode == "nearest") {
    std::string rounding =
        c.attrs.getString("nearest_mode", "round_prefer_floor");
    if (transform != "asymmetric" || rounding != "floor")
      p.node(c.node, "mode nearest needs coordinate_transformation_mode "
                     "asymmetric and nearest_mode floor (PyTorch's 'nearest'), "
                     "got " +
                         transform + " and " + rounding);
  } else if (mode == "linear") {
    if (transform != "half_pixel" && transform != "pytorch_half_pixel" &&
        transform != "align_corners")
      p.node(c.node, "mode linear needs coordinate_transformation_mode "
                     "half_pixel, pytorch_half_pixel or align_corners, got " +
                         transform);
  } else {
    p.node(c.node, "mode " + mode + " is not supported (nearest, linear)");
  }
  const ValueType *x = c.model.type(c.in(0));
  const ValueType *y = c.model.type(c.out(0));
  if (!x || !x->hasShape || !y || !y->hasShape)
    return;
  if (x->dims.size() != 4) {
    p.node(c.node, "only rank-4 NCHW inputs are supported");
    return;
  }
  if (y->dims[0] != x->dims[0] || y->dims[1] != x->dims[1])
    p.node(c.node, "only the spatial dimensions (H, W) may be resized");
  if (transform == "pytorch_half_pixel" && (y->dims[2] == 1 || y->dims[3] == 1))
    p.node(c.node, "pytorch_half_pixel to an extent of 1 is not supported");
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
  if (scales) {
    if (!scales->isFloat() || scales->numel() != 4) {
      p.node(c.node, "scales must hold 4 floats");
      return;
    }
    // The particle takes the output size floor(in * scale) from the scales;
    // it must be the one ONNX infers.
    for (int d = 2; d < 4; ++d) {
      // Compared as doubles: a huge or NaN scale does not convert to int64.
      double extent = std::floor((double)x->dims[d] * scales->floats[d]);
      if (extent != (double)y->dims[d])
        p.node(c.node, "scale " + std::to_string(scales->floats[d]) +
                           " does not give the inferred output extent " +
                           std::to_string(y->dims[d]));
    }
  }
}

void lowerResize(const NodeContext &c, GraphBuilder &b) {
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
