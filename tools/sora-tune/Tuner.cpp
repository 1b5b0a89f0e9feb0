//===- Tuner.cpp - Search and measure each kernel's schedules -------------===//

#include "Tuner.h"

#include "sora/Core/KernelSpecText.h"
#include "sora/Tuning/CostModel.h"
#include "sora/Tuning/Runner.h"
#include "sora/Tuning/ScheduleSpace.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>

namespace sora {
namespace {

std::atomic<bool> stopRequested{false};

/// A core's own cache (L2 here): operands beyond it are flushed between
/// timed runs.
constexpr int64_t kCoreCacheBytes = 1 << 20;

/// The last-level cache's size from sysfs (32 MiB if it does not say).
int64_t lastLevelCacheBytes() {
  int64_t largest = 0;
  for (int index = 0; index < 8; ++index) {
    std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" +
                     std::to_string(index) + "/size");
    std::string text;
    if (!(in >> text))
      break;
    int64_t size = std::strtoll(text.c_str(), nullptr, 10);
    if (text.back() == 'K')
      size <<= 10;
    else if (text.back() == 'M')
      size <<= 20;
    largest = std::max(largest, size);
  }
  return largest > 0 ? largest : int64_t(32) << 20;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string format(const char *pattern, double a, double b = 0, double c = 0) {
  char text[128];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

struct Trial {
  ScheduleRecord schedule;
  bool ok = false;
  double medianUs = 0;
  std::string failure;
};

/// Compiles and times candidates of one kernel.
class Measurer {
public:
  Measurer(const TuneOptions &options, const TunableKernel &kernel, int index)
      : options(options), kernel(kernel),
        prefix(options.workDir + "/k" + std::to_string(index)),
        flushMiB(flushFor(kernel)) {}

  /// Runs that time a kernel of `medianUs` for about 0.1 s (0.15 s and
  /// fewer runs when each run first flushes the caches).
  int runsFor(double medianUs) const {
    if (flushMiB)
      return (int)std::clamp(1.5e5 / (medianUs + 5000.0), 5.0, 40.0);
    return (int)std::clamp(1e5 / std::max(medianUs, 0.01), 10.0, 2000.0);
  }

  /// Times `schedule` over `runs` runs, compiling it first unless a library
  /// for it is kept; the first call's output (the heuristics' schedule) is
  /// what later outputs must match.
  Trial measure(const ScheduleRecord &schedule, int runs) {
    Trial trial;
    trial.schedule = schedule;
    std::string key = formatSchedule(schedule);
    auto kept = libraries.find(key);
    std::string library;
    if (kept != libraries.end()) {
      library = kept->second;
    } else {
      int candidate = counter++;
      std::string stem = prefix + "_c" + std::to_string(candidate);
      std::ofstream model(stem + ".mlir");
      model << kernel.modelWith(schedule);
      if (!model.flush())
        return fail(trial, "cannot write " + stem + ".mlir");
      library = stem + ".so";
      CommandResult compiled = runCommand(
          {options.soracc, stem + ".mlir", "--random-weights=1",
           "--target=" + options.target->name, "-j", "1", "-o", library},
          runnerFor(options, candidate), 300, stopping);
      if (!compiled.ok())
        return fail(trial,
                    "soracc: " + compiled.describe() + lastLine(compiled));
      libraries[key] = library;
    }
    std::string outputs = library + ".out";
    CommandResult ran = runCommand(
        withFlush({options.soraRun, library, "--threads",
                   std::to_string(options.threads), "--seed", "1", "--bench",
                   std::to_string(runs), "--json", "-o", outputs}),
        runnerFor(options, 0), 120, stopping);
    if (!ran.ok())
      return fail(trial, "sora-run: " + ran.describe() + lastLine(ran));
    size_t at = ran.output.rfind("\"median_us\":");
    if (at == std::string::npos)
      return fail(trial, "sora-run printed no median");
    trial.medianUs = std::strtod(ran.output.c_str() + at + 12, nullptr);
    std::vector<float> output;
    if (!readNpy(outputs + "/result.npy", output))
      return fail(trial, "no readable result.npy");
    std::string why;
    if (reference.empty())
      reference = output;
    else if (!matches(output, reference, why))
      return fail(trial, why);
    trial.ok = true;
    return trial;
  }

  /// Deletes the libraries of schedules other than those of `keep` (the
  /// search's finalists so far): a kernel's trials would fill the disk
  /// otherwise.
  void keepOnly(const std::vector<const Trial *> &keep) {
    for (auto it = libraries.begin(); it != libraries.end();) {
      bool wanted = std::any_of(keep.begin(), keep.end(), [&](const Trial *t) {
        return formatSchedule(t->schedule) == it->first;
      });
      if (wanted) {
        ++it;
        continue;
      }
      std::remove(it->second.c_str());
      it = libraries.erase(it);
    }
  }

private:
  /// A kernel whose operands outgrow a core's L2 cache reads them from
  /// memory in a whole model (the kernels before it evicted them), not from
  /// the cache its previous run left them in: each timed run first writes
  /// twice the last-level cache.
  static int flushFor(const TunableKernel &kernel) {
    double bytes = 0;
    for (const Shape &arg : kernel.spec.args)
      bytes += 4.0 * (double)numElements(arg);
    return bytes > (double)kCoreCacheBytes
               ? (int)(2 * (lastLevelCacheBytes() >> 20))
               : 0;
  }
  std::vector<std::string> withFlush(std::vector<std::string> argv) const {
    if (flushMiB) {
      argv.push_back("--flush");
      argv.push_back(std::to_string(flushMiB));
    }
    return argv;
  }
  static std::string lastLine(const CommandResult &result) {
    std::string text = result.output;
    while (!text.empty() && text.back() == '\n')
      text.pop_back();
    return text.empty() ? "" : ": " + text.substr(text.rfind('\n') + 1);
  }
  static Trial fail(Trial trial, const std::string &why) {
    trial.failure = why;
    return trial;
  }

  const TuneOptions &options;
  const TunableKernel &kernel;
  std::string prefix;
  int counter = 0;
  std::vector<float> reference;
  std::map<std::string, std::string> libraries; ///< schedule -> .so
  int flushMiB;
};

bool seen(const std::vector<Trial> &trials, const ScheduleRecord &s) {
  return std::any_of(trials.begin(), trials.end(),
                     [&](const Trial &t) { return t.schedule == s; });
}

/// The search over one kernel's space.
class KernelSearch {
public:
  KernelSearch(const TuneOptions &options, const TunableKernel &kernel,
               Measurer &measurer, std::mt19937_64 &random)
      : options(options), measurer(measurer), random(random),
        work(kernelWork(kernel.spec)) {
    space = scheduleSpace(kernel.spec, *options.target);
    std::stable_sort(space.begin(), space.end(),
                     [&](const ScheduleRecord &a, const ScheduleRecord &b) {
                       return estimate(a) < estimate(b);
                     });
  }

  std::vector<Trial> trials; ///< trials[0]: the heuristics' schedule

  /// Measures one more candidate; false when the space is exhausted.
  bool step(int runs) {
    std::optional<ScheduleRecord> next =
        trials.size() % 2 == 1 ? bestUntried() : neighbourOfBest();
    if (!next)
      next = trials.size() % 2 == 1 ? neighbourOfBest() : bestUntried();
    if (!next)
      return false;
    trials.push_back(measurer.measure(*next, runs));
    measurer.keepOnly(finalists());
    return true;
  }

  /// The heuristics' schedule, then the two fastest others that ran.
  std::vector<const Trial *> finalists() const {
    std::vector<const Trial *> others;
    for (size_t i = 1; i < trials.size(); ++i)
      if (trials[i].ok)
        others.push_back(&trials[i]);
    std::sort(others.begin(), others.end(), [](const Trial *a, const Trial *b) {
      return a->medianUs < b->medianUs;
    });
    others.resize(std::min<size_t>(others.size(), 2));
    others.insert(others.begin(), &trials[0]);
    return others;
  }

private:
  double estimate(const ScheduleRecord &s) const {
    return estimateMicros(work, s, *options.target, options.threads);
  }
  std::optional<ScheduleRecord> bestUntried() const {
    for (const ScheduleRecord &s : space)
      if (!seen(trials, s))
        return s;
    return std::nullopt;
  }
  /// A seeded pick among the three best-estimated untried neighbours of
  /// the two fastest measured schedules.
  std::optional<ScheduleRecord> neighbourOfBest() {
    std::vector<const Trial *> fastest;
    for (const Trial &t : trials)
      if (t.ok)
        fastest.push_back(&t);
    std::sort(fastest.begin(), fastest.end(),
              [](const Trial *a, const Trial *b) {
                return a->medianUs < b->medianUs;
              });
    fastest.resize(std::min<size_t>(fastest.size(), 2));
    std::vector<ScheduleRecord> candidates;
    for (const ScheduleRecord &s : space) // in estimate order
      if (!seen(trials, s) &&
          std::any_of(fastest.begin(), fastest.end(), [&](const Trial *t) {
            return oneFieldApart(s, t->schedule);
          }))
        candidates.push_back(s);
    if (candidates.empty())
      return std::nullopt;
    size_t pick = random() % std::min<size_t>(3, candidates.size());
    return candidates[pick];
  }

  const TuneOptions &options;
  Measurer &measurer;
  std::mt19937_64 &random;
  KernelWork work;
  std::vector<ScheduleRecord> space;
};

/// The heuristics' schedule and the fastest two others measured again,
/// interleaved, three times each; the winner and both medians.
Trial confirm(Measurer &measurer, const KernelSearch &search, int runs,
              double &defaultUs) {
  const std::vector<Trial> &trials = search.trials;
  // The finalists that beat the heuristics' schedule in the search.
  std::vector<const Trial *> finalists = search.finalists();
  finalists.erase(std::remove_if(finalists.begin() + 1, finalists.end(),
                                 [&](const Trial *t) {
                                   return t->medianUs >= trials[0].medianUs;
                                 }),
                  finalists.end());
  defaultUs = trials[0].medianUs;
  if (finalists.size() == 1)
    return trials[0];
  std::vector<std::vector<double>> times(finalists.size());
  for (int round = 0; round < 3 && !stopping(); ++round)
    for (size_t i = 0; i < finalists.size(); ++i) {
      Trial again = measurer.measure(finalists[i]->schedule, 2 * runs);
      if (again.ok)
        times[i].push_back(again.medianUs);
    }
  auto median = [](std::vector<double> v) {
    if (v.empty())
      return HUGE_VAL;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  size_t best = 0;
  for (size_t i = 1; i < finalists.size(); ++i)
    if (median(times[i]) < median(times[best]))
      best = i;
  double baseline = median(times[0]);
  if (baseline == HUGE_VAL)
    return trials[0];
  defaultUs = baseline;
  Trial winner = trials[0];
  winner.medianUs = baseline;
  if (best != 0 && median(times[best]) < 0.98 * baseline) {
    winner = *finalists[best];
    winner.medianUs = median(times[best]);
  }
  return winner;
}

} // namespace

void requestStop() { stopRequested = true; }

bool stopping() { return stopRequested.load(); }

std::string runnerFor(const TuneOptions &options, size_t n) {
  if (options.hosts.empty())
    return options.runnerCmd;
  return replaceAll(options.runnerCmd, "{host}",
                    options.hosts[n % options.hosts.size()]);
}

/// The float32 data of a C-order .npy file, or false.
bool readNpy(const std::string &path, std::vector<float> &data) {
  std::ifstream in(path, std::ios::binary);
  char magic[10];
  if (!in.read(magic, 10) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return false;
  size_t headerLength =
      magic[6] == 1 ? (uint8_t)magic[8] | (uint8_t)magic[9] << 8 : 0;
  if (magic[6] != 1)
    return false;
  std::string header(headerLength, '\0');
  if (!in.read(header.data(), (std::streamsize)headerLength) ||
      header.find("'<f4'") == std::string::npos)
    return false;
  std::stringstream rest;
  rest << in.rdbuf();
  std::string bytes = rest.str();
  data.resize(bytes.size() / 4);
  std::memcpy(data.data(), bytes.data(), data.size() * 4);
  return true;
}

/// Whether `got` matches `want` to fp32 reassociation: NaN where it is NaN,
/// else within 1e-4 absolute plus 1e-4 relative.
bool matches(const std::vector<float> &got, const std::vector<float> &want,
             std::string &why) {
  if (got.size() != want.size()) {
    why = "output has " + std::to_string(got.size()) + " values, not " +
          std::to_string(want.size());
    return false;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    bool bothNan = std::isnan(got[i]) && std::isnan(want[i]);
    if (!bothNan &&
        !(std::fabs(got[i] - want[i]) <= 1e-4f + 1e-4f * std::fabs(want[i]))) {
      why = "output[" + std::to_string(i) + "] = " + std::to_string(got[i]) +
            ", the heuristics' schedule gives " + std::to_string(want[i]);
      return false;
    }
  }
  return true;
}

bool tune(const std::vector<TunableKernel> &kernels, const TuneOptions &options,
          std::vector<KernelOutcome> &outcomes, bool &interrupted,
          std::string &error) {
  auto start = std::chrono::steady_clock::now();
  interrupted = false;
  TuningDatabase database;
  DatabaseError dbError;
  if (!database.load(options.database, /*mayBeMissing=*/true, dbError)) {
    error = dbError.str();
    return false;
  }
  std::string machine = thisMachine();
  std::mt19937_64 random(options.seed);
  outcomes.assign(kernels.size(), KernelOutcome());
  std::vector<Measurer> measurers;
  std::vector<KernelSearch> searches;
  for (size_t i = 0; i < kernels.size(); ++i)
    measurers.emplace_back(options, kernels[i], (int)i);
  for (size_t i = 0; i < kernels.size(); ++i)
    searches.emplace_back(options, kernels[i], measurers[i], random);

  std::vector<bool> saved(kernels.size(), false);
  auto save = [&](size_t i, bool complete) {
    KernelOutcome &outcome = outcomes[i];
    saved[i] = true;
    outcome.entry.complete = complete;
    database.put(outcome.entry);
    if (!database.save(options.database, dbError)) {
      error = dbError.str();
      return false;
    }
    return true;
  };
  int trialsUsed = 0;
  auto budgetLeft = [&]() {
    return options.budgetTrials > 0
               ? (double)(options.budgetTrials - trialsUsed)
               : options.budgetSeconds - secondsSince(start);
  };
  auto status = [&](size_t done, const std::string &what, bool notable) {
    if (!options.progress)
      return;
    double best = 1.0;
    for (const KernelOutcome &o : outcomes)
      if (o.entry.trials > 0)
        best = std::max(best, o.entry.speedup());
    std::string left = options.budgetTrials > 0
                           ? std::to_string((int)budgetLeft()) + " trials"
                           : format("%.0f s", std::max(0.0, budgetLeft()));
    options.progress("[" + std::to_string(done) + "/" +
                         std::to_string(kernels.size()) + " kernels, " +
                         std::to_string(trialsUsed) + " trials, best " +
                         format("%.2fx", best) + ", " + left + " left] " + what,
                     notable);
  };

  // Every kernel's heuristics schedule first: the reference output, and the
  // time that decides each kernel's share of the budget.
  std::vector<double> weight(kernels.size(), 0.0);
  size_t done = 0;
  for (size_t i = 0; i < kernels.size() && !stopping(); ++i) {
    KernelOutcome &outcome = outcomes[i];
    outcome.kernel = &kernels[i];
    const TuningEntry *previous = database.find(
        kernels[i].signature, options.target->name, options.threads);
    if (options.resume && previous && previous->complete) {
      outcome.entry = *previous;
      outcome.skipped = true;
      ++done;
      continue;
    }
    Trial first = measurers[i].measure(kernels[i].spec.schedule, 20);
    if (first.ok) // time it properly
      first = measurers[i].measure(kernels[i].spec.schedule,
                                   measurers[i].runsFor(first.medianUs));
    ++trialsUsed;
    if (!first.ok && !stopping()) {
      error = "sora-tune: error: " + kernels[i].names + " (" +
              kernels[i].summary +
              "): the heuristics' schedule fails: " + first.failure;
      return false;
    }
    searches[i].trials.push_back(first);
    // A resumed kernel continues from the best schedule found before.
    if (options.resume && previous && !(previous->schedule == first.schedule))
      searches[i].trials.push_back(measurers[i].measure(
          previous->schedule, measurers[i].runsFor(first.medianUs)));
    weight[i] = first.medianUs * kernels[i].count;
    TuningEntry &e = outcome.entry;
    e.kernel = kernels[i].signature;
    e.target = options.target->name;
    e.threads = options.threads;
    e.schedule = e.defaultSchedule = first.schedule;
    e.medianUs = e.defaultMedianUs = first.medianUs;
    e.trials = (previous && options.resume ? previous->trials : 0) + 1;
    e.date = utcNow();
    e.machine = machine;
    status(done,
           kernels[i].names + ": heuristics " +
               format("%.1f us", first.medianUs),
           false);
  }

  // Then the search, the heaviest kernels first, each taking its share of
  // what is left.
  std::vector<size_t> order;
  for (size_t i = 0; i < kernels.size(); ++i)
    if (!outcomes[i].skipped)
      order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return weight[a] > weight[b]; });
  double weightLeft = 0;
  for (size_t i : order)
    weightLeft += weight[i];
  for (size_t i : order) {
    if (stopping())
      break;
    KernelOutcome &outcome = outcomes[i];
    KernelSearch &search = searches[i];
    double share = weightLeft > 0 ? weight[i] / weightLeft : 1.0;
    weightLeft -= weight[i];
    double kernelBudget = std::max(0.0, budgetLeft()) * share;
    auto kernelStart = std::chrono::steady_clock::now();
    int kernelTrials = 0;
    int runs = measurers[i].runsFor(search.trials[0].medianUs);
    auto within = [&]() {
      return options.budgetTrials > 0
                 ? kernelTrials + 1 <= kernelBudget
                 : secondsSince(kernelStart) < kernelBudget;
    };
    while (within() && !stopping() && search.step(runs)) {
      ++kernelTrials;
      ++trialsUsed;
      const Trial &t = search.trials.back();
      outcome.failed += !t.ok;
      outcome.entry.trials++;
      if (t.ok && t.medianUs < outcome.entry.medianUs) {
        outcome.entry.schedule = t.schedule;
        outcome.entry.medianUs = t.medianUs;
      }
      status(done,
             kernels[i].names + ": " +
                 (t.ok ? format("%.1f us", t.medianUs)
                       : "a candidate failed (" + formatSchedule(t.schedule) +
                             "): " + t.failure),
             !t.ok);
    }
    if (stopping()) {
      interrupted = true;
      if (!save(i, /*complete=*/false))
        return false;
      break;
    }
    double defaultUs;
    Trial winner = confirm(measurers[i], search, runs, defaultUs);
    outcome.entry.schedule = winner.schedule;
    outcome.entry.medianUs = winner.medianUs;
    outcome.entry.defaultMedianUs = defaultUs;
    outcome.entry.date = utcNow();
    if (!save(i, !stopping()))
      return false;
    ++done;
    status(done,
           kernels[i].names + " " + kernels[i].summary + ": " +
               format("%.2fx (%.1f -> %.1f us)", outcome.entry.speedup(),
                      defaultUs, winner.medianUs) +
               ", " + std::to_string(outcome.entry.trials) + " trials",
           true);
  }
  // Stopped: what was measured of the kernels not saved yet is kept as
  // unfinished, for --resume.
  if (stopping()) {
    interrupted = true;
    for (size_t i : order)
      if (outcomes[i].entry.trials > 0 && !saved[i] && !save(i, false))
        return false;
  }
  interrupted = interrupted || stopping();
  return true;
}

} // namespace sora
