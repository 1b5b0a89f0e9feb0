//===- RecurrentOps.cpp - Verifiers of the recurrent particles ------------===//

#include "sora/Dialect/Particle/ParticleOps.h"

#include "ParticleVerify.h"

using namespace mlir;
using namespace sora::particle;

static std::optional<ShapeRef> shapeIfAny(Value v) {
  if (!v)
    return std::nullopt;
  return shapeOf(v);
}

/// The shape of an lstm, gru or rnn: `forward` and `reverse` hold each
/// direction's kernel, recurrent kernel, bias (and recurrent bias); the
/// reverse values are all null or all present.
static std::optional<Shape>
recurrentLayerShape(const RecurrentCell &cell, Value input,
                    ArrayRef<Value> forward, ArrayRef<Value> reverse,
                    bool returnSequences, const ShapeError &emitError) {
  auto given = llvm::count_if(reverse, [](Value v) { return v != nullptr; });
  if (given != 0 && given != (int64_t)reverse.size()) {
    emitError() << "the reverse direction needs reverse_kernel, "
                   "reverse_recurrent_kernel and reverse_bias"
                << (cell.recurrentBias ? " and reverse_recurrent_bias" : "");
    return std::nullopt;
  }
  auto weights = [&](ArrayRef<Value> w) {
    return RecurrentWeightShapes{shapeOf(w[0]), shapeOf(w[1]), shapeOf(w[2]),
                                 w.size() > 3 ? shapeIfAny(w[3])
                                              : std::nullopt};
  };
  std::optional<RecurrentWeightShapes> back;
  if (given)
    back = weights(reverse);
  return inferRecurrentShape(shapeOf(input), cell, weights(forward), back,
                             returnSequences, emitError);
}

std::optional<Shape> LstmOp::inferShape(Adaptor adaptor,
                                        const ShapeError &emitError) {
  return recurrentLayerShape(
      *recurrentCell("lstm"), adaptor.getInput(),
      {adaptor.getKernel(), adaptor.getRecurrentKernel(), adaptor.getBias()},
      {adaptor.getReverseKernel(), adaptor.getReverseRecurrentKernel(),
       adaptor.getReverseBias()},
      adaptor.getReturnSequences(), emitError);
}

std::optional<Shape> GruOp::inferShape(Adaptor adaptor,
                                       const ShapeError &emitError) {
  return recurrentLayerShape(
      *recurrentCell(adaptor.getResetAfter() ? "gru" : "gru_reset_before"),
      adaptor.getInput(),
      {adaptor.getKernel(), adaptor.getRecurrentKernel(), adaptor.getBias(),
       adaptor.getRecurrentBias()},
      {adaptor.getReverseKernel(), adaptor.getReverseRecurrentKernel(),
       adaptor.getReverseBias(), adaptor.getReverseRecurrentBias()},
      adaptor.getReturnSequences(), emitError);
}

std::optional<Shape> RnnOp::inferShape(Adaptor adaptor,
                                       const ShapeError &emitError) {
  std::string cell = "rnn_" + adaptor.getActivation().str();
  if (!recurrentCell(cell)) {
    emitError() << "activation '" << adaptor.getActivation().str()
                << "' is not one of tanh, relu";
    return std::nullopt;
  }
  return recurrentLayerShape(
      *recurrentCell(cell), adaptor.getInput(),
      {adaptor.getKernel(), adaptor.getRecurrentKernel(), adaptor.getBias()},
      {adaptor.getReverseKernel(), adaptor.getReverseRecurrentKernel(),
       adaptor.getReverseBias()},
      adaptor.getReturnSequences(), emitError);
}

std::optional<Shape> RecurrenceOp::inferShape(Adaptor adaptor,
                                              const ShapeError &emitError) {
  const RecurrentCell *cell = recurrentCell(adaptor.getCell().str());
  if (!cell) {
    emitError() << "cell '" << adaptor.getCell().str()
                << "' is not one of lstm, gru, gru_reset_before, rnn_tanh, "
                   "rnn_relu";
    return std::nullopt;
  }
  return inferRecurrenceShape(
      *cell, shapeOf(adaptor.getGates()), shapeOf(adaptor.getRecurrentKernel()),
      shapeIfAny(adaptor.getRecurrentBias()), emitError);
}
