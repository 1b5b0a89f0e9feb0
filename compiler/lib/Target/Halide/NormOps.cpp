//===- NormOps.cpp - Layer normalization ----------------------------------===//
//
// mean = sum_j x_j / n, var = sum_j (x_j - mean)^2 / n along one axis (two
// passes over the row, like the softmax statistics, whose schedule places
// them), then
// y = (x - mean) / sqrt(var + eps) * gamma + beta with gamma and beta indexed
// along the axis (when the op has them).
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

template <>
OpStages build<KernelOpKind::LayerNorm>(const KernelOp &op,
                                        const std::vector<Value> &operands,
                                        const std::string &name,
                                        const ScheduleRecord &) {
  const Value &input = operands[0];
  AxisReduction red = reduceAlongAxis(op, input, name);
  const std::vector<Var> &vars = red.vars, &others = red.others;
  // A float constant where the axis is fixed, as it always is for now
  // (propagateRunTimeExtents).
  const int64_t *fixed = as_const_int(red.extent);
  Expr extent = fixed ? Expr((float)*fixed) : cast<float>(red.extent);

  OpStages stages = rowReductionStages(op, red);
  // The softmax schedule places `rowMax` and `reduce`: here the sum and the
  // sum of squared deviations.
  stages.rowMax = Func(name + "_sum");
  stages.rowMax(others) = 0.0f;
  stages.rowMax(others) += input.func(red.along);
  Expr mean = stages.rowMax(others) / extent;
  stages.reduce = Func(name + "_sqsum");
  Expr centered = input.func(red.along) - mean;
  stages.reduce(others) = 0.0f;
  stages.reduce(others) += centered * centered;

  Expr variance = stages.reduce(others) / extent;
  Expr rstd = 1.0f / sqrt(variance + op.scalars[0]);
  Expr normalized = (input.func(vars) - mean) * rstd;
  if (operands.size() == 3) { // gamma and beta
    Expr channel = vars[red.axisDim];
    normalized =
        normalized * operands[1].func(channel) + operands[2].func(channel);
  }
  stages.value = {Func(name), op.shape};
  stages.value.func(vars) = normalized;
  return stages;
}

} // namespace sora
