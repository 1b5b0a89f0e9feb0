//===- ContractionOps.cpp - Dense and Conv2D algorithms -------------------===//
//
// Both ops are a bias-initialised accumulator `reduce` summing x * w over a
// reduction domain, wrapped by a pure `value`. A padded conv reads its input
// from a zero-padded copy (`padded`), so its inner loop tests no bounds.
// With packWeights, a register tile streams one contiguous panel of
// tileCols columns, packed(ci, <reduction dims>, co): constant weights come
// packed so from the compiler (sora-pack-weights, an unpack_panels view);
// others are copied so per call. Output columns past the last full tile
// read clamped (repeated) weights and bias, and the schedule never stores
// them.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

namespace {
/// Weights and bias as the accumulator reads them.
struct ContractionOperands {
  Func weights, bias; ///< bias is undefined when the op has none
  int tileCols;
};
} // namespace

/// Clamps w and b along the output column dimension (Halide dim 0 of both)
/// when the last column tile of `cols` columns is partial. Weights packed at
/// compile time into panels of the tile's width need no clamp: their last
/// panel is padded (and a clamp would turn its vector loads into gathers).
static ContractionOperands prepareOperands(const std::vector<Value> &operands,
                                           const Tiling &tile, int64_t cols) {
  bool ragged = cols % tile.cols != 0;
  bool padded = operands[1].panels == tile.cols;
  ContractionOperands prepared;
  prepared.tileCols = tile.cols;
  prepared.weights =
      ragged && !padded ? clampDims(operands[1], {0}) : operands[1].func;
  if (operands.size() == 3)
    prepared.bias = ragged ? clampDims(operands[2], {0}) : operands[2].func;
  return prepared;
}

/// The accumulator's initial value at output column `col`.
static Expr initialValue(const ContractionOperands &ops, const Expr &col) {
  return ops.bias.defined() ? Expr(ops.bias(col)) : Expr(0.0f);
}

/// Panels of `weights` (Halide dims: column, then `inner` reduction dims):
/// packed(ci, inner..., co) = weights(co * tileCols + ci, inner...).
static Func packPanels(const Func &weights, int innerDims, int tileCols,
                       const std::string &name) {
  Var ci("ci"), co("co");
  std::vector<Var> inner = makeVars(innerDims, "k");
  std::vector<Var> packedArgs{ci};
  std::vector<Expr> source{co * tileCols + ci};
  for (const Var &v : inner) {
    packedArgs.push_back(v);
    source.push_back(v);
  }
  packedArgs.push_back(co);
  Func packed(name + "_packed");
  packed(packedArgs) = weights(source);
  return packed;
}

/// The weight at output column `col` and reduction coordinates `inner`.
static Expr weightAt(const OpStages &stages, const ContractionOperands &ops,
                     const Expr &col, std::vector<Expr> inner) {
  if (!stages.packed.defined()) {
    inner.insert(inner.begin(), col);
    return ops.weights(inner);
  }
  inner.insert(inner.begin(), col % ops.tileCols);
  inner.push_back(col / ops.tileCols);
  return stages.packed(inner);
}

/// y(u, n) = b(u) + sum_k x(k, n) * w(u, k).
static OpStages buildDense(const KernelOp &op,
                           const std::vector<Value> &operands,
                           const std::string &name,
                           const ScheduleRecord &schedule) {
  const Func &x = operands[0].func;
  int64_t depth = operands[1].shape[0];
  ContractionOperands prepared = prepareOperands(
      operands, clampTiling(schedule, op.shape[1], op.shape[0]), op.shape[1]);

  OpStages stages;
  stages.kind = op.kind;
  if (schedule.packWeights && operands[1].panels == 0)
    stages.packed = packPanels(prepared.weights, 1, prepared.tileCols, name);
  Var u("u"), n("n");
  RDom k(0, (int)depth, name + "_k");
  stages.reduction = k;
  stages.reduce = Func(name + "_acc");
  stages.reduce(u, n) = initialValue(prepared, u);
  stages.reduce(u, n) += x(k, n) * weightAt(stages, prepared, u, {k});
  stages.value = {Func(name), op.shape};
  stages.value.func(u, n) = stages.reduce(u, n);
  return stages;
}

/// y(f, ox, oy, n) = b(f) + sum_{c,kx,ky} x(g(f) * Cg + c, ox*sw + kx*dw -
///   padLeft, oy*sh + ky*dh - padTop, n) * w(f, c, kx, ky), zero outside x,
/// where Cg = C / groups input channels feed filter group g(f) = f / (F /
/// groups) (g = 0 without groups; c = f for a depthwise convolution).
static OpStages buildConv2D(const KernelOp &op,
                            const std::vector<Value> &operands,
                            const std::string &name,
                            const ScheduleRecord &schedule) {
  const Shape &wShape = operands[1].shape; // [KH, KW, C, F]
  ContractionOperands prepared = prepareOperands(
      operands, clampTiling(schedule, op.shape[3], op.shape[2]), op.shape[3]);
  std::vector<int> paddedDims;
  if (op.pad[1] || op.pad[3])
    paddedDims.push_back(1);
  if (op.pad[0] || op.pad[2])
    paddedDims.push_back(2);
  OpStages stages;
  stages.kind = op.kind;
  Func x = operands[0].func;
  if (!paddedDims.empty()) {
    // A stage of its own, so that the reduction reads without bounds tests.
    std::vector<Var> c = makeVars(4, "c");
    stages.padded = Func(name + "_padded");
    stages.padded(c) = padDims(operands[0], paddedDims, 0.0f)(c);
    x = stages.padded;
  }
  if (schedule.packWeights && operands[1].panels == 0)
    stages.packed = packPanels(prepared.weights, 3, prepared.tileCols, name);
  Var f("f"), ox("ox"), oy("oy"), n("n");
  RDom r(0, (int)wShape[2], 0, (int)wShape[1], 0, (int)wShape[0], name + "_r");
  stages.reduction = r;
  Expr ix =
      ox * (int)op.strides[1] + r.y * (int)op.dilation[1] - (int)op.pad[1];
  Expr iy =
      oy * (int)op.strides[0] + r.z * (int)op.dilation[0] - (int)op.pad[0];
  stages.reduce = Func(name + "_acc");
  stages.reduce(f, ox, oy, n) = initialValue(prepared, f);
  Expr channel = r.x;
  if (op.groups > 1) {
    // Columns past the last filter (a ragged register tile, never stored)
    // read the last filter's group, like the clamped weights.
    int filters = (int)op.shape[3], filtersPerGroup = filters / (int)op.groups;
    Expr filter = filters % prepared.tileCols ? min(f, filters - 1) : f;
    channel = filter / filtersPerGroup * (int)wShape[2] + r.x;
  }
  stages.reduce(f, ox, oy, n) +=
      x(channel, ix, iy, n) * weightAt(stages, prepared, f, {r.x, r.y, r.z});
  stages.value = {Func(name), op.shape};
  stages.value.func(f, ox, oy, n) = stages.reduce(f, ox, oy, n);
  return stages;
}

template <>
OpStages build<KernelOpKind::Dense>(const KernelOp &op,
                                    const std::vector<Value> &operands,
                                    const std::string &name,
                                    const ScheduleRecord &schedule) {
  return buildDense(op, operands, name, schedule);
}

template <>
OpStages build<KernelOpKind::Conv2D>(const KernelOp &op,
                                     const std::vector<Value> &operands,
                                     const std::string &name,
                                     const ScheduleRecord &schedule) {
  return buildConv2D(op, operands, name, schedule);
}

} // namespace sora
