//===- SoftmaxOp.cpp - Numerically stable softmax -------------------------===//
//
// softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m), m = max_j x_j, along one
// axis; log_softmax(x)_i = (x_i - m) - log(sum_j exp(x_j - m)). `rowMax` and
// `reduce` (the sum) are Funcs over the other dims. x - m is strict: with an
// inlined producer such as x * s, contracting it into an FMA would make the
// largest logit's x - m nonzero (exp(x - m) > 1).
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

#include <limits>

namespace sora {

using namespace Halide;

AnchorStages buildSoftmax(const KernelOp &op, const Value &input,
                          const std::string &name) {
  size_t rank = op.shape.size();
  size_t axis = rank - 1 - (size_t)op.axis; // Halide dimension
  std::vector<Var> vars = makeVars(rank, "d");
  RDom r(0, (int)op.shape[op.axis], name + "_r");

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
  stages.rowMax = Func(name + "_max");
  stages.rowMax(others) = -std::numeric_limits<float>::infinity();
  stages.rowMax(others) = max(stages.rowMax(others), input.func(along));
  stages.reduce = Func(name + "_sum");
  stages.reduce(others) = 0.0f;
  stages.reduce(others) +=
      exp(strict_float(input.func(along) - stages.rowMax(others)));

  stages.value = {Func(name), op.shape};
  Expr shifted = strict_float(input.func(vars) - stages.rowMax(others));
  if (op.kind == KernelOpKind::LogSoftmax)
    stages.value.func(vars) = shifted - log(stages.reduce(others));
  else
    stages.value.func(vars) = exp(shifted) / stages.reduce(others);
  return stages;
}

} // namespace sora
