//===- TuningDatabase.h - Tuned schedules, one JSON file --------*- C++ -*-===//
//
// What sora-tune found and soracc --tuning-db reads: per kernel signature,
// target and thread count, the winning schedule with its measured median
// and the heuristics' median. One JSON file (docs/tuning.md shows it); runs
// merge into it, the newer entry replacing an older one for the same key.
// Plain C++.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNING_TUNINGDATABASE_H
#define SORA_TUNING_TUNINGDATABASE_H

#include "sora/Core/Schedule.h"

#include <string>
#include <vector>

namespace sora {

struct TuningEntry {
  std::string kernel; ///< kernelSignature()
  std::string target; ///< resolved target name ("x86-64-avx2", not "host")
  int threads = 1;
  ScheduleRecord schedule;        ///< the winner
  ScheduleRecord defaultSchedule; ///< what the heuristics chose
  double medianUs = 0, defaultMedianUs = 0;
  int trials = 0;
  /// False while a run is still searching this kernel (interrupted runs
  /// leave it so; --resume continues it).
  bool complete = true;
  std::string date;    ///< ISO 8601, UTC
  std::string machine; ///< CPU model and host name

  double speedup() const {
    return medianUs > 0 ? defaultMedianUs / medianUs : 1.0;
  }
};

/// Why a database could not be read or written: the file, the line and
/// column for text that is not JSON (else 0), and what is wrong (naming the
/// entry at fault: "entries[3].schedule: ...").
struct DatabaseError {
  std::string path;
  int line = 0, column = 0;
  std::string message;

  /// "path[:line:col]: error: message".
  std::string str() const;
};

class TuningDatabase {
public:
  /// Reads `path`; a missing file is an empty database when `mayBeMissing`.
  bool load(const std::string &path, bool mayBeMissing, DatabaseError &error);
  /// Writes the database to `path` through a temporary file renamed over
  /// it, so that a reader never sees half a database.
  bool save(const std::string &path, DatabaseError &error) const;

  /// The entry for this key, or null.
  const TuningEntry *find(const std::string &kernel, const std::string &target,
                          int threads) const;
  /// The thread counts the database tunes `kernel` for on `target`.
  std::vector<int> threadCounts(const std::string &kernel,
                                const std::string &target) const;
  /// Adds `entry`, replacing the one with its key.
  void put(const TuningEntry &entry);

  const std::vector<TuningEntry> &entries() const { return all; }

private:
  std::vector<TuningEntry> all;
};

/// This machine for the database: "CPU model name (host name)".
std::string thisMachine();
/// The current time as ISO 8601 UTC ("2026-12-04T05:06:07Z").
std::string utcNow();

} // namespace sora

#endif // SORA_TUNING_TUNINGDATABASE_H
