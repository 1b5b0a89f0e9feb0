//===- RunTimeExtents.cpp - Which result extents a run chooses ------------===//
//
// A kernel whose arguments have run-time extents (KernelSpec::runTimeArgs:
// a batch, a sequence) passes them on op by op. Where an op only carries a
// dimension along (elementwise, transpose, a matmul's rows and columns, a
// row reduction's other rows), the result's dimension is the operand's;
// where it works along one (a softmax's or matmul's reduction), its builder
// reads the run's extent (Value::extent). Any other op takes run-time
// extents on its outermost dimension only, and works along other ones (a
// conv over a batch of images).
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

#include <algorithm>

namespace sora {

using namespace Halide;

namespace {

class Propagation {
public:
  Propagation(const KernelOp &op, const std::vector<Value> &operands,
              Value &result)
      : op(op), operands(operands), result(result) {}

  void run();

private:
  /// Result dimension `d` follows dimension `from` of `operand` where that
  /// one's extent is the run's.
  void follow(size_t d, const Value &operand, size_t from) {
    if (!operand.runTimeDim(from))
      return;
    result.least[d] = operand.least[from];
    result.extents[d] = operand.extents[from];
  }
  /// Every result dimension follows the operands' aligned from the last
  /// (NumPy broadcasting): elementwise ops.
  void broadcast();
  void matmul();
  /// Only outermost dimensions are the run's: the result's outermost one
  /// holds as many of the least extents as the operand's.
  void outermost();
  [[noreturn]] void refuse(const std::string &why) const {
    throw CompileError(std::string(kernelOpName(op.kind)) +
                       (op.particle.empty() ? "" : " ('" + op.particle + "')") +
                       " cannot take extents chosen at run time: " + why);
  }
  bool onlyOutermost() const {
    return std::all_of(operands.begin(), operands.end(), [](const Value &v) {
      for (size_t d = 1; d < v.shape.size(); ++d)
        if (v.runTimeDim(d))
          return false;
      return true;
    });
  }

  const KernelOp &op;
  const std::vector<Value> &operands;
  Value &result;
};

void Propagation::run() {
  if (std::all_of(operands.begin(), operands.end(),
                  [](const Value &v) { return v.least.empty(); }))
    return;
  size_t rank = result.shape.size();
  result.least = result.shape;
  result.extents.clear();
  for (int64_t extent : result.shape)
    result.extents.push_back((int)extent);
  const Value &input = operands[0];

  switch (op.kind) {
  case KernelOpKind::Transpose:
    for (size_t d = 0; d < rank; ++d)
      follow(d, input, (size_t)op.perm[d]);
    return;
  case KernelOpKind::MatMul:
    return matmul();
  case KernelOpKind::Softmax:
  case KernelOpKind::LogSoftmax:
    // The builder reduces over the run's extent along the axis.
    for (size_t d = 0; d < rank; ++d)
      follow(d, input, d);
    return;
  case KernelOpKind::LayerNorm:
  case KernelOpKind::Dense: {
    // Rows on their own; the features they work along are fixed.
    size_t from = op.kind == KernelOpKind::Dense ? rank - 1 : (size_t)op.axis;
    for (size_t d = 0; d < rank; ++d) {
      if (d >= from && input.runTimeDim(d))
        refuse("it works along dimension " + std::to_string(d));
      if (d < from)
        follow(d, input, d);
    }
    return;
  }
  case KernelOpKind::Slice:
    for (size_t d = 0; d < rank; ++d) {
      if (input.runTimeDim(d) && (op.begin[d] != 0 || op.step[d] != 1 ||
                                  result.shape[d] != input.shape[d]))
        refuse("it cuts dimension " + std::to_string(d));
      follow(d, input, d);
    }
    return;
  case KernelOpKind::Embedding:
    // One table row per id: the ids' dimensions, then the row's.
    for (size_t d = 0; d + 1 < rank; ++d)
      follow(d, input, d);
    if (operands[1].runTimeDim(0) || operands[1].runTimeDim(1))
      refuse("its table's extents are the run's");
    return;
  default:
    break;
  }
  if (kernelFamily(op.kind) == KernelFamily::Elementwise)
    return broadcast();
  if (kernelFamily(op.kind) == KernelFamily::Recurrent)
    refuse("a recurrence steps through one sample's state at a time");
  if (!onlyOutermost())
    refuse("it works along dimensions other than the outermost");
  outermost();
}

void Propagation::broadcast() {
  size_t rank = result.shape.size();
  for (const Value &operand : operands) {
    size_t own = operand.shape.size();
    for (size_t d = rank - own; d < rank; ++d) {
      size_t from = d - (rank - own);
      if (operand.runTimeDim(from) && operand.shape[from] != result.shape[d])
        refuse("it broadcasts a dimension whose extent is the run's");
      if (result.least[d] == result.shape[d])
        follow(d, operand, from);
    }
  }
}

void Propagation::matmul() {
  const Value &a = operands[0], &b = operands[1];
  size_t rank = result.shape.size(), rankA = a.shape.size(),
         rankB = b.shape.size();
  // Rows from a, columns from b; the contraction reads the run's extent.
  follow(rank - 2, a, op.transposeA ? rankA - 1 : rankA - 2);
  follow(rank - 1, b, op.transposeB ? rankB - 2 : rankB - 1);
  for (const Value *operand : {&a, &b}) {
    size_t own = operand->shape.size();
    for (size_t d = 0; d + 2 < own; ++d) {
      size_t at = rank - own + d;
      if (operand->runTimeDim(d) && operand->shape[d] != result.shape[at])
        refuse("it broadcasts a dimension whose extent is the run's");
      if (result.least[at] == result.shape[at])
        follow(at, *operand, d);
    }
  }
}

void Propagation::outermost() {
  const Value *from = nullptr;
  for (const Value &operand : operands)
    if (!from && operand.runTimeDim(0))
      from = &operand;
  int64_t units = from->shape[0] / from->least[0];
  if (op.kind == KernelOpKind::Reduce &&
      std::find(op.axes.begin(), op.axes.end(), 0) != op.axes.end())
    refuse("it reduces over its outermost dimension");
  if (result.shape.empty() || result.shape[0] % units != 0)
    refuse("its result's outermost extent does not follow the operand's");
  result.least[0] = result.shape[0] / units;
  result.extents[0] =
      from->extents[0] / (int)from->least[0] * (int)result.least[0];
}

} // namespace

void propagateRunTimeExtents(const KernelOp &op,
                             const std::vector<Value> &operands,
                             Value &result) {
  Propagation(op, operands, result).run();
}

} // namespace sora
