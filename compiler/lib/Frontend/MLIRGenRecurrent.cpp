//===- MLIRGenRecurrent.cpp - The lstm particle ---------------------------===//
//
// Weights per direction (the backward one with a `reverse_` prefix):
// kernel [features, 4 * units], recurrent_kernel [units, 4 * units] and
// bias [4 * units], gate blocks in PyTorch's order i, f, g, o.
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {

static constexpr int64_t kMaxUnits = (int64_t{1} << 31) / 4 - 1;

Value MLIRGenImpl::lstm(const ParticleDecl &p, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  auto units = a.positiveInt("units", std::nullopt);
  auto bidirectional = a.boolean("bidirectional", false);
  // Keras' default; torch.nn.LSTM always returns the sequence.
  auto returnSequences = a.boolean("return_sequences", false);
  if (!units || !bidirectional || !returnSequences)
    return nullptr;
  // The gate blocks are 4 * units wide, and tensor extents are int32.
  if (*units > kMaxUnits) {
    a.error("units") << "'units' " << *units << " is too large (at most "
                     << kMaxUnits << ")";
    return nullptr;
  }
  ArrayRef<int64_t> x = shapeOf(in[0]);
  if (x.size() != 3) {
    shapeError(p, a)() << "port 'input' expects rank 3 [batch, time, "
                          "features], got "
                       << formatDims(x);
    return nullptr;
  }
  int64_t hidden = *units, gates = 4 * *units;
  // PyTorch draws every LSTM parameter from U(-1/sqrt(units), 1/sqrt(units)).
  auto direction = [&](const std::string &prefix) -> SmallVector<Value, 3> {
    return {weight(p, a, prefix + "kernel", {x[2], gates}, hidden,
                   "[features, 4 * units]"),
            weight(p, a, prefix + "recurrent_kernel", {hidden, gates}, hidden,
                   "[units, 4 * units]"),
            weight(p, a, prefix + "bias", {gates}, hidden, "[4 * units]")};
  };
  SmallVector<Value, 3> forward = direction("");
  SmallVector<Value, 3> reverse =
      *bidirectional ? direction("reverse_") : SmallVector<Value, 3>(3);
  if (llvm::is_contained(forward, Value()) ||
      (*bidirectional && llvm::is_contained(reverse, Value())))
    return nullptr;
  auto shapes = [](ArrayRef<Value> w) {
    return LstmWeightShapes{shapeOf(w[0]), shapeOf(w[1]), shapeOf(w[2])};
  };
  std::optional<LstmWeightShapes> reverseShapes;
  if (*bidirectional)
    reverseShapes = shapes(reverse);
  auto shape = inferLstmShape(x, shapes(forward), reverseShapes,
                              *returnSequences, shapeError(p, a));
  if (!shape)
    return nullptr;
  return LstmOp::create(b, loc, tensorType(*shape), in[0], forward[0],
                        forward[1], forward[2], reverse[0], reverse[1],
                        reverse[2], *returnSequences);
}

} // namespace sora
