//===- SampleIndependence.cpp - Is a particle graph batch-separable? ------===//
//
// The graphs built for two and for four samples walk in lockstep. A value
// is batched when exactly one extent doubles between them: its batch axis.
// Along that axis an index i holds sample (i / inner) % batch, `inner`
// being how many consecutive indices one sample owns there (1 for an input;
// more once a reshape folds other dimensions in after the batch, as
// [B, S, D] -> [B*S, D]; the samples interleave when it folds them in before,
// as [S, B, D] -> [S*B, D]). Every particle must map each sample of its
// operands to the same sample of its results:
//  - elementwise particles keep the batch where broadcasting puts it;
//  - reshape, transpose, concat, split, slice and pad move it or leave it,
//    and must not cut or reorder it;
//  - matmul must not contract along it;
//  - dense, layer_norm and softmax work on rows: the batch may be on any
//    axis but the ones they work along;
//  - every other particle (conv, pools, reductions, recurrences, attention,
//    ...) takes it first, as every model input has it, and works along
//    other axes only;
//  - a model output must hold each sample as one contiguous block;
//  - weights do not follow the batch, but for constants a frontend
//    expanded to it (the same values for every sample).
//
//===----------------------------------------------------------------------===//

#include "sora/Pipeline/SampleIndependence.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Pipeline/DescribeParticle.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"

#include <array>
#include <optional>
#include <string>

