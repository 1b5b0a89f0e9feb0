//===- SequenceBound.cpp - Which extents follow a sequence length ---------===//
//
// The planned graphs for N and N - 1 tokens walk in lockstep. Ops must
// match (name, operands, kernels' bodies op by op); a result extent that
// differs must be k × tokens in both, and a weight must hold the same values
// at the same indices (a position table sliced to the sequence; not a
// constant folded from the length). Whether each kernel can take those
// extents at run time is its Halide builder's business (RunTimeExtents.cpp
// refuses what it cannot bound by the run); the graph driver checks that a
// model input's or output's run-time extent comes first in its layout.
//
//===----------------------------------------------------------------------===//

#include "sora/Pipeline/SequenceBound.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"
#include "sora/Pipeline/DescribeParticle.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>
#include <string>

namespace sora {
namespace {

using mlir::Operation;

mlir::func::FuncOp graphOf(mlir::ModuleOp module) {
  auto graphs = module.getOps<mlir::func::FuncOp>();
  return graphs.empty() ? nullptr : *graphs.begin();
}

/// Whether a run's elements come first in a tensor of `shape` laid out for
/// the bound (`least` marks the run-time extents): at most one run-time
/// dimension, after dimensions of one element. A view between two such
/// tensors reads the run's elements where they are.
bool runsAsPrefix(llvm::ArrayRef<int64_t> shape,
                  llvm::ArrayRef<int64_t> least) {
  bool unitsSoFar = true;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (least[d] != shape[d] && !unitsSoFar)
      return false;
    unitsSoFar &= shape[d] == 1;
  }
  return true;
}

/// `shape` and `least` without their dimensions of one element.
std::pair<llvm::SmallVector<int64_t>, llvm::SmallVector<int64_t>>
withoutUnitDims(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> least) {
  std::pair<llvm::SmallVector<int64_t>, llvm::SmallVector<int64_t>> kept;
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1) {
      kept.first.push_back(shape[d]);
      kept.second.push_back(least[d]);
    }
  return kept;
}

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(d);
  return text + "]";
}

class Comparison {
public:
  Comparison(int64_t maxTokens, SamePrefix samePrefix)
      : tokens(maxTokens), samePrefix(samePrefix) {}
  mlir::LogicalResult compare(Operation &a, Operation &b);

private:
  mlir::LogicalResult fail(Operation &a, const std::string &why) {
    mlir::emitError(a.getLoc())
        << "--max-sequence: " << describeParticle(a) << " " << why;
    return mlir::failure();
  }
  /// The least extents of `a`'s result `x` against `b`'s `y`, whose types
  /// differ.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  leastExtents(Operation &a, mlir::Value x, mlir::Value y);
  bool sameStructure(Operation &a, Operation &b);

  int64_t tokens; ///< of the bound graph; the other has one less
  SamePrefix samePrefix;
};

bool Comparison::sameStructure(Operation &a, Operation &b) {
  if (a.getName() != b.getName() || a.getNumOperands() != b.getNumOperands() ||
      a.getNumResults() != b.getNumResults() ||
      a.getNumRegions() != b.getNumRegions())
    return false;
  for (auto [ra, rb] : llvm::zip(a.getRegions(), b.getRegions())) {
    if (ra.empty() != rb.empty())
      return false;
    if (ra.empty())
      continue;
    mlir::Block &ba = ra.front(), &bb = rb.front();
    if (ba.getOperations().size() != bb.getOperations().size())
      return false;
    for (auto [x, y] : llvm::zip(ba, bb))
      if (!sameStructure(x, y))
        return false;
  }
  return true;
}

mlir::FailureOr<llvm::SmallVector<int64_t>>
Comparison::leastExtents(Operation &a, mlir::Value x, mlir::Value y) {
  auto tx = llvm::dyn_cast<mlir::RankedTensorType>(x.getType());
  auto ty = llvm::dyn_cast<mlir::RankedTensorType>(y.getType());
  if (!tx || !ty || tx.getRank() != ty.getRank())
    return fail(a, "changes rank with the sequence length");
  llvm::SmallVector<int64_t> least(tx.getShape());
  for (int64_t d = 0; d < tx.getRank(); ++d) {
    int64_t big = tx.getDimSize(d), small = ty.getDimSize(d);
    if (big == small)
      continue;
    if (big % tokens != 0 || small * tokens != big * (tokens - 1))
      return fail(a, "gives " + shapeText(tx.getShape()) + " for " +
                         std::to_string(tokens) + " tokens but " +
                         shapeText(ty.getShape()) + " for " +
                         std::to_string(tokens - 1) +
                         ": its extents do not follow the sequence length in "
                         "proportion (a window, a padding, a fixed slice)");
    least[d] = big / tokens;
  }
  return least;
}

