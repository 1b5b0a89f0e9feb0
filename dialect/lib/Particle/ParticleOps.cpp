//===- ParticleOps.cpp - Particle op verifiers ----------------------------===//
//
// Ops whose result follows from their operands and attributes infer it
// (InferTypeOpInterface) by the shape rules of sora/Core/ParticleShapes.h;
// MLIR's verifier compares it with the declared type. Verifiers check the
// rest. Messages name the particle (from the op's NameLoc, when the frontend
// set one) and the port.
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Core/ParticleShapes.h"

#include "ParticleVerify.h"

using namespace mlir;
using namespace sora::particle;

static LogicalResult verifyNamedTensor(Operation *op, StringRef name,
                                       Type type) {
  if (name.empty())
    return emitParticleError(op) << "needs a non-empty name";
  if (!cast<RankedTensorType>(type).hasStaticShape())
    return emitParticleError(op) << "needs a static shape";
  return success();
}

LogicalResult InputOp::verify() {
  return verifyNamedTensor(*this, getName(), getType());
}

LogicalResult WeightOp::verify() {
  return verifyNamedTensor(*this, getName(), getType());
}

std::optional<Shape> DenseOp::inferShape(Adaptor adaptor,
                                         const ShapeError &emitError) {
  return inferDenseShape(shapeOf(adaptor.getInput()),
                         shapeOf(adaptor.getKernel()),
                         optionalShape(adaptor.getBias()), emitError);
}

std::optional<Shape> Conv2DOp::inferShape(Adaptor adaptor,
                                          const ShapeError &emitError) {
  return inferConv2DShape(shapeOf(adaptor.getInput()),
                          shapeOf(adaptor.getKernel()),
                          optionalShape(adaptor.getBias()),
                          adaptor.getStrides(), adaptor.getDilation(),
                          adaptor.getPadding(), emitError, adaptor.getGroups());
}

std::optional<Shape>
ConvTranspose2DOp::inferShape(Adaptor adaptor, const ShapeError &emitError) {
  return inferConvTranspose2DShape(
      shapeOf(adaptor.getInput()), shapeOf(adaptor.getKernel()),
      optionalShape(adaptor.getBias()), adaptor.getStrides(),
      adaptor.getDilation(), adaptor.getPadding(), adaptor.getOutputPadding(),
      emitError, adaptor.getGroups());
}

LogicalResult LpPool2DOp::verify() {
  return success(checkLpNorm(getP().convertToDouble(), shapeErrorOf(*this)));
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank();
  auto axis = (int64_t)getAxis();
  if (axis < 0 || axis >= rank)
    return emitParticleError(*this)
           << "axis " << axis << " is out of range for rank " << rank;
  return success();
}

std::optional<Shape> FlattenOp::inferShape(Adaptor adaptor,
                                           const ShapeError &emitError) {
  return inferFlattenShape(shapeOf(adaptor.getInput()), emitError);
}

LogicalResult ReshapeOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  return checkResult(*this, inferReshapeShape(shapeOf(getInput()),
                                              shapeOf(getResult()), emit));
}

LogicalResult KernelOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitParticleError(*this)
           << "body has " << body.getNumArguments() << " arguments for "
           << getInputs().size() << " inputs";
  for (auto [i, arg, input] : llvm::enumerate(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitParticleError(*this)
             << "body argument #" << i << " has type " << arg.getType()
             << " but input #" << i << " has type " << input.getType();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitParticleError(*this) << "body must end with particle.yield";
  if (yield.getValue().getType() != getType())
    return emitParticleError(*this) << "yields " << yield.getValue().getType()
                                    << " but returns " << getType();
  // The name is the kernel's symbol in the compiled library: an earlier
  // kernel of the same name in the module would be called in its place.
  Operation *scope = (*this)->getParentOfType<ModuleOp>();
  if (!scope)
    scope = (*this)->getParentOp();
  KernelOp earlier;
  scope->walk([&](KernelOp other) {
    if (other == *this)
      return WalkResult::interrupt();
    if (other.getSymNameAttr() == getSymNameAttr())
      earlier = other;
    return earlier ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (earlier)
    return (emitParticleError(*this)
            << "kernel '" << getSymName() << "' is defined twice")
               .attachNote(earlier.getLoc())
           << "first defined here";
  return success();
}

//===----------------------------------------------------------------------===//
// Kernel forms (KernelOpInterface)
//===----------------------------------------------------------------------===//

sora::KernelOp Conv2DOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Conv2D);
  ArrayRef<int64_t> kernel = shapeOf(getKernel());
  k.window = {kernel[0], kernel[1]};
  k.strides = toArray<2>(getStrides());
  k.dilation = toArray<2>(getDilation());
  k.pad = toArray<4>(getPadding());
  k.groups = getGroups();
  return k;
}

sora::KernelOp ConvTranspose2DOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::ConvTranspose2D);
  ArrayRef<int64_t> kernel = shapeOf(getKernel());
  k.window = {kernel[0], kernel[1]};
  k.strides = toArray<2>(getStrides());
  k.dilation = toArray<2>(getDilation());
  k.pad = convTransposeInputPadding(kernel, getDilation(), getPadding(),
                                    getOutputPadding());
  k.groups = getGroups();
  return k;
}

template <typename PoolOp>
static sora::KernelOp describePool(PoolOp pool, sora::KernelOpKind kind) {
  sora::KernelOp k = sora::KernelOp::of(kind);
  k.window = toArray<2>(pool.getWindow());
  k.strides = toArray<2>(pool.getStrides());
  k.pad = toArray<4>(pool.getPadding());
  return k;
}
sora::KernelOp MaxPool2DOp::describeKernelOp() {
  return describePool(*this, sora::KernelOpKind::MaxPool2D);
}
sora::KernelOp AvgPool2DOp::describeKernelOp() {
  return describePool(*this, sora::KernelOpKind::AvgPool2D);
}

sora::KernelOp LpPool2DOp::describeKernelOp() {
  sora::KernelOp k = describePool(*this, sora::KernelOpKind::LpPool2D);
  k.scalars[0] = getP().convertToFloat();
  return k;
}

sora::KernelOp SoftmaxOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Softmax);
  k.axis = (int64_t)getAxis();
  return k;
}

#include "sora/Dialect/Particle/ParticleInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "sora/Dialect/Particle/ParticleOps.cpp.inc"
