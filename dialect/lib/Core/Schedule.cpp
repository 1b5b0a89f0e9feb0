//===- Schedule.cpp - A kernel's schedule record --------------------------===//

#include "sora/Core/Schedule.h"

#include <algorithm>

namespace sora {

static const ScheduleField kFields[] = {
#define SORA_SCHEDULE_FIELD(member, key, fallback, min, max)                   \
  {key, &PartialSchedule::member, min, max},
#include "sora/Core/ScheduleFields.def"
};

const ScheduleField *scheduleFields(size_t &count) {
  count = sizeof(kFields) / sizeof(kFields[0]);
  return kFields;
}

PartialSchedule PartialSchedule::of(const ScheduleRecord &record) {
  PartialSchedule partial;
#define SORA_SCHEDULE_FIELD(member, key, fallback, min, max)                   \
  partial.member = record.member;
#include "sora/Core/ScheduleFields.def"
  return partial;
}

ScheduleRecord PartialSchedule::complete(const ScheduleRecord &defaults) const {
  ScheduleRecord record = defaults;
#define SORA_SCHEDULE_FIELD(member, key, fallback, min, max)                   \
  if (this->member)                                                            \
    record.member = (int)*this->member;
#include "sora/Core/ScheduleFields.def"
  return record;
}

bool PartialSchedule::isComplete() const {
  for (const ScheduleField &field : kFields)
    if (!(this->*field.member))
      return false;
  return true;
}

bool operator==(const PartialSchedule &a, const PartialSchedule &b) {
  for (const ScheduleField &field : kFields)
    if (a.*field.member != b.*field.member)
      return false;
  return true;
}

/// Bound on the unrolled register tile, far above any useful one: it keeps
/// a bad tuning record from making Halide unroll for minutes.
static constexpr int64_t kMaxTileVectors = 256;

std::string checkSchedule(const PartialSchedule &s) {
  for (const ScheduleField &field : kFields) {
    const std::optional<int64_t> &value = s.*field.member;
    if (value && (*value < field.min || *value > field.max))
      return std::string(field.key) + " = " + std::to_string(*value) +
             " is outside [" + std::to_string(field.min) + ", " +
             std::to_string(field.max) + "]";
  }
  if (s.vector && s.tileCols && *s.tileCols % *s.vector != 0)
    return "tile_cols (" + std::to_string(*s.tileCols) +
           ") must be a multiple of vector (" + std::to_string(*s.vector) + ")";
  if (s.vector && s.tileCols && s.tileRows &&
      *s.tileRows * (*s.tileCols / *s.vector) > kMaxTileVectors)
    return "the register tile (tile_rows x tile_cols / vector) exceeds " +
           std::to_string(kMaxTileVectors) + " vectors";
  return "";
}

int64_t contractionPanel(const ScheduleRecord &schedule, int64_t cols) {
  int64_t vector = schedule.vector;
  return std::min<int64_t>(schedule.tileCols,
                           (cols + vector - 1) / vector * vector);
}

} // namespace sora
