//===- RecurrenceStep.cpp - How a recurrence kernel is called -------------===//

#include "sora/Conversion/RecurrenceStep.h"

using namespace mlir;

namespace sora {

Shape RecurrenceStep::recurrentKernelArg() const {
  if (!panels)
    return recurrentKernelShape();
  ArrayRef<int64_t> packed =
      cast<RankedTensorType>(panels->getOperand(0).getType()).getShape();
  return Shape(packed.begin(), packed.end());
}

std::optional<RecurrenceStep> recurrenceStep(particle::KernelOp kernel) {
  Block &body = kernel.getBody().front();
  // Only a recurrence alone, after the unpacking of its recurrent kernel:
  // anything else in the body is not a step kernel (and the Halide backend
  // rejects the recurrence there).
  auto panels = dyn_cast<particle::UnpackPanelsOp>(body.front());
  auto recurrence = dyn_cast<particle::RecurrenceOp>(
      panels ? panels->getNextNode() : &body.front());
  if (!recurrence || body.getTerminator()->getPrevNode() != recurrence ||
      body.getTerminator()->getOperand(0) != recurrence.getResult())
    return std::nullopt;
  // The step reads the kernel's inputs in the recurrence's operand order.
  if (recurrence->getNumOperands() != body.getNumArguments())
    return std::nullopt;
  for (auto [i, operand] : llvm::enumerate(recurrence->getOperands())) {
    bool unpacked = panels && i == 1 && operand == panels.getResult() &&
                    panels.getInput() == body.getArgument(1);
    if (operand != body.getArgument(i) && !unpacked)
      return std::nullopt;
  }
  ArrayRef<int64_t> gates =
      cast<RankedTensorType>(recurrence.getGates().getType()).getShape();
  const particle::RecurrentCell *cell =
      particle::recurrentCell(recurrence.getCell().str());
  if (!cell)
    return std::nullopt;
  int64_t steps = gates[0];
  RecurrenceStep step{cell,  steps, gates[1], gates[2] / cell->gateBlocks,
                      {},    {},    {},       0,
                      panels};
  if (recurrence.getReverse()) {
    // Time steps T-1 ... 0; the state after time t goes to slot t.
    step.time = {steps - 1, -1};
    step.readSlot = {steps, -1};
    step.writeSlot = {steps - 1, -1};
    step.initialSlot = steps;
  } else {
    step.time = {0, 1};
    step.readSlot = {0, 1};
    step.writeSlot = {1, 1};
    step.initialSlot = 0;
  }
  return step;
}

} // namespace sora
