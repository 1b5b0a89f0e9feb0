//===- ParticleShapes.cpp - Shape rules of the particles ------------------===//

#include "sora/Core/ParticleShapes.h"

#include <algorithm>
#include <cmath>

namespace sora::particle {

static int64_t product(ShapeRef dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

static bool checkPositivePair(ShapeRef v, const char *what,
                              const ShapeError &emitError) {
  if (v.size() == 2 && v[0] >= 1 && v[1] >= 1)
    return true;
  emitError() << what << " must be two positive integers, got "
              << formatDims(v);
  return false;
}

static bool checkPadding(ShapeRef padding, const ShapeError &emitError) {
  if (padding.size() == 4 && std::none_of(padding.begin(), padding.end(),
                                          [](int64_t p) { return p < 0; }))
    return true;
  emitError() << "padding must be four non-negative integers [top, left, "
                 "bottom, right], got "
              << formatDims(padding);
  return false;
}

static bool checkBias(std::optional<ShapeRef> bias, int64_t channels,
                      const ShapeError &emitError) {
  if (!bias || (bias->size() == 1 && (*bias)[0] == channels))
    return true;
  emitError() << "port 'bias' expects shape [" << channels << "], got "
              << formatDims(*bias);
  return false;
}

std::optional<Shape> inferDenseShape(ShapeRef input, ShapeRef kernel,
                                     std::optional<ShapeRef> bias,
                                     const ShapeError &emitError) {
  if (input.size() < 2)
    return emitError() << "port 'input' expects rank >= 2 [batch, ..., "
                          "features], got "
                       << formatDims(input);
  if (kernel.size() != 2)
    return emitError() << "port 'kernel' expects rank 2 [in, units], got "
                       << formatDims(kernel);
  if (kernel[0] != input.back())
    return emitError() << "port 'kernel' expects " << input.back()
                       << " input features (the last dim of input "
                       << formatDims(input) << "), got kernel "
                       << formatDims(kernel);
  if (!(checkBias(bias, kernel[1], emitError)))
    return std::nullopt;
  Shape result(input.begin(), input.end());
  result.back() = kernel[1];
  return result;
}

/// Output extent of one windowed spatial dimension, or failure.
static std::optional<int64_t>
windowedExtent(int64_t in, int64_t window, int64_t stride, int64_t dilation,
               int64_t padBefore, int64_t padAfter, const char *dimName,
               const ShapeError &emitError) {
  int64_t span = (window - 1) * dilation + 1;
  int64_t padded = in + padBefore + padAfter;
  if (padded < span)
    return emitError() << "window of " << span << " (" << dimName
                       << ") does not fit the padded input of " << padded;
  return (padded - span) / stride + 1;
}

std::optional<Shape>
inferConv2DShape(ShapeRef input, ShapeRef kernel, std::optional<ShapeRef> bias,
                 ShapeRef strides, ShapeRef dilation, ShapeRef padding,
                 const ShapeError &emitError, int64_t groups) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (kernel.size() != 4)
    return emitError()
           << "port 'kernel' expects rank 4 [kh, kw, in, filters], got "
           << formatDims(kernel);
  if (groups < 1 || input[3] % groups != 0 || kernel[3] % groups != 0)
    return emitError() << "groups " << groups
                       << " must divide the input channels (" << input[3]
                       << ") and the filters (" << kernel[3] << ")";
  if (kernel[2] * groups != input[3])
    return emitError() << "port 'kernel' expects " << input[3] / groups
                       << " input channels (the last dim of input "
                       << formatDims(input)
                       << (groups > 1 ? " / groups " + std::to_string(groups)
                                      : std::string())
                       << "), got kernel " << formatDims(kernel);
  if (!(checkPositivePair(strides, "strides", emitError)) ||
      !(checkPositivePair(dilation, "dilation", emitError)) ||
      !(checkPadding(padding, emitError)) ||
      !(checkBias(bias, kernel[3], emitError)))
    return std::nullopt;
  std::optional<int64_t> h =
      windowedExtent(input[1], kernel[0], strides[0], dilation[0], padding[0],
                     padding[2], "height", emitError);
  if (!(h))
    return std::nullopt;
  std::optional<int64_t> w =
      windowedExtent(input[2], kernel[1], strides[1], dilation[1], padding[1],
                     padding[3], "width", emitError);
  if (!(w))
    return std::nullopt;
  return Shape{input[0], *h, *w, kernel[3]};
}

std::array<int64_t, 4> convTransposeInputPadding(ShapeRef kernel,
                                                 ShapeRef dilation,
                                                 ShapeRef padding,
                                                 ShapeRef outputPadding) {
  int64_t spanH = (kernel[0] - 1) * dilation[0];
  int64_t spanW = (kernel[1] - 1) * dilation[1];
  return {spanH - padding[0], spanW - padding[1],
          spanH - padding[2] + outputPadding[0],
          spanW - padding[3] + outputPadding[1]};
}

std::optional<Shape> inferConvTranspose2DShape(
    ShapeRef input, ShapeRef kernel, std::optional<ShapeRef> bias,
    ShapeRef strides, ShapeRef dilation, ShapeRef padding,
    ShapeRef outputPadding, const ShapeError &emitError, int64_t groups) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (kernel.size() != 4)
    return emitError()
           << "port 'kernel' expects rank 4 [kh, kw, filters, in], got "
           << formatDims(kernel);
  if (kernel[3] != input[3])
    return emitError() << "port 'kernel' expects " << input[3]
                       << " input channels (the last dim of input "
                       << formatDims(input) << "), got kernel "
                       << formatDims(kernel);
  if (groups < 1 || input[3] % groups != 0)
    return emitError() << "groups " << groups
                       << " must divide the input channels (" << input[3]
                       << ")";
  if (!(checkPositivePair(strides, "strides", emitError)) ||
      !(checkPositivePair(dilation, "dilation", emitError)) ||
      !(checkPadding(padding, emitError)) ||
      !(checkBias(bias, kernel[2] * groups, emitError)))
    return std::nullopt;
  if (outputPadding.size() != 2 || outputPadding[0] < 0 || outputPadding[1] < 0)
    return emitError() << "output_padding must be two non-negative "
                          "integers, got "
                       << formatDims(outputPadding);
  // Bounded like tensor extents, so that the arithmetic below cannot
  // overflow.
  for (ShapeRef values : {strides, dilation, padding, outputPadding})
    if (std::any_of(values.begin(), values.end(),
                    [](int64_t v) { return v > kMaxTensorElements; }))
      return emitError() << "window attributes must be at most "
                         << kMaxTensorElements << ", got "
                         << formatDims(values);
  std::array<int64_t, 4> pads =
      convTransposeInputPadding(kernel, dilation, padding, outputPadding);
  Shape result{input[0], 0, 0, kernel[2] * groups};
  for (int d = 0; d < 2; ++d) {
    result[1 + d] = (input[1 + d] - 1) * strides[d] + 1 + pads[d] +
                    pads[2 + d] - (kernel[d] - 1) * dilation[d];
    if (result[1 + d] < 1)
      return emitError() << "padding " << formatDims(padding)
                         << " leaves no output " << (d ? "columns" : "rows");
    if (result[1 + d] > kMaxTensorElements)
      return emitError() << "the output has " << result[1 + d]
                         << (d ? " columns" : " rows") << ", more than "
                         << kMaxTensorElements;
  }
  return result;
}

