//===- AlgorithmUtils.cpp - Variables, boundaries and tiles for builders --===//

#include "Algorithms.h"

#include <algorithm>

namespace sora {

using namespace Halide;

std::vector<Var> makeVars(size_t rank, const std::string &prefix) {
  std::vector<Var> vars;
  for (size_t i = 0; i < rank; ++i)
    vars.emplace_back(prefix + std::to_string(i));
  return vars;
}

AxisReduction reduceAlongAxis(const KernelOp &op, const Value &input,
                              const std::string &name) {
  size_t rank = op.shape.size();
  AxisReduction red;
  red.axisDim = (int)(rank - 1 - (size_t)op.axis);
  red.extent = input.extent((size_t)op.axis);
  red.vars = makeVars(rank, "d");
  red.r = RDom(0, red.extent, name + "_r");
  red.along.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    bool isAxis = (int)d == red.axisDim;
    red.along[d] = isAxis ? Expr(red.r) : Expr(red.vars[d]);
    if (!isAxis)
      red.others.push_back(red.vars[d]);
  }
  return red;
}

OpStages rowReductionStages(const KernelOp &op, const AxisReduction &red) {
  OpStages stages;
  stages.kind = op.kind;
  stages.reduction = red.r;
  stages.axisDim = red.axisDim;
  return stages;
}

OpStages pureStages(const KernelOp &op, const std::string &name,
                    const std::vector<Var> &vars, const Expr &expr) {
  OpStages stages;
  stages.kind = op.kind;
  stages.value = {Func(name), op.shape};
  stages.value.func(vars) = expr;
  return stages;
}

/// The region [0, extent) along `dims` and unbounded elsewhere.
static Region boundedRegion(const Shape &shape, const std::vector<int> &dims) {
  Region region(shape.size());
  for (int d : dims)
    region[d] = Range(0, (int)shape[shape.size() - 1 - d]);
  return region;
}

Func clampDims(const Value &input, const std::vector<int> &dims) {
  return BoundaryConditions::repeat_edge(input.func,
                                         boundedRegion(input.shape, dims));
}

Func mirrorDims(const Value &input, const std::vector<int> &dims) {
  return BoundaryConditions::mirror_interior(input.func,
                                             boundedRegion(input.shape, dims));
}

Func padDims(const Value &input, const std::vector<int> &dims, float fill) {
  return BoundaryConditions::constant_exterior(
      input.func, fill, boundedRegion(input.shape, dims));
}

Tiling clampTiling(const ScheduleRecord &schedule, int64_t cols, int64_t rows) {
  return {schedule.vector, (int)contractionPanel(schedule, cols),
          (int)std::min<int64_t>(schedule.tileRows, rows)};
}

} // namespace sora
