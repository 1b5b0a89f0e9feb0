//===- GridSampleOps.cpp - ONNX GridSample as the grid_sample particle ----===//
//
// GridSample (opset 16, PyTorch's F.grid_sample) of an NCHW input read NHWC
// at a run-time grid [N, OH, OW, 2]; modes bilinear and nearest, every
// padding mode, align_corners.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "sora/Core/KernelSpec.h"

#include <algorithm>
#include <iterator>

using nlohmann::json;

namespace sora::onnximport {

void checkGridSample(const NodeContext &c, Problems &p) {
  std::string mode = c.attrs.getString("mode", "bilinear");
  if (mode != "bilinear" && mode != "nearest")
    p.node(c.node, "mode '" + mode + "' is not supported (bilinear, nearest)");
  std::string padding = c.attrs.getString("padding_mode", "zeros");
  if (std::find(std::begin(kGridPaddingNames), std::end(kGridPaddingNames),
                padding) == std::end(kGridPaddingNames))
    p.node(c.node, "padding_mode '" + padding +
                       "' is not one of zeros, border, reflection");
  int64_t align = c.attrs.getInt("align_corners", 0);
  if (align != 0 && align != 1)
    p.node(c.node,
           "align_corners is " + std::to_string(align) + ": it must be 0 or 1");
  const ValueType *x = c.model.type(c.in(0));
  if (x && x->hasShape && x->dims.size() != 4)
    p.node(c.node, "only 2-D images are supported (rank-4 NCHW input), "
                   "input '" +
                       c.in(0) + "' has rank " +
                       std::to_string(x->dims.size()));
}

void lowerGridSample(const NodeContext &c, GraphBuilder &b) {
  json attrs{{"mode", c.attrs.getString("mode", "bilinear")},
             {"padding_mode", c.attrs.getString("padding_mode", "zeros")},
             {"align_corners", c.attrs.getInt("align_corners", 0) == 1}};
  defineOutput(c, b, 0,
               b.particle(c.node, "", "grid_sample",
                          {b.channelsLast(c.in(0)), b.plain(c.in(1))}, attrs),
               kChannelsLast);
}

} // namespace sora::onnximport