mlir::LogicalResult Comparison::compare(Operation &a, Operation &b) {
  if (!sameStructure(a, b))
    return fail(a, "is built differently for " + std::to_string(tokens) +
                       " tokens than for " + std::to_string(tokens - 1) +
                       ": the model's structure depends on the sequence "
                       "length");
  // A recurrence reading the sequence, or holding a state per token.
  auto kernel = llvm::dyn_cast<particle::KernelOp>(a);
  bool follows = a.getNumResults() == 1 &&
                 a.getResult(0).getType() != b.getResult(0).getType();
  for (mlir::Value operand : a.getOperands())
    if (mlir::Operation *producer = operand.getDefiningOp())
      follows |= producer->hasAttr(particle::kRunTimeLeastAttr);
  if (kernel && follows &&
      !kernel.getBody().front().getOps<particle::RecurrenceOp>().empty())
    return fail(a, "steps through the sequence: a recurrence's step count is "
                   "fixed when compiled");
  if (auto weight = llvm::dyn_cast<particle::WeightOp>(a);
      weight && a.getResult(0).getType() == b.getResult(0).getType()) {
    // A constant folded from the length (a mean's 1 / tokens) would hold
    // the bound's value in every run.
    auto shape =
        llvm::cast<mlir::RankedTensorType>(a.getResult(0).getType()).getShape();
    if (!samePrefix(weight.getName(), shape,
                    llvm::cast<particle::WeightOp>(b).getName(), shape))
      return fail(a, "'" + weight.getName().str() +
                         "' holds values computed from the sequence length "
                         "(its shape folded into a constant)");
  }
  if (a.getNumResults() != 1 ||
      a.getResult(0).getType() == b.getResult(0).getType())
    return mlir::success();
  auto least = leastExtents(a, a.getResult(0), b.getResult(0));
  if (mlir::failed(least))
    return mlir::failure();
  if (auto weight = llvm::dyn_cast<particle::WeightOp>(a);
      weight &&
      !samePrefix(weight.getName(),
                  llvm::cast<mlir::RankedTensorType>(a.getResult(0).getType())
                      .getShape(),
                  llvm::cast<particle::WeightOp>(b).getName(),
                  llvm::cast<mlir::RankedTensorType>(b.getResult(0).getType())
                      .getShape()))
    return fail(a, "'" + weight.getName().str() +
                       "' has a shape that depends on the sequence length, "
                       "and values that differ between lengths at the same "
                       "index (not a table read by position)");
  if (mlir::isa<particle::ReshapeOp, particle::FlattenOp>(a)) {
    // A view shares its operand's memory, laid out for the bound.
    mlir::Value source = a.getOperand(0);
    auto marked =
        source.getDefiningOp()
            ? source.getDefiningOp()->getAttrOfType<mlir::DenseI64ArrayAttr>(
                  particle::kRunTimeLeastAttr)
            : mlir::DenseI64ArrayAttr();
    auto sourceShape =
        llvm::cast<mlir::RankedTensorType>(source.getType()).getShape();
    auto shape =
        llvm::cast<mlir::RankedTensorType>(a.getResult(0).getType()).getShape();
    // Unit dimensions inserted or dropped leave the layout as it is;
    // otherwise both sides must hold the run's elements first.
    bool sameLayout =
        marked && withoutUnitDims(sourceShape, marked.asArrayRef()) ==
                      withoutUnitDims(shape, *least);
    if (!sameLayout &&
        (!marked || !runsAsPrefix(sourceShape, marked.asArrayRef()) ||
         !runsAsPrefix(shape, *least)))
      return fail(a, "reshapes " + shapeText(sourceShape) + " to " +
                         shapeText(shape) +
                         " in place across the sequence: a shorter run's "
                         "elements would not be where the view reads them");
  }
  a.setAttr(particle::kRunTimeLeastAttr,
            mlir::DenseI64ArrayAttr::get(a.getContext(), *least));
  return mlir::success();
}

} // namespace

mlir::LogicalResult markRunTimeSequence(mlir::ModuleOp bound,
                                        mlir::ModuleOp shorter,
                                        int64_t maxTokens,
                                        SamePrefix samePrefix) {
  mlir::func::FuncOp a = graphOf(bound), b = graphOf(shorter);
  if (!a || !b)
    return mlir::failure();
  Comparison comparison(maxTokens, samePrefix);
  mlir::Block &one = a.getBody().front(), &two = b.getBody().front();
  auto x = one.begin(), y = two.begin();
  for (; x != one.end() && y != two.end(); ++x, ++y)
    if (mlir::failed(comparison.compare(*x, *y)))
      return mlir::failure();
  if (x != one.end() || y != two.end()) {
    mlir::emitError(a.getLoc())
        << "--max-sequence: the graphs for " << maxTokens << " and "
        << maxTokens - 1
        << " tokens have different particles: the model's structure depends "
           "on the sequence length";
    return mlir::failure();
  }
  a->setAttr(particle::kRunTimeUnitsAttr,
             mlir::IntegerAttr::get(mlir::IntegerType::get(a.getContext(), 64),
                                    maxTokens));
  return mlir::success();
}

} // namespace sora
