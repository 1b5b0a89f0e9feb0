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

/// A number as a model file would write it ("0.5", "-1", "1e+30").
std::string formatNumber(double value);

mlir::FailureOr<Dims>
inferDenseShape(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> kernel,
                std::optional<llvm::ArrayRef<int64_t>> bias,
                EmitErrorFn emitError);

/// `kernel` is [kh, kw, in / groups, filters]; `groups` divides both the
/// input channels and the filters.
mlir::FailureOr<Dims> inferConv2DShape(
    llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> kernel,
    std::optional<llvm::ArrayRef<int64_t>> bias,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilation,
    llvm::ArrayRef<int64_t> padding, EmitErrorFn emitError, int64_t groups = 1);

mlir::FailureOr<Dims> inferPool2DShape(llvm::ArrayRef<int64_t> input,
                                       llvm::ArrayRef<int64_t> window,
                                       llvm::ArrayRef<int64_t> strides,
                                       llvm::ArrayRef<int64_t> padding,
                                       EmitErrorFn emitError);

/// [N, H, W, C] -> [N, 1, 1, C], or [N, C] without `keepdims`.
mlir::FailureOr<Dims> inferGlobalPool2DShape(llvm::ArrayRef<int64_t> input,
                                             bool keepdims,
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

//===----------------------------------------------------------------------===//
// Data movement (TensorShapes.cpp)
//===----------------------------------------------------------------------===//

/// Checks that `axis` is in [0, rank).
mlir::LogicalResult checkAxis(int64_t axis, size_t rank, EmitErrorFn emitError);

/// Result dim i is input dim perm[i]; `perm` must be a permutation.
mlir::FailureOr<Dims> inferTransposeShape(llvm::ArrayRef<int64_t> input,
                                          llvm::ArrayRef<int64_t> perm,
                                          EmitErrorFn emitError);

/// Inputs agree except along `axis`, where the extents add up.
mlir::FailureOr<Dims>
inferConcatShape(llvm::ArrayRef<llvm::SmallVector<int64_t, 4>> inputs,
                 int64_t axis, EmitErrorFn emitError);

/// Pieces of `sizes` (positive, summing to the extent) along `axis`.
mlir::FailureOr<llvm::SmallVector<Dims>>
inferSplitShapes(llvm::ArrayRef<int64_t> input, int64_t axis,
                 llvm::ArrayRef<int64_t> sizes, EmitErrorFn emitError);

/// Elements begin, begin + stride, ... below end per dim; needs
/// 0 <= begin < end <= extent and stride >= 1.
mlir::FailureOr<Dims> inferSliceShape(llvm::ArrayRef<int64_t> input,
                                      llvm::ArrayRef<int64_t> begin,
                                      llvm::ArrayRef<int64_t> end,
                                      llvm::ArrayRef<int64_t> strides,
                                      EmitErrorFn emitError);

/// Each dim grows by low + high cells (both non-negative).
mlir::FailureOr<Dims> inferPadShape(llvm::ArrayRef<int64_t> input,
                                    llvm::ArrayRef<int64_t> low,
                                    llvm::ArrayRef<int64_t> high,
                                    EmitErrorFn emitError);

//===----------------------------------------------------------------------===//
// Network layers (NNShapes.cpp)
//===----------------------------------------------------------------------===//

/// `gamma` and `beta` are [extent of `axis`]; the result is `input`.
mlir::FailureOr<Dims> inferLayerNormShape(llvm::ArrayRef<int64_t> input,
                                          llvm::ArrayRef<int64_t> gamma,
                                          llvm::ArrayRef<int64_t> beta,
                                          int64_t axis, EmitErrorFn emitError);

/// torch.matmul of rank >= 2 operands: [..., M, K] x [..., K, N] (after the
/// optional swaps of the last two dims) with broadcast batch dims.
mlir::FailureOr<Dims> inferMatMulShape(llvm::ArrayRef<int64_t> lhs,
                                       llvm::ArrayRef<int64_t> rhs,
                                       bool transposeA, bool transposeB,
                                       EmitErrorFn emitError);

/// ids [...] and table [input_dim, output_dim] -> [..., output_dim].
mlir::FailureOr<Dims> inferEmbeddingShape(llvm::ArrayRef<int64_t> ids,
                                          llvm::ArrayRef<int64_t> table,
                                          EmitErrorFn emitError);

//===----------------------------------------------------------------------===//
// Recurrent layers (RecurrentShapes.cpp)
//===----------------------------------------------------------------------===//

/// The weights of one LSTM direction.
struct LstmWeightShapes {
  llvm::ArrayRef<int64_t> kernel, recurrentKernel, bias;
};

/// lstm: input [B, T, F]; per direction kernel [F, 4H], recurrent_kernel
/// [H, 4H], bias [4H] (H from recurrent_kernel); `reverse` for the backward
/// direction. -> [B, T, dirs * H] with `returnSequences`, else [B, dirs * H].
mlir::FailureOr<Dims> inferLstmShape(llvm::ArrayRef<int64_t> input,
                                     const LstmWeightShapes &forward,
                                     std::optional<LstmWeightShapes> reverse,
                                     bool returnSequences,
                                     EmitErrorFn emitError);

/// lstm_recurrence: gates [T, B, 4H], recurrent_kernel [H, 4H] ->
/// states [T + 1, 2, B, H].
mlir::FailureOr<Dims>
inferLstmRecurrenceShape(llvm::ArrayRef<int64_t> gates,
                         llvm::ArrayRef<int64_t> recurrentKernel,
                         EmitErrorFn emitError);

//===----------------------------------------------------------------------===//
// Transformer layers (TransformerShapes.cpp)
//===----------------------------------------------------------------------===//

/// The projection weights of a multi_head_attention: `qkv` (fused kernel and
/// bias) or `q`, `k`, `v` (three of each), and the output projection.
struct AttentionWeightShapes {
  std::optional<llvm::ArrayRef<int64_t>> qkvKernel, qkvBias;
  std::optional<llvm::ArrayRef<int64_t>> qKernel, qBias, kKernel, kBias,
      vKernel, vBias;
  llvm::ArrayRef<int64_t> outKernel, outBias;
};

/// multi_head_attention: input [B, S, D], mask [B, S]; projections
/// [D, heads * head_dim] (fused: [D, 3 * heads * head_dim]), out
/// [heads * head_dim, D] -> [B, S, D].
mlir::FailureOr<Dims> inferMultiHeadAttentionShape(
    llvm::ArrayRef<int64_t> input, std::optional<llvm::ArrayRef<int64_t>> mask,
    const AttentionWeightShapes &weights, int64_t heads, EmitErrorFn emitError);

/// The `activation` values of feed_forward, the default ("relu") first.
llvm::ArrayRef<llvm::StringRef> feedForwardActivations();

/// feed_forward: input [..., D], hidden [D, U] + [U], out [U, D] + [D].
mlir::FailureOr<Dims> inferFeedForwardShape(
    llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> hiddenKernel,
    llvm::ArrayRef<int64_t> hiddenBias, llvm::ArrayRef<int64_t> outKernel,
    llvm::ArrayRef<int64_t> outBias, EmitErrorFn emitError);

/// positional_encoding: input [..., S, D], table [max_len >= S, D].
mlir::FailureOr<Dims>
inferPositionalEncodingShape(llvm::ArrayRef<int64_t> input,
                             std::optional<llvm::ArrayRef<int64_t>> table,
                             EmitErrorFn emitError);

//===----------------------------------------------------------------------===//
// Preprocessing (PreprocessShapes.cpp)
//===----------------------------------------------------------------------===//

/// normalize: `mean` and `std` hold one value, or one per channel (the last
/// dim of `input`); every std is positive.
mlir::LogicalResult checkNormalize(llvm::ArrayRef<int64_t> input,
                                   llvm::ArrayRef<float> mean,
                                   llvm::ArrayRef<float> std,
                                   EmitErrorFn emitError);

/// The `mode` values of resize, the default ("nearest") first.
llvm::ArrayRef<llvm::StringRef> resizeModes();

/// resize: a known `mode`; `align_corners` only with "bilinear".
mlir::LogicalResult checkResizeMode(llvm::StringRef mode, bool alignCorners,
                                    EmitErrorFn emitError);

/// resize: [N, H, W, C] -> [N, size[0], size[1], C], or with `scaleFactor`
/// [N, floor(H * sh), floor(W * sw), C]; exactly one of the two is given.
mlir::FailureOr<Dims> inferResizeShape(
    llvm::ArrayRef<int64_t> input, std::optional<llvm::ArrayRef<int64_t>> size,
    std::optional<llvm::ArrayRef<double>> scaleFactor, EmitErrorFn emitError);

} // namespace sora::particle

#endif
