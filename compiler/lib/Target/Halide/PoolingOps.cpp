//===- PoolingOps.cpp - Max, average and Lp-norm pooling -----------------===//
//
// A window reduction over x(c, ox*sw - padLeft + kx, oy*sh - padTop + ky, n).
// Cells outside x are padded with -inf for max (they never win) and 0 for
// avg, whose divisor counts only the in-range cells of each window, and for
// Lp, where they add nothing.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

#include <limits>

namespace sora {

using namespace Halide;

/// Number of in-range cells along one axis of the window starting at `start`.
static Expr inRange(const Expr &start, int64_t window, int64_t extent) {
  return min(start + (int)window, (int)extent) - max(start, 0);
}

namespace {
/// How a pool reduces its window.
enum class Reduction { Max, Average, Lp };
} // namespace

/// Max, average or Lp-norm pooling of `input`.
static OpStages buildPooling(const KernelOp &op, const Value &input,
                             const std::string &name, Reduction how) {
  bool isMax = how == Reduction::Max;
  float fill = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
  bool padded = op.pad[0] || op.pad[1] || op.pad[2] || op.pad[3];
  Func x = padded ? padDims(input, {1, 2}, fill) : input.func;

  OpStages stages;
  stages.kind = op.kind;
  if (!padded && op.window[0] == op.strides[0])
    stages.ownWindowRows = op.window[0];
  Var c("c"), ox("ox"), oy("oy"), n("n");
  RDom r(0, (int)op.window[1], 0, (int)op.window[0], name + "_r");
  stages.reduction = r;
  Expr x0 = ox * (int)op.strides[1] - (int)op.pad[1];
  Expr y0 = oy * (int)op.strides[0] - (int)op.pad[0];
  Expr cell = x(c, x0 + r.x, y0 + r.y, n);
  // Lp: |x|^p, exactly x * x for the common p = 2.
  float p = op.scalars[0];
  if (how == Reduction::Lp)
    cell = p == 2.0f ? cell * cell : pow(abs(cell), p);
  stages.reduce = Func(name + (isMax ? "_max" : "_sum"));
  Expr result;
  if (isMax) {
    // NaN wins wherever it is in the window, as in PyTorch (max alone keeps
    // or drops it depending on the operand order): beside the max, the
    // largest magnitude's bits, a NaN's above infinity's (two integer ops
    // per cell where testing both max operands took six).
    Type bits = Int(32);
    stages.reduce(c, ox, oy, n) = Tuple(fill, 0);
    FuncRef window = stages.reduce(c, ox, oy, n);
    stages.reduce(c, ox, oy, n) =
        Tuple(max(window[0], cell),
              max(window[1], reinterpret(bits, cell) & 0x7fffffff));
    constexpr int kInfinityBits = 0x7f800000;
    Expr magnitude = stages.reduce(c, ox, oy, n)[1];
    result = reinterpret(
        Float(32), select(magnitude > kInfinityBits, magnitude,
                          reinterpret(bits, stages.reduce(c, ox, oy, n)[0])));
  } else {
    stages.reduce(c, ox, oy, n) = fill;
    stages.reduce(c, ox, oy, n) += cell;
    result = stages.reduce(c, ox, oy, n);
  }

  stages.value = {Func(name), op.shape};
  if (how == Reduction::Average) {
    const Shape &shape = input.shape; // [N, H, W, C]
    Expr count = padded ? inRange(y0, op.window[0], shape[1]) *
                              inRange(x0, op.window[1], shape[2])
                        : Expr((int)(op.window[0] * op.window[1]));
    result = result / cast<float>(count);
  } else if (how == Reduction::Lp) {
    result = p == 2.0f ? sqrt(result) : pow(result, 1.0f / p);
  }
  stages.value.func(c, ox, oy, n) = result;
  return stages;
}

template <>
OpStages build<KernelOpKind::MaxPool2D>(const KernelOp &op,
                                        const std::vector<Value> &operands,
                                        const std::string &name,
                                        const ScheduleRecord &) {
  return buildPooling(op, operands[0], name, Reduction::Max);
}

template <>
OpStages build<KernelOpKind::AvgPool2D>(const KernelOp &op,
                                        const std::vector<Value> &operands,
                                        const std::string &name,
                                        const ScheduleRecord &) {
  return buildPooling(op, operands[0], name, Reduction::Average);
}

template <>
OpStages build<KernelOpKind::LpPool2D>(const KernelOp &op,
                                       const std::vector<Value> &operands,
                                       const std::string &name,
                                       const ScheduleRecord &) {
  return buildPooling(op, operands[0], name, Reduction::Lp);
}

} // namespace sora
