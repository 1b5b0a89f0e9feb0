//===- RecurrentShapes.cpp - Shape rules of the recurrent particles -------===//

#include "sora/Core/ParticleShapes.h"

namespace sora::particle {

static constexpr RecurrentCell kCells[] = {
    {KernelOpKind::LstmCell, 4, 2, false},
    {KernelOpKind::GruCell, 3, 1, true},
    {KernelOpKind::GruResetBeforeCell, 3, 1, true},
    {KernelOpKind::RnnTanhCell, 1, 1, false},
    {KernelOpKind::RnnReluCell, 1, 1, false},
};

std::string_view RecurrentCell::name() const {
  std::string_view op = kernelOpName(step);
  return op.substr(0, op.size() - std::string_view("_cell").size());
}

const RecurrentCell *recurrentCell(std::string_view name) {
  for (const RecurrentCell &cell : kCells)
    if (cell.name() == name)
      return &cell;
  return nullptr;
}

const RecurrentCell *recurrentCell(KernelOpKind step) {
  for (const RecurrentCell &cell : kCells)
    if (cell.step == step)
      return &cell;
  return nullptr;
}

/// "[features, 4 * units]" and its kin, for messages.
static std::string gateColumns(const RecurrentCell &cell) {
  return cell.gateBlocks == 1 ? "units"
                              : std::to_string(cell.gateBlocks) + " * units";
}

/// Checks recurrent_kernel [H, G * H]; returns H. `prefix` is "" or
/// "reverse_" (the port names).
static std::optional<int64_t>
checkRecurrentKernel(const RecurrentCell &cell, ShapeRef recurrentKernel,
                     const char *prefix, const ShapeError &emitError) {
  if (recurrentKernel.size() != 2 ||
      recurrentKernel[1] != cell.gateBlocks * recurrentKernel[0])
    return emitError() << "port '" << prefix
                       << "recurrent_kernel' expects [units, "
                       << gateColumns(cell) << "], got "
                       << formatDims(recurrentKernel);
  return recurrentKernel[0];
}

/// Checks a bias port against [G * H].
static bool checkBias(const RecurrentCell &cell, int64_t units,
                      std::optional<ShapeRef> bias, const std::string &port,
                      const ShapeError &emitError) {
  int64_t columns = cell.gateBlocks * units;
  if (bias && *bias == ShapeRef{columns})
    return true;
  if (!bias)
    emitError() << "port '" << port << "' is missing";
  else
    emitError() << "port '" << port << "' expects " << formatDims({columns})
                << " ([" << gateColumns(cell) << "]), got "
                << formatDims(*bias);
  return false;
}

/// Checks one direction's weights against the input features `features`;
/// returns H.
static std::optional<int64_t> checkWeights(const RecurrentCell &cell,
                                           const RecurrentWeightShapes &w,
                                           int64_t features, const char *prefix,
                                           const ShapeError &emitError) {
  std::optional<int64_t> units =
      checkRecurrentKernel(cell, w.recurrentKernel, prefix, emitError);
  if (!units)
    return std::nullopt;
  int64_t columns = cell.gateBlocks * *units;
  if (w.kernel != ShapeRef{features, columns})
    return emitError() << "port '" << prefix << "kernel' expects "
                       << formatDims({features, columns}) << " ([features, "
                       << gateColumns(cell) << "]), got "
                       << formatDims(w.kernel);
  if (!checkBias(cell, *units, w.bias, std::string(prefix) + "bias", emitError))
    return std::nullopt;
  if (cell.recurrentBias != w.recurrentBias.has_value()) {
    if (w.recurrentBias)
      return emitError() << "port '" << prefix
                         << "recurrent_bias' is not read by the '"
                         << cell.name() << "' cell";
    return emitError() << "port '" << prefix << "recurrent_bias' is missing";
  }
  if (cell.recurrentBias &&
      !checkBias(cell, *units, w.recurrentBias,
                 std::string(prefix) + "recurrent_bias", emitError))
    return std::nullopt;
  return units;
}

std::optional<Shape>
inferRecurrentShape(ShapeRef input, const RecurrentCell &cell,
                    const RecurrentWeightShapes &forward,
                    std::optional<RecurrentWeightShapes> reverse,
                    bool returnSequences, const ShapeError &emitError) {
  if (input.size() != 3)
    return emitError() << "port 'input' expects rank 3 [batch, time, "
                          "features], got "
                       << formatDims(input);
  std::optional<int64_t> units =
      checkWeights(cell, forward, input[2], "", emitError);
  if (!units)
    return std::nullopt;
  int64_t dirs = 1;
  if (reverse) {
    std::optional<int64_t> back =
        checkWeights(cell, *reverse, input[2], "reverse_", emitError);
    if (!back)
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

std::optional<Shape> inferRecurrenceShape(const RecurrentCell &cell,
                                          ShapeRef gates,
                                          ShapeRef recurrentKernel,
                                          std::optional<ShapeRef> recurrentBias,
                                          const ShapeError &emitError) {
  std::optional<int64_t> units =
      checkRecurrentKernel(cell, recurrentKernel, "", emitError);
  if (!units)
    return std::nullopt;
  int64_t columns = cell.gateBlocks * *units;
  if (gates.size() != 3 || gates[2] != columns)
    return emitError() << "port 'gates' expects [time, batch, " << columns
                       << "] (" << gateColumns(cell) << "), got "
                       << formatDims(gates);
  if (cell.recurrentBias || recurrentBias) {
    if (!cell.recurrentBias)
      return emitError() << "port 'recurrent_bias' is not read by the '"
                         << cell.name() << "' cell";
    if (!checkBias(cell, *units, recurrentBias, "recurrent_bias", emitError))
      return std::nullopt;
  }
  return Shape{gates[0] + 1, cell.stateSlots, gates[1], *units};
}

std::optional<Shape>
inferRecurrentCellShape(const RecurrentCell &cell, ShapeRef gates,
                        ShapeRef recurrentKernel,
                        std::optional<ShapeRef> recurrentBias, ShapeRef state,
                        const ShapeError &emitError) {
  if (state.size() != 3 || state[0] != cell.stateSlots)
    return emitError() << "port 'state' expects [" << cell.stateSlots
                       << ", batch, units]"
                       << (cell.stateSlots == 2 ? " (h, c)" : " (h)")
                       << ", got " << formatDims(state);
  int64_t batch = state[1], units = state[2];
  int64_t columns = cell.gateBlocks * units;
  if (recurrentKernel != ShapeRef{units, columns})
    return emitError() << "port 'recurrent_kernel' expects "
                       << formatDims({units, columns}) << " ([units, "
                       << gateColumns(cell) << "]), got "
                       << formatDims(recurrentKernel);
  if (gates != ShapeRef{batch, columns})
    return emitError() << "port 'gates' expects "
                       << formatDims({batch, columns}) << " ([batch, "
                       << gateColumns(cell) << "]), got " << formatDims(gates);
  if (cell.recurrentBias &&
      !checkBias(cell, units, recurrentBias, "recurrent_bias", emitError))
    return std::nullopt;
  return state.vec();
}

} // namespace sora::particle
