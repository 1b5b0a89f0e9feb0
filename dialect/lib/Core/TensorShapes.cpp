//===- TensorShapes.cpp - Shape rules of the data movement particles ------===//

#include "sora/Core/ParticleShapes.h"

#include <algorithm>

namespace sora::particle {

bool checkAxis(int64_t axis, size_t rank, const ShapeError &emitError) {
  if (axis >= 0 && axis < (int64_t)rank)
    return true;
  emitError() << "axis " << axis << " is out of range for rank " << rank;
  return false;
}

std::optional<Shape> inferTransposeShape(ShapeRef input, ShapeRef perm,
                                         const ShapeError &emitError) {
  Shape sorted(perm.begin(), perm.end());
  std::sort(sorted.begin(), sorted.end());
  bool permutation = perm.size() == input.size();
  for (size_t i = 0; i < sorted.size(); ++i)
    permutation &= sorted[i] == (int64_t)i;
  if (!permutation)
    return emitError() << "perm " << formatDims(perm)
                       << " is not a permutation of the " << input.size()
                       << " dimensions of " << formatDims(input);
  Shape result;
  for (int64_t p : perm)
    result.push_back(input[p]);
  return result;
}

std::optional<Shape> inferWinogradFilterShape(ShapeRef transformed,
                                              const ShapeError &emitError) {
  if (transformed.size() != 5 || transformed[1] != 4 || transformed[2] != 4)
    return emitError() << "Winograd filters " << formatDims(transformed)
                       << " are not [G, 4, 4, C, P]";
  return Shape{3, 3, transformed[3], transformed[0] * transformed[4]};
}

std::optional<Shape> inferUnpackPanelsShape(ShapeRef packed, int64_t columns,
                                            const ShapeError &emitError) {
  if (packed.size() < 2)
    return emitError() << "packed weights " << formatDims(packed)
                       << " need a panel and a column dimension";
  int64_t panels = packed[0], width = packed.back();
  if (columns <= (panels - 1) * width || columns > panels * width)
    return emitError() << panels << " panels of " << width
                       << " columns do not hold " << columns << " columns";
  Shape result(packed.begin() + 1, packed.end() - 1);
  result.push_back(columns);
  return result;
}

std::optional<Shape> inferConcatShape(const std::vector<Shape> &inputs,
                                      int64_t axis,
                                      const ShapeError &emitError) {
  if (inputs.empty())
    return emitError() << "needs at least one input";
  Shape result(inputs[0].begin(), inputs[0].end());
  if (!(checkAxis(axis, result.size(), emitError)))
    return std::nullopt;
  for (size_t i = 0; i + 1 < inputs.size(); ++i) {
    const Shape &shape = inputs[i + 1];
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

std::optional<std::vector<Shape>>
inferSplitShapes(ShapeRef input, int64_t axis, ShapeRef sizes,
                 const ShapeError &emitError) {
  if (!(checkAxis(axis, input.size(), emitError)))
    return std::nullopt;
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
  std::vector<Shape> results;
  for (int64_t s : sizes) {
    results.emplace_back(input.begin(), input.end());
    results.back()[axis] = s;
  }
  return results;
}

std::optional<Shape> inferSliceShape(ShapeRef input, ShapeRef begin,
                                     ShapeRef end, ShapeRef strides,
                                     const ShapeError &emitError) {
  size_t rank = input.size();
  if (begin.size() != rank || end.size() != rank || strides.size() != rank)
    return emitError() << "begin, end and strides need one entry per "
                          "dimension of "
                       << formatDims(input);
  Shape result;
  for (size_t d = 0; d < rank; ++d) {
    if (strides[d] == 0)
      return emitError() << "strides " << formatDims(strides)
                         << " must not be 0";
    bool forward = strides[d] > 0;
    bool inside =
        forward ? 0 <= begin[d] && begin[d] < end[d] && end[d] <= input[d]
                : -1 <= end[d] && end[d] < begin[d] && begin[d] < input[d];
    if (!inside)
      return emitError() << "slice [" << begin[d] << ", " << end[d] << ") by "
                         << strides[d] << " of dimension " << d
                         << " is empty or outside " << formatDims(input);
    // 1 + (span - 1) / |stride|, without negating or adding to the stride.
    int64_t span = forward ? end[d] - begin[d] : begin[d] - end[d];
    result.push_back(forward ? 1 + (span - 1) / strides[d]
                             : 1 - (span - 1) / strides[d]);
  }
  return result;
}

int64_t sliceEnd(int64_t begin, int64_t extent, int64_t stride) {
  return begin + (extent - 1) * stride + (stride > 0 ? 1 : -1);
}

std::optional<ReduceKind> parseReduceKind(std::string_view name) {
  for (int k = 0; k <= (int)ReduceKind::LogSumExp; ++k)
    if (name == reduceKindName(ReduceKind(k)))
      return ReduceKind(k);
  return std::nullopt;
}

std::optional<Shape> inferReduceShape(ShapeRef input, ShapeRef axes,
                                      bool keepDims,
                                      const ShapeError &emitError) {
  std::vector<bool> reduced(input.size(), false);
  for (int64_t axis : axes) {
    if (!checkAxis(axis, input.size(), emitError))
      return std::nullopt;
    if (reduced[axis])
      return emitError() << "axis " << axis << " is reduced twice";
    reduced[axis] = true;
  }
  Shape result;
  for (size_t d = 0; d < input.size(); ++d)
    if (!reduced[d])
      result.push_back(input[d]);
    else if (keepDims)
      result.push_back(1);
  if (result.empty())
    return emitError() << "reducing every axis of " << formatDims(input)
                       << " without keeping them leaves a rank-0 tensor, "
                          "which soracc does not support; keep the dims";
  return result;
}

std::optional<PadMode> parsePadMode(std::string_view name) {
  if (name == "constant")
    return PadMode::Constant;
  if (name == "reflect")
    return PadMode::Reflect;
  if (name == "edge")
    return PadMode::Edge;
  return std::nullopt;
}

std::optional<Shape> inferPadShape(ShapeRef input, ShapeRef low, ShapeRef high,
                                   PadMode mode, const ShapeError &emitError) {
  if (low.size() != input.size() || high.size() != input.size())
    return emitError() << "padding needs one [before, after] pair per "
                          "dimension of "
                       << formatDims(input);
  Shape result;
  for (size_t d = 0; d < input.size(); ++d) {
    if (low[d] < 0 || high[d] < 0)
      return emitError() << "padding must be non-negative, got "
                         << formatDims(low) << " before and "
                         << formatDims(high) << " after";
    if (mode == PadMode::Reflect && (low[d] >= input[d] || high[d] >= input[d]))
      return emitError() << "a reflection pads each dimension by less than "
                            "its extent, got "
                         << formatDims(low) << " before and "
                         << formatDims(high) << " after " << formatDims(input);
    result.push_back(input[d] + low[d] + high[d]);
  }
  return result;
}

} // namespace sora::particle
