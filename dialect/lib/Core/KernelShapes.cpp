//===- KernelShapes.cpp - The shape rule of each kernel op kind -----------===//
//
// One `rule<Kind>` per row of KernelOps.def, dispatched through a table
// generated from it: a kind without a rule does not link. Each rule checks
// the operand count, then defers to the particle's shape rule.
//
//===----------------------------------------------------------------------===//

#include "sora/Core/KernelShapes.h"
#include "sora/Core/ParticleShapes.h"

#include <algorithm>

namespace sora {

using namespace particle;

KernelOperands KernelOperands::of(const KernelSpec &spec, const KernelOp &op) {
  KernelOperands operands;
  for (int id : op.operands) {
    operands.shapes.push_back(spec.shapeOf(id));
    operands.ids.push_back(spec.int64Args.count(id) != 0);
  }
  return operands;
}

namespace {

using Operands = KernelOperands;

/// The shape rule of kind `K`; specialized below for every kind.
template <KernelOpKind K>
std::optional<Shape> rule(const KernelOp &op, const Operands &in,
                          const ShapeError &emitError);

/// Checks that there are `min` to `max` operands, none of them token ids
/// but operand `ids` (an embedding's; -1: none).
bool arity(const Operands &in, size_t min, size_t max,
           const ShapeError &emitError, int ids = -1) {
  size_t n = in.shapes.size();
  if (n < min || n > max) {
    emitError() << "expects " << min
                << (max == min       ? ""
                    : max == min + 1 ? " or " + std::to_string(max)
                                     : " or more")
                << " operand" << (max == 1 ? "" : "s") << ", got " << n;
    return false;
  }
  for (size_t i = 0; i < in.ids.size(); ++i)
    if (in.ids[i] && (int)i != ids) {
      emitError() << "operand #" << i
                  << " is i64; only the ids of an embedding or one_hot may be";
      return false;
    }
  return true;
}

std::optional<ShapeRef> optionalOperand(const Operands &in, size_t i) {
  if (i < in.shapes.size())
    return ShapeRef(in.shapes[i]);
  return std::nullopt;
}

bool positiveEpsilon(const KernelOp &op, const ShapeError &emitError) {
  if (op.scalars[0] > 0)
    return true;
  emitError() << "epsilon must be positive, got "
              << formatNumber(op.scalars[0]);
  return false;
}

/// The rule of the unary elementwise kinds: the operand's shape.
std::optional<Shape> unary(const Operands &in, const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  return in.shapes[0];
}

/// The rule of the binary elementwise kinds: NumPy broadcasting.
std::optional<Shape> binary(const Operands &in, const ShapeError &emitError) {
  if (!arity(in, 2, 2, emitError))
    return std::nullopt;
  return inferBroadcastShape(in.shapes[0], in.shapes[1], emitError);
}

/// Three operands broadcast together (where's cond, a, b).
std::optional<Shape> ternary(const Operands &in, const ShapeError &emitError) {
  if (!arity(in, 3, 3, emitError))
    return std::nullopt;
  std::optional<Shape> ab =
      inferBroadcastShape(in.shapes[1], in.shapes[2], emitError);
  if (!ab)
    return std::nullopt;
  return inferBroadcastShape(in.shapes[0], *ab, emitError);
}

/// Softmax and log-softmax: the operand's shape, `axis` within its rank.
std::optional<Shape> alongAxis(const KernelOp &op, const Operands &in,
                               const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError) ||
      !checkAxis(op.axis, in.shapes[0].size(), emitError))
    return std::nullopt;
  return in.shapes[0];
}

std::optional<Shape> pool(const KernelOp &op, const Operands &in,
                          const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  return inferPool2DShape(in.shapes[0], op.window, op.strides, op.pad,
                          emitError);
}

