//===- NNOps.cpp - Verifiers and rewrites of the network layer particles --===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

#include "mlir/IR/PatternMatch.h"

#include <algorithm>

using namespace mlir;
using namespace sora::particle;

//===----------------------------------------------------------------------===//
// Global pools
//===----------------------------------------------------------------------===//

namespace {
/// global_<kind>_pool2d -> <kind>_pool2d with an H x W window, then a
/// reshape to [N, C] unless keepdims.
template <typename GlobalPoolOp, typename PoolOp>
struct LowerGlobalPool : public OpRewritePattern<GlobalPoolOp> {
  using OpRewritePattern<GlobalPoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalPoolOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> x = shapeOf(op.getInput());
    Value pooled = PoolOp::create(
        rewriter, op.getLoc(), op.getInput(), ArrayRef<int64_t>{x[1], x[2]},
        ArrayRef<int64_t>{1, 1}, ArrayRef<int64_t>{0, 0, 0, 0});
    if (!op.getKeepdims())
      pooled = ReshapeOp::create(rewriter, op.getLoc(), op.getType(), pooled);
    rewriter.replaceOp(op, pooled);
    return success();
  }
};
} // namespace

void GlobalMaxPool2DOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                    MLIRContext *context) {
  results.add<LowerGlobalPool<GlobalMaxPool2DOp, MaxPool2DOp>>(context);
}

void GlobalAvgPool2DOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                    MLIRContext *context) {
  results.add<LowerGlobalPool<GlobalAvgPool2DOp, AvgPool2DOp>>(context);
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ShapeError shapeEmit = shapeErrorOf(*this);
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.empty())
    return emit() << "port 'input' needs a channel dimension";
  if (getEpsilon().convertToDouble() <= 0)
    return emit() << "epsilon must be positive";
  const char *ports[] = {"gamma", "beta", "moving_mean", "moving_variance"};
  Value params[] = {getGamma(), getBeta(), getMean(), getVariance()};
  for (auto [port, param] : llvm::zip(ports, params))
    if (shapeOf(param) != ArrayRef<int64_t>{x.back()})
      return emit() << "port '" << port << "' expects shape [" << x.back()
                    << "] (the last dim of input " << formatDims(x) << "), got "
                    << formatDims(shapeOf(param));
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto emit = [&] { return emitParticleError(*this); };
  ShapeError shapeEmit = shapeErrorOf(*this);
  if (getEpsilon().convertToDouble() <= 0)
    return emit() << "epsilon must be positive";
  return checkResult(*this,
                     inferLayerNormShape(shapeOf(getInput()), affineShapes(),
                                         getAxis(), shapeEmit));
}

//===----------------------------------------------------------------------===//
// Matmul and embedding
//===----------------------------------------------------------------------===//

std::optional<Shape> MatMulOp::inferShape(Adaptor adaptor,
                                          const ShapeError &emitError) {
  return inferMatMulShape(shapeOf(adaptor.getLhs()), shapeOf(adaptor.getRhs()),
                          adaptor.getTransposeA(), adaptor.getTransposeB(),
                          emitError);
}

std::optional<Shape> ReduceOp::inferShape(Adaptor adaptor,
                                          const ShapeError &emitError) {
  if (!parseReduceKind(adaptor.getKind()))
    return emitError() << "unknown reduction '" << adaptor.getKind().str()
                       << "'; kinds: sum, mean, max, min, prod, l1, l2, "
                          "sum_square, log_sum_exp";
  return inferReduceShape(shapeOf(adaptor.getInput()), adaptor.getAxes(),
                          adaptor.getKeepdims(), emitError);
}

std::optional<Shape> EmbeddingOp::inferShape(Adaptor adaptor,
                                             const ShapeError &emitError) {
  return inferEmbeddingShape(shapeOf(adaptor.getIds()),
                             shapeOf(adaptor.getTable()), emitError);
}

std::optional<Shape> OneHotOp::inferShape(Adaptor adaptor,
                                          const ShapeError &emitError) {
  return inferOneHotShape(shapeOf(adaptor.getIds()), adaptor.getDepth(),
                          emitError);
}

//===----------------------------------------------------------------------===//
// Kernel forms (KernelOpInterface)
//===----------------------------------------------------------------------===//

sora::KernelOp BatchNormOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::BatchNorm);
  k.scalars[0] = getEpsilon().convertToFloat();
  return k;
}

sora::KernelOp LayerNormOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::LayerNorm);
  k.axis = (int64_t)getAxis();
  k.scalars[0] = getEpsilon().convertToFloat();
  return k;
}

sora::KernelOp ReduceOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::Reduce);
  k.reduction = *parseReduceKind(getKind());
  k.axes.assign(getAxes().begin(), getAxes().end());
  std::sort(k.axes.begin(), k.axes.end());
  k.keepDims = getKeepdims();
  return k;
}

sora::KernelOp MatMulOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::MatMul);
  k.transposeA = getTransposeA();
  k.transposeB = getTransposeB();
  return k;
}
