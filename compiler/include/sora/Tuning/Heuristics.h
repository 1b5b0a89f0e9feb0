//===- Heuristics.h - Default schedules chosen from kernel shapes ---------===//
//
// Schedules are data: a ScheduleRecord per kernel, chosen here from the
// kernel's shapes and the target's vector width until a tuning database
// speaks for the kernel. No Halide, no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNING_HEURISTICS_H
#define SORA_TUNING_HEURISTICS_H

#include "sora/Core/KernelSpec.h"
#include "sora/Target/TargetInfo.h"

namespace sora {

/// Index in `spec.ops` of the kernel's anchor op, the one whose loop nest
/// the schedule tiles, or -1 for a purely elementwise kernel. It is the last
/// anchor (an earlier one is a row producer, isRowProducer), except that a
/// conv computed image by image for a pool (isImageProducer) owns the
/// schedule: the pool's loop only runs over its images.
int anchorOpIndex(const KernelSpec &spec);

/// The op whose loop nest a kernel's schedule tiles: its anchor, else a
/// recurrence step, else null (an elementwise or copy kernel).
const KernelOp *loopNestOwner(const KernelSpec &spec);

/// Vector registers of the target: AVX2 has 16, AVX-512 and NEON 32.
int vectorRegisters(const TargetInfo &target);

/// The schedule heuristics pick for `spec` on `target`: vector width from the
/// target, register tile and weight packing from the anchor's shapes, and
/// parallelism only where the kernel has enough work to pay for it.
ScheduleRecord defaultSchedule(const KernelSpec &spec,
                               const TargetInfo &target);

} // namespace sora

#endif // SORA_TUNING_HEURISTICS_H
