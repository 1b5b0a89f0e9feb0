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

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ReshapeOfReshape>(context);
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
