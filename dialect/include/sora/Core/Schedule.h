//===- Schedule.h - A kernel's schedule record ------------------*- C++ -*-===//
//
// How a kernel is scheduled, as plain data: printed in the IR as
// `#particle.schedule<...>`, stored in the tuning database, searched by the
// autotuner. The fields come from ScheduleFields.def. Plain C++ (sora/Core).
//
//===----------------------------------------------------------------------===//
#ifndef SORA_CORE_SCHEDULE_H
#define SORA_CORE_SCHEDULE_H

#include <cstdint>
#include <optional>
#include <string>

namespace sora {

/// A complete schedule: every field has a value. Fields a kernel's family
/// does not read are ignored.
struct ScheduleRecord {
#define SORA_SCHEDULE_FIELD(member, key, fallback, min, max)                   \
  int member = fallback;
#include "sora/Core/ScheduleFields.def"
  /// Not a field: set by the Halide backend when the kernel is compiled for
  /// a GPU (an algorithm may then differ, e.g. where a check runs).
  bool gpu = false;
};

/// A schedule some of whose fields are chosen (a hand-written record, a
/// tuning database entry); the others come from the target's defaults.
struct PartialSchedule {
#define SORA_SCHEDULE_FIELD(member, key, fallback, min, max)                   \
  std::optional<int64_t> member;
#include "sora/Core/ScheduleFields.def"

  /// Every field of `record`.
  static PartialSchedule of(const ScheduleRecord &record);
  /// `defaults` with the fields this record chooses.
  ScheduleRecord complete(const ScheduleRecord &defaults) const;
  /// Whether every field is chosen.
  bool isComplete() const;

  friend bool operator==(const PartialSchedule &a, const PartialSchedule &b);
};

/// One field of the record, for code that walks them all (printers,
/// parsers, the tuning database).
struct ScheduleField {
  const char *key;
  std::optional<int64_t> PartialSchedule::*member;
  int64_t min, max;
};
/// The fields in ScheduleFields.def order; `count` receives their number.
const ScheduleField *scheduleFields(size_t &count);

/// Checks the chosen fields of `record`: each in its range, tile_cols a
/// multiple of vector, the register tile within reason. Returns an empty
/// string if it is valid, else a message.
std::string checkSchedule(const PartialSchedule &record);

/// The column panel of a contraction with `cols` output columns under
/// `schedule`: its tile_cols, at most `cols` rounded up to whole vectors.
/// The register tile is this wide, and weights packed for the kernel (at
/// compile time, or per call) are in panels this wide.
int64_t contractionPanel(const ScheduleRecord &schedule, int64_t cols);

} // namespace sora

#endif // SORA_CORE_SCHEDULE_H
