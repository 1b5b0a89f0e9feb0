//===- Shape.cpp - Formatting shapes and numbers for messages -------------===//

#include "sora/Core/Shape.h"

namespace sora {

int64_t numElements(ShapeRef dims) {
  int64_t count = 1;
  for (int64_t extent : dims)
    count *= extent;
  return count;
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
