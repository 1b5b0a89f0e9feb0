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

/// Starts an error on `op`, naming its particle when the location says it.
inline mlir::InFlightDiagnostic emitParticleError(mlir::Operation *op) {
  mlir::InFlightDiagnostic diag = op->emitOpError();
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(op->getLoc()))
    diag << "particle '" << name.getName().getValue() << "': ";
  return diag;
}

/// The ShapeError of a verifier: rule messages become errors on `op`.
inline ShapeError shapeErrorOf(mlir::Operation *op) {
  return ShapeError(
      [op](const std::string &message) { emitParticleError(op) << message; });
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

/// NumPy broadcasting of a binary op's operands.
template <typename BinaryOp> mlir::LogicalResult verifyBinary(BinaryOp op) {
  return checkResult(op, inferBroadcastShape(shapeOf(op.getLhs()),
                                             shapeOf(op.getRhs()),
                                             shapeErrorOf(op)));
}

} // namespace sora::particle

#endif // SORA_LIB_PARTICLE_PARTICLEVERIFY_H
