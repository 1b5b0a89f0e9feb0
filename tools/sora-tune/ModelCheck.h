//===- ModelCheck.h - Tuned schedules judged inside the whole model -------===//
//
// A kernel timed alone is not the kernel inside its model: there the
// kernels before it leave other data in the caches, and its own neighbours
// compete for them. After the search, sora-tune compiles the whole model
// twice (the heuristics' schedules; the database's), times both with a
// per-kernel profile, interleaved, and puts a kernel's heuristics schedule
// back into the database where its tuned one is not faster in the model.
// Both models must give the same outputs.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNE_MODELCHECK_H
#define SORA_TUNE_MODELCHECK_H

#include "Tuner.h"

#include <string>
#include <vector>

namespace sora {

/// The whole model's median run with the heuristics' schedules and with the
/// database's, before and after the step took back what was slower.
struct ModelTimes {
  bool measured = false; ///< false: no kernel's schedule changed
  double defaultUs = 0, tunedUs = 0;
  int rejected = 0; ///< kernels whose heuristics schedule came back
};

/// Judges every outcome whose schedule is not the heuristics' inside the
/// model `model` and writes what it takes back to the database. Returns
/// false with `error` set when a model does not compile or run, or the two
/// models' outputs differ.
bool checkInModel(const std::string &model,
                  std::vector<KernelOutcome> &outcomes,
                  const TuneOptions &options, ModelTimes &times,
                  std::string &error);

} // namespace sora

#endif // SORA_TUNE_MODELCHECK_H
