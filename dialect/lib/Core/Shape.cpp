//===- Shape.cpp - Formatting shapes and numbers for messages -------------===//

#include "sora/Core/Shape.h"

namespace sora {

int64_t numElements(ShapeRef dims) {
  int64_t count = 1;
  for (int64_t extent : dims)
    count *= extent;
  return count;
}

bool forEachIndex(
    ShapeRef dims,
    const std::function<bool(const std::vector<int64_t> &, int64_t)> &visit) {
  std::vector<int64_t> index(dims.size(), 0);
  int64_t total = numElements(dims);
  for (int64_t flat = 0; flat < total; ++flat) {
    if (!visit(index, flat))
      return false;
    for (size_t d = dims.size(); d-- > 0;) {
      if (++index[d] < dims[d])
        break;
      index[d] = 0;
    }
  }
  return true;
}

std::optional<int64_t> checkedNumElements(ShapeRef dims) {
  int64_t count = 1;
  for (int64_t extent : dims)
    if (extent < 0 || __builtin_mul_overflow(count, extent, &count))
      return std::nullopt;
  return count;
}

std::string formatDims(ShapeRef dims) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < dims.size(); ++i)
    os << (i ? ", " : "") << dims[i];
  os << ']';
  return os.str();
}

std::string formatNumber(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

} // namespace sora
