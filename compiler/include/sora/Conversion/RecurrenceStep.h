//===- RecurrenceStep.h - How a recurrence kernel is called -----*- C++ -*-===//
//
// A particle.kernel holding a particle.recurrence compiles to a Halide
// kernel for one time step (its cell's KernelOpKind, e.g. LstmCell); the
// graph driver calls
// it once per step on slices of the kernel's operands and result. The body
// may first unpack the recurrent kernel from column panels (PackWeights.cpp:
// one tile's columns contiguous, a sequential stream per step). Both sides
// (KernelSpecBuilder and convert-particle-to-llvm) take the slices from here,
// so they agree by construction.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_CONVERSION_RECURRENCESTEP_H
#define SORA_CONVERSION_RECURRENCESTEP_H

#include "sora/Core/KernelSpec.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"

#include <optional>

namespace sora {

/// `base + step * s` at call s = 0, 1, ..., steps - 1.
struct StepIndex {
  int64_t base, step;
  int64_t at(int64_t s) const { return base + step * s; }
};

/// The calls of a recurrence kernel. Call s reads the gates of one time step
/// (the kernel's first operand is [steps, batch, G * units], time major), the
/// recurrent kernel (and recurrent bias) and the state slot `readSlot`, and
/// writes the state slot `writeSlot` of the result ([steps + 1, S, batch,
/// units]). `initialSlot` is zeroed first.
struct RecurrenceStep {
  const particle::RecurrentCell *cell;
  int64_t steps, batch, units;
  StepIndex time, readSlot, writeSlot;
  int64_t initialSlot;
  /// The body's unpacking of the recurrent kernel from panels, if any.
  particle::UnpackPanelsOp panels;

  int64_t columns() const { return cell->gateBlocks * units; }
  /// The one-step kernel's arguments: gates, recurrent kernel, (recurrent
  /// bias,) state.
  Shape gatesShape() const { return {batch, columns()}; }
  Shape recurrentKernelShape() const { return {units, columns()}; }
  /// The recurrent kernel as the kernel takes it: [units, columns], or
  /// [panels, units, width] when the body unpacks it.
  Shape recurrentKernelArg() const;
  Shape recurrentBiasShape() const { return {columns()}; }
  /// The shape of one state slot, also the step kernel's result.
  Shape stateShape() const { return {cell->stateSlots, batch, units}; }
};

/// The calls of `kernel` when its body is a recurrence, else nullopt.
std::optional<RecurrenceStep> recurrenceStep(particle::KernelOp kernel);

} // namespace sora

#endif // SORA_CONVERSION_RECURRENCESTEP_H
