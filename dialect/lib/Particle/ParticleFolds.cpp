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
/// An elementwise op of one operand after a reshape that keeps the last
/// dimension runs before the reshape instead: reshape(x) -> gelu becomes
/// gelu(x) -> reshape, so that sora-fuse puts the op into the kernel that
/// computes x (an activation between the reshapes an importer puts around a
/// 3-D MatMul, which kept BERT's GELU out of its dense layer's kernel). The
/// last dimension stays: an op of one operand may depend on the channel.
struct ElementwiseBeforeReshape : public OpTraitRewritePattern<FusionEpilogue> {
  using OpTraitRewritePattern::OpTraitRewritePattern;
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumOperands() != 1 || op->getNumResults() != 1 ||
        !op->hasTrait<OpTrait::SameOperandsAndResultType>())
      return failure();
    auto reshape = op->getOperand(0).getDefiningOp<ReshapeOp>();
    if (!reshape)
      return failure();
    auto from = cast<RankedTensorType>(reshape.getInput().getType());
    auto to = cast<RankedTensorType>(reshape.getType());
    if (from.getRank() == 0 || to.getRank() == 0 ||
        from.getShape().back() != to.getShape().back())
      return failure();
    OperationState state(op->getLoc(), op->getName(),
                         ValueRange{reshape.getInput()}, TypeRange{from},
                         op->getAttrs());
    Operation *moved = rewriter.create(state);
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, to, moved->getResult(0));
    return success();
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
