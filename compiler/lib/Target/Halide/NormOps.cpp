//===- NormOps.cpp - Layer normalization ----------------------------------===//
//
// mean = sum_j x_j / n, var = sum_j (x_j - mean)^2 / n along one axis (two
// passes over the row, like the softmax statistics, whose schedule places
// them), then
// y = (x - mean) / sqrt(var + eps) * gamma + beta with gamma and beta indexed
// along the axis.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

AnchorStages buildLayerNorm(const KernelOp &op,
                            const std::vector<Value> &operands,
                            const std::string &name) {
  const Value &input = operands[0];
  size_t rank = op.shape.size();
  size_t axis = rank - 1 - (size_t)op.axis; // Halide dimension
  int extent = (int)op.shape[op.axis];
  std::vector<Var> vars = makeVars(rank, "d");
  RDom r(0, extent, name + "_r");

  std::vector<Var> others;       // dims of the row statistics
  std::vector<Expr> along(rank); // x indexed along the axis by r
  for (size_t d = 0; d < rank; ++d) {
    along[d] = d == axis ? Expr(r) : Expr(vars[d]);
    if (d != axis)
      others.push_back(vars[d]);
  }

  AnchorStages stages;
  stages.kind = op.kind;
  stages.reduction = r;
  stages.axisDim = (int)axis;
  // The softmax schedule places `rowMax` and `reduce`: here the sum and the
  // sum of squared deviations.
  stages.rowMax = Func(name + "_sum");
  stages.rowMax(others) = 0.0f;
  stages.rowMax(others) += input.func(along);
  Expr mean = stages.rowMax(others) / (float)extent;
  stages.reduce = Func(name + "_sqsum");
  Expr centered = input.func(along) - mean;
  stages.reduce(others) = 0.0f;
  stages.reduce(others) += centered * centered;

  Expr variance = stages.reduce(others) / (float)extent;
  Expr rstd = 1.0f / sqrt(variance + op.scalars[0]);
  Expr channel = vars[axis];
  stages.value = {Func(name), op.shape};
  stages.value.func(vars) =
      (input.func(vars) - mean) * rstd * operands[1].func(channel) +
      operands[2].func(channel);
  return stages;
}

} // namespace sora
