//===- NNShapes.cpp - Shape rules of the network layer particles ----------===//

#include "sora/Dialect/Particle/ParticleShapes.h"

using namespace mlir;

namespace sora::particle {

FailureOr<Dims> inferLayerNormShape(ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> gamma,
                                    ArrayRef<int64_t> beta, int64_t axis,
                                    EmitErrorFn emitError) {
  if (failed(checkAxis(axis, input.size(), emitError)))
    return failure();
  for (auto [port, shape] : {std::pair{"gamma", gamma}, {"beta", beta}})
    if (shape != ArrayRef<int64_t>{input[axis]})
      return emitError() << "port '" << port << "' expects shape ["
                         << input[axis] << "] (axis " << axis << " of input "
                         << formatDims(input) << "), got " << formatDims(shape);
  return Dims(input.begin(), input.end());
}

FailureOr<Dims> inferMatMulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                 bool transposeA, bool transposeB,
                                 EmitErrorFn emitError) {
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
  FailureOr<Dims> batch =
      inferBroadcastShape(lhs.drop_back(2), rhs.drop_back(2), emitError);
  if (failed(batch))
    return failure();
  batch->append({m, n});
  return batch;
}

FailureOr<Dims> inferEmbeddingShape(ArrayRef<int64_t> ids,
                                    ArrayRef<int64_t> table,
                                    EmitErrorFn emitError) {
  if (table.size() != 2)
    return emitError() << "port 'table' expects [input_dim, output_dim], got "
                       << formatDims(table);
  Dims result(ids.begin(), ids.end());
  result.push_back(table[1]);
  return result;
}

} // namespace sora::particle
