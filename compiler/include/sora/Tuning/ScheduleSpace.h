//===- ScheduleSpace.h - The schedules sora-tune may try --------*- C++ -*-===//
//
// Per kernel family, the values of the fields that family reads
// (docs/tuning.md lists them); every point is a complete record that
// checkSchedule accepts and that fits the kernel (tiles no larger than the
// output, grains no larger than the tasks there are). Fields a family does
// not read keep the heuristics' values, so that no two points compile to
// the same kernel. Plain C++.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNING_SCHEDULESPACE_H
#define SORA_TUNING_SCHEDULESPACE_H

#include "sora/Core/KernelSpec.h"
#include "sora/Target/TargetInfo.h"

#include <vector>

namespace sora {

/// Every schedule sora-tune may try for `spec` on `target`, the heuristics'
/// own among them, in a fixed order.
std::vector<ScheduleRecord> scheduleSpace(const KernelSpec &spec,
                                          const TargetInfo &target);

/// Whether two records differ in exactly one field.
bool oneFieldApart(const ScheduleRecord &a, const ScheduleRecord &b);

bool operator==(const ScheduleRecord &a, const ScheduleRecord &b);

} // namespace sora

#endif // SORA_TUNING_SCHEDULESPACE_H
