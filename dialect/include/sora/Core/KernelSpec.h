//===- KernelSpec.h - A fused kernel, independent of MLIR and Halide ------===//
//
// The boundary between the MLIR side (which fuses particles into
// `particle.kernel` regions) and the Halide backend (which turns each region
// into a Halide pipeline). Plain C++ (sora/Core), so the two LLVMs (22 and
// 14) never meet in one translation unit. The op kinds come from
// KernelOps.def.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_CORE_KERNELSPEC_H
#define SORA_CORE_KERNELSPEC_H

#include "sora/Core/Schedule.h"
#include "sora/Core/Shape.h"

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sora {

/// The operations a kernel region may hold (KernelOps.def).
enum class KernelOpKind {
#define SORA_KERNEL_OP(Kind, Name, Family) Kind,
#include "sora/Core/KernelOps.def"
};

/// How a group of kinds is built and scheduled (KernelOps.def).
enum class KernelFamily {
#define SORA_KERNEL_FAMILY(Family, Role) Family,
#include "sora/Core/KernelOps.def"
};

/// Where an op goes when particles are fused into kernels: an anchor owns
/// the kernel's loop nest, an epilogue fuses into the loop nest of the op
/// it follows, a copy starts a kernel of its own, a recurrence is a kernel
/// alone.
enum class FusionRole { Anchor, Epilogue, Copy, Recurrence };

/// Every kind, in KernelOps.def order (tables indexed by kind follow it).
constexpr KernelOpKind kAllKernelOpKinds[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) KernelOpKind::Kind,
#include "sora/Core/KernelOps.def"
};

/// The kind as it prints: "dense", "gelu_tanh", ...
constexpr const char *kernelOpName(KernelOpKind kind) {
  constexpr const char *names[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) Name,
#include "sora/Core/KernelOps.def"
  };
  return names[(size_t)kind];
}

/// The kind's family.
constexpr KernelFamily kernelFamily(KernelOpKind kind) {
  constexpr KernelFamily families[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) KernelFamily::Family,
#include "sora/Core/KernelOps.def"
  };
  return families[(size_t)kind];
}

/// The fusion role of a family, and of a kind.
constexpr FusionRole fusionRole(KernelFamily family) {
  constexpr FusionRole roles[] = {
#define SORA_KERNEL_FAMILY(Family, Role) FusionRole::Role,
#include "sora/Core/KernelOps.def"
  };
  return roles[(size_t)family];
}
constexpr FusionRole fusionRole(KernelOpKind kind) {
  return fusionRole(kernelFamily(kind));
}

/// How a reduce op combines the cells of its axes (ONNX's Reduce* ops).
enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSumExp
};

/// The reduction as particles name it: "sum", "mean", ..., "sum_square",
/// "log_sum_exp".
constexpr const char *reduceKindName(ReduceKind kind) {
  constexpr const char *names[] = {"sum", "mean",       "max",
                                   "min", "prod",       "l1",
                                   "l2",  "sum_square", "log_sum_exp"};
  return names[(size_t)kind];
}

/// Where a grid_sample reads outside the image: zeros, the nearest border
/// pixel, or the image reflected at its borders (F.grid_sample's
/// padding_mode).
enum class GridPadding { Zeros, Border, Reflection };

/// The paddings as particles name them, in GridPadding order.
constexpr const char *kGridPaddingNames[] = {"zeros", "border", "reflection"};

constexpr const char *gridPaddingName(GridPadding padding) {
  return kGridPaddingNames[(size_t)padding];
}

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
  /// Top, left, bottom, right; ConvTranspose2D: around its zero-inserted
  /// input (convTransposeInputPadding; negative: rows cut).
  std::array<int64_t, 4> pad{0, 0, 0, 0};
  int64_t axis = -1;  ///< softmax axis, non-negative
  int64_t groups = 1; ///< Conv2D: filter group g reads input channel group g
  bool transposeA = false, transposeB = false; ///< MatMul
  /// Resize: corner-aligned sampling (bilinear), and the scale factors the
  /// output size came from ([h, w]; 0: none, the scale is in / out).
  /// GridSample: corner-aligned coordinates, and the padding.
  bool alignCorners = false;
  std::array<double, 2> scaleFactor{0.0, 0.0};
  GridPadding gridPadding = GridPadding::Zeros;
  /// Normalize: per-channel mean and std (one entry: every channel).
  std::vector<float> channelMean, channelStd;
  /// Reduce: how, over which axes (sorted, distinct), and whether the
  /// result keeps them as extent 1.
  ReduceKind reduction = ReduceKind::Sum;
  std::vector<int64_t> axes;
  bool keepDims = true;
  /// Scalar attributes, by kind: LeakyRelu {alpha}, Clip {min, max},
  /// HardSigmoid {alpha, beta}, Pad {value}, BatchNorm and LayerNorm
  /// {epsilon}, LpPool2D {p}, Normalize {scale}.
  std::array<float, 2> scalars{0.0f, 0.0f};
  /// Per-dimension attributes (row-major order), by kind: Transpose `perm`;
  /// Slice `begin` and `step`; Pad `low` and `high`.
  std::vector<int64_t> perm, begin, step, low, high;
  /// Where the op came from, for messages: the particle's name in the model
  /// and its place in the model file ("model.json:12:5"); empty if unknown.
  std::string particle, location;

  /// An op of `kind` with default attributes and no operands or shape.
  static KernelOp of(KernelOpKind kind) {
    KernelOp op;
    op.kind = kind;
    return op;
  }
};

