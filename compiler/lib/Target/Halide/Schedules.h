//===- Schedules.h - Applying a ScheduleRecord to a kernel's Funcs --------===//
//
// Every loop-nest decision lives here, driven only by the ScheduleRecord and
// the static shapes (and, where a run chooses extents, the least of them):
// no schedule is keyed on a model or kernel name.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TARGET_HALIDE_SCHEDULES_H
#define SORA_TARGET_HALIDE_SCHEDULES_H

#include "Algorithms.h"

namespace sora {

/// Schedules an anchor's stages around `tiled`, the Func whose loop nest holds
/// them: the kernel output when its shape is the anchor's (the epilogue is
/// then computed in the same loop nest), else the anchor's own value.
void scheduleAnchor(const OpStages &anchor, Halide::Func tiled,
                    const ScheduleRecord &schedule);

/// Schedules the stages of an op that do not live in the kernel output's
/// loop nest: a recurrence's gate, cell and hidden buffers, a copy's
/// lookups. Called for every op.
void scheduleOwnStages(const OpStages &stages, const ScheduleRecord &schedule);

/// Schedules a pure Func over `value`'s shape that is not an anchor's loop
/// nest: vectorized along the innermost dimension, parallel over the
/// outermost.
void scheduleElementwise(Halide::Func func, const Value &value,
                         const ScheduleRecord &schedule);

/// Schedules `output`, a transpose's result (plus an epilogue), in blocks of
/// vector x vector elements when the transpose moves the innermost dimension
/// (read along one, written along the other, the block transposed in
/// registers) and both extents are whole vectors. Returns false, having
/// scheduled nothing, otherwise.
bool scheduleBlockTranspose(const OpStages &transpose, Halide::Func output,
                            const ScheduleRecord &schedule);

/// Schedules every stage of the pipeline that computes `output` on the GPU
/// (GpuSchedule.cpp): `output` and each Func with update definitions as GPU
/// loop nests of `schedule.gpuThreads`-thread blocks, `hostStages` at the
/// root on the host, the rest inlined.
void scheduleGpu(Halide::Func output,
                 const std::vector<Halide::Func> &hostStages,
                 const ScheduleRecord &schedule);

} // namespace sora

#endif // SORA_TARGET_HALIDE_SCHEDULES_H
