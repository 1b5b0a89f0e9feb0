//===- TensorOps.cpp - Verifiers of the data movement particles -----------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

using namespace mlir;
using namespace sora::particle;

std::optional<Shape> TransposeOp::inferShape(Adaptor adaptor,
                                             const ShapeError &emitError) {
  return inferTransposeShape(shapeOf(adaptor.getInput()), adaptor.getPerm(),
                             emitError);
}

std::optional<Shape> ConcatOp::inferShape(Adaptor adaptor,
                                          const ShapeError &emitError) {
  std::vector<Shape> shapes;
  for (Value in : adaptor.getInputs())
    shapes.emplace_back(shapeOf(in).begin(), shapeOf(in).end());
  return inferConcatShape(shapes, adaptor.getAxis(), emitError);
}

LogicalResult SplitOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ShapeError shapeEmit = shapeErrorOf(*this);
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (!checkAxis(getAxis(), input.size(), shapeEmit))
    return failure();
  SmallVector<int64_t> sizes;
  for (Value r : getResults()) {
    if (shapeOf(r).size() != input.size())
      return emit() << "results must have the rank of the input "
                    << formatDims(input);
    sizes.push_back(shapeOf(r)[getAxis()]);
  }
  auto shapes = inferSplitShapes(input, getAxis(), sizes, shapeEmit);
  if (!shapes)
    return failure();
  for (unsigned i = 0; i < getNumResults(); ++i)
    if (failed(checkResult(*this, (*shapes)[i], i)))
      return failure();
  return success();
}

LogicalResult SliceOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ShapeError shapeEmit = shapeErrorOf(*this);
  ArrayRef<int64_t> result = shapeOf(getResult());
  ArrayRef<int64_t> begin = getBegin(), strides = getStrides();
  if (begin.size() != result.size() || strides.size() != result.size())
    return emit() << "begin and strides need one entry per dimension of "
                  << formatDims(result);
  SmallVector<int64_t> end;
  for (size_t d = 0; d < result.size(); ++d)
    end.push_back(sliceEnd(begin[d], result[d], strides[d]));
  return checkResult(*this, inferSliceShape(shapeOf(getInput()), begin, end,
                                            strides, shapeEmit));
}

std::optional<Shape> UnpackPanelsOp::inferShape(Adaptor adaptor,
                                                const ShapeError &emitError) {
  return inferUnpackPanelsShape(shapeOf(adaptor.getInput()),
                                (int64_t)adaptor.getColumns(), emitError);
}

std::optional<Shape> WinogradFilterOp::inferShape(Adaptor adaptor,
                                                  const ShapeError &emitError) {
  return inferWinogradFilterShape(shapeOf(adaptor.getInput()), emitError);
}

std::optional<Shape> PadOp::inferShape(Adaptor adaptor,
                                       const ShapeError &emitError) {
  std::optional<PadMode> mode = parsePadMode(adaptor.getMode());
  if (!mode)
    return emitError() << "unknown pad mode '" << adaptor.getMode().str()
                       << "'; modes: constant, reflect, edge";
  return inferPadShape(shapeOf(adaptor.getInput()), adaptor.getLow(),
                       adaptor.getHigh(), *mode, emitError);
}

//===----------------------------------------------------------------------===//
// Kernel forms (KernelOpInterface)
//===----------------------------------------------------------------------===//

sora::KernelOp TransposeOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Transpose);
  k.perm.assign(getPerm().begin(), getPerm().end());
  return k;
}

sora::KernelOp UnpackPanelsOp::describeKernelOp() {
  return sora::KernelOp::of(sora::KernelOpKind::UnpackPanels);
}

sora::KernelOp WinogradFilterOp::describeKernelOp() {
  return sora::KernelOp::of(sora::KernelOpKind::WinogradFilter);
}

sora::KernelOp ConcatOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Concat);
  k.axis = (int64_t)getAxis();
  return k;
}

sora::KernelOp SliceOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Slice);
  k.begin.assign(getBegin().begin(), getBegin().end());
  k.step.assign(getStrides().begin(), getStrides().end());
  return k;
}

sora::KernelOp PadOp::describeKernelOp() {
  std::optional<PadMode> mode = parsePadMode(getMode());
  sora::KernelOp k = sora::KernelOp::of(
      mode == PadMode::Reflect ? sora::KernelOpKind::PadReflect
      : mode == PadMode::Edge  ? sora::KernelOpKind::PadEdge
                               : sora::KernelOpKind::Pad);
  k.low.assign(getLow().begin(), getLow().end());
  k.high.assign(getHigh().begin(), getHigh().end());
  k.scalars[0] = getValue().convertToFloat();
  return k;
}
