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

/// Numerically stable softmax, or log-softmax, along `op.axis`.
static OpStages buildSoftmax(const KernelOp &op, const Value &input,
                             const std::string &name, bool logarithm) {
  AxisReduction red = reduceAlongAxis(op, input, name);
  const std::vector<Var> &vars = red.vars, &others = red.others;

  OpStages stages = rowReductionStages(op, red);
  stages.rowMax = Func(name + "_max");
  stages.rowMax(others) = -std::numeric_limits<float>::infinity();
  // A NaN or +inf in the row makes the whole row NaN, as in PyTorch: x - m
  // is NaN there, so is its exp, the row's sum, and every value divided by
  // it or shifted by its logarithm.
  stages.rowMax(others) = max(stages.rowMax(others), input.func(red.along));
  Expr shifted = strict_float(input.func(vars) - stages.rowMax(others));
  Func terms(name + "_exp");
  terms(vars) = accurateExp(shifted);
  stages.reduce = Func(name + "_sum");
  stages.reduce(others) = 0.0f;
  stages.reduce(others) += terms(red.along);

  stages.value = {Func(name), op.shape};
  if (logarithm) {
    stages.value.func(vars) =
        shifted -
        propagateNaN(stages.reduce(others), log(stages.reduce(others)));
  } else {
    // The exps again, times the sum's reciprocal (as PyTorch's CPU kernel
    // computes it: one division per row).
    stages.rowTerms = terms;
    stages.value.func(vars) = terms(vars) * (1.0f / stages.reduce(others));
  }
  return stages;
}

template <>
OpStages build<KernelOpKind::Softmax>(const KernelOp &op,
                                      const std::vector<Value> &operands,
                                      const std::string &name,
                                      const ScheduleRecord &) {
  return buildSoftmax(op, operands[0], name, /*logarithm=*/false);
}

template <>
OpStages build<KernelOpKind::LogSoftmax>(const KernelOp &op,
                                         const std::vector<Value> &operands,
                                         const std::string &name,
                                         const ScheduleRecord &) {
  return buildSoftmax(op, operands[0], name, /*logarithm=*/true);
}

} // namespace sora
