//===- MLIRGenRecurrent.cpp - The lstm, gru and rnn particles -------------===//
//
// Weights per direction (the backward one with a `reverse_` prefix):
// kernel [features, G * units], recurrent_kernel [units, G * units] and
// bias [G * units], gate blocks in PyTorch's order: lstm G = 4 (i, f, g, o),
// gru G = 3 (r, z, n) with a recurrent_bias [3 * units] too, rnn G = 1.
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {

std::optional<MLIRGenImpl::RecurrentLayer>
MLIRGenImpl::recurrentLayer(const ParticleDecl &p, ParticleAttrs &a,
                            ArrayRef<Value> in, const RecurrentCell &cell) {
  auto units = a.positiveInt("units", std::nullopt);
  auto bidirectional = a.boolean("bidirectional", false);
  // Keras' default; torch.nn.LSTM/GRU/RNN always return the sequence.
  auto returnSequences = a.boolean("return_sequences", false);
  if (!units || !bidirectional || !returnSequences)
    return std::nullopt;
  // The gate blocks are G * units wide, and tensor extents are int32.
  int64_t maxUnits = ((int64_t{1} << 31) - 1) / cell.gateBlocks;
  if (*units > maxUnits) {
    a.error("units") << "'units' " << *units << " is too large (at most "
                     << maxUnits << ")";
    return std::nullopt;
  }
  ArrayRef<int64_t> x = shapeOf(in[0]);
  if (x.size() != 3) {
    shapeError(p, a)() << "port 'input' expects rank 3 [batch, time, "
                          "features], got "
                       << formatDims(x);
    return std::nullopt;
  }
  int64_t hidden = *units, columns = cell.gateBlocks * *units;
  std::string gates = cell.gateBlocks == 1
                          ? "units"
                          : std::to_string(cell.gateBlocks) + " * units";
  // PyTorch draws every recurrent parameter from U(-1/sqrt(units),
  // 1/sqrt(units)).
  auto direction = [&](const std::string &prefix) {
    SmallVector<Value, 4> w{
        weight(p, a, prefix + "kernel", {x[2], columns}, hidden,
               "[features, " + gates + "]"),
        weight(p, a, prefix + "recurrent_kernel", {hidden, columns}, hidden,
               "[units, " + gates + "]"),
        weight(p, a, prefix + "bias", {columns}, hidden, "[" + gates + "]")};
    if (cell.recurrentBias)
      w.push_back(weight(p, a, prefix + "recurrent_bias", {columns}, hidden,
                         "[" + gates + "]"));
    return w;
  };
  RecurrentLayer layer;
  layer.returnSequences = *returnSequences;
  layer.forward = direction("");
  if (*bidirectional)
    layer.reverse = direction("reverse_");
  if (llvm::is_contained(layer.forward, Value()) ||
      llvm::is_contained(layer.reverse, Value()))
    return std::nullopt;
  auto shapes = [](ArrayRef<Value> w) {
    return RecurrentWeightShapes{
        shapeOf(w[0]), shapeOf(w[1]), shapeOf(w[2]),
        w.size() > 3 ? std::optional<ShapeRef>(shapeOf(w[3])) : std::nullopt};
  };
  std::optional<RecurrentWeightShapes> reverseShapes;
  if (*bidirectional)
    reverseShapes = shapes(layer.reverse);
  auto shape =
      inferRecurrentShape(x, cell, shapes(layer.forward), reverseShapes,
                          *returnSequences, shapeError(p, a));
  if (!shape)
    return std::nullopt;
  layer.type = tensorType(*shape);
  // The optional reverse operands, null when unidirectional.
  layer.reverse.resize(layer.forward.size());
  return layer;
}

Value MLIRGenImpl::lstm(const ParticleDecl &p, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  auto layer = recurrentLayer(p, a, in, *recurrentCell("lstm"));
  if (!layer)
    return nullptr;
  ArrayRef<Value> f = layer->forward, r = layer->reverse;
  return LstmOp::create(b, loc, layer->type, in[0], f[0], f[1], f[2], r[0],
                        r[1], r[2], layer->returnSequences);
}

Value MLIRGenImpl::gru(const ParticleDecl &p, ParticleAttrs &a,
                       ArrayRef<Value> in) {
  auto resetAfter = a.boolean("reset_after", true);
  if (!resetAfter)
    return nullptr;
  auto layer = recurrentLayer(
      p, a, in, *recurrentCell(*resetAfter ? "gru" : "gru_reset_before"));
  if (!layer)
    return nullptr;
  ArrayRef<Value> f = layer->forward, r = layer->reverse;
  return GruOp::create(b, loc, layer->type, in[0], f[0], f[1], f[2], f[3], r[0],
                       r[1], r[2], r[3], *resetAfter, layer->returnSequences);
}

Value MLIRGenImpl::rnn(const ParticleDecl &p, ParticleAttrs &a,
                       ArrayRef<Value> in) {
  auto activation = a.choice("activation", {"tanh", "relu"});
  if (!activation)
    return nullptr;
  auto layer = recurrentLayer(p, a, in, *recurrentCell("rnn_" + *activation));
  if (!layer)
    return nullptr;
  ArrayRef<Value> f = layer->forward, r = layer->reverse;
  return RnnOp::create(b, loc, layer->type, in[0], f[0], f[1], f[2], r[0], r[1],
                       r[2], *activation, layer->returnSequences);
}

} // namespace sora
