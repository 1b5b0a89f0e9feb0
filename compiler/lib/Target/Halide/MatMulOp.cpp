//===- MatMulOp.cpp - Batched matrix product ------------------------------===//
//
// y(n, m, b...) = sum_k a(k, m, b...) * b(n, k, b...) in Halide order (the
// shapes [..., M, K] and [..., K, N] reversed), with the operands' last two
// dims swapped when transposed and their batch dims broadcast like NumPy: a
// size-1 or missing batch dim reads index 0 / is not indexed. The result is
// an accumulator over k, scheduled like dense (register tiles of rows x
// vectors of columns), without weight packing: both operands are values.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

/// Reads `operand` (rank R, Halide dims: column, row, batch...) at matrix
/// coordinates (row, col) and the result's batch coordinates `batch`
/// (Halide order, innermost first), broadcasting batch dims.
static Expr readMatrix(const Value &operand, bool transposed, const Expr &row,
                       const Expr &col, const std::vector<Var> &batch,
                       const Shape &resultShape) {
  size_t rank = operand.shape.size();
  std::vector<Expr> args{transposed ? row : col, transposed ? col : row};
  size_t resultBatch = resultShape.size() - 2;
  for (size_t d = 0; d + 2 < rank; ++d) {
    // Halide dim d + 2 of the operand is batch dim d from the right.
    int64_t extent = operand.shape[rank - 3 - d];
    bool broadcast = extent == 1 && resultShape[resultBatch - 1 - d] != 1;
    args.push_back(broadcast ? Expr(0) : Expr(batch[d]));
  }
  return operand.func(args);
}

template <>
OpStages build<KernelOpKind::MatMul>(const KernelOp &op,
                                     const std::vector<Value> &operands,
                                     const std::string &name,
                                     const ScheduleRecord &) {
  const Value &a = operands[0], &b = operands[1];
  size_t rankA = a.shape.size(), rankB = b.shape.size();
  Expr depth = a.extent(op.transposeA ? rankA - 2 : rankA - 1);
  Expr columns = b.extent(op.transposeB ? rankB - 2 : rankB - 1);
  size_t rank = op.shape.size();
  Var n("n"), m("m");
  std::vector<Var> batch = makeVars(rank - 2, "b");
  std::vector<Var> args{n, m};
  args.insert(args.end(), batch.begin(), batch.end());

  OpStages stages;
  stages.kind = op.kind;
  RDom k(0, depth, name + "_k");
  stages.reduction = k;
  stages.reduce = Func(name + "_acc");
  stages.reduce(args) = 0.0f;
  // Columns past the last (a ragged register tile, never stored) read the
  // last column of b, as dense reads clamped weights.
  Expr column = min(n, columns - 1);
  stages.reduce(args) +=
      readMatrix(operands[0], op.transposeA, m, k, batch, op.shape) *
      readMatrix(operands[1], op.transposeB, k, column, batch, op.shape);
  stages.value = {Func(name), op.shape};
  stages.value.func(args) = stages.reduce(args);
  return stages;
}

} // namespace sora