namespace sora {
namespace {

using mlir::Operation;
using mlir::Value;

/// The smaller of the two batches the graphs are built for.
constexpr int64_t kBaseBatch = 2;

/// A reshape's result: the batch is on whichever axis doubles, and
/// `inner` is first the run of elements one sample owns.
constexpr int64_t kAxisFromShapes = -1;

/// Where a value holds the batch.
struct Batch {
  int64_t axis;
  int64_t inner; ///< consecutive indices of one sample along `axis`
  bool operator==(const Batch &o) const {
    return axis == o.axis && inner == o.inner;
  }
};

mlir::func::FuncOp graphOf(mlir::ModuleOp module) {
  auto graphs = module.getOps<mlir::func::FuncOp>();
  return graphs.empty() ? nullptr : *graphs.begin();
}

llvm::ArrayRef<int64_t> dimsOf(Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
}

int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// "[2, 64]", or "a non-tensor".
std::string shapeText(mlir::Type type) {
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
  if (!tensor)
    return "a non-tensor";
  std::string text = "[";
  for (auto [i, d] : llvm::enumerate(tensor.getShape()))
    text += (i ? ", " : "") + std::to_string(d);
  return text + "]";
}

/// The one axis whose extent doubles from `base` to `doubled`, if the
/// shapes differ in that way only.
std::optional<int64_t> doubledAxis(mlir::Type base, mlir::Type doubled) {
  auto a = llvm::dyn_cast<mlir::RankedTensorType>(base);
  auto b = llvm::dyn_cast<mlir::RankedTensorType>(doubled);
  if (!a || !b || a.getRank() != b.getRank() ||
      a.getElementType() != b.getElementType())
    return std::nullopt;
  std::optional<int64_t> axis;
  for (int64_t d = 0; d < a.getRank(); ++d) {
    if (a.getDimSize(d) == b.getDimSize(d))
      continue;
    if (axis || b.getDimSize(d) != 2 * a.getDimSize(d))
      return std::nullopt;
    axis = d;
  }
  return axis;
}

/// An axis attribute normalized against `rank`.
int64_t normalized(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

class Comparison {
public:
  explicit Comparison(SameForEverySample sameForEverySample)
      : sameForEverySample(sameForEverySample) {}
  mlir::LogicalResult run(mlir::func::FuncOp base, mlir::func::FuncOp doubled);
  /// Whether every value that follows the batch holds it outermost, the
  /// samples one after the other.
  bool everyBatchOutermost = true;

private:
  mlir::LogicalResult compare(Operation &a, Operation &b);
  /// Where the results of `a` must hold the batch, given its operands'
  /// (`operand`: the first batched one); fails with the reason.
  mlir::FailureOr<Batch> expected(Operation &a, Value operand, Batch batch);
  mlir::FailureOr<Batch> expectedMatMul(particle::MatMulOp matmul);
  mlir::LogicalResult fail(Operation &a, const std::string &why) {
    mlir::emitError(a.getLoc())
        << "--max-batch: " << describeParticle(a) << " " << why
        << "; a batch's answer must be each sample's own, so no particle "
           "may mix samples";
    return mlir::failure();
  }

  SameForEverySample sameForEverySample;
  llvm::DenseMap<Value, Value> counterpart; ///< base → doubled
  llvm::DenseMap<Value, Batch> batches;     ///< base values
};

mlir::LogicalResult Comparison::run(mlir::func::FuncOp base,
                                    mlir::func::FuncOp doubled) {
  mlir::Block &one = base.getBody().front(), &two = doubled.getBody().front();
  auto a = one.begin(), b = two.begin();
  for (; a != one.end() && b != two.end(); ++a, ++b)
    if (mlir::failed(compare(*a, *b)))
      return mlir::failure();
  if (a != one.end() || b != two.end())
    return fail(a != one.end() ? *a : one.back(),
                "is where the graphs for 2 and 4 samples part: the model's "
                "structure depends on the batch");
  return mlir::success();
}

mlir::LogicalResult Comparison::compare(Operation &a, Operation &b) {
  if (a.getName() != b.getName() || a.getNumOperands() != b.getNumOperands() ||
      a.getNumResults() != b.getNumResults() || a.getNumRegions() ||
      a.getAttrDictionary() != b.getAttrDictionary())
    return fail(a, "is built differently for 2 samples than for 4: the "
                   "model's structure depends on the batch");
  std::optional<std::pair<Value, Batch>> first;
  for (auto [x, y] : llvm::zip(a.getOperands(), b.getOperands())) {
    if (counterpart.lookup(x) != y)
      return fail(a, "reads different values for 2 samples than for 4");
    if (auto it = batches.find(x); it != batches.end() && !first)
      first = {x, it->second};
  }
  std::optional<Batch> want;
  if (auto input = llvm::dyn_cast<particle::InputOp>(a)) {
    if (dimsOf(input).empty())
      return fail(a, "is a scalar, with no batch dimension");
    want = Batch{0, dimsOf(input)[0] / kBaseBatch};
  } else if (first) {
    mlir::FailureOr<Batch> got = expected(a, first->first, first->second);
    if (mlir::failed(got))
      return mlir::failure();
    want = *got;
  }
  for (auto [x, y] : llvm::zip(a.getResults(), b.getResults())) {
    counterpart[x] = y;
    std::optional<int64_t> axis = doubledAxis(x.getType(), y.getType());
    if (x.getType() != y.getType() && !axis)
      return fail(a, "gives " + shapeText(x.getType()) + " for 2 samples but " +
                         shapeText(y.getType()) + " for 4");
    if (auto weight = llvm::dyn_cast<particle::WeightOp>(a);
        weight && x.getType() != y.getType()) {
      // A constant expanded to the batch: the same for every sample.
      if (axis && sameForEverySample(weight.getName(), dimsOf(x), *axis)) {
        batches[x] = Batch{*axis, dimsOf(x)[*axis] / kBaseBatch};
        continue;
      }
      return fail(a, "reads weight '" + weight.getName().str() + "' as " +
                         shapeText(x.getType()) + " for 2 samples and " +
                         shapeText(y.getType()) +
                         " for 4, not the same values for every sample");
    }
    if (!want && axis)
      return fail(a, "gives a shape that follows the batch without reading "
                     "any sample (a constant of the batch's size?)");
    if (want && !axis)
      return fail(a, "gives " + shapeText(x.getType()) +
                         " whatever the batch: it reduces over the samples");
    if (!want)
      continue;
    Batch batch = *want;
    if (batch.axis == kAxisFromShapes) {
      int64_t after = product(dimsOf(x).drop_front(*axis + 1));
      batch = Batch{*axis, batch.inner % after ? 0 : batch.inner / after};
    }
    if (*axis != batch.axis || batch.inner == 0 ||
        dimsOf(x)[*axis] % (kBaseBatch * batch.inner))
      return fail(a, "moves the samples apart (its result " +
                         shapeText(x.getType()) +
                         " does not hold them where its operands do)");
    batches[x] = batch;
    if (batch.axis != 0 || dimsOf(x)[0] != kBaseBatch * batch.inner)
      everyBatchOutermost = false;
  }
  return mlir::success();
}

mlir::FailureOr<Batch> Comparison::expected(Operation &a, Value operand,
                                            Batch batch) {
  int64_t rank = (int64_t)dimsOf(operand).size();
  // Every batched operand holds the batch like the first, aligned from the
  // last axis (broadcasting) — for particles other than matmul.
  auto operandsAgree = [&]() {
    return llvm::all_of(a.getOperands(), [&](Value v) {
      auto it = batches.find(v);
      return it == batches.end() ||
             (it->second.inner == batch.inner &&
              (int64_t)dimsOf(v).size() - it->second.axis == rank - batch.axis);
    });
  };
  auto sameAxis = [&]() -> mlir::FailureOr<Batch> {
    if (!operandsAgree())
      return fail(a, "reads operands that hold the batch differently");
    return batch;
  };
  auto axisAttr = [&](llvm::StringRef name) -> std::optional<int64_t> {
    if (auto attr = a.getAttrOfType<mlir::IntegerAttr>(name))
      return normalized(attr.getInt(), rank);
    return std::nullopt;
  };

  if (a.hasTrait<particle::FusionEpilogue>() ||
      mlir::isa<particle::DropoutOp>(a)) {
    if (mlir::failed(sameAxis()))
      return mlir::failure();
    int64_t resultRank = (int64_t)dimsOf(a.getResult(0)).size();
    return Batch{resultRank - (rank - batch.axis), batch.inner};
  }
  if (auto output = llvm::dyn_cast<particle::OutputOp>(a)) {
    if (batch.axis != 0 || dimsOf(operand)[0] != kBaseBatch * batch.inner)
      return fail(a, "'" + output.getName().str() +
                         "' does not hold each sample as one block of its "
                         "first dimension");
    return batch;
  }
  if (mlir::isa<particle::ReshapeOp>(a)) {
    // A sample is a run of `stride` elements in row-major order; the
    // result's batch axis must cut it the same way.
    // compare() finds the axis (the one that doubles) and its `inner`.
    return Batch{kAxisFromShapes,
                 batch.inner *
                     product(dimsOf(operand).drop_front(batch.axis + 1))};
  }
  if (auto transpose = llvm::dyn_cast<particle::TransposeOp>(a)) {
    auto perm = transpose.getPerm();
    auto at = llvm::find(perm, batch.axis);
    return Batch{(int64_t)(at - perm.begin()), batch.inner};
  }
  if (mlir::isa<particle::ConcatOp, particle::SplitOp>(a)) {
    if (axisAttr("axis") == batch.axis)
      return fail(a, "works along the batch dimension");
    return sameAxis();
  }
  if (auto slice = llvm::dyn_cast<particle::SliceOp>(a)) {
    if (slice.getBegin()[batch.axis] != 0 ||
        slice.getStrides()[batch.axis] != 1 ||
        dimsOf(slice.getResult())[batch.axis] != dimsOf(operand)[batch.axis])
      return fail(a, "cuts the batch dimension");
    return batch;
  }
  if (auto pad = llvm::dyn_cast<particle::PadOp>(a)) {
    if (pad.getLow()[batch.axis] || pad.getHigh()[batch.axis])
      return fail(a, "pads the batch dimension");
    return batch;
  }
  if (auto matmul = llvm::dyn_cast<particle::MatMulOp>(a))
    return expectedMatMul(matmul);
  // Row particles work from one axis to the last (dense: the last only),
  // each row on its own: the batch may be on any axis before.
  if (mlir::isa<particle::DenseOp, particle::LayerNormOp>(a)) {
    int64_t from = axisAttr("axis").value_or(rank - 1);
    if (batch.axis >= from)
      return fail(a, "works along the batch dimension");
    return sameAxis();
  }
  if (mlir::isa<particle::SoftmaxOp, particle::LogSoftmaxOp>(a)) {
    if (axisAttr("axis") == batch.axis)
      return fail(a, "works along the batch dimension");
    return sameAxis();
  }
  // Any other particle: the batch first, its own work along other axes.
  if (batch.axis != 0 || rank < 2)
    return fail(a, "needs the batch as the first of two or more dimensions, "
                   "and gets it along axis " +
                       std::to_string(batch.axis) + " of " +
                       shapeText(operand.getType()));
  for (const char *name : {"axis", "axes"}) {
    mlir::Attribute attr = a.getAttr(name);
    if (auto axis = axisAttr(name); axis && *axis == 0)
      return fail(a, std::string("works along '") + name +
                         "' = the batch dimension");
    if (auto axes = llvm::dyn_cast_or_null<mlir::DenseI64ArrayAttr>(attr))
      if (llvm::any_of(axes.asArrayRef(),
                       [&](int64_t x) { return normalized(x, rank) == 0; }))
        return fail(a, "works along the batch dimension ('axes')");
  }
  for (Value result : a.getResults())
    if (dimsOf(result).empty() || dimsOf(result)[0] != dimsOf(operand)[0])
      return fail(a, "changes the extent of the batch dimension");
  return sameAxis();
}

mlir::FailureOr<Batch> Comparison::expectedMatMul(particle::MatMulOp matmul) {
  int64_t resultRank = (int64_t)dimsOf(matmul.getResult()).size();
  std::optional<Batch> want;
  // Each operand: its contraction axis must not hold the batch; its row
  // (lhs) or column (rhs) axis, or a batch axis, may.
  for (auto [index, value] : llvm::enumerate(
           std::array<Value, 2>{matmul.getLhs(), matmul.getRhs()})) {
    auto it = batches.find(value);
    if (it == batches.end())
      continue;
    int64_t rank = (int64_t)dimsOf(value).size();
    bool swapped = index == 0 ? matmul.getTransposeA() : matmul.getTransposeB();
    int64_t last = rank - 1, secondLast = rank - 2;
    int64_t contraction = (index == 0) != swapped ? last : secondLast;
    int64_t kept = contraction == last ? secondLast : last;
    Batch batch = it->second;
    if (batch.axis == contraction)
      return fail(*matmul, "contracts along the batch dimension");
    int64_t axis = batch.axis == kept
                       ? (index == 0 ? resultRank - 2 : resultRank - 1)
                       : resultRank - (rank - batch.axis);
    Batch mine{axis, batch.inner};
    if (want && !(*want == mine))
      return fail(*matmul, "reads operands that hold the batch differently");
    want = mine;
  }
  return *want;
}

} // namespace

mlir::LogicalResult
checkSamplesIndependent(mlir::ModuleOp twoSamples, mlir::ModuleOp fourSamples,
                        SameForEverySample sameForEverySample,
                        bool &batchOutermost) {
  mlir::func::FuncOp base = graphOf(twoSamples), doubled = graphOf(fourSamples);
  if (!base || !doubled)
    return mlir::failure();
  Comparison comparison(sameForEverySample);
  if (mlir::failed(comparison.run(base, doubled)))
    return mlir::failure();
  batchOutermost = comparison.everyBatchOutermost;
  return mlir::success();
}

} // namespace sora
