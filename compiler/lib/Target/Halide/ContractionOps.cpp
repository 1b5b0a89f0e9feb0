//===- ContractionOps.cpp - Dense and convolution algorithms --------------===//
//
// Both ops are a bias-initialised accumulator `reduce` summing x * w over a
// reduction domain, wrapped by a pure `value`. A padded conv reads its input
// through `padded`, zero outside: a copy, so that its inner loop tests no
// bounds, or read in place by a depthwise conv in one-vector tiles (the
// schedule's choice, Schedules.cpp).
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

/// The convolution of `x` (Halide dims c, x, y, n) by operands[1]
/// ([KH, KW, C / groups, F]): y(f, ox, oy, n) = b(f) + sum_{c,kx,ky}
/// x(g(f) * Cg + c, ox*sw + kx*dw - left, oy*sh + ky*dh - top, n) *
/// w(f, c, kx, ky), where Cg = C / groups input channels feed filter group
/// g(f) = f / (F / groups) (g = 0 without groups; c = f for a depthwise
/// convolution). `stages` may hold the staged input already.
static OpStages convolve(const KernelOp &op, const std::vector<Value> &operands,
                         const std::string &name,
                         const ScheduleRecord &schedule, OpStages stages,
                         const Func &x, std::array<int64_t, 2> strides,
                         std::array<int64_t, 2> topLeft) {
  const Shape &wShape = operands[1].shape;
  ContractionOperands prepared = prepareOperands(
      operands, clampTiling(schedule, op.shape[3], op.shape[2]), op.shape[3]);
  stages.kind = op.kind;
  if (schedule.packWeights && operands[1].panels == 0)
    stages.packed = packPanels(prepared.weights, 3, prepared.tileCols, name);
  Var f("f"), ox("ox"), oy("oy"), n("n");
  RDom r(0, (int)wShape[2], 0, (int)wShape[1], 0, (int)wShape[0], name + "_r");
  stages.reduction = r;
  Expr ix = ox * (int)strides[1] + r.y * (int)op.dilation[1] - (int)topLeft[1];
  Expr iy = oy * (int)strides[0] + r.z * (int)op.dilation[0] - (int)topLeft[0];
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

/// Row `r` (0..3) of B^T v for a 4-vector v(0..3): the input transform.
template <typename At> static Expr inputTransform(const Expr &r, At v) {
  return select(r == 0, v(0) - v(2), r == 1, v(1) + v(2), r == 2, v(2) - v(1),
                v(1) - v(3));
}

/// Row `r` (0..3) of G v for a 3-vector v(0..2): the filter transform.
template <typename At> static Expr filterTransform(const Expr &r, At v) {
  return select(r == 0, v(0), r == 1, 0.5f * (v(0) + v(1) + v(2)), r == 2,
                0.5f * (v(0) - v(1) + v(2)), v(2));
}

/// Row `p` (0..1) of A^T m for a 4-vector m(0..3): the output transform.
template <typename At> static Expr outputTransform(const Expr &p, At m) {
  return select(p == 0, m(0) + m(1) + m(2), m(1) - m(2) - m(3));
}

/// A 3x3 stride-1 conv2d as Winograd F(2x2, 3x3) (Lavin & Gray 2016): the
/// output in 2x2 tiles tx, ty; each tile's 4x4 input patch d becomes
/// V = B^T d B (`tiles`), each filter g becomes U = G g G^T (`filters`),
/// M = sum over input channels of U * V elementwise (`products`: one GEMM
/// per tile element (b, a), 16 in all), and the tile is A^T M A + bias.
static OpStages buildWinogradConv(const KernelOp &op,
                                  const std::vector<Value> &operands,
                                  const std::string &name,
                                  const ScheduleRecord &schedule) {
  const Value &input = operands[0];
  Func x = padDims(input, {1, 2}, 0.0f);
  int top = (int)op.pad[0], left = (int)op.pad[1];
  OpStages stages;
  stages.kind = op.kind;

  Var c("c"), f("f"), tx("tx"), ty("ty"), n("n"), b("b"), a("a");
  stages.tiles = Func(name + "_tiles");
  stages.tiles(c, tx, b, a, ty, n) = inputTransform(a, [&](int i) {
    return inputTransform(
        b, [&](int j) { return x(c, 2 * tx + j - left, 2 * ty + i - top, n); });
  });
  Func filters = operands[1].winograd;
  if (!filters.defined()) {
    // Filters the graph computes: transformed per call.
    const Func &w = operands[1].func; // w(f, c, kx, ky)
    stages.filters = filters = Func(name + "_filters");
    filters(f, c, b, a) = filterTransform(a, [&](int i) {
      return filterTransform(b, [&](int j) { return w(f, c, j, i); });
    });
  }
  int filterCount = (int)op.shape[3];
  if (filterCount % contractionPanel(schedule, filterCount) != 0) {
    // Filters past the last one, in a ragged register tile (computed, never
    // stored), read the last one's.
    Func clamped(name + "_filters_clamped");
    clamped(f, c, b, a) = filters(min(f, filterCount - 1), c, b, a);
    filters = clamped;
  }

  RDom r(0, (int)operands[1].shape[2], name + "_c");
  stages.reduction = r;
  stages.reduce = Func(name + "_acc");
  stages.reduce(f, tx, b, a, ty, n) = 0.0f;
  stages.reduce(f, tx, b, a, ty, n) +=
      filters(f, r, b, a) * stages.tiles(r, tx, b, a, ty, n);
  stages.products = Func(name + "_products");
  stages.products(f, tx, b, a, ty, n) = stages.reduce(f, tx, b, a, ty, n);

  Var ox("ox"), oy("oy");
  Expr value = outputTransform(oy % 2, [&](int i) {
    return outputTransform(ox % 2, [&](int j) {
      return stages.products(f, ox / 2, j, i, oy / 2, n);
    });
  });
  if (operands.size() == 3)
    value += operands[2].func(f);
  stages.value = {Func(name), op.shape};
  stages.value.func(f, ox, oy, n) = value;
  return stages;
}

/// A conv2d reads a zero-padded copy of its input (`padded`), if padded.
static OpStages buildConv2D(const KernelOp &op,
                            const std::vector<Value> &operands,
                            const std::string &name,
                            const ScheduleRecord &schedule) {
  if (schedule.winograd && !schedule.gpu &&
      winogradApplies(op, operands[1].shape))
    return buildWinogradConv(op, operands, name, schedule);
  std::vector<int> paddedDims;
  if (op.pad[1] || op.pad[3])
    paddedDims.push_back(1);
  if (op.pad[0] || op.pad[2])
    paddedDims.push_back(2);
  OpStages stages;
  Func x = operands[0].func;
  if (!paddedDims.empty()) {
    // A stage of its own, so that the schedule may copy it and the
    // reduction read without bounds tests.
    std::vector<Var> c = makeVars(4, "c");
    stages.padded = Func(name + "_padded");
    stages.padded(c) = padDims(operands[0], paddedDims, 0.0f)(c);
    x = stages.padded;
  }
  return convolve(op, operands, name, schedule, std::move(stages), x,
                  op.strides, {op.pad[0], op.pad[1]});
}

/// A conv_transpose2d is the stride-1 convolution, by the kernel turned by
/// 180 degrees with its filter and channel dims swapped, of the input with
/// stride - 1 zeros between cells, padded by op.pad (negative: cut).
/// operands[1] is [KH, KW, F / groups, C]: Halide w(c, fg, kx, ky).
static OpStages buildConvTranspose2D(const KernelOp &op,
                                     const std::vector<Value> &operands,
                                     const std::string &name,
                                     const ScheduleRecord &schedule) {
  const Value &input = operands[0];
  const Shape &kShape = operands[1].shape;
  int64_t groups = op.groups, filtersPerGroup = kShape[2];
  int64_t channelsPerGroup = kShape[3] / groups;
  Var f("f"), c("c"), kx("kx"), ky("ky");
  Value turned{Func(name + "_turned"),
               {kShape[0], kShape[1], channelsPerGroup, op.shape[3]}};
  turned.func(f, c, kx, ky) =
      operands[1].func(f / (int)filtersPerGroup * (int)channelsPerGroup + c,
                       f % (int)filtersPerGroup, (int)kShape[1] - 1 - kx,
                       (int)kShape[0] - 1 - ky);
  std::vector<Value> convOperands = operands;
  convOperands[1] = turned;

  OpStages stages;
  Var x("x"), y("y"), n("n");
  Expr u = x - (int)op.pad[1], v = y - (int)op.pad[0];
  int sw = (int)op.strides[1], sh = (int)op.strides[0];
  int width = (int)input.shape[2], height = (int)input.shape[1];
  Expr inside = u >= 0 && u <= (width - 1) * sw && u % sw == 0 && v >= 0 &&
                v <= (height - 1) * sh && v % sh == 0;
  stages.padded = Func(name + "_padded");
  stages.padded(c, x, y, n) =
      select(inside,
             input.func(c, clamp(u / sw, 0, width - 1),
                        clamp(v / sh, 0, height - 1), n),
             0.0f);
  Func dilated = stages.padded;
  return convolve(op, convOperands, name, schedule, std::move(stages), dilated,
                  {1, 1}, {0, 0});
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

template <>
OpStages build<KernelOpKind::ConvTranspose2D>(
    const KernelOp &op, const std::vector<Value> &operands,
    const std::string &name, const ScheduleRecord &schedule) {
  return buildConvTranspose2D(op, operands, name, schedule);
}

} // namespace sora
