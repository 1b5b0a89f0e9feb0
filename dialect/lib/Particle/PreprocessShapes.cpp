//===- PreprocessShapes.cpp - Shape rules of normalize and resize ---------===//

#include "sora/Dialect/Particle/ParticleShapes.h"

#include <climits>
#include <cmath>

using namespace mlir;

namespace sora::particle {

LogicalResult checkNormalize(ArrayRef<int64_t> input, ArrayRef<float> mean,
                             ArrayRef<float> std, EmitErrorFn emitError) {
  if (input.empty())
    return emitError() << "port 'input' needs a channel dimension";
  int64_t channels = input.back();
  for (auto [name, values] : {std::pair{"mean", mean}, std::pair{"std", std}})
    if (values.size() != 1 && (int64_t)values.size() != channels)
      return emitError() << name << " holds " << values.size()
                         << " values; expected 1 or " << channels
                         << " (the channels, the last dim of input "
                         << formatDims(input) << ")";
  for (float s : std)
    if (!(s > 0) || !std::isfinite(s))
      return emitError() << "std values must be positive, got "
                         << formatNumber(s);
  for (float m : mean)
    if (!std::isfinite(m))
      return emitError() << "mean values must be finite, got "
                         << formatNumber(m);
  return success();
}

ArrayRef<StringRef> resizeModes() {
  static const StringRef modes[] = {"nearest", "bilinear"};
  return modes;
}

LogicalResult checkResizeMode(StringRef mode, bool alignCorners,
                              EmitErrorFn emitError) {
  if (!llvm::is_contained(resizeModes(), mode))
    return emitError() << "mode must be \"nearest\" or \"bilinear\", got \""
                       << mode << "\"";
  if (alignCorners && mode != "bilinear")
    return emitError() << "align_corners needs mode \"bilinear\" (as in "
                          "PyTorch), got \""
                       << mode << "\"";
  return success();
}

FailureOr<Dims> inferResizeShape(ArrayRef<int64_t> input,
                                 std::optional<ArrayRef<int64_t>> size,
                                 std::optional<ArrayRef<double>> scaleFactor,
                                 EmitErrorFn emitError) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (size.has_value() == scaleFactor.has_value())
    return emitError() << "give exactly one of size and scale_factor";
  Dims result{input[0], 0, 0, input[3]};
  if (size) {
    if (size->size() != 2 || (*size)[0] < 1 || (*size)[1] < 1)
      return emitError() << "size must be two positive integers, got "
                         << formatDims(*size);
    result[1] = (*size)[0];
    result[2] = (*size)[1];
    return result;
  }
  if (scaleFactor->size() != 2 || llvm::any_of(*scaleFactor, [](double s) {
        return !(s > 0) || !std::isfinite(s);
      }))
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
