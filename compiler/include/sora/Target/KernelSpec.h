//===- KernelSpec.h - A fused kernel, independent of MLIR and Halide ------===//
//
// The boundary between the MLIR side (which fuses particles into
// `particle.kernel` regions) and the Halide backend (which turns each region
// into a Halide pipeline). It includes neither MLIR nor Halide headers, so the
// two LLVMs (22 and 14) never meet in one translation unit.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TARGET_KERNELSPEC_H
#define SORA_TARGET_KERNELSPEC_H

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace sora {

/// Shapes are outer to inner (row-major); activations are NHWC.
using Shape = std::vector<int64_t>;

/// The operations a kernel region may hold.
enum class KernelOpKind {
  Dense,     ///< operands: x[N,K], w[K,U], optional b[U] -> [N,U]
  Conv2D,    ///< operands: x[N,H,W,C], w[KH,KW,C/groups,F], optional b[F]
  MaxPool2D, ///< operands: x[N,H,W,C]; padded cells never win
  AvgPool2D, ///< operands: x[N,H,W,C]; padded cells are not counted
  Softmax,   ///< operands: x; along `axis`
  Add,       ///< operands: a, b (NumPy broadcasting)
  Mul,       ///< operands: a, b (NumPy broadcasting)
  Relu,
  Sigmoid,
  Tanh,
  // Elementwise, added with the math particles (ElementwiseOps.cpp,
  // ActivationOps.cpp).
  Sub,     ///< operands: a, b (NumPy broadcasting)
  Div,     ///< operands: a, b (NumPy broadcasting)
  Maximum, ///< operands: a, b (NumPy broadcasting)
  Minimum, ///< operands: a, b (NumPy broadcasting)
  Exp,
  Sqrt,
  Gelu,      ///< exact: x * (1 + erf(x / sqrt 2)) / 2
  GeluTanh,  ///< the tanh approximation
  Silu,      ///< x * sigmoid(x)
  LeakyRelu, ///< scalars[0] = alpha
  HardSwish, ///< x * relu6(x + 3) / 6
  Relu6,
  Clip,      ///< scalars = {min, max}, +-inf for a missing bound
  BatchNorm, ///< operands: x, gamma, beta, mean, variance ([C], last dim);
             ///< scalars[0] = epsilon
  // Anchors added with the tensor particles.
  LogSoftmax, ///< operands: x; along `axis`
  LayerNorm,  ///< operands: x, gamma, beta ([extent of axis]); along `axis`;
              ///< scalars[0] = epsilon
  MatMul,     ///< operands: a [..., M, K], b [..., K, N] (last two dims
              ///< swapped when transposeA / transposeB), batch broadcast
  // Copies (DataMovementOps.cpp): no arithmetic, their own loop nest like an
  // elementwise kernel.
  Transpose, ///< operands: x; result dim i is x dim perm[i]
  Concat,    ///< operands: x0, x1, ...; joined along `axis`
  Slice,     ///< operands: x; result[i] = x[begin + i * step] per dim
  Pad,       ///< operands: x; `low`/`high` cells per dim hold scalars[0]
  Embedding, ///< operands: ids [...] (i64, or integral f32), table [V, D]
             ///< -> [..., D]; an id outside [0, V) fails the kernel
  // Recurrences (RecurrentOps.cpp): one time step, which the graph driver
  // calls once per step (sora/Conversion/RecurrenceStep.h).
  LstmCell, ///< operands: gates [B, 4H] of the step, recurrent kernel
            ///< [H, 4H], state [2, B, H] (h, c) -> the next state [2, B, H]
  // Preprocessing (PreprocessOps.cpp).
  Erf,            ///< elementwise erf
  Normalize,      ///< (x * scalars[0] - channelMean[c]) / channelStd[c], c
                  ///< the last dim; one-entry lists apply to every channel
  ResizeNearest,  ///< operands: x[N,H,W,C]; PyTorch's 'nearest'
  ResizeBilinear, ///< operands: x[N,H,W,C]; half-pixel or `alignCorners`
};

/// One operation of a kernel, in topological order.
struct KernelOp {
  KernelOpKind kind;
  /// Value ids: ids 0..numArgs-1 are the kernel arguments, id numArgs+i is
  /// the result of ops[i].
  std::vector<int> operands;
  Shape shape; ///< result shape
  // Window attributes (conv and pools), [height, width].
  std::array<int64_t, 2> window{1, 1};
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 2> dilation{1, 1};
  std::array<int64_t, 4> pad{0, 0, 0, 0}; ///< top, left, bottom, right
  int64_t axis = -1;                      ///< softmax axis, non-negative
  int64_t groups = 1; ///< Conv2D: filter group g reads input channel group g
  bool transposeA = false, transposeB = false; ///< MatMul
  /// Resize: corner-aligned sampling (bilinear), and the scale factors the
  /// output size came from ([h, w]; 0: none, the scale is in / out).
  bool alignCorners = false;
  std::array<double, 2> scaleFactor{0.0, 0.0};
  /// Normalize: per-channel mean and std (one entry: every channel).
  std::vector<float> channelMean, channelStd;
  /// Scalar attributes, by kind: LeakyRelu {alpha}, Clip {min, max},
  /// Pad {value}, BatchNorm and LayerNorm {epsilon}.
  std::array<float, 2> scalars{0.0f, 0.0f};
  /// Per-dimension attributes (row-major order), by kind: Transpose `perm`;
  /// Slice `begin` and `step`; Pad `low` and `high`.
  std::vector<int64_t> perm, begin, step, low, high;
};

/// How a kernel is scheduled: plain data, printable in the IR and stored in
/// the tuning database. Fields a kernel kind does not use are ignored.
struct ScheduleRecord {
  int vector = 8;    ///< vector width in elements (innermost output dim)
  int tileRows = 4;  ///< rows (batch rows or output pixels) per register tile
  int tileCols = 16; ///< output channels per register tile (multiple of vector)
  int parallel = 1;  ///< 1: parallel over the outermost tiled loop
  int grain = 1;     ///< tiles per parallel task
  int packWeights = 1; ///< 1: repack weights into tileCols-wide panels
};

/// A fused kernel: the exported function is
///   int name(void *user_context, halide_buffer_t *arg0, ...,
///            halide_buffer_t *argN-1, halide_buffer_t *result)
/// with dense buffers whose Halide dims are the reversed shape: f32, except
/// the arguments in `int64Args` (token ids read by an embedding).
struct KernelSpec {
  std::string name;
  std::vector<Shape> args;
  std::set<int> int64Args;
  std::vector<KernelOp> ops;
  int result = -1; ///< value id of the kernel result
  ScheduleRecord schedule;

  int numValues() const { return (int)(args.size() + ops.size()); }
  const Shape &shapeOf(int value) const {
    return value < (int)args.size() ? args[value]
                                    : ops[value - args.size()].shape;
  }
};

} // namespace sora

#endif // SORA_TARGET_KERNELSPEC_H
