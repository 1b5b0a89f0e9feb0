//===- Window.h - ONNX window attributes to particle padding ----*- C++ -*-===//
//
// Conv and the pools share kernel/strides/dilations/pads/auto_pad. soracc's
// window particles take "valid", Keras "same" or explicit [top, left,
// bottom, right] padding; a pool's pads as large as its window become a
// `pad` particle before a valid pool.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_WINDOW_H
#define SORA_FRONTEND_ONNX_WINDOW_H

#include "OpTable.h"

#include <array>

namespace sora::onnximport {

using Pair = std::array<int64_t, 2>;

/// A 2-D window as ONNX describes it.
struct Window {
  Pair kernel{1, 1}, strides{1, 1}, dilations{1, 1};
  /// [top, left, bottom, right] after auto_pad is resolved; with
  /// ceil_mode=1 bottom and right include `ceilExtra`.
  std::array<int64_t, 4> pads{0, 0, 0, 0};
  /// Cells past the bottom/right pads that ceil_mode's last window reads
  /// ([H, W]); an average never counts them.
  Pair ceilExtra{0, 0};
};

/// How a particle takes the window's padding.
struct WindowPadding {
  enum Mode { Valid, Same, Explicit } mode = Valid;
  /// Explicit: [top, left, bottom, right] that the window actually reads.
  std::array<int64_t, 4> pads{0, 0, 0, 0};
};

/// Reports unsupported window attributes: ranks other than 2-D, SAME_LOWER,
/// malformed lists.
void checkWindow(const NodeContext &c, Problems &p, bool hasDilations);

/// Reads the window of a node over input `inputHW` ([H, W]); `kernel` is
/// the kernel size when it comes from the weights. ceil_mode=1 extends the
/// bottom/right pads so that a floor division gives PyTorch's ceil output
/// size (whose last window starts inside the input or its top/left pads).
Window readWindow(const NodeContext &c, Pair inputHW,
                  std::optional<Pair> kernel = std::nullopt);

/// Chooses valid, Keras same or explicit padding for `window` over
/// `inputHW`.
WindowPadding choosePadding(const Window &window, Pair inputHW);

/// JSON form of a pair.
inline std::vector<int64_t> toList(Pair p) { return {p[0], p[1]}; }

} // namespace sora::onnximport

#endif
