//===- ParticleShapes.h - Shape rules of the particles ----------*- C++ -*-===//
//
// The one place that knows how each particle maps operand shapes to its
// result shape. Op verifiers and frontends (MLIRGen) both call these, so a
// model file and hand-written IR get the same checks and messages. Messages
// name the port at fault; callers prefix the particle.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_DIALECT_PARTICLE_PARTICLESHAPES_H
#define SORA_DIALECT_PARTICLE_PARTICLESHAPES_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace sora::particle {

using Dims = llvm::SmallVector<int64_t, 4>;
using EmitErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// Formats dims as "[1, 28, 28, 1]".
std::string formatDims(llvm::ArrayRef<int64_t> dims);

mlir::FailureOr<Dims> inferDenseShape(llvm::ArrayRef<int64_t> input,
                                      llvm::ArrayRef<int64_t> kernel,
                                      std::optional<llvm::ArrayRef<int64_t>> bias,
                                      EmitErrorFn emitError);

mlir::FailureOr<Dims> inferConv2DShape(
    llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> kernel,
    std::optional<llvm::ArrayRef<int64_t>> bias, llvm::ArrayRef<int64_t> strides,
    llvm::ArrayRef<int64_t> dilation, llvm::ArrayRef<int64_t> padding,
    EmitErrorFn emitError);

mlir::FailureOr<Dims> inferPool2DShape(llvm::ArrayRef<int64_t> input,
                                       llvm::ArrayRef<int64_t> window,
                                       llvm::ArrayRef<int64_t> strides,
                                       llvm::ArrayRef<int64_t> padding,
                                       EmitErrorFn emitError);

/// NumPy broadcasting of two shapes.
mlir::FailureOr<Dims> inferBroadcastShape(llvm::ArrayRef<int64_t> lhs,
                                          llvm::ArrayRef<int64_t> rhs,
                                          EmitErrorFn emitError);

mlir::FailureOr<Dims> inferFlattenShape(llvm::ArrayRef<int64_t> input,
                                        EmitErrorFn emitError);

/// Resolves a reshape target (one -1 allowed) against the input size.
mlir::FailureOr<Dims> inferReshapeShape(llvm::ArrayRef<int64_t> input,
                                        llvm::ArrayRef<int64_t> target,
                                        EmitErrorFn emitError);

/// Keras/TF padding for one spatial dimension: returns {before, after}.
/// `same` gives out = ceil(in / stride) with the extra cell after.
std::pair<int64_t, int64_t> computePadding(bool same, int64_t in,
                                           int64_t window, int64_t stride,
                                           int64_t dilation);

} // namespace sora::particle

#endif
