//===- TensorOps.cpp - Verifiers of the data movement particles -----------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

using namespace mlir;
using namespace sora::particle;

LogicalResult TransposeOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  return checkResult(*this,
                     inferTransposeShape(shapeOf(getInput()), getPerm(), emit));
}

LogicalResult ConcatOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  SmallVector<SmallVector<int64_t, 4>> shapes;
  for (Value in : getInputs())
    shapes.emplace_back(shapeOf(in));
  return checkResult(*this, inferConcatShape(shapes, getAxis(), emit));
}

LogicalResult SplitOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (failed(checkAxis(getAxis(), input.size(), emit)))
    return failure();
  SmallVector<int64_t> sizes;
  for (Value r : getResults()) {
    if (shapeOf(r).size() != input.size())
      return emit() << "results must have the rank of the input "
                    << formatDims(input);
    sizes.push_back(shapeOf(r)[getAxis()]);
  }
  auto shapes = inferSplitShapes(input, getAxis(), sizes, emit);
  if (failed(shapes))
    return failure();
  for (unsigned i = 0; i < getNumResults(); ++i)
    if (failed(checkResult(*this, (*shapes)[i], i)))
      return failure();
  return success();
}

LogicalResult SliceOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ArrayRef<int64_t> result = shapeOf(getResult());
  ArrayRef<int64_t> begin = getBegin(), strides = getStrides();
  if (begin.size() != result.size() || strides.size() != result.size())
    return emit() << "begin and strides need one entry per dimension of "
                  << formatDims(result);
  // The last element read, plus one, is the tightest `end`.
  SmallVector<int64_t> end;
  for (size_t d = 0; d < result.size(); ++d)
    end.push_back(begin[d] + (result[d] - 1) * strides[d] + 1);
  return checkResult(
      *this, inferSliceShape(shapeOf(getInput()), begin, end, strides, emit));
}

LogicalResult PadOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  return checkResult(
      *this, inferPadShape(shapeOf(getInput()), getLow(), getHigh(), emit));
}
