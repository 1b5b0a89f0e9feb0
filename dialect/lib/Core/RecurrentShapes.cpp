//===- RecurrentShapes.cpp - Shape rules of the recurrent particles -------===//

#include "sora/Core/ParticleShapes.h"

namespace sora::particle {

/// Checks one direction's weights against the input features `features`;
/// returns H. `prefix` is "" or "reverse_" (the port names).
static std::optional<int64_t> checkLstmWeights(const LstmWeightShapes &w,
                                               int64_t features,
                                               const char *prefix,
                                               const ShapeError &emitError) {
  if (w.recurrentKernel.size() != 2 ||
      w.recurrentKernel[1] != 4 * w.recurrentKernel[0])
    return emitError() << "port '" << prefix
                       << "recurrent_kernel' expects [units, 4 * units], got "
                       << formatDims(w.recurrentKernel);
  int64_t units = w.recurrentKernel[0];
  if (w.kernel != ShapeRef{features, 4 * units})
    return emitError() << "port '" << prefix << "kernel' expects "
                       << formatDims({features, 4 * units})
                       << " ([features, 4 * units]), got "
                       << formatDims(w.kernel);
  if (w.bias != ShapeRef{4 * units})
    return emitError() << "port '" << prefix << "bias' expects "
                       << formatDims({4 * units}) << " ([4 * units]), got "
                       << formatDims(w.bias);
  return units;
}

std::optional<Shape> inferLstmShape(ShapeRef input,
                                    const LstmWeightShapes &forward,
                                    std::optional<LstmWeightShapes> reverse,
                                    bool returnSequences,
                                    const ShapeError &emitError) {
  if (input.size() != 3)
    return emitError() << "port 'input' expects rank 3 [batch, time, "
                          "features], got "
                       << formatDims(input);
  std::optional<int64_t> units =
      checkLstmWeights(forward, input[2], "", emitError);
  if (!(units))
    return std::nullopt;
  int64_t dirs = 1;
  if (reverse) {
    std::optional<int64_t> back =
        checkLstmWeights(*reverse, input[2], "reverse_", emitError);
    if (!(back))
      return std::nullopt;
    if (*back != *units)
      return emitError() << "the reverse direction has " << *back
                         << " units, the forward one " << *units;
    dirs = 2;
  }
  if (returnSequences)
    return Shape{input[0], input[1], dirs * *units};
  return Shape{input[0], dirs * *units};
}

std::optional<Shape> inferLstmRecurrenceShape(ShapeRef gates,
                                              ShapeRef recurrentKernel,
                                              const ShapeError &emitError) {
  if (recurrentKernel.size() != 2 ||
      recurrentKernel[1] != 4 * recurrentKernel[0])
    return emitError()
           << "port 'recurrent_kernel' expects [units, 4 * units], got "
           << formatDims(recurrentKernel);
  int64_t units = recurrentKernel[0];
  if (gates.size() != 3 || gates[2] != 4 * units)
    return emitError() << "port 'gates' expects [time, batch, " << 4 * units
                       << "] (4 * units), got " << formatDims(gates);
  return Shape{gates[0] + 1, 2, gates[1], units};
}

std::optional<Shape> inferLstmCellShape(ShapeRef gates,
                                        ShapeRef recurrentKernel,
                                        ShapeRef state,
                                        const ShapeError &emitError) {
  if (state.size() != 3 || state[0] != 2)
    return emitError() << "port 'state' expects [2, batch, units] (h, c), got "
                       << formatDims(state);
  int64_t batch = state[1], units = state[2];
  if (recurrentKernel != ShapeRef{units, 4 * units})
    return emitError() << "port 'recurrent_kernel' expects "
                       << formatDims({units, 4 * units})
                       << " ([units, 4 * units]), got "
                       << formatDims(recurrentKernel);
  if (gates != ShapeRef{batch, 4 * units})
    return emitError() << "port 'gates' expects "
                       << formatDims({batch, 4 * units})
                       << " ([batch, 4 * units]), got " << formatDims(gates);
  return state.vec();
}

} // namespace sora::particle
