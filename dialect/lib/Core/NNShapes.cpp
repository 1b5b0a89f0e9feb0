//===- NNShapes.cpp - Shape rules of the network layer particles ----------===//

#include "sora/Core/ParticleShapes.h"

namespace sora::particle {

std::optional<Shape> inferLayerNormShape(ShapeRef input,
                                         const std::vector<ShapeRef> &affine,
                                         int64_t axis,
                                         const ShapeError &emitError) {
  if (!(checkAxis(axis, input.size(), emitError)))
    return std::nullopt;
  if (!affine.empty() && affine.size() != 2)
    return emitError() << "expects gamma and beta, or neither; got "
                       << affine.size() << " of them";
  const char *ports[] = {"gamma", "beta"};
  for (size_t i = 0; i < affine.size(); ++i)
    if (affine[i] != ShapeRef{input[axis]})
      return emitError() << "port '" << ports[i] << "' expects shape ["
                         << input[axis] << "] (axis " << axis << " of input "
                         << formatDims(input) << "), got "
                         << formatDims(affine[i]);
  return Shape(input.begin(), input.end());
}

std::optional<Shape> inferMatMulShape(ShapeRef lhs, ShapeRef rhs,
                                      bool transposeA, bool transposeB,
                                      const ShapeError &emitError) {
  if (lhs.size() < 2 || rhs.size() < 2)
    return emitError() << "operands must have rank >= 2 ([..., rows, "
                          "columns]), got "
                       << formatDims(lhs) << " and " << formatDims(rhs);
  size_t ra = lhs.size(), rb = rhs.size();
  int64_t m = transposeA ? lhs[ra - 1] : lhs[ra - 2];
  int64_t ka = transposeA ? lhs[ra - 2] : lhs[ra - 1];
  int64_t kb = transposeB ? rhs[rb - 1] : rhs[rb - 2];
  int64_t n = transposeB ? rhs[rb - 2] : rhs[rb - 1];
  if (ka != kb)
    return emitError() << "operands " << formatDims(lhs) << " and "
                       << formatDims(rhs) << " disagree on the reduced "
                       << "dimension (" << ka << " vs " << kb << ")";
  std::optional<Shape> batch =
      inferBroadcastShape(lhs.dropBack(2), rhs.dropBack(2), emitError);
  if (!(batch))
    return std::nullopt;
  batch->push_back(m);
  batch->push_back(n);
  return batch;
}

std::optional<Shape> inferEmbeddingShape(ShapeRef ids, ShapeRef table,
                                         const ShapeError &emitError) {
  if (table.size() != 2)
    return emitError() << "port 'table' expects [input_dim, output_dim], got "
                       << formatDims(table);
  Shape result(ids.begin(), ids.end());
  result.push_back(table[1]);
  return result;
}

std::optional<Shape> inferOneHotShape(ShapeRef ids, int64_t depth,
                                      const ShapeError &emitError) {
  if (depth <= 0 || depth > kMaxTensorElements)
    return emitError() << "depth " << depth << " must be in [1, "
                       << kMaxTensorElements << "]";
  Shape result(ids.begin(), ids.end());
  result.push_back(depth);
  std::optional<int64_t> count = checkedNumElements(result);
  if (!count || *count > kMaxTensorElements)
    return emitError() << "the result " << formatDims(result)
                       << " is too large (at most " << kMaxTensorElements
                       << " elements)";
  return result;
}

} // namespace sora::particle
