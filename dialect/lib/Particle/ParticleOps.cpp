//===- ParticleOps.cpp - Particle op verifiers ----------------------------===//
//
// Verifiers delegate shape rules to ParticleShapes.cpp and compare the
// inferred shape with the declared result type. Messages name the particle
// (from the op's NameLoc, when the frontend set one) and the port.
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/ParticleShapes.h"

using namespace mlir;
using namespace sora::particle;

/// Starts an error on `op`, naming its particle when the location says it.
static InFlightDiagnostic emitParticleError(Operation *op) {
  InFlightDiagnostic diag = op->emitOpError();
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    diag << "particle '" << name.getName().getValue() << "': ";
  return diag;
}

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static std::optional<ArrayRef<int64_t>> optionalShape(Value v) {
  if (!v)
    return std::nullopt;
  return shapeOf(v);
}

/// Checks that the op's single result has the inferred shape.
static LogicalResult checkResult(Operation *op, FailureOr<Dims> inferred) {
  if (failed(inferred))
    return failure();
  ArrayRef<int64_t> actual = shapeOf(op->getResult(0));
  if (actual != ArrayRef<int64_t>(*inferred))
    return emitParticleError(op) << "result shape " << formatDims(actual)
                                 << " does not match the inferred shape "
                                 << formatDims(*inferred);
  return success();
}

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

LogicalResult DenseOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  return checkResult(*this, inferDenseShape(shapeOf(getInput()),
                                            shapeOf(getKernel()),
                                            optionalShape(getBias()), emit));
}

LogicalResult Conv2DOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  return checkResult(*this,
                     inferConv2DShape(shapeOf(getInput()), shapeOf(getKernel()),
                                      optionalShape(getBias()), getStrides(),
                                      getDilation(), getPadding(), emit));
}

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  auto emit = [&] { return emitParticleError(op); };
  return checkResult(op, inferPool2DShape(shapeOf(op.getInput()),
                                          op.getWindow(), op.getStrides(),
                                          op.getPadding(), emit));
}

LogicalResult MaxPool2DOp::verify() { return verifyPool(*this); }
LogicalResult AvgPool2DOp::verify() { return verifyPool(*this); }

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank();
  if (getAxis() < 0 || getAxis() >= rank)
    return emitParticleError(*this)
           << "axis " << getAxis() << " is out of range for rank " << rank;
  return success();
}

template <typename BinaryOp>
static LogicalResult verifyBinary(BinaryOp op) {
  auto emit = [&] { return emitParticleError(op); };
  return checkResult(op, inferBroadcastShape(shapeOf(op.getLhs()),
                                             shapeOf(op.getRhs()), emit));
}

LogicalResult AddOp::verify() { return verifyBinary(*this); }
LogicalResult MulOp::verify() { return verifyBinary(*this); }

LogicalResult FlattenOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  return checkResult(*this, inferFlattenShape(shapeOf(getInput()), emit));
}

LogicalResult ReshapeOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  return checkResult(*this, inferReshapeShape(shapeOf(getInput()),
                                              shapeOf(getResult()), emit));
}

LogicalResult KernelOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitParticleError(*this)
           << "body has " << body.getNumArguments() << " arguments for "
           << getInputs().size() << " inputs";
  for (auto [i, arg, input] :
       llvm::enumerate(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitParticleError(*this)
             << "body argument #" << i << " has type " << arg.getType()
             << " but input #" << i << " has type " << input.getType();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitParticleError(*this) << "body must end with particle.yield";
  if (yield.getValue().getType() != getType())
    return emitParticleError(*this)
           << "yields " << yield.getValue().getType() << " but returns "
           << getType();
  return success();
}

#define GET_OP_CLASSES
#include "sora/Dialect/Particle/ParticleOps.cpp.inc"
