//===- ParticleShapes.h - Shape rules of the particles ----------*- C++ -*-===//
//
// The one place that knows how each particle maps operand shapes to its
// result shape, in plain C++ (Shape.h). Op verifiers, the frontends
// (MLIRGen), kernel validation (KernelShapes.h) and the unit tests all call
// these, so a model file, hand-written IR and a kernel spec get the same
// checks and messages. Messages name the port at fault; the ShapeError's
// sink prefixes the particle.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_CORE_PARTICLESHAPES_H
#define SORA_CORE_PARTICLESHAPES_H

#include "sora/Core/KernelSpec.h"
#include "sora/Core/Shape.h"

#include <string_view>

namespace sora::particle {

// The vocabulary of the rules, visible to `using namespace sora::particle`.
using sora::formatDims;
using sora::formatNumber;
using sora::Shape;
using sora::ShapeError;
using sora::ShapeRef;
using sora::Span;

std::optional<Shape> inferDenseShape(ShapeRef input, ShapeRef kernel,
                                     std::optional<ShapeRef> bias,
                                     const ShapeError &emitError);

/// `kernel` is [kh, kw, in / groups, filters]; `groups` divides both the
/// input channels and the filters.
std::optional<Shape>
inferConv2DShape(ShapeRef input, ShapeRef kernel, std::optional<ShapeRef> bias,
                 ShapeRef strides, ShapeRef dilation, ShapeRef padding,
                 const ShapeError &emitError, int64_t groups = 1);

/// conv_transpose2d: `kernel` is [kh, kw, filters / groups, in]; `padding`
/// ([top, left, bottom, right]) and `outputPadding` ([h, w]) are
/// non-negative; the output is (in - 1) * stride - top - bottom +
/// (k - 1) * dilation + 1 + outputPadding per spatial dimension.
std::optional<Shape> inferConvTranspose2DShape(
    ShapeRef input, ShapeRef kernel, std::optional<ShapeRef> bias,
    ShapeRef strides, ShapeRef dilation, ShapeRef padding,
    ShapeRef outputPadding, const ShapeError &emitError, int64_t groups = 1);

/// A conv_transpose2d is the stride-1 convolution, with the kernel turned by
/// 180 degrees, of its input with stride - 1 zeros between cells and this
/// padding around it ([top, left, bottom, right]; negative: rows cut).
std::array<int64_t, 4> convTransposeInputPadding(ShapeRef kernel,
                                                 ShapeRef dilation,
                                                 ShapeRef padding,
                                                 ShapeRef outputPadding);

std::optional<Shape> inferPool2DShape(ShapeRef input, ShapeRef window,
                                      ShapeRef strides, ShapeRef padding,
                                      const ShapeError &emitError);

/// The epsilon of batch_norm and layer_norm when a model gives none:
/// PyTorch's and ONNX's default (Keras uses 1e-3).
inline constexpr float kDefaultNormEpsilon = 1e-5f;

/// lp_pool2d's norm: a positive, finite `p`.
bool checkLpNorm(double p, const ShapeError &emitError);

/// [N, H, W, C] -> [N, 1, 1, C], or [N, C] without `keepdims`.
std::optional<Shape> inferGlobalPool2DShape(ShapeRef input, bool keepdims,
                                            const ShapeError &emitError);

/// NumPy broadcasting of two shapes.
std::optional<Shape> inferBroadcastShape(ShapeRef lhs, ShapeRef rhs,
                                         const ShapeError &emitError);

std::optional<Shape> inferFlattenShape(ShapeRef input,
                                       const ShapeError &emitError);

/// Resolves a reshape target (one -1 allowed) against the input size.
std::optional<Shape> inferReshapeShape(ShapeRef input, ShapeRef target,
                                       const ShapeError &emitError);

/// Keras/TF padding for one spatial dimension: returns {before, after}.
/// `same` gives out = ceil(in / stride) with the extra cell after.
std::pair<int64_t, int64_t> computePadding(bool same, int64_t in,
                                           int64_t window, int64_t stride,
                                           int64_t dilation);

//===----------------------------------------------------------------------===//
// Data movement (TensorShapes.cpp)
//===----------------------------------------------------------------------===//

/// The reduction named `name` ("mean", "sum", ...; ReduceKind).
std::optional<ReduceKind> parseReduceKind(std::string_view name);

/// `input` reduced over `axes` (each in [0, rank), distinct): those axes
/// become extent 1 with `keepDims`, else they go (at least one axis stays).
std::optional<Shape> inferReduceShape(ShapeRef input, ShapeRef axes,
                                      bool keepDims,
                                      const ShapeError &emitError);

/// Checks that `axis` is in [0, rank); false after reporting.
bool checkAxis(int64_t axis, size_t rank, const ShapeError &emitError);

/// Result dim i is input dim perm[i]; `perm` must be a permutation.
std::optional<Shape> inferTransposeShape(ShapeRef input, ShapeRef perm,
                                         const ShapeError &emitError);

/// Inputs agree except along `axis`, where the extents add up.
std::optional<Shape> inferConcatShape(const std::vector<Shape> &inputs,
                                      int64_t axis,
                                      const ShapeError &emitError);

/// Pieces of `sizes` (positive, summing to the extent) along `axis`.
std::optional<std::vector<Shape>> inferSplitShapes(ShapeRef input, int64_t axis,
                                                   ShapeRef sizes,
                                                   const ShapeError &emitError);

/// Elements begin, begin + stride, ... up to end (exclusive) per dim; needs
/// 0 <= begin < end <= extent for a positive stride and
/// -1 <= end < begin < extent for a negative one (Python's x[begin:end:stride]
/// with begin and end already counted from 0).
std::optional<Shape> inferSliceShape(ShapeRef input, ShapeRef begin,
                                     ShapeRef end, ShapeRef strides,
                                     const ShapeError &emitError);

/// The tightest `end` of a slice of `extent` elements from `begin` by
/// `stride` (negative strides count down).
int64_t sliceEnd(int64_t begin, int64_t extent, int64_t stride);

/// Weights packed in column panels, [G, d..., P] (panel g holds columns
/// g * P to g * P + P - 1), back to [d..., columns]: the G panels cover
/// `columns`, the last one possibly in part.
std::optional<Shape> inferUnpackPanelsShape(ShapeRef packed, int64_t columns,
                                            const ShapeError &emitError);

/// Filters transformed for Winograd F(2x2, 3x3), [4, 4, C, F], back to the
/// [3, 3, C, F] filters they came from.
std::optional<Shape> inferWinogradFilterShape(ShapeRef transformed,
                                              const ShapeError &emitError);

/// What the cells a pad adds hold.
enum class PadMode { Constant, Reflect, Edge };

/// The pad modes as particles spell them ("constant", "reflect", "edge").
std::optional<PadMode> parsePadMode(std::string_view name);

/// Each dim grows by low + high cells (both non-negative); a reflection
/// pads each dim by less than its extent.
std::optional<Shape> inferPadShape(ShapeRef input, ShapeRef low, ShapeRef high,
                                   PadMode mode, const ShapeError &emitError);

//===----------------------------------------------------------------------===//
// Network layers (NNShapes.cpp)
//===----------------------------------------------------------------------===//

/// `affine` is empty (no scale and shift) or {gamma, beta}, each [extent of
/// `axis`]; the result is `input`.
std::optional<Shape> inferLayerNormShape(ShapeRef input,
                                         const std::vector<ShapeRef> &affine,
                                         int64_t axis,
                                         const ShapeError &emitError);

/// torch.matmul of rank >= 2 operands: [..., M, K] x [..., K, N] (after the
/// optional swaps of the last two dims) with broadcast batch dims.
std::optional<Shape> inferMatMulShape(ShapeRef lhs, ShapeRef rhs,
                                      bool transposeA, bool transposeB,
                                      const ShapeError &emitError);

/// ids [...] and table [input_dim, output_dim] -> [..., output_dim].
std::optional<Shape> inferEmbeddingShape(ShapeRef ids, ShapeRef table,
                                         const ShapeError &emitError);

/// one_hot: ids [...] -> [..., depth]; depth in [1, kMaxTensorElements].
std::optional<Shape> inferOneHotShape(ShapeRef ids, int64_t depth,
                                      const ShapeError &emitError);

//===----------------------------------------------------------------------===//
// Recurrent layers (RecurrentShapes.cpp)
//===----------------------------------------------------------------------===//

/// What a recurrent cell's time step reads and keeps (lstm, gru, rnn). The
/// cell names are the step kernel ops' names without "_cell": "lstm",
/// "gru" (reset gate after the recurrent product, as PyTorch),
/// "gru_reset_before" (before it, ONNX's default), "rnn_tanh", "rnn_relu".
struct RecurrentCell {
  KernelOpKind step;  ///< the one-step kernel op
  int gateBlocks;     ///< gate blocks of H columns: lstm 4, gru 3, rnn 1
  int stateSlots;     ///< lstm 2 (h, c), the others 1 (h)
  bool recurrentBias; ///< gru: the step adds a recurrent bias [G * H]
  std::string_view name() const;
};

/// The cell named `name`, or null.
const RecurrentCell *recurrentCell(std::string_view name);
/// The cell whose step kernel op is `step`, or null.
const RecurrentCell *recurrentCell(KernelOpKind step);

/// The weights of one direction: kernel [F, G * H], recurrent_kernel
/// [H, G * H], bias [G * H] and, for cells with one, recurrent_bias [G * H].
struct RecurrentWeightShapes {
  ShapeRef kernel, recurrentKernel, bias;
  std::optional<ShapeRef> recurrentBias;
};

/// lstm, gru, rnn: input [B, T, F] and the weights of each direction
/// (`reverse` for the backward one; H from recurrent_kernel) -> [B, T,
/// dirs * H] with `returnSequences`, else [B, dirs * H].
std::optional<Shape>
inferRecurrentShape(ShapeRef input, const RecurrentCell &cell,
                    const RecurrentWeightShapes &forward,
                    std::optional<RecurrentWeightShapes> reverse,
                    bool returnSequences, const ShapeError &emitError);

/// recurrence: gates [T, B, G * H], recurrent_kernel [H, G * H] (and
/// recurrent_bias [G * H] where the cell has one) -> states [T + 1, S, B, H].
std::optional<Shape> inferRecurrenceShape(const RecurrentCell &cell,
                                          ShapeRef gates,
                                          ShapeRef recurrentKernel,
                                          std::optional<ShapeRef> recurrentBias,
                                          const ShapeError &emitError);

/// One time step (a recurrence kernel): gates [B, G * H] of the step,
/// recurrent_kernel [H, G * H], (recurrent_bias [G * H],) state [S, B, H]
/// -> the next state [S, B, H].
std::optional<Shape>
inferRecurrentCellShape(const RecurrentCell &cell, ShapeRef gates,
                        ShapeRef recurrentKernel,
                        std::optional<ShapeRef> recurrentBias, ShapeRef state,
                        const ShapeError &emitError);

//===----------------------------------------------------------------------===//
// Transformer layers (TransformerShapes.cpp)
//===----------------------------------------------------------------------===//

/// The projection weights of a multi_head_attention: `qkv` (fused kernel and
/// bias) or `q`, `k`, `v` (three of each), and the output projection.
struct AttentionWeightShapes {
  std::optional<ShapeRef> qkvKernel, qkvBias;
  std::optional<ShapeRef> qKernel, qBias, kKernel, kBias, vKernel, vBias;
  ShapeRef outKernel, outBias;
};

/// multi_head_attention: input [B, S, D], mask [B, S]; projections
/// [D, heads * head_dim] (fused: [D, 3 * heads * head_dim]), out
/// [heads * head_dim, D] -> [B, S, D].
std::optional<Shape>
inferMultiHeadAttentionShape(ShapeRef input, std::optional<ShapeRef> mask,
                             const AttentionWeightShapes &weights,
                             int64_t heads, const ShapeError &emitError);

/// The `activation` values of feed_forward, the default ("relu") first.
const std::vector<std::string> &feedForwardActivations();

/// feed_forward: input [..., D], hidden [D, U] + [U], out [U, D] + [D].
std::optional<Shape> inferFeedForwardShape(ShapeRef input,
                                           ShapeRef hiddenKernel,
                                           ShapeRef hiddenBias,
                                           ShapeRef outKernel, ShapeRef outBias,
                                           const ShapeError &emitError);

/// positional_encoding: input [..., S, D], table [max_len >= S, D].
std::optional<Shape> inferPositionalEncodingShape(ShapeRef input,
                                                  std::optional<ShapeRef> table,
                                                  const ShapeError &emitError);

//===----------------------------------------------------------------------===//
// Preprocessing (PreprocessShapes.cpp)
//===----------------------------------------------------------------------===//

/// normalize: `mean` and `std` hold one value, or one per channel (the last
/// dim of `input`); every std is positive.
bool checkNormalize(ShapeRef input, Span<float> mean, Span<float> std,
                    const ShapeError &emitError);

/// The `mode` values of resize, the default ("nearest") first.
const std::vector<std::string> &resizeModes();

/// resize: a known `mode`; `align_corners` only with "bilinear".
bool checkResizeMode(std::string_view mode, bool alignCorners,
                     const ShapeError &emitError);

/// grid_sample: "bilinear" or "nearest" (false after a message).
bool checkGridSampleMode(std::string_view mode, const ShapeError &emitError);

/// grid_sample's padding named `name` ("zeros", "border", "reflection"), or
/// nullopt after a message.
std::optional<GridPadding> parseGridPadding(std::string_view name,
                                            const ShapeError &emitError);

/// grid_sample: x [N, H, W, C] and grid [N, OH, OW, 2] -> [N, OH, OW, C].
std::optional<Shape> inferGridSampleShape(ShapeRef input, ShapeRef grid,
                                          const ShapeError &emitError);

/// resize: [N, H, W, C] -> [N, size[0], size[1], C], or with `scaleFactor`
/// [N, floor(H * sh), floor(W * sw), C]; exactly one of the two is given.
std::optional<Shape> inferResizeShape(ShapeRef input,
                                      std::optional<ShapeRef> size,
                                      std::optional<Span<double>> scaleFactor,
                                      const ShapeError &emitError);

} // namespace sora::particle

#endif // SORA_CORE_PARTICLESHAPES_H