std::optional<Shape> inferPool2DShape(ShapeRef input, ShapeRef window,
                                      ShapeRef strides, ShapeRef padding,
                                      const ShapeError &emitError) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (!(checkPositivePair(window, "pool window", emitError)) ||
      !(checkPositivePair(strides, "strides", emitError)) ||
      !(checkPadding(padding, emitError)))
    return std::nullopt;
  if (padding[0] >= window[0] || padding[2] >= window[0] ||
      padding[1] >= window[1] || padding[3] >= window[1])
    return emitError() << "padding " << formatDims(padding)
                       << " must be smaller than the pool window "
                       << formatDims(window);
  std::optional<int64_t> h =
      windowedExtent(input[1], window[0], strides[0], 1, padding[0], padding[2],
                     "height", emitError);
  if (!(h))
    return std::nullopt;
  std::optional<int64_t> w =
      windowedExtent(input[2], window[1], strides[1], 1, padding[1], padding[3],
                     "width", emitError);
  if (!(w))
    return std::nullopt;
  return Shape{input[0], *h, *w, input[3]};
}

bool checkLpNorm(double p, const ShapeError &emitError) {
  if (p > 0 && std::isfinite(p))
    return true;
  emitError() << "p must be a positive number, got " << formatNumber(p);
  return false;
}

std::optional<Shape> inferGlobalPool2DShape(ShapeRef input, bool keepdims,
                                            const ShapeError &emitError) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (keepdims)
    return Shape{input[0], 1, 1, input[3]};
  return Shape{input[0], input[3]};
}

std::optional<Shape> inferBroadcastShape(ShapeRef lhs, ShapeRef rhs,
                                         const ShapeError &emitError) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (l != r && l != 1 && r != 1)
      return emitError() << "operands " << formatDims(lhs) << " and "
                         << formatDims(rhs)
                         << " do not broadcast (NumPy rules)";
    result[rank - 1 - i] = l == 1 ? r : l;
  }
  return result;
}

std::optional<Shape> inferFlattenShape(ShapeRef input,
                                       const ShapeError &emitError) {
  if (input.empty())
    return emitError() << "port 'input' must have a batch dimension";
  return Shape{input[0], product(input.dropFront())};
}

std::optional<Shape> inferReshapeShape(ShapeRef input, ShapeRef target,
                                       const ShapeError &emitError) {
  Shape result(target.begin(), target.end());
  int64_t known = 1;
  int inferred = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1 && inferred < 0) {
      inferred = (int)i;
      continue;
    }
    if (d < 1)
      return emitError() << "shape " << formatDims(target)
                         << " must hold positive sizes and at most one -1";
    known *= d;
  }
  int64_t count = product(input);
  if (inferred >= 0) {
    if (known == 0 || count % known != 0)
      return emitError() << "cannot reshape " << formatDims(input) << " ("
                         << count << " elements) to " << formatDims(target);
    result[inferred] = count / known;
  } else if (known != count) {
    return emitError() << "cannot reshape " << formatDims(input) << " ("
                       << count << " elements) to " << formatDims(target)
                       << " (" << known << " elements)";
  }
  return result;
}

std::pair<int64_t, int64_t> computePadding(bool same, int64_t in,
                                           int64_t window, int64_t stride,
                                           int64_t dilation) {
  if (!same)
    return {0, 0};
  int64_t out = (in + stride - 1) / stride;
  int64_t span = (window - 1) * dilation + 1;
  int64_t total = std::max<int64_t>((out - 1) * stride + span - in, 0);
  return {total / 2, total - total / 2};
}

} // namespace sora::particle
