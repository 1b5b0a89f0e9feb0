//===- WeightConversion.cpp - ONNX tensors to particle layouts ------------===//

#include "WeightConversion.h"

#include "sora/Core/Shape.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

namespace sora::onnximport {

std::vector<float> permuteTensor(const std::vector<float> &data,
                                 const std::vector<int64_t> &shape,
                                 const std::vector<int64_t> &perm) {
  size_t rank = shape.size();
  std::vector<int64_t> strides(rank, 1), outShape(rank);
  for (size_t i = rank; i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  for (size_t i = 0; i < rank; ++i)
    outShape[i] = shape[perm[i]];
  std::vector<float> out(data.size());
  std::vector<int64_t> index(rank, 0); // over the output
  for (size_t n = 0; n < out.size(); ++n) {
    int64_t offset = 0;
    for (size_t i = 0; i < rank; ++i)
      offset += index[i] * strides[perm[i]];
    out[n] = data[offset];
    for (size_t i = rank; i-- > 0;) {
      if (++index[i] < outShape[i])
        break;
      index[i] = 0;
    }
  }
  return out;
}

std::vector<float> permuteKernelRows(const std::vector<float> &kernel,
                                     int64_t units,
                                     const std::vector<int64_t> &columns) {
  std::vector<float> out(kernel.size());
  for (size_t j = 0; j < columns.size(); ++j)
    std::copy(kernel.begin() + j * units, kernel.begin() + (j + 1) * units,
              out.begin() + columns[j] * units);
  return out;
}

std::vector<float> broadcastToVector(const std::vector<float> &data,
                                     const std::vector<int64_t> &shape,
                                     int64_t n) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  // Every dimension but the last must be 1.
  for (size_t i = 0; i + 1 < shape.size(); ++i)
    if (shape[i] != 1)
      return {};
  if (count == n)
    return data;
  if (count == 1)
    return std::vector<float>(n, data[0]);
  return {};
}

std::vector<float> broadcastToShape(const std::vector<float> &data,
                                    const std::vector<int64_t> &shape,
                                    const std::vector<int64_t> &target) {
  if (shape.size() > target.size())
    return {};
  size_t lead = target.size() - shape.size();
  // The source stride of each target dimension (0 where it broadcasts).
  std::vector<int64_t> strides(target.size(), 0);
  int64_t stride = 1, count = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && shape[i] != target[lead + i])
      return {};
    strides[lead + i] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  std::optional<int64_t> elements = checkedNumElements(target);
  if ((int64_t)data.size() != stride || !elements ||
      *elements > kMaxTensorElements ||
      llvm::any_of(target, [](int64_t d) { return d <= 0; }))
    return {};
  count = *elements;
  std::vector<float> out((size_t)count);
  std::vector<int64_t> index(target.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t from = 0;
    for (size_t d = 0; d < target.size(); ++d)
      from += index[d] * strides[d];
    out[(size_t)n] = data[(size_t)from];
    for (size_t d = target.size(); d-- > 0;) {
      if (++index[d] < target[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

} // namespace sora::onnximport