std::optional<Shape> resize(const KernelOp &op, const Operands &in,
                            const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  const Shape &x = in.shapes[0];
  if (x.size() != 4 || op.shape.size() != 4)
    return emitError() << "expects x [N, H, W, C] and a result [N, OH, OW, C]"
                       << ", got " << formatDims(x) << " and "
                       << formatDims(op.shape);
  if (op.scaleFactor[0] < 0 || op.scaleFactor[1] < 0)
    return emitError() << "scale factors must not be negative";
  return Shape{x[0], op.shape[1], op.shape[2], x[3]};
}

// Contractions and products.

template <>
std::optional<Shape> rule<KernelOpKind::Dense>(const KernelOp &,
                                               const Operands &in,
                                               const ShapeError &emitError) {
  if (!arity(in, 2, 3, emitError))
    return std::nullopt;
  if (in.shapes[0].size() != 2)
    return emitError() << "port 'input' expects rank 2 [batch, features] in "
                          "a kernel, got "
                       << formatDims(in.shapes[0]);
  return inferDenseShape(in.shapes[0], in.shapes[1], optionalOperand(in, 2),
                         emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::Conv2D>(const KernelOp &op,
                                                const Operands &in,
                                                const ShapeError &emitError) {
  if (!arity(in, 2, 3, emitError))
    return std::nullopt;
  return inferConv2DShape(in.shapes[0], in.shapes[1], optionalOperand(in, 2),
                          op.strides, op.dilation, op.pad, emitError,
                          op.groups);
}

/// The kernel op holds the padding of the zero-inserted input
/// (convTransposeInputPadding): the particle's padding and output padding
/// come back from it.
template <>
std::optional<Shape>
rule<KernelOpKind::ConvTranspose2D>(const KernelOp &op, const Operands &in,
                                    const ShapeError &emitError) {
  if (!arity(in, 2, 3, emitError))
    return std::nullopt;
  ShapeRef kernel = in.shapes[1];
  if (kernel.size() != 4)
    return emitError()
           << "port 'kernel' expects rank 4 [kh, kw, filters, in], got "
           << formatDims(kernel);
  std::array<int64_t, 4> padding{};
  std::array<int64_t, 2> outputPadding{};
  for (int d = 0; d < 2; ++d) {
    int64_t span = (kernel[d] - 1) * op.dilation[d];
    padding[d] = span - op.pad[d];
    padding[2 + d] = std::max<int64_t>(span - op.pad[2 + d], 0);
    outputPadding[d] = padding[2 + d] - (span - op.pad[2 + d]);
  }
  return inferConvTranspose2DShape(in.shapes[0], kernel, optionalOperand(in, 2),
                                   op.strides, op.dilation, padding,
                                   outputPadding, emitError, op.groups);
}

template <>
std::optional<Shape> rule<KernelOpKind::MatMul>(const KernelOp &op,
                                                const Operands &in,
                                                const ShapeError &emitError) {
  if (!arity(in, 2, 2, emitError))
    return std::nullopt;
  return inferMatMulShape(in.shapes[0], in.shapes[1], op.transposeA,
                          op.transposeB, emitError);
}

// Window and row reductions.

template <>
std::optional<Shape>
rule<KernelOpKind::MaxPool2D>(const KernelOp &op, const Operands &in,
                              const ShapeError &emitError) {
  return pool(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::AvgPool2D>(const KernelOp &op, const Operands &in,
                              const ShapeError &emitError) {
  return pool(op, in, emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::LpPool2D>(const KernelOp &op,
                                                  const Operands &in,
                                                  const ShapeError &emitError) {
  if (!checkLpNorm(op.scalars[0], emitError))
    return std::nullopt;
  return pool(op, in, emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::Softmax>(const KernelOp &op,
                                                 const Operands &in,
                                                 const ShapeError &emitError) {
  return alongAxis(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::LogSoftmax>(const KernelOp &op, const Operands &in,
                               const ShapeError &emitError) {
  return alongAxis(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::LayerNorm>(const KernelOp &op, const Operands &in,
                              const ShapeError &emitError) {
  if (!arity(in, 1, 3, emitError) || !positiveEpsilon(op, emitError))
    return std::nullopt;
  std::vector<ShapeRef> affine(in.shapes.begin() + 1, in.shapes.end());
  return inferLayerNormShape(in.shapes[0], affine, op.axis, emitError);
}

// Elementwise.

#define SORA_ELEMENTWISE_RULE(Kind, how)                                       \
  template <>                                                                  \
  std::optional<Shape> rule<KernelOpKind::Kind>(                               \
      const KernelOp &, const Operands &in, const ShapeError &emitError) {     \
    return how(in, emitError);                                                 \
  }
SORA_ELEMENTWISE_RULE(Add, binary)
SORA_ELEMENTWISE_RULE(Sub, binary)
SORA_ELEMENTWISE_RULE(Mul, binary)
SORA_ELEMENTWISE_RULE(Div, binary)
SORA_ELEMENTWISE_RULE(Maximum, binary)
SORA_ELEMENTWISE_RULE(Minimum, binary)
SORA_ELEMENTWISE_RULE(Pow, binary)
SORA_ELEMENTWISE_RULE(PRelu, binary)
SORA_ELEMENTWISE_RULE(Fmod, binary)
SORA_ELEMENTWISE_RULE(Where, ternary)
SORA_ELEMENTWISE_RULE(Relu, unary)
SORA_ELEMENTWISE_RULE(Sigmoid, unary)
SORA_ELEMENTWISE_RULE(Tanh, unary)
SORA_ELEMENTWISE_RULE(Exp, unary)
SORA_ELEMENTWISE_RULE(Sqrt, unary)
SORA_ELEMENTWISE_RULE(Erf, unary)
SORA_ELEMENTWISE_RULE(Abs, unary)
SORA_ELEMENTWISE_RULE(Neg, unary)
SORA_ELEMENTWISE_RULE(Reciprocal, unary)
SORA_ELEMENTWISE_RULE(Floor, unary)
SORA_ELEMENTWISE_RULE(Ceil, unary)
SORA_ELEMENTWISE_RULE(Round, unary)
SORA_ELEMENTWISE_RULE(Sign, unary)
SORA_ELEMENTWISE_RULE(Log, unary)
SORA_ELEMENTWISE_RULE(Sin, unary)
SORA_ELEMENTWISE_RULE(Cos, unary)
SORA_ELEMENTWISE_RULE(Tan, unary)
SORA_ELEMENTWISE_RULE(Asin, unary)
SORA_ELEMENTWISE_RULE(Acos, unary)
SORA_ELEMENTWISE_RULE(Atan, unary)
SORA_ELEMENTWISE_RULE(Sinh, unary)
SORA_ELEMENTWISE_RULE(Cosh, unary)
SORA_ELEMENTWISE_RULE(Asinh, unary)
SORA_ELEMENTWISE_RULE(Acosh, unary)
SORA_ELEMENTWISE_RULE(Atanh, unary)
SORA_ELEMENTWISE_RULE(Softplus, unary)
SORA_ELEMENTWISE_RULE(Softsign, unary)
SORA_ELEMENTWISE_RULE(Mish, unary)
SORA_ELEMENTWISE_RULE(Gelu, unary)
SORA_ELEMENTWISE_RULE(GeluTanh, unary)
SORA_ELEMENTWISE_RULE(Silu, unary)
SORA_ELEMENTWISE_RULE(LeakyRelu, unary)
SORA_ELEMENTWISE_RULE(HardSwish, unary)
SORA_ELEMENTWISE_RULE(Relu6, unary)
SORA_ELEMENTWISE_RULE(HardSigmoid, unary)
SORA_ELEMENTWISE_RULE(Elu, unary)
SORA_ELEMENTWISE_RULE(Selu, unary)
SORA_ELEMENTWISE_RULE(Celu, unary)
SORA_ELEMENTWISE_RULE(ThresholdedRelu, unary)
SORA_ELEMENTWISE_RULE(Shrink, unary)
#undef SORA_ELEMENTWISE_RULE

template <>
std::optional<Shape> rule<KernelOpKind::Clip>(const KernelOp &op,
                                              const Operands &in,
                                              const ShapeError &emitError) {
  if (!(op.scalars[0] <= op.scalars[1]))
    return emitError() << "min " << formatNumber(op.scalars[0])
                       << " is greater than max "
                       << formatNumber(op.scalars[1]);
  return unary(in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::BatchNorm>(const KernelOp &op, const Operands &in,
                              const ShapeError &emitError) {
  if (!arity(in, 5, 5, emitError) || !positiveEpsilon(op, emitError))
    return std::nullopt;
  const Shape &x = in.shapes[0];
  if (x.empty())
    return emitError() << "port 'input' needs a channel dimension";
  const char *ports[] = {"gamma", "beta", "moving_mean", "moving_variance"};
  for (size_t i = 1; i < 5; ++i)
    if (in.shapes[i] != Shape{x.back()})
      return emitError() << "port '" << ports[i - 1] << "' expects shape ["
                         << x.back() << "] (the channels), got "
                         << formatDims(in.shapes[i]);
  return x;
}

template <>
std::optional<Shape>
rule<KernelOpKind::Normalize>(const KernelOp &op, const Operands &in,
                              const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError) ||
      !checkNormalize(in.shapes[0], op.channelMean, op.channelStd, emitError))
    return std::nullopt;
  return in.shapes[0];
}

// Copies.

template <>
std::optional<Shape>
rule<KernelOpKind::Transpose>(const KernelOp &op, const Operands &in,
                              const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  return inferTransposeShape(in.shapes[0], op.perm, emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::Concat>(const KernelOp &op,
                                                const Operands &in,
                                                const ShapeError &emitError) {
  if (!arity(in, 1, SIZE_MAX, emitError))
    return std::nullopt;
  return inferConcatShape(in.shapes, op.axis, emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::Slice>(const KernelOp &op,
                                               const Operands &in,
                                               const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  // The kernel form is begin + step and the result extents; the particle's
  // is begin, end and strides.
  size_t rank = in.shapes[0].size();
  if (op.begin.size() != rank || op.step.size() != rank ||
      op.shape.size() != rank)
    return emitError() << "begin, step and the result need one entry per "
                          "dimension of "
                       << formatDims(in.shapes[0]);
  Shape end(rank);
  for (size_t d = 0; d < rank; ++d)
    end[d] = sliceEnd(op.begin[d], op.shape[d], op.step[d]);
  return inferSliceShape(in.shapes[0], op.begin, end, op.step, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::UnpackPanels>(const KernelOp &op, const Operands &in,
                                 const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  // The column count is the result's last extent.
  if (op.shape.empty())
    return emitError() << "needs a result shape";
  return inferUnpackPanelsShape(in.shapes[0], op.shape.back(), emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::WinogradFilter>(const KernelOp &, const Operands &in,
                                   const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  return inferWinogradFilterShape(in.shapes[0], emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::Reduce>(const KernelOp &op,
                                                const Operands &in,
                                                const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  if (!std::is_sorted(op.axes.begin(), op.axes.end()))
    return emitError() << "needs its axes sorted";
  return inferReduceShape(in.shapes[0], op.axes, op.keepDims, emitError);
}

static std::optional<Shape> pad(const KernelOp &op, const Operands &in,
                                PadMode mode, const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError))
    return std::nullopt;
  return inferPadShape(in.shapes[0], op.low, op.high, mode, emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::Pad>(const KernelOp &op,
                                             const Operands &in,
                                             const ShapeError &emitError) {
  return pad(op, in, PadMode::Constant, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::PadReflect>(const KernelOp &op, const Operands &in,
                               const ShapeError &emitError) {
  return pad(op, in, PadMode::Reflect, emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::PadEdge>(const KernelOp &op,
                                                 const Operands &in,
                                                 const ShapeError &emitError) {
  return pad(op, in, PadMode::Edge, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::Embedding>(const KernelOp &, const Operands &in,
                              const ShapeError &emitError) {
  if (!arity(in, 2, 2, emitError, /*ids=*/0))
    return std::nullopt;
  // f32 holds every integer up to 2^24 exactly.
  if (!in.ids[0] && in.shapes[1].size() == 2 && in.shapes[1][0] > (1 << 24))
    return emitError() << "f32 ids cannot index more than 2^24 rows";
  return inferEmbeddingShape(in.shapes[0], in.shapes[1], emitError);
}

/// depth is the result's last extent.
template <>
std::optional<Shape> rule<KernelOpKind::OneHot>(const KernelOp &op,
                                                const Operands &in,
                                                const ShapeError &emitError) {
  if (!arity(in, 1, 1, emitError, /*ids=*/0))
    return std::nullopt;
  if (op.shape.size() != in.shapes[0].size() + 1)
    return emitError() << "expects a result of rank " << in.shapes[0].size() + 1
                       << " [ids..., depth], got " << formatDims(op.shape);
  return inferOneHotShape(in.shapes[0], op.shape.back(), emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::ResizeNearest>(const KernelOp &op, const Operands &in,
                                  const ShapeError &emitError) {
  return resize(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::ResizeBilinear>(const KernelOp &op, const Operands &in,
                                   const ShapeError &emitError) {
  return resize(op, in, emitError);
}

std::optional<Shape> gridSample(const KernelOp &, const Operands &in,
                                const ShapeError &emitError) {
  if (!arity(in, 2, 2, emitError))
    return std::nullopt;
  return inferGridSampleShape(in.shapes[0], in.shapes[1], emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::GridSampleNearest>(const KernelOp &op, const Operands &in,
                                      const ShapeError &emitError) {
  return gridSample(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::GridSampleBilinear>(const KernelOp &op, const Operands &in,
                                       const ShapeError &emitError) {
  return gridSample(op, in, emitError);
}

// Recurrences: gates, recurrent kernel, (recurrent bias,) state.

std::optional<Shape> cellStep(const KernelOp &op, const Operands &in,
                              const ShapeError &emitError) {
  const RecurrentCell &cell = *recurrentCell(op.kind);
  size_t count = cell.recurrentBias ? 4 : 3;
  if (!arity(in, count, count, emitError))
    return std::nullopt;
  std::optional<ShapeRef> recurrentBias;
  if (cell.recurrentBias)
    recurrentBias = in.shapes[2];
  return inferRecurrentCellShape(cell, in.shapes[0], in.shapes[1],
                                 recurrentBias, in.shapes.back(), emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::LstmCell>(const KernelOp &op,
                                                  const Operands &in,
                                                  const ShapeError &emitError) {
  return cellStep(op, in, emitError);
}

template <>
std::optional<Shape> rule<KernelOpKind::GruCell>(const KernelOp &op,
                                                 const Operands &in,
                                                 const ShapeError &emitError) {
  return cellStep(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::GruResetBeforeCell>(const KernelOp &op, const Operands &in,
                                       const ShapeError &emitError) {
  return cellStep(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::RnnTanhCell>(const KernelOp &op, const Operands &in,
                                const ShapeError &emitError) {
  return cellStep(op, in, emitError);
}

template <>
std::optional<Shape>
rule<KernelOpKind::RnnReluCell>(const KernelOp &op, const Operands &in,
                                const ShapeError &emitError) {
  return cellStep(op, in, emitError);
}

} // namespace

std::optional<Shape> inferKernelOpShape(const KernelOp &op,
                                        const KernelOperands &operands,
                                        const ShapeError &emitError) {
  using Rule = std::optional<Shape> (*)(const KernelOp &, const Operands &,
                                        const ShapeError &);
  static const Rule rules[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) &rule<KernelOpKind::Kind>,
#include "sora/Core/KernelOps.def"
  };
  return rules[(size_t)op.kind](op, operands, emitError);
}

} // namespace sora
