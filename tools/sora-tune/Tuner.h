//===- Tuner.h - Search and measure each kernel's schedules ------*- C++
//-*-===//
//
// For each kernel signature of a model: the heuristics' schedule is timed
// first (it is also the reference output), then candidates from the
// schedule space, alternately the cost model's best untried point and the
// best untried neighbour of the fastest two measured so far (a seeded
// random pick among the top few, so that a seed fixes the search), each
// compiled by soracc and timed by sora-run in child processes. The fastest
// few are measured again, interleaved with the heuristics' schedule; a
// winner must beat it by 2% to replace it. The budget (time or trials) is
// shared among the kernels by their share of the model's time.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNE_TUNER_H
#define SORA_TUNE_TUNER_H

#include "KernelModels.h"
#include "sora/Target/TargetInfo.h"
#include "sora/Tuning/TuningDatabase.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sora {

struct TuneOptions {
  const TargetInfo *target = nullptr;
  int threads = 1;
  double budgetSeconds = 600; ///< when budgetTrials is 0
  int budgetTrials = 0;
  uint64_t seed = 0;
  bool resume = false;
  std::string database;  ///< -o: read (merged into) and written
  std::string runnerCmd; ///< "" or a template with {cmd} (and {host})
  /// {host} of runnerCmd: compiles go round the hosts, measurements all run
  /// on the first (their times are compared with each other).
  std::vector<std::string> hosts;
  std::string soracc, soraRun, workDir;
  /// soracc's shape options for the whole model (--input-shape, --max-batch).
  std::vector<std::string> shapeArgs;
  /// Progress: called after every trial with a one-line status; `notable`
  /// for a kernel done or a candidate that failed (a line to keep).
  std::function<void(const std::string &line, bool notable)> progress;
};

/// What happened to one kernel signature.
struct KernelOutcome {
  const TunableKernel *kernel = nullptr;
  TuningEntry entry;
  int failed = 0;       ///< candidates that did not compile, run or match
  bool skipped = false; ///< --resume: the database had it complete
  /// The model check (ModelCheck.h): its kernels' summed medians inside the
  /// whole model with the tuned and the heuristics' schedules, and whether
  /// the heuristics' came back.
  double inModelUs = 0, inModelDefaultUs = 0;
  bool rejected = false;
};

/// Tunes `kernels`, writing the database after each kernel. Returns false
/// (with `error` set to the message to print) when the database cannot be read
/// or written or the heuristics' own schedule of a kernel fails to compile or
/// run; an interrupted run returns true with `interrupted` set, having saved
/// what it found.
bool tune(const std::vector<TunableKernel> &kernels, const TuneOptions &options,
          std::vector<KernelOutcome> &outcomes, bool &interrupted,
          std::string &error);

/// Set from a signal handler: stop, save, return.
void requestStop();
/// Whether requestStop() was called.
bool stopping();

/// The runner template with {host} filled in: host `n` round the list
/// (measurements use host 0, whose times are compared with each other).
std::string runnerFor(const TuneOptions &options, size_t n);

/// The float32 data of a C-order .npy file, or false.
bool readNpy(const std::string &path, std::vector<float> &data);

/// Whether `got` matches `want` to fp32 reassociation: NaN where it is NaN,
/// else within 1e-4 absolute plus 1e-4 relative; else `why` says where not.
bool matches(const std::vector<float> &got, const std::vector<float> &want,
             std::string &why);

} // namespace sora

#endif // SORA_TUNE_TUNER_H
