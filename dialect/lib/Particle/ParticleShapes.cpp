//===- ParticleShapes.cpp - Shape rules of the particles ------------------===//

#include "sora/Dialect/Particle/ParticleShapes.h"

#include "llvm/Support/raw_ostream.h"

#include <sstream>

using namespace mlir;

namespace sora::particle {

std::string formatDims(ArrayRef<int64_t> dims) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleave(dims, os, ", ");
  os << ']';
  return s;
}

std::string formatNumber(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

static LogicalResult checkPositivePair(ArrayRef<int64_t> v, StringRef what,
                                       EmitErrorFn emitError) {
  if (v.size() != 2 || v[0] < 1 || v[1] < 1)
    return emitError() << what << " must be two positive integers, got "
                       << formatDims(v);
  return success();
}

static LogicalResult checkPadding(ArrayRef<int64_t> padding,
                                  EmitErrorFn emitError) {
  if (padding.size() != 4 ||
      llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return emitError()
           << "padding must be four non-negative integers [top, left, "
              "bottom, right], got "
           << formatDims(padding);
  return success();
}

static LogicalResult checkBias(std::optional<ArrayRef<int64_t>> bias,
                               int64_t channels, EmitErrorFn emitError) {
  if (bias && (bias->size() != 1 || (*bias)[0] != channels))
    return emitError() << "port 'bias' expects shape [" << channels << "], got "
                       << formatDims(*bias);
  return success();
}

FailureOr<Dims> inferDenseShape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> kernel,
                                std::optional<ArrayRef<int64_t>> bias,
                                EmitErrorFn emitError) {
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
  if (failed(checkBias(bias, kernel[1], emitError)))
    return failure();
  Dims result(input.begin(), input.end());
  result.back() = kernel[1];
  return result;
}

/// Output extent of one windowed spatial dimension, or failure.
static FailureOr<int64_t> windowedExtent(int64_t in, int64_t window,
                                         int64_t stride, int64_t dilation,
                                         int64_t padBefore, int64_t padAfter,
                                         StringRef dimName,
                                         EmitErrorFn emitError) {
  int64_t span = (window - 1) * dilation + 1;
  int64_t padded = in + padBefore + padAfter;
  if (padded < span)
    return emitError() << "window of " << span << " (" << dimName
                       << ") does not fit the padded input of " << padded;
  return (padded - span) / stride + 1;
}

FailureOr<Dims> inferConv2DShape(ArrayRef<int64_t> input,
                                 ArrayRef<int64_t> kernel,
                                 std::optional<ArrayRef<int64_t>> bias,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> dilation,
                                 ArrayRef<int64_t> padding,
                                 EmitErrorFn emitError, int64_t groups) {
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
  if (failed(checkPositivePair(strides, "strides", emitError)) ||
      failed(checkPositivePair(dilation, "dilation", emitError)) ||
      failed(checkPadding(padding, emitError)) ||
      failed(checkBias(bias, kernel[3], emitError)))
    return failure();
  FailureOr<int64_t> h =
      windowedExtent(input[1], kernel[0], strides[0], dilation[0], padding[0],
                     padding[2], "height", emitError);
  if (failed(h))
    return failure();
  FailureOr<int64_t> w =
      windowedExtent(input[2], kernel[1], strides[1], dilation[1], padding[1],
                     padding[3], "width", emitError);
  if (failed(w))
    return failure();
  return Dims{input[0], *h, *w, kernel[3]};
}

FailureOr<Dims> inferPool2DShape(ArrayRef<int64_t> input,
                                 ArrayRef<int64_t> window,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> padding,
                                 EmitErrorFn emitError) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (failed(checkPositivePair(window, "pool window", emitError)) ||
      failed(checkPositivePair(strides, "strides", emitError)) ||
      failed(checkPadding(padding, emitError)))
    return failure();
  if (padding[0] >= window[0] || padding[2] >= window[0] ||
      padding[1] >= window[1] || padding[3] >= window[1])
    return emitError() << "padding " << formatDims(padding)
                       << " must be smaller than the pool window "
                       << formatDims(window);
  FailureOr<int64_t> h =
      windowedExtent(input[1], window[0], strides[0], 1, padding[0], padding[2],
                     "height", emitError);
  if (failed(h))
    return failure();
  FailureOr<int64_t> w =
      windowedExtent(input[2], window[1], strides[1], 1, padding[1], padding[3],
                     "width", emitError);
  if (failed(w))
    return failure();
  return Dims{input[0], *h, *w, input[3]};
}

FailureOr<Dims> inferGlobalPool2DShape(ArrayRef<int64_t> input, bool keepdims,
                                       EmitErrorFn emitError) {
  if (input.size() != 4)
    return emitError() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(input);
  if (keepdims)
    return Dims{input[0], 1, 1, input[3]};
  return Dims{input[0], input[3]};
}

FailureOr<Dims> inferBroadcastShape(ArrayRef<int64_t> lhs,
                                    ArrayRef<int64_t> rhs,
                                    EmitErrorFn emitError) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Dims result(rank, 1);
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

FailureOr<Dims> inferFlattenShape(ArrayRef<int64_t> input,
                                  EmitErrorFn emitError) {
  if (input.empty())
    return emitError() << "port 'input' must have a batch dimension";
  return Dims{input[0], product(input.drop_front())};
}

FailureOr<Dims> inferReshapeShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> target,
                                  EmitErrorFn emitError) {
  Dims result(target.begin(), target.end());
  int64_t known = 1;
  int inferred = -1;
  for (auto [i, d] : llvm::enumerate(target)) {
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
