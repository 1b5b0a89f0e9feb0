//===- ParticleFolds.cpp - Folders and canonicalization patterns ----------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace sora::particle;

namespace {
#include "sora/Dialect/Particle/ParticleCanonicalize.inc"
} // namespace

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu is idempotent.
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FlattenToReshape>(context);
}

namespace {
/// Whether sora-fuse would put the one op reading `value` (its only use)
/// into the kernel that computes it.
bool fusesIntoItsProducer(Value value) {
  Operation *def = value.getDefiningOp();
  if (!def || !value.hasOneUse())
    return false;
  std::optional<sora::FusionRole> role = fusionRoleOf(def);
  return role && *role != sora::FusionRole::Recurrence;
}

/// An elementwise op after a reshape that keeps the last dimension runs
/// before the reshape instead: reshape(x) -> gelu becomes gelu(x) ->
/// reshape, so that sora-fuse puts the op into the kernel that computes x
/// (an activation between the reshapes an importer puts around a 3-D
/// MatMul, which kept BERT's GELU out of its dense layer's kernel). The last
/// dimension stays: an op of one operand may depend on the channel.
///
/// An op of several operands of its result's type (no broadcast) moves the
/// same way when it is all that reads x and x's op would fuse it, and no
/// other operand's op would fuse it where it is (which also keeps the
/// pattern from moving it back): add(reshape(dense(..)), r) becomes
/// reshape(add(dense(..), reshape(r))), BERT's residual adds, each a kernel
/// of its own before, joining their dense layers' kernels.
struct ElementwiseBeforeReshape : public OpTraitRewritePattern<FusionEpilogue> {
  using OpTraitRewritePattern::OpTraitRewritePattern;
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumOperands() == 0 || op->getNumResults() != 1)
      return failure();
    Type type = op->getResult(0).getType();
    if (llvm::any_of(op->getOperandTypes(),
                     [&](Type operand) { return operand != type; }))
      return failure();
    auto to = cast<RankedTensorType>(type);
    for (OpOperand &operand : op->getOpOperands()) {
      auto reshape = operand.get().getDefiningOp<ReshapeOp>();
      if (!reshape)
        continue;
      auto from = cast<RankedTensorType>(reshape.getInput().getType());
      if (from.getRank() == 0 || to.getRank() == 0 ||
          from.getShape().back() != to.getShape().back())
        continue;
      if (op->getNumOperands() > 1 &&
          (!reshape->hasOneUse() || !fusesIntoItsProducer(reshape.getInput()) ||
           llvm::any_of(op->getOperands(), [&](Value other) {
             return other != operand.get() && fusesIntoItsProducer(other);
           })))
        continue;
      SmallVector<Value> operands;
      for (OpOperand &each : op->getOpOperands())
        operands.push_back(
            &each == &operand
                ? reshape.getInput()
                : ReshapeOp::create(rewriter, op->getLoc(), from, each.get())
                      .getResult());
      OperationState state(op->getLoc(), op->getName(), operands,
                           TypeRange{from}, op->getAttrs());
      Operation *moved = rewriter.create(state);
      rewriter.replaceOpWithNewOp<ReshapeOp>(op, to, moved->getResult(0));
      return success();
    }
    return failure();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ReshapeOfReshape, ElementwiseBeforeReshape>(context);
}

OpFoldResult DropoutOp::fold(FoldAdaptor) {
  // Inference: dropout passes its input through.
  return getInput();
}

namespace {
/// split -> one slice per result, so that only slices reach the kernels.
struct SplitToSlices : public OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SplitOp split,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(split.getInput().getType());
    int64_t axis = split.getAxis(), offset = 0;
    SmallVector<Value> slices;
    for (Value result : split.getResults()) {
      SmallVector<int64_t> begin(inputType.getRank(), 0);
      begin[axis] = offset;
      SmallVector<int64_t> strides(inputType.getRank(), 1);
      slices.push_back(SliceOp::create(rewriter, split.getLoc(),
                                       result.getType(), split.getInput(),
                                       begin, strides));
      offset += cast<RankedTensorType>(result.getType()).getDimSize(axis);
    }
    rewriter.replaceOp(split, slices);
    return success();
  }
};
} // namespace

void SplitOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<SplitToSlices>(context);
}
