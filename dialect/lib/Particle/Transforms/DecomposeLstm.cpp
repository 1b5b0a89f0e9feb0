//===- DecomposeLstm.cpp - lstm to dense + lstm_recurrence ----------------===//
//
//   x [B, T, F] --(time major)--> [T, B, F] --dense--> gates [T, B, 4H]
//   --lstm_recurrence--> states [T + 1, 2, B, H]
//   --slice h--> [T, B, H] per direction --concat--> [T, B, dirs * H]
//   --(batch first)--> [B, T, dirs * H]
//
// Without return_sequences each direction contributes its final h: the
// forward state in slot T, the backward one in slot 0.
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORADECOMPOSELSTM
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

RankedTensorType f32Tensor(PatternRewriter &b, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

/// Swaps the two leading dims of a rank-3 value: a free view when one of
/// them is 1, else a transpose.
Value swapLeadingDims(PatternRewriter &b, Location loc, Value v) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
  auto type = f32Tensor(b, {s[1], s[0], s[2]});
  if (s[0] == 1 || s[1] == 1)
    return ReshapeOp::create(b, loc, type, v);
  return TransposeOp::create(b, loc, type, v, ArrayRef<int64_t>{1, 0, 2});
}

/// The h of one direction: `[T, B, H]` (every step) or `[B, H]` (final).
Value directionOutput(PatternRewriter &b, Location loc, Value timeMajorX,
                      Value kernel, Value recurrentKernel, Value bias,
                      bool reverse, bool returnSequences) {
  ArrayRef<int64_t> x = cast<RankedTensorType>(timeMajorX.getType()).getShape();
  int64_t steps = x[0], batch = x[1];
  int64_t units =
      cast<RankedTensorType>(recurrentKernel.getType()).getDimSize(0);
  Value rows = ReshapeOp::create(b, loc, f32Tensor(b, {steps * batch, x[2]}),
                                 timeMajorX);
  Value gates = DenseOp::create(
      b, loc, f32Tensor(b, {steps * batch, 4 * units}), rows, kernel, bias);
  gates =
      ReshapeOp::create(b, loc, f32Tensor(b, {steps, batch, 4 * units}), gates);
  Value states = LstmRecurrenceOp::create(
      b, loc, f32Tensor(b, {steps + 1, 2, batch, units}), gates,
      recurrentKernel, reverse);
  // Time step t lives in slot t + 1 going forward, in slot t going back.
  int64_t first = reverse ? 0 : 1;
  int64_t count = returnSequences ? steps : 1;
  if (!returnSequences)
    first = reverse ? 0 : steps;
  Value h = SliceOp::create(b, loc, f32Tensor(b, {count, 1, batch, units}),
                            states, ArrayRef<int64_t>{first, 0, 0, 0},
                            ArrayRef<int64_t>{1, 1, 1, 1});
  if (returnSequences)
    return ReshapeOp::create(b, loc, f32Tensor(b, {steps, batch, units}), h);
  return ReshapeOp::create(b, loc, f32Tensor(b, {batch, units}), h);
}

struct DecomposeLstm : public OpRewritePattern<LstmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LstmOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    bool sequences = op.getReturnSequences();
    Value x = swapLeadingDims(b, loc, op.getInput());
    SmallVector<Value, 2> outputs{
        directionOutput(b, loc, x, op.getKernel(), op.getRecurrentKernel(),
                        op.getBias(), /*reverse=*/false, sequences)};
    if (op.isBidirectional())
      outputs.push_back(directionOutput(
          b, loc, x, op.getReverseKernel(), op.getReverseRecurrentKernel(),
          op.getReverseBias(), /*reverse=*/true, sequences));
    // Features of both directions side by side, forward first.
    Value joined = outputs[0];
    if (outputs.size() > 1) {
      SmallVector<int64_t> shape(
          cast<RankedTensorType>(outputs[0].getType()).getShape());
      shape.back() *= 2;
      joined = ConcatOp::create(b, loc, f32Tensor(b, shape), outputs,
                                (int64_t)shape.size() - 1);
    }
    if (sequences)
      joined = swapLeadingDims(b, loc, joined);
    b.replaceOp(op, joined);
    return success();
  }
};

struct SoraDecomposeLstmPass
    : public sora::particle::impl::SoraDecomposeLstmBase<
          SoraDecomposeLstmPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeLstm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
