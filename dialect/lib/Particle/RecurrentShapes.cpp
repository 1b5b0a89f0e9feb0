//===- RecurrentShapes.cpp - Shape rules of the recurrent particles -------===//

#include "sora/Dialect/Particle/ParticleShapes.h"

using namespace mlir;

namespace sora::particle {

/// Checks one direction's weights against the input features `features`;
/// returns H. `prefix` is "" or "reverse_" (the port names).
static FailureOr<int64_t> checkLstmWeights(const LstmWeightShapes &w,
                                           int64_t features,
                                           llvm::StringRef prefix,
                                           EmitErrorFn emitError) {
  if (w.recurrentKernel.size() != 2 ||
      w.recurrentKernel[1] != 4 * w.recurrentKernel[0])
    return emitError() << "port '" << prefix
                       << "recurrent_kernel' expects [units, 4 * units], got "
                       << formatDims(w.recurrentKernel);
  int64_t units = w.recurrentKernel[0];
  if (w.kernel != ArrayRef<int64_t>{features, 4 * units})
    return emitError() << "port '" << prefix << "kernel' expects "
                       << formatDims({features, 4 * units})
                       << " ([features, 4 * units]), got "
                       << formatDims(w.kernel);
  if (w.bias != ArrayRef<int64_t>{4 * units})
    return emitError() << "port '" << prefix << "bias' expects "
                       << formatDims({4 * units}) << " ([4 * units]), got "
                       << formatDims(w.bias);
  return units;
}

FailureOr<Dims> inferLstmShape(ArrayRef<int64_t> input,
                               const LstmWeightShapes &forward,
                               std::optional<LstmWeightShapes> reverse,
                               bool returnSequences, EmitErrorFn emitError) {
  if (input.size() != 3)
    return emitError() << "port 'input' expects rank 3 [batch, time, "
                          "features], got "
                       << formatDims(input);
  FailureOr<int64_t> units = checkLstmWeights(forward, input[2], "", emitError);
  if (failed(units))
    return failure();
  int64_t dirs = 1;
  if (reverse) {
    FailureOr<int64_t> back =
        checkLstmWeights(*reverse, input[2], "reverse_", emitError);
    if (failed(back))
      return failure();
    if (*back != *units)
      return emitError() << "the reverse direction has " << *back
                         << " units, the forward one " << *units;
    dirs = 2;
  }
  if (returnSequences)
    return Dims{input[0], input[1], dirs * *units};
  return Dims{input[0], dirs * *units};
}

FailureOr<Dims> inferLstmRecurrenceShape(ArrayRef<int64_t> gates,
                                         ArrayRef<int64_t> recurrentKernel,
                                         EmitErrorFn emitError) {
  if (recurrentKernel.size() != 2 ||
      recurrentKernel[1] != 4 * recurrentKernel[0])
    return emitError()
           << "port 'recurrent_kernel' expects [units, 4 * units], got "
           << formatDims(recurrentKernel);
  int64_t units = recurrentKernel[0];
  if (gates.size() != 3 || gates[2] != 4 * units)
    return emitError() << "port 'gates' expects [time, batch, " << 4 * units
                       << "] (4 * units), got " << formatDims(gates);
  return Dims{gates[0] + 1, 2, gates[1], units};
}

} // namespace sora::particle
