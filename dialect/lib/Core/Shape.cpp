//===- Shape.cpp - Formatting shapes and numbers for messages -------------===//

#include "sora/Core/Shape.h"

namespace sora {

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
