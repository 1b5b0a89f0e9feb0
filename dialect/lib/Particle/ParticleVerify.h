//===- ParticleVerify.h - Helpers shared by the op verifiers ----*- C++ -*-===//
//
// Messages name the particle (from the op's NameLoc, when the frontend set
// one) and the port; shape rules come from ParticleShapes.h.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_LIB_PARTICLE_PARTICLEVERIFY_H
#define SORA_LIB_PARTICLE_PARTICLEVERIFY_H

#include "sora/Core/ParticleShapes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

#include <array>

namespace sora::particle {

/// Names the particle when `location` says it (the frontend's NameLoc).
inline mlir::InFlightDiagnostic &nameParticle(mlir::InFlightDiagnostic &diag,
                                              mlir::Location location) {
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(location))
    diag << "particle '" << name.getName().getValue() << "': ";
  return diag;
}

/// Starts an error on `op`, naming its particle when the location says it.
inline mlir::InFlightDiagnostic emitParticleError(mlir::Operation *op) {
  mlir::InFlightDiagnostic diag = op->emitOpError();
  nameParticle(diag, op->getLoc());
  return diag;
}

/// The ShapeError of a verifier: rule messages become errors on `op`.
inline ShapeError shapeErrorOf(mlir::Operation *op) {
  return ShapeError(
      [op](const std::string &message) { emitParticleError(op) << message; });
}

/// The ShapeError of `Op::inferReturnTypes` (Particle_ShapeRule): rule messages
/// become errors at `location`, worded as the verifier words them; without a
/// location (a builder asking) they are dropped.
template <typename Op>
ShapeError shapeErrorAt(std::optional<mlir::Location> location) {
  return ShapeError([location](const std::string &message) {
    if (!location)
      return;
    mlir::InFlightDiagnostic diag = mlir::emitError(*location)
                                    << "'" << Op::getOperationName() << "' op ";
    nameParticle(diag, *location) << message;
  });
}

/// The result type of an op whose shape rule inferred `shape`: an f32 tensor.
inline mlir::LogicalResult
inferredTensor(mlir::MLIRContext *context, const std::optional<Shape> &shape,
               llvm::SmallVectorImpl<mlir::Type> &types) {
  if (!shape)
    return mlir::failure();
  types.push_back(
      mlir::RankedTensorType::get(*shape, mlir::Float32Type::get(context)));
  return mlir::success();
}

inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
}

inline std::optional<llvm::ArrayRef<int64_t>> optionalShape(mlir::Value v) {
  if (!v)
    return std::nullopt;
  return shapeOf(v);
}

/// Checks that result `index` of `op` has the inferred shape.
inline mlir::LogicalResult checkResult(mlir::Operation *op,
                                       const std::optional<Shape> &inferred,
                                       unsigned index = 0) {
  if (!inferred)
    return mlir::failure();
  llvm::ArrayRef<int64_t> actual = shapeOf(op->getResult(index));
  if (actual != llvm::ArrayRef<int64_t>(*inferred))
    return emitParticleError(op)
           << "result "
           << (op->getNumResults() > 1 ? "#" + std::to_string(index) + " " : "")
           << "shape " << formatDims(actual)
           << " does not match the inferred shape " << formatDims(*inferred);
  return mlir::success();
}

/// The first N values of `values` (window, strides, padding attributes).
template <size_t N>
std::array<int64_t, N> toArray(llvm::ArrayRef<int64_t> values) {
  std::array<int64_t, N> array{};
  for (size_t i = 0; i < N && i < values.size(); ++i)
    array[i] = values[i];
  return array;
}

// Rules shared by a class of ops (Particle_ShapeRuleIs in ODS).

/// A window pool's result shape.
template <typename Adaptor>
std::optional<Shape> poolShape(Adaptor adaptor, const ShapeError &emitError) {
  return inferPool2DShape(shapeOf(adaptor.getInput()), adaptor.getWindow(),
                          adaptor.getStrides(), adaptor.getPadding(),
                          emitError);
}

/// A global pool's result shape.
template <typename Adaptor>
std::optional<Shape> globalPoolShape(Adaptor adaptor,
                                     const ShapeError &emitError) {
  return inferGlobalPool2DShape(shapeOf(adaptor.getInput()),
                                adaptor.getKeepdims(), emitError);
}

/// The result shape of a binary op: NumPy broadcasting of its operands.
template <typename Adaptor>
std::optional<Shape> broadcastShape(Adaptor adaptor,
                                    const ShapeError &emitError) {
  return inferBroadcastShape(shapeOf(adaptor.getLhs()),
                             shapeOf(adaptor.getRhs()), emitError);
}

/// where's result shape: NumPy broadcasting of cond, a and b.
template <typename Adaptor>
std::optional<Shape> selectShape(Adaptor adaptor, const ShapeError &emitError) {
  std::optional<Shape> ab = inferBroadcastShape(
      shapeOf(adaptor.getA()), shapeOf(adaptor.getB()), emitError);
  if (!ab)
    return std::nullopt;
  return inferBroadcastShape(shapeOf(adaptor.getCond()), *ab, emitError);
}
} // namespace sora::particle

#endif // SORA_LIB_PARTICLE_PARTICLEVERIFY_H
