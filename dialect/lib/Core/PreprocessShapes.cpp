//===- PreprocessShapes.cpp - Shape rules of normalize and resize ---------===//

#include "sora/Core/ParticleShapes.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace sora::particle {

bool checkNormalize(ShapeRef input, Span<float> mean, Span<float> std,
                    const ShapeError &emitError) {
  if (input.empty()) {
    emitError() << "port 'input' needs a channel dimension";
    return false;
  }
  int64_t channels = input.back();
  for (auto [name, values] : {std::pair{"mean", mean}, std::pair{"std", std}})
    if (values.size() != 1 && (int64_t)values.size() != channels) {
      emitError() << name << " holds " << values.size()
                  << " values; expected 1 or " << channels
                  << " (the channels, the last dim of input "
                  << formatDims(input) << ")";
      return false;
    }
  for (float s : std)
    if (!(s > 0) || !std::isfinite(s)) {
      emitError() << "std values must be positive, got " << formatNumber(s);
      return false;
    }
  for (float m : mean)
    if (!std::isfinite(m)) {
      emitError() << "mean values must be finite, got " << formatNumber(m);
      return false;
    }
  return true;
}

const std::vector<std::string> &resizeModes() {
  static const std::vector<std::string> modes = {"nearest", "bilinear"};
  return modes;
}

bool checkResizeMode(std::string_view mode, bool alignCorners,
                     const ShapeError &emitError) {
  const std::vector<std::string> &modes = resizeModes();
  if (std::find(modes.begin(), modes.end(), mode) == modes.end()) {
    emitError() << "mode must be \"nearest\" or \"bilinear\", got \"" << mode
                << "\"";
    return false;
  }
  if (alignCorners && mode != "bilinear") {
    emitError() << "align_corners needs mode \"bilinear\" (as in PyTorch), "
                   "got \""
                << mode << "\"";
    return false;
  }
  return true;
}

bool checkGridSampleMode(std::string_view mode, const ShapeError &emitError) {
  if (mode == "bilinear" || mode == "nearest")
    return true;
  emitError() << "mode must be \"bilinear\" or \"nearest\", got \"" << mode
              << "\"";
  return false;
}

std::optional<GridPadding> parseGridPadding(std::string_view name,
                                            const ShapeError &emitError) {
  for (int p = 0; p <= (int)GridPadding::Reflection; ++p)
    if (name == gridPaddingName(GridPadding(p)))
      return GridPadding(p);
  emitError() << "padding_mode must be \"zeros\", \"border\" or "
                 "\"reflection\", got \""
              << name << "\"";
  return std::nullopt;
}

std::optional<Shape> inferGridSampleShape(ShapeRef input, ShapeRef grid,
                                          const ShapeError &emitError) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (grid.size() != 4 || grid[0] != input[0] || grid[3] != 2)
    return emitError() << "port 'grid' expects [N, OH, OW, 2] with N = "
                       << input[0] << ", got " << formatDims(grid);
  return Shape{input[0], grid[1], grid[2], input[3]};
}

std::optional<Shape> inferResizeShape(ShapeRef input,
                                      std::optional<ShapeRef> size,
                                      std::optional<Span<double>> scaleFactor,
                                      const ShapeError &emitError) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (size.has_value() == scaleFactor.has_value())
    return emitError() << "give exactly one of size and scale_factor";
  Shape result{input[0], 0, 0, input[3]};
  if (size) {
    if (size->size() != 2 || (*size)[0] < 1 || (*size)[1] < 1)
      return emitError() << "size must be two positive integers, got "
                         << formatDims(*size);
    result[1] = (*size)[0];
    result[2] = (*size)[1];
    return result;
  }
  if (scaleFactor->size() != 2 ||
      std::any_of(scaleFactor->begin(), scaleFactor->end(),
                  [](double s) { return !(s > 0) || !std::isfinite(s); }))
    return emitError() << "scale_factor must be two positive numbers";
  for (int i = 0; i < 2; ++i) {
    double out = std::floor((double)input[1 + i] * (*scaleFactor)[i]);
    const char *dim = i == 0 ? "height" : "width";
    if (out < 1)
      return emitError() << "scale_factor " << formatNumber((*scaleFactor)[i])
                         << " leaves no " << dim << " of " << input[1 + i];
    if (out > INT_MAX)
      return emitError() << "scale_factor " << formatNumber((*scaleFactor)[i])
                         << " makes the " << dim << " larger than 2^31-1";
    result[1 + i] = (int64_t)out;
  }
  return result;
}

} // namespace sora::particle
