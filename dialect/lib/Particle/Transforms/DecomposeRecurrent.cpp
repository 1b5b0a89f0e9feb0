//===- DecomposeRecurrent.cpp - lstm, gru, rnn to dense + recurrence -----===//
//
//   x [B, T, F] --(time major)--> [T, B, F] --dense--> gates [T, B, G * H]
//   --recurrence--> states [T + 1, S, B, H]
//   --slice h--> [T, B, H] per direction --concat--> [T, B, dirs * H]
//   --(batch first)--> [B, T, dirs * H]
//
// Without return_sequences each direction contributes its final h: the
// forward state in slot T, the backward one in slot 0.
//
//===----------------------------------------------------------------------===//

#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORADECOMPOSERECURRENT
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

/// One direction's weights: kernel, recurrent kernel, bias and, for a gru,
/// recurrent bias (else null).
struct DirectionWeights {
  Value kernel, recurrentKernel, bias, recurrentBias;
};

/// The h of one direction: `[T, B, H]` (every step) or `[B, H]` (final).
Value directionOutput(PatternRewriter &b, Location loc, Value timeMajorX,
                      const RecurrentCell &cell, const DirectionWeights &w,
                      bool reverse, bool returnSequences) {
  ArrayRef<int64_t> x = cast<RankedTensorType>(timeMajorX.getType()).getShape();
  int64_t steps = x[0], batch = x[1];
  int64_t units =
      cast<RankedTensorType>(w.recurrentKernel.getType()).getDimSize(0);
  int64_t columns = cell.gateBlocks * units;
  Value rows = ReshapeOp::create(b, loc, f32Tensor(b, {steps * batch, x[2]}),
                                 timeMajorX);
  Value gates = DenseOp::create(b, loc, f32Tensor(b, {steps * batch, columns}),
                                rows, w.kernel, w.bias);
  gates =
      ReshapeOp::create(b, loc, f32Tensor(b, {steps, batch, columns}), gates);
  Value states = RecurrenceOp::create(
      b, loc, f32Tensor(b, {steps + 1, cell.stateSlots, batch, units}), gates,
      w.recurrentKernel, w.recurrentBias, std::string(cell.name()), reverse);
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

/// Replaces a recurrent layer by its directions' projections and
/// recurrences; `reverse` is empty for a unidirectional layer.
void decompose(PatternRewriter &b, Operation *op, Value input,
               const RecurrentCell &cell, const DirectionWeights &forward,
               std::optional<DirectionWeights> reverse, bool sequences) {
  Location loc = op->getLoc();
  Value x = swapLeadingDims(b, loc, input);
  SmallVector<Value, 2> outputs{
      directionOutput(b, loc, x, cell, forward, /*reverse=*/false, sequences)};
  if (reverse)
    outputs.push_back(directionOutput(b, loc, x, cell, *reverse,
                                      /*reverse=*/true, sequences));
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
}

struct DecomposeLstm : public OpRewritePattern<LstmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LstmOp op, PatternRewriter &b) const override {
    std::optional<DirectionWeights> reverse;
    if (op.isBidirectional())
      reverse = {op.getReverseKernel(), op.getReverseRecurrentKernel(),
                 op.getReverseBias(), nullptr};
    decompose(b, op, op.getInput(), *recurrentCell("lstm"),
              {op.getKernel(), op.getRecurrentKernel(), op.getBias(), nullptr},
              reverse, op.getReturnSequences());
    return success();
  }
};

struct DecomposeGru : public OpRewritePattern<GruOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GruOp op, PatternRewriter &b) const override {
    std::optional<DirectionWeights> reverse;
    if (op.getReverseKernel())
      reverse = {op.getReverseKernel(), op.getReverseRecurrentKernel(),
                 op.getReverseBias(), op.getReverseRecurrentBias()};
    decompose(b, op, op.getInput(),
              *recurrentCell(op.getResetAfter() ? "gru" : "gru_reset_before"),
              {op.getKernel(), op.getRecurrentKernel(), op.getBias(),
               op.getRecurrentBias()},
              reverse, op.getReturnSequences());
    return success();
  }
};

struct DecomposeRnn : public OpRewritePattern<RnnOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RnnOp op, PatternRewriter &b) const override {
    std::optional<DirectionWeights> reverse;
    if (op.getReverseKernel())
      reverse = {op.getReverseKernel(), op.getReverseRecurrentKernel(),
                 op.getReverseBias(), nullptr};
    const RecurrentCell *cell =
        recurrentCell("rnn_" + op.getActivation().str());
    if (!cell)
      return failure();
    decompose(b, op, op.getInput(), *cell,
              {op.getKernel(), op.getRecurrentKernel(), op.getBias(), nullptr},
              reverse, op.getReturnSequences());
    return success();
  }
};

struct SoraDecomposeRecurrentPass
    : public sora::particle::impl::SoraDecomposeRecurrentBase<
          SoraDecomposeRecurrentPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeLstm, DecomposeGru, DecomposeRnn>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