/// Whether conv2d `op` by `weights` ([KH, KW, C / groups, F]) may run as
/// Winograd F(2x2, 3x3): a 3x3 window, stride 1, no dilation, no groups.
inline bool winogradApplies(const KernelOp &op, const Shape &weights) {
  return op.kind == KernelOpKind::Conv2D && weights.size() == 4 &&
         weights[0] == 3 && weights[1] == 3 && op.groups == 1 &&
         op.strides == std::array<int64_t, 2>{1, 1} &&
         op.dilation == std::array<int64_t, 2>{1, 1};
}

/// Whether conv2d `op` by `weights` is pointwise: a 1x1 window, stride 1, no
/// padding, no groups (a GEMM over the pixels).
inline bool isPointwiseConv(const KernelOp &op, const Shape &weights) {
  return op.kind == KernelOpKind::Conv2D && weights.size() == 4 &&
         weights[0] == 1 && weights[1] == 1 && op.groups == 1 &&
         op.strides == std::array<int64_t, 2>{1, 1} &&
         op.pad == std::array<int64_t, 4>{0, 0, 0, 0};
}

/// Whether conv2d `op` by `weights` is depthwise: one input channel per
/// filter, one filter per channel.
inline bool isDepthwiseConv(const KernelOp &op, const Shape &weights) {
  return op.kind == KernelOpKind::Conv2D && weights.size() == 4 &&
         weights[2] == 1 && op.groups > 1 && op.groups == weights[3];
}

/// A fused kernel: the exported function is
///   int name(void *user_context, halide_buffer_t *arg0, ...,
///            halide_buffer_t *argN-1, halide_buffer_t *result)
/// with dense buffers whose Halide dims are the reversed shape: f32, except
/// the arguments in `int64Args` (token ids read by an embedding).
/// Extents a run chooses (soracc --max-batch, sora-mark-run-time-batch):
/// the shapes are the largest a run may pass, and each argument in
/// `runTimeArgs` (and the result, when `runTimeResult` is not empty) gives
/// per dimension its least extent; a run passes a multiple of it, at most
/// the shape's, and with the shape's strides. A dimension whose least extent
/// is its shape's is fixed.
struct KernelSpec {
  std::string name;
  std::vector<Shape> args;
  std::set<int> int64Args;
  std::map<int, Shape> runTimeArgs;
  Shape runTimeResult;
  std::vector<KernelOp> ops;
  int result = -1; ///< value id of the kernel result
  ScheduleRecord schedule;
  /// Empty: the kernel is scheduled from `schedule`. Else the Halide
  /// autoscheduler that schedules it instead ("Adams2019", "Mullapudi2016",
  /// "Li2018"; `soracc --schedule-source`), a baseline for the tuner.
  std::string autoscheduler;

  int numValues() const { return (int)(args.size() + ops.size()); }
  const Shape &shapeOf(int value) const {
    return value < (int)args.size() ? args[value]
                                    : ops[value - args.size()].shape;
  }
};

/// Whether op `index` of `spec` is a pointwise conv2d whose result (after
/// its epilogue) the next anchor, a depthwise conv2d, reads as its input
/// (Fuse.cpp): computed row by row inside the depthwise conv's loop nest, its
/// output never stored.
bool isRowProducer(const KernelSpec &spec, size_t index);

/// Whether op `index` of `spec` is a conv2d (not a row producer) whose result
/// (after its epilogue) the next anchor, a pool, reads (Fuse.cpp): computed
/// one image at a time inside the pool's loop nest, each image's result
/// pooled from the cache instead of going through memory.
bool isImageProducer(const KernelSpec &spec, size_t index);

/// Whether two kernels compute the same thing the same way: everything but
/// their names and the ops' provenance is equal.
bool sameComputation(const KernelSpec &a, const KernelSpec &b);

/// A kernel defined as another: `name` is `definedAs`'s code.
struct KernelAlias {
  std::string name, definedAs;
};

/// `kernels` without the ones that repeat an earlier kernel's computation;
/// each of those is appended to `aliases`, naming the earlier one.
std::vector<KernelSpec> uniqueKernels(const std::vector<KernelSpec> &kernels,
                                      std::vector<KernelAlias> &aliases);

} // namespace sora

#endif // SORA_CORE_KERNELSPEC_H
