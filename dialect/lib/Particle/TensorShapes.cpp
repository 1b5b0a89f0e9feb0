//===- TensorShapes.cpp - Shape rules of the data movement particles ------===//

#include "sora/Dialect/Particle/ParticleShapes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace sora::particle {

LogicalResult checkAxis(int64_t axis, size_t rank, EmitErrorFn emitError) {
  if (axis < 0 || axis >= (int64_t)rank)
    return emitError() << "axis " << axis << " is out of range for rank "
                       << rank;
  return success();
}

FailureOr<Dims> inferTransposeShape(ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> perm,
                                    EmitErrorFn emitError) {
  Dims sorted(perm.begin(), perm.end());
  llvm::sort(sorted);
  bool permutation = perm.size() == input.size();
  for (auto [i, p] : llvm::enumerate(sorted))
    permutation &= p == (int64_t)i;
  if (!permutation)
    return emitError() << "perm " << formatDims(perm)
                       << " is not a permutation of the " << input.size()
                       << " dimensions of " << formatDims(input);
  Dims result;
  for (int64_t p : perm)
    result.push_back(input[p]);
  return result;
}

FailureOr<Dims> inferConcatShape(ArrayRef<SmallVector<int64_t, 4>> inputs,
                                 int64_t axis, EmitErrorFn emitError) {
  if (inputs.empty())
    return emitError() << "needs at least one input";
  Dims result(inputs[0].begin(), inputs[0].end());
  if (failed(checkAxis(axis, result.size(), emitError)))
    return failure();
  for (auto [i, shape] : llvm::enumerate(inputs.drop_front())) {
    bool fits = shape.size() == result.size();
    for (size_t d = 0; fits && d < shape.size(); ++d)
      fits = (int64_t)d == axis || shape[d] == result[d];
    if (!fits)
      return emitError() << "input #" << i + 1 << " " << formatDims(shape)
                         << " does not match input #0 " << formatDims(inputs[0])
                         << " outside axis " << axis;
    result[axis] += shape[axis];
  }
  return result;
}

FailureOr<SmallVector<Dims>> inferSplitShapes(ArrayRef<int64_t> input,
                                              int64_t axis,
                                              ArrayRef<int64_t> sizes,
                                              EmitErrorFn emitError) {
  if (failed(checkAxis(axis, input.size(), emitError)))
    return failure();
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 1)
      return emitError() << "split sizes " << formatDims(sizes)
                         << " must be positive";
    total += s;
  }
  if (sizes.empty() || total != input[axis])
    return emitError() << "split sizes " << formatDims(sizes) << " add up to "
                       << total << ", but axis " << axis << " of "
                       << formatDims(input) << " has " << input[axis];
  SmallVector<Dims> results;
  for (int64_t s : sizes) {
    results.emplace_back(input.begin(), input.end());
    results.back()[axis] = s;
  }
  return results;
}

FailureOr<Dims> inferSliceShape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                                ArrayRef<int64_t> strides,
                                EmitErrorFn emitError) {
  size_t rank = input.size();
  if (begin.size() != rank || end.size() != rank || strides.size() != rank)
    return emitError() << "begin, end and strides need one entry per "
                          "dimension of "
                       << formatDims(input);
  Dims result;
  for (size_t d = 0; d < rank; ++d) {
    if (strides[d] < 1)
      return emitError() << "strides " << formatDims(strides)
                         << " must be positive";
    if (begin[d] < 0 || begin[d] >= end[d] || end[d] > input[d])
      return emitError() << "slice [" << begin[d] << ", " << end[d]
                         << ") of dimension " << d << " is empty or outside "
                         << formatDims(input);
    result.push_back((end[d] - begin[d] + strides[d] - 1) / strides[d]);
  }
  return result;
}

FailureOr<Dims> inferPadShape(ArrayRef<int64_t> input, ArrayRef<int64_t> low,
                              ArrayRef<int64_t> high, EmitErrorFn emitError) {
  if (low.size() != input.size() || high.size() != input.size())
    return emitError() << "padding needs one [before, after] pair per "
                          "dimension of "
                       << formatDims(input);
  Dims result;
  for (size_t d = 0; d < input.size(); ++d) {
    if (low[d] < 0 || high[d] < 0)
      return emitError() << "padding must be non-negative, got "
                         << formatDims(low) << " before and "
                         << formatDims(high) << " after";
    result.push_back(input[d] + low[d] + high[d]);
  }
  return result;
}

} // namespace sora::particle
