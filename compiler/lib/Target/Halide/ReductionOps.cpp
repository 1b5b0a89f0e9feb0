//===- ReductionOps.cpp - Reductions over any set of axes -----------------===//
//
// reduce(kept...) combines x over an RDom of the reduced axes, innermost
// first (the innermost reduced axis is read contiguously). Mean divides the
// sum by the cell count, l2 takes the root of the sum of squares, and
// log_sum_exp subtracts the maximum (`rowMax`) before exp so that it cannot
// overflow. NaN propagates through max and min, as in PyTorch.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

#include <limits>

namespace sora {

using namespace Halide;

/// The maximum (or minimum) of `best` and `cell`, NaN if either is NaN.
static Expr extreme(const Expr &best, const Expr &cell, bool isMax) {
  return propagateNaN(
      best, propagateNaN(cell, isMax ? max(best, cell) : min(best, cell)));
}

template <>
OpStages build<KernelOpKind::Reduce>(const KernelOp &op,
                                     const std::vector<Value> &operands,
                                     const std::string &name,
                                     const ScheduleRecord &) {
  const Value &x = operands[0];
  int rank = (int)x.shape.size();
  std::vector<bool> reduced(rank, false);
  for (int64_t axis : op.axes)
    reduced[axis] = true;
  // Halide dim d is shape dim rank - 1 - d.
  std::vector<Range> ranges;
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    if (reduced[rank - 1 - d]) {
      ranges.emplace_back(0, (int)x.shape[rank - 1 - d]);
      count *= x.shape[rank - 1 - d];
    }
  RDom r(ranges, name + "_r");
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  std::vector<Expr> at;
  for (int d = 0, k = 0, out = 0; d < rank; ++d) {
    if (reduced[rank - 1 - d]) {
      at.push_back(r[k++]);
      out += op.keepDims; // the kept axis has extent 1
    } else {
      at.push_back(vars[out++]);
    }
  }
  Expr cell = x.func(at);

  OpStages stages;
  stages.kind = op.kind;
  stages.reduction = r;
  stages.reduce = Func(name + "_acc");
  Func &acc = stages.reduce;
  const float inf = std::numeric_limits<float>::infinity();
  Expr shift; // log_sum_exp: the row maximum, or 0 where it is not finite
  switch (op.reduction) {
  case ReduceKind::Max:
  case ReduceKind::Min: {
    bool isMax = op.reduction == ReduceKind::Max;
    acc(vars) = isMax ? -inf : inf;
    acc(vars) = extreme(acc(vars), cell, isMax);
    break;
  }
  case ReduceKind::Prod:
    acc(vars) = 1.0f;
    acc(vars) *= cell;
    break;
  case ReduceKind::LogSumExp:
    stages.rowMax = Func(name + "_max");
    stages.rowMax(vars) = -inf;
    stages.rowMax(vars) = extreme(stages.rowMax(vars), cell, true);
    shift = select(is_finite(stages.rowMax(vars)), stages.rowMax(vars), 0.0f);
    acc(vars) = 0.0f;
    acc(vars) += accurateExp(cell - shift);
    break;
  case ReduceKind::Sum:
  case ReduceKind::Mean:
  case ReduceKind::L1:
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
    acc(vars) = 0.0f;
    acc(vars) += op.reduction == ReduceKind::L1 ? abs(cell)
                 : op.reduction == ReduceKind::L2 ||
                         op.reduction == ReduceKind::SumSquare
                     ? cell * cell
                     : cell;
    break;
  }
  Expr result = acc(vars);
  if (op.reduction == ReduceKind::Mean)
    result = result / (float)count;
  else if (op.reduction == ReduceKind::L2)
    result = sqrt(result);
  else if (op.reduction == ReduceKind::LogSumExp)
    result = shift + log(result);
  stages.value = {Func(name), op.shape};
  stages.value.func(vars) = result;
  return stages;
}

} // namespace sora
