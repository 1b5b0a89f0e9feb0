//===- NNOps.cpp - Verifiers and rewrites of the network layer particles --===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace sora::particle;

//===----------------------------------------------------------------------===//
// Global pools
//===----------------------------------------------------------------------===//

template <typename GlobalPoolOp>
static LogicalResult verifyGlobalPool(GlobalPoolOp op) {
  ShapeError emit = shapeErrorOf(op);
  return checkResult(op, inferGlobalPool2DShape(shapeOf(op.getInput()),
                                                op.getKeepdims(), emit));
}

LogicalResult GlobalMaxPool2DOp::verify() { return verifyGlobalPool(*this); }
LogicalResult GlobalAvgPool2DOp::verify() { return verifyGlobalPool(*this); }

namespace {
/// global_<kind>_pool2d -> <kind>_pool2d with an H x W window, then a
/// reshape to [N, C] unless keepdims.
template <typename GlobalPoolOp, typename PoolOp>
struct LowerGlobalPool : public OpRewritePattern<GlobalPoolOp> {
  using OpRewritePattern<GlobalPoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalPoolOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> x = shapeOf(op.getInput());
    auto pooledType =
        RankedTensorType::get({x[0], 1, 1, x[3]}, rewriter.getF32Type());
    Value pooled =
        PoolOp::create(rewriter, op.getLoc(), pooledType, op.getInput(),
                       ArrayRef<int64_t>{x[1], x[2]}, ArrayRef<int64_t>{1, 1},
                       ArrayRef<int64_t>{0, 0, 0, 0});
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
  return checkResult(
      *this, inferLayerNormShape(shapeOf(getInput()), shapeOf(getGamma()),
                                 shapeOf(getBeta()), getAxis(), shapeEmit));
}

//===----------------------------------------------------------------------===//
// Matmul and embedding
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  return checkResult(*this,
                     inferMatMulShape(shapeOf(getLhs()), shapeOf(getRhs()),
                                      getTransposeA(), getTransposeB(), emit));
}

LogicalResult EmbeddingOp::verify() {
  ShapeError emit = shapeErrorOf(*this);
  return checkResult(
      *this, inferEmbeddingShape(shapeOf(getIds()), shapeOf(getTable()), emit));
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

sora::KernelOp MatMulOp::describeKernelOp() {
  sora::KernelOp k = sora::KernelOp::of(sora::KernelOpKind::MatMul);
  k.transposeA = getTransposeA();
  k.transposeB = getTransposeB();
  return k;
}
