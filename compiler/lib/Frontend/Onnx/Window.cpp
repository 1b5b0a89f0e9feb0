//===- Window.cpp - ONNX window attributes to particle padding ------------===//

#include "Window.h"

#include "sora/Core/Shape.h"

namespace sora::onnximport {

void checkWindow(const NodeContext &c, Problems &p, bool hasDilations) {
  const ValueType *x = c.has(0) ? c.model.type(c.in(0)) : nullptr;
  // Rank-3 inputs with well-formed 1-D attributes were widened to 2-D
  // (widenWindows); these are the rest.
  if (x && x->hasShape && x->dims.size() == 3)
    p.node(c.node, "a 1-D window needs one value per window attribute, two "
                   "pads and a constant rank-3 weight");
  else if (x && x->hasShape && x->dims.size() != 4)
    p.node(c.node, "only 1-D and 2-D windows are supported (rank-3 NCL or "
                   "rank-4 NCHW inputs), input '" +
                       c.in(0) + "' has rank " +
                       std::to_string(x->dims.size()));
  std::string autoPad = c.attrs.getString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    p.node(c.node, "attribute auto_pad=" + autoPad + " is not supported");
  // Bounded like tensor extents, so that no window arithmetic overflows.
  auto checkList = [&](const char *name, size_t size, int64_t min) {
    if (!c.attrs.find(name))
      return;
    std::vector<int64_t> v = c.attrs.getInts(name, {});
    bool ok = v.size() == size;
    for (int64_t e : v)
      ok &= e >= min && e <= kMaxTensorElements;
    if (!ok)
      p.node(c.node, "attribute '" + std::string(name) + "' must hold " +
                         std::to_string(size) + " values in [" +
                         std::to_string(min) + ", " +
                         std::to_string(kMaxTensorElements) +
                         "] (2-D windows only)");
  };
  bool kernelFromWeights =
      c.node.op_type() == "Conv" || c.node.op_type() == "ConvTranspose";
  if (!kernelFromWeights && !c.attrs.find("kernel_shape"))
    p.node(c.node, "attribute 'kernel_shape' is missing");
  checkList("kernel_shape", 2, 1);
  checkList("strides", 2, 1);
  checkList("pads", 4, 0);
  if (hasDilations)
    checkList("dilations", 2, 1);
}

Window readWindow(const NodeContext &c, Pair inputHW,
                  std::optional<Pair> kernel) {
  Window w;
  auto pair = [&](const char *name, Pair fallback) {
    std::vector<int64_t> v = c.attrs.getInts(name, {});
    return v.size() == 2 ? Pair{v[0], v[1]} : fallback;
  };
  w.kernel = kernel ? *kernel : pair("kernel_shape", {1, 1});
  w.strides = pair("strides", {1, 1});
  w.dilations = pair("dilations", {1, 1});
  std::string autoPad = c.attrs.getString("auto_pad", "NOTSET");
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // The odd cell of the total goes after (UPPER) or before (LOWER).
    for (int d = 0; d < 2; ++d) {
      int64_t extent = (w.kernel[d] - 1) * w.dilations[d] + 1;
      int64_t out = (inputHW[d] + w.strides[d] - 1) / w.strides[d];
      int64_t total =
          std::max<int64_t>((out - 1) * w.strides[d] + extent - inputHW[d], 0);
      int64_t small = total / 2;
      w.pads[d] = autoPad == "SAME_UPPER" ? small : total - small;
      w.pads[d + 2] = total - w.pads[d];
    }
  } else if (autoPad == "NOTSET") {
    std::vector<int64_t> pads = c.attrs.getInts("pads", {0, 0, 0, 0});
    if (pads.size() == 4)
      std::copy(pads.begin(), pads.end(), w.pads.begin());
    if (c.attrs.getInt("ceil_mode", 0))
      for (int d = 0; d < 2; ++d) {
        int64_t extent = (w.kernel[d] - 1) * w.dilations[d] + 1;
        int64_t total = inputHW[d] + w.pads[d] + w.pads[d + 2];
        int64_t out = (total - extent + w.strides[d] - 1) / w.strides[d] + 1;
        if ((out - 1) * w.strides[d] >= inputHW[d] + w.pads[d])
          --out;
        w.ceilExtra[d] =
            std::max<int64_t>((out - 1) * w.strides[d] + extent - total, 0);
        w.pads[d + 2] += w.ceilExtra[d];
      }
  }
  return w;
}

WindowPadding choosePadding(const Window &w, Pair inputHW) {
  WindowPadding result;
  bool valid = true, same = true;
  for (int d = 0; d < 2; ++d) {
    int64_t in = inputHW[d], s = w.strides[d];
    int64_t extent = (w.kernel[d] - 1) * w.dilations[d] + 1;
    int64_t begin = w.pads[d], end = w.pads[d + 2];
    int64_t out = (in + begin + end - extent) / s + 1;
    // Padding at the end that no window reads does not count.
    int64_t usedEnd = std::max<int64_t>((out - 1) * s + extent - in - begin, 0);
    valid &= begin == 0 && usedEnd == 0;
    int64_t sameOut = (in + s - 1) / s;
    int64_t total = std::max<int64_t>((sameOut - 1) * s + extent - in, 0);
    same &=
        out == sameOut && begin == total / 2 && usedEnd == total - total / 2;
    result.pads[d] = begin;
    result.pads[d + 2] = usedEnd;
  }
  result.mode = valid  ? WindowPadding::Valid
                : same ? WindowPadding::Same
                       : WindowPadding::Explicit;
  return result;
}

} // namespace sora::onnximport
