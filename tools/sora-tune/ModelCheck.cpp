//===- ModelCheck.cpp - Tuned schedules judged inside the whole model -----===//

#include "ModelCheck.h"

#include "sora/Tuning/Runner.h"
#include "sora/Tuning/ScheduleSpace.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace sora {
namespace {

/// Rounds of the two models, interleaved, each a fresh sora-run.
constexpr int kRounds = 5;

/// The median of a list of times; HUGE_VAL for none.
double median(std::vector<double> values) {
  if (values.empty())
    return HUGE_VAL;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// One run of sora-run over a model: its median and each kernel's.
struct Timing {
  double medianUs = 0;
  std::map<std::string, double> kernelUs;
};

/// Reads sora-run --json's lines: the profile's kernels, then the bench.
bool parseTiming(const std::string &output, Timing &timing) {
  size_t at = output.rfind("\"median_us\":");
  size_t kernels = output.find("{\"kernels\":[");
  if (at == std::string::npos || kernels == std::string::npos)
    return false;
  timing.medianUs = std::strtod(output.c_str() + at + 12, nullptr);
  size_t end = output.find(']', kernels);
  const std::string nameKey = "{\"name\":\"", medianKey = "\"median_us\":";
  for (size_t pos = output.find(nameKey, kernels);
       pos != std::string::npos && pos < end;
       pos = output.find(nameKey, pos + 1)) {
    size_t nameStart = pos + nameKey.size();
    size_t nameEnd = output.find('"', nameStart);
    size_t value = output.find(medianKey, nameEnd);
    if (nameEnd == std::string::npos || value == std::string::npos)
      return false;
    timing.kernelUs[output.substr(nameStart, nameEnd - nameStart)] =
        std::strtod(output.c_str() + value + medianKey.size(), nullptr);
  }
  return true;
}

/// The .npy files sora-run -o wrote into `dir`, by name.
std::vector<std::string> outputFiles(const std::string &dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    names.push_back(llvm::sys::path::filename(it->path()).str());
  std::sort(names.begin(), names.end());
  return names;
}

std::string fileBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

/// Compiles, runs and times the two models.
class ModelPair {
public:
  ModelPair(const std::string &model, const TuneOptions &options)
      : model(model), options(options) {}

  /// Compiles the heuristics' model (`tuned` false) or the database's.
  bool compile(bool tuned, std::string &error) {
    std::vector<std::string> argv{options.soracc,
                                  model,
                                  "--random-weights=1",
                                  "--target=" + options.target->name,
                                  "-o",
                                  library(tuned)};
    argv.insert(argv.end(), options.shapeArgs.begin(), options.shapeArgs.end());
    if (tuned) {
      argv.push_back("--tuning-db=" + options.database);
      argv.push_back("--tuning-threads=" + std::to_string(options.threads));
    }
    CommandResult compiled = runCommand(argv, runner(), 1200, stopping);
    if (!compiled.ok())
      error = "soracc " + model + (tuned ? " --tuning-db" : "") + ": " +
              compiled.describe() + "\n" + compiled.output;
    return compiled.ok();
  }

  /// Times one model over `runs` runs with a kernel profile; `outputs`
  /// (when not empty) receives its outputs.
  bool time(bool tuned, int runs, const std::string &outputs, Timing &timing,
            std::string &error) {
    std::vector<std::string> argv{
        options.soraRun, library(tuned),
        "--threads",     std::to_string(options.threads),
        "--seed",        "1",
        "--bench",       std::to_string(runs),
        "--profile",     "--json"};
    if (!outputs.empty()) {
      argv.push_back("-o");
      argv.push_back(outputs);
    }
    CommandResult ran = runCommand(argv, runner(), 600, stopping);
    if (!ran.ok() || !parseTiming(ran.output, timing)) {
      error = "sora-run " + library(tuned) + ": " + ran.describe() + "\n" +
              ran.output;
      return false;
    }
    return true;
  }

  std::string dir(const char *name) const {
    return options.workDir + "/model_" + name;
  }

private:
  std::string library(bool tuned) const {
    return dir(tuned ? "tuned" : "heuristics") + ".so";
  }
  /// Everything runs on the first host: the times are compared.
  std::string runner() const { return runnerFor(options, 0); }

  std::string model;
  const TuneOptions &options;
};

/// Whether the two models' outputs agree (floats to 1e-4, others exactly).
bool sameOutputs(const std::string &heuristics, const std::string &tuned,
                 std::string &error) {
  std::vector<std::string> names = outputFiles(heuristics);
  if (names.empty() || names != outputFiles(tuned)) {
    error = "the tuned model does not write the outputs the heuristics' "
            "model writes";
    return false;
  }
  for (const std::string &name : names) {
    std::string a = heuristics + "/" + name, b = tuned + "/" + name;
    std::vector<float> want, got;
    std::string why;
    bool floats = readNpy(a, want) && readNpy(b, got);
    if (floats ? !matches(got, want, why) : fileBytes(a) != fileBytes(b)) {
      error = "the tuned model's output '" + name +
              "' differs from the heuristics' model's" +
              (why.empty() ? "" : ": " + why);
      return false;
    }
  }
  return true;
}

/// Each model's median run and each of its kernels' medians over rounds.
struct Rounds {
  std::vector<double> runUs[2];
  std::map<std::string, std::vector<double>> kernelUs[2];

  void add(bool tuned, const Timing &timing) {
    runUs[tuned].push_back(timing.medianUs);
    for (const auto &[name, us] : timing.kernelUs)
      kernelUs[tuned][name].push_back(us);
  }
  /// The summed medians of the kernels named in `names` ("_sora_k1, ...").
  double kernelsUs(bool tuned, const std::string &names) const {
    double sum = 0;
    std::stringstream list(names);
    for (std::string name; std::getline(list >> std::ws, name, ',');) {
      auto it = kernelUs[tuned].find(name);
      if (it == kernelUs[tuned].end())
        return HUGE_VAL;
      sum += median(it->second);
    }
    return sum;
  }
};

/// Times both models `kRounds` times, interleaved (the order alternating).
bool measure(ModelPair &pair, int runs, Rounds &rounds, std::string &error) {
  for (int round = 0; round < kRounds; ++round)
    for (int i = 0; i < 2; ++i) {
      bool tuned = (round + i) % 2 == 1;
      Timing timing;
      if (!pair.time(tuned, runs, "", timing, error))
        return false;
      rounds.add(tuned, timing);
    }
  return true;
}

} // namespace

bool checkInModel(const std::string &model,
                  std::vector<KernelOutcome> &outcomes,
                  const TuneOptions &options, ModelTimes &times,
                  std::string &error) {
  times = ModelTimes();
  std::vector<KernelOutcome *> changed;
  for (KernelOutcome &o : outcomes)
    if (o.kernel && o.entry.trials > 0 &&
        !(o.entry.schedule == o.entry.defaultSchedule))
      changed.push_back(&o);
  if (changed.empty())
    return true;

  ModelPair pair(model, options);
  if (!pair.compile(false, error) || !pair.compile(true, error))
    return false;
  // A first run of each: the outputs to compare, and how many runs time
  // the model for about 0.2 s.
  Timing first[2];
  for (bool tuned : {false, true})
    if (!pair.time(tuned, 3, pair.dir(tuned ? "tuned_out" : "heuristics_out"),
                   first[tuned], error))
      return false;
  if (!sameOutputs(pair.dir("heuristics_out"), pair.dir("tuned_out"), error))
    return false;
  int runs =
      (int)std::clamp(2e5 / std::max(first[0].medianUs, 1.0), 5.0, 2000.0);

  Rounds rounds;
  if (!measure(pair, runs, rounds, error))
    return false;
  times.measured = true;
  times.defaultUs = median(rounds.runUs[0]);
  times.tunedUs = median(rounds.runUs[1]);

  TuningDatabase database;
  DatabaseError dbError;
  if (!database.load(options.database, /*mayBeMissing=*/false, dbError)) {
    error = dbError.str();
    return false;
  }
  for (KernelOutcome *o : changed) {
    o->inModelDefaultUs = rounds.kernelsUs(false, o->kernel->names);
    o->inModelUs = rounds.kernelsUs(true, o->kernel->names);
    if (o->inModelUs < o->inModelDefaultUs)
      continue;
    // Not faster where it counts: the heuristics' schedule comes back.
    o->rejected = true;
    o->entry.schedule = o->entry.defaultSchedule;
    o->entry.medianUs = o->entry.defaultMedianUs;
    database.put(o->entry);
    ++times.rejected;
  }
  if (times.rejected == 0)
    return true;
  if (!database.save(options.database, dbError)) {
    error = dbError.str();
    return false;
  }
  // The model as the database now has it, timed against the heuristics'.
  Rounds final;
  if (!pair.compile(true, error) || !measure(pair, runs, final, error))
    return false;
  times.defaultUs = median(final.runUs[0]);
  times.tunedUs = median(final.runUs[1]);
  return true;
}

} // namespace sora
