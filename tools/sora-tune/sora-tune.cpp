//===- sora-tune.cpp - Autotune a model's kernel schedules ----------------===//
//
//   sora-tune model.{json,sora,onnx} -o tuning.json [--target T]
//             [--threads N] [--budget 10m|600s|500trials] [--seed S]
//             [--resume] [--runner local|slurm [--slurm-args ARGS]]
//             [--runner-cmd 'TEMPLATE with {cmd}' [--hosts H,...]]
//             [--work-dir DIR] [--input-shape NAME=d0,d1,...]
//             [--max-batch N] [--max-sequence N]
//
// Finds, for every kernel of the model, the fastest schedule on this
// machine and merges it into the tuning database that
// `soracc --tuning-db` reads. Ctrl-C saves what was found; --resume
// continues. docs/tuning.md describes the search.
//
//===----------------------------------------------------------------------===//

#include "KernelModels.h"
#include "ModelCheck.h"
#include "Tuner.h"

#include "sora/Frontend/DiagnosticPrinter.h"
#include "sora/Frontend/OnnxImporter.h"
#include "sora/Frontend/WeightStore.h"
#include "sora/Pipeline/Compile.h"
#include "sora/Pipeline/Pipeline.h"
#include "sora/Pipeline/Registration.h"
#include "sora/Support/Version.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace {

const char *kUsage =
    "usage: sora-tune MODEL -o TUNING.json [--target T] [--threads N]\n"
    "                 [--budget 10m|600s|500trials] [--seed S] [--resume]\n"
    "                 [--runner local|slurm [--slurm-args ARGS]]\n"
    "                 [--runner-cmd 'TEMPLATE with {cmd}' [--hosts H,...]]\n"
    "                 [--work-dir DIR]\n"
    "                 [--keep-work]\n"
    "                 [--input-shape NAME=d0,d1,...] [--max-batch N]\n"
    "                 [--max-sequence N]\n"
    "\n"
    "Tunes the schedule of every kernel of MODEL (.json, .sora, .onnx) on\n"
    "this machine and merges the winners into TUNING.json, which\n"
    "`soracc --tuning-db TUNING.json` reads.\n"
    "  --target T      soracc target (default host)\n"
    "  --threads N     threads the model will run with (default: all CPUs)\n"
    "  --budget B      time (10m, 600s) or trials (500trials); default 10m\n"
    "  --seed S        seed of the search's random choices (default 0)\n"
    "  --resume        keep the kernels TUNING.json has finished, continue\n"
    "                  unfinished ones\n"
    "  --runner R      where compiles and measurements run: here (local,\n"
    "                  the default) or as Slurm job steps (slurm: srun,\n"
    "                  one exclusive node each; the work directory must be\n"
    "                  on a file system the nodes share)\n"
    "  --slurm-args A  more srun arguments ('--partition=tune')\n"
    "  --runner-cmd T  run each compile and measurement through T, {cmd}\n"
    "                  standing for the command ('ssh host {cmd}')\n"
    "  --hosts H,...   {host} of the template: compiles go round the hosts,\n"
    "                  measurements run on the first ('ssh {host} {cmd}')\n"
    "  --work-dir DIR  where the candidates' files go (default: $TMPDIR;\n"
    "                  with --runner slurm, the database's directory)\n"
    "  --keep-work     keep the candidates' files (printed at the end)\n"
    "  --input-shape S pin an ONNX input's dynamic dimensions, as soracc\n"
    "  --max-batch N   tune the kernels soracc --max-batch N compiles\n"
    "  --max-sequence N  tune the kernels soracc --max-sequence N compiles\n";

struct Arguments {
  std::string input, output, target = "host", budget = "10m", runnerCmd,
                             runner = "local", slurmArgs, workDir, hosts;
  std::vector<std::string> inputShapes; ///< --input-shape, as given
  int64_t maxBatch = 0, maxSequence = 0;
  int threads = 0;
  uint64_t seed = 0;
  bool resume = false, keepWork = false;
};

bool fail(const std::string &message) {
  std::cerr << "sora-tune: error: " << message << "\n";
  return false;
}

bool parseInteger(const std::string &text, int64_t min, int64_t max,
                  int64_t &value) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < min || v > max)
    return false;
  value = v;
  return true;
}

bool parseArguments(int argc, char **argv, Arguments &args) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    size_t equals = arg.find('=');
    bool inlineValue = arg.rfind("--", 0) == 0 && equals != std::string::npos;
    if (inlineValue) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    }
    auto next = [&](std::string &out) {
      if (inlineValue) {
        out = value;
        return true;
      }
      if (i + 1 >= argc)
        return fail(arg + " needs a value");
      out = argv[++i];
      return true;
    };
    int64_t number;
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--version") {
      std::cout << sora::versionText("sora-tune") << "\n";
      std::exit(0);
    } else if (arg == "-o") {
      if (!next(args.output))
        return false;
    } else if (arg == "--target") {
      if (!next(args.target))
        return false;
    } else if (arg == "--budget") {
      if (!next(args.budget))
        return false;
    } else if (arg == "--runner-cmd") {
      if (!next(args.runnerCmd))
        return false;
      if (args.runnerCmd.find("{cmd}") == std::string::npos)
        return fail("--runner-cmd needs {cmd} where the command goes");
    } else if (arg == "--runner") {
      if (!next(args.runner))
        return false;
      if (args.runner != "local" && args.runner != "slurm")
        return fail("--runner takes local or slurm, not '" + args.runner + "'");
    } else if (arg == "--slurm-args") {
      if (!next(args.slurmArgs))
        return false;
    } else if (arg == "--hosts") {
      if (!next(args.hosts))
        return false;
    } else if (arg == "--work-dir") {
      if (!next(args.workDir))
        return false;
    } else if (arg == "--threads") {
      if (!next(value) || !parseInteger(value, 1, 1024, number))
        return fail("--threads takes a count from 1 to 1024");
      args.threads = (int)number;
    } else if (arg == "--seed") {
      if (!next(value) || !parseInteger(value, 0, INT64_MAX, number))
        return fail("--seed takes a non-negative integer");
      args.seed = (uint64_t)number;
    } else if (arg == "--input-shape") {
      if (!next(value))
        return false;
      args.inputShapes.push_back(value);
    } else if (arg == "--max-batch") {
      if (!next(value) || !parseInteger(value, 1, 1 << 20, number))
        return fail("--max-batch takes a count from 1 to 1048576");
      args.maxBatch = number;
    } else if (arg == "--max-sequence") {
      if (!next(value) || !parseInteger(value, 2, 1 << 20, number))
        return fail("--max-sequence takes a count from 2 to 1048576");
      args.maxSequence = number;
    } else if (arg == "--resume" && !inlineValue) {
      args.resume = true;
    } else if (arg == "--keep-work" && !inlineValue) {
      args.keepWork = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return fail("unknown option '" + arg + "' (see sora-tune --help)");
    } else if (args.input.empty()) {
      args.input = arg;
    } else {
      return fail("more than one model given ('" + args.input + "', '" + arg +
                  "')");
    }
  }
  if (args.input.empty())
    return fail("no model given (see sora-tune --help)");
  if (args.output.empty())
    return fail("no database given: -o TUNING.json");
  if (args.runner == "slurm" && !args.runnerCmd.empty())
    return fail("--runner slurm and --runner-cmd both say how commands run; "
                "give one");
  if (args.runner != "slurm" && !args.slurmArgs.empty())
    return fail("--slurm-args needs --runner slurm");
  bool hostPlaceholder = args.runnerCmd.find("{host}") != std::string::npos;
  if (!args.hosts.empty() && !hostPlaceholder)
    return fail("--hosts needs a --runner-cmd with {host} where a host goes");
  if (hostPlaceholder && args.hosts.empty())
    return fail("--runner-cmd has {host}: name the hosts with --hosts H,...");
  return true;
}

/// The runner template of --runner slurm: every compile and measurement a
/// job step of its own on one whole node (nothing else runs beside a
/// measurement), its exit status srun's.
std::string slurmTemplate(const std::string &slurmArgs) {
  std::string cmd = "srun --quiet --job-name=sora-tune --nodes=1 --ntasks=1 "
                    "--exclusive";
  if (!slurmArgs.empty())
    cmd += " " + slurmArgs;
  return cmd + " {cmd}";
}

/// "10m", "90s", "1h", "500trials" into seconds or trials.
bool parseBudget(const std::string &text, sora::TuneOptions &options) {
  struct Unit {
    const char *suffix;
    double seconds; // 0: trials
  };
  for (Unit unit :
       {Unit{"trials", 0}, Unit{"h", 3600}, Unit{"m", 60}, Unit{"s", 1}}) {
    size_t length = std::strlen(unit.suffix);
    if (text.size() <= length ||
        text.compare(text.size() - length, length, unit.suffix) != 0)
      continue;
    int64_t count;
    if (!parseInteger(text.substr(0, text.size() - length), 1, 1 << 30, count))
      break;
    if (unit.seconds == 0)
      options.budgetTrials = (int)count;
    else
      options.budgetSeconds = (double)count * unit.seconds;
    return true;
  }
  return fail("--budget '" + text +
              "' is not a time (10m, 600s, 1h) or a trial count (500trials)");
}

/// Whether the database can be written where -o says, found out before
/// minutes of tuning rather than after.
bool writable(const std::string &path) {
  std::string probe = path + ".probe" + std::to_string(getpid());
  FILE *file = std::fopen(probe.c_str(), "w");
  if (!file)
    return fail("cannot write '" + path + "': " + std::strerror(errno));
  std::fclose(file);
  std::remove(probe.c_str());
  return true;
}

std::string ownDirectory() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return ".";
  path[n] = 0;
  return llvm::sys::path::parent_path(path).str();
}

void onInterrupt(int) { sora::requestStop(); }

std::string padded(std::string text, size_t width) {
  if (text.size() > width)
    text = text.substr(0, width - 3) + "...";
  return text + std::string(width - text.size() + 2, ' ');
}

void printReport(const std::vector<sora::KernelOutcome> &outcomes,
                 const sora::TuneOptions &options, double seconds,
                 const sora::ModelTimes &model) {
  std::printf("%s%s%s%10s %10s %8s %7s %7s\n", padded("kernel", 22).c_str(),
              padded("particles", 36).c_str(), "count", "heur. us", "tuned us",
              "speedup", "trials", "failed");
  double before = 0, after = 0, logSum = 0;
  int measured = 0, trials = 0;
  for (const sora::KernelOutcome &o : outcomes) {
    if (!o.kernel || o.entry.trials == 0)
      continue;
    const sora::TuningEntry &e = o.entry;
    char note[160] = "";
    if (o.inModelUs > 0)
      std::snprintf(note, sizeof note, "  (in the model %.1f -> %.1f us%s)",
                    o.inModelDefaultUs, o.inModelUs,
                    o.rejected ? ": heuristics kept" : "");
    if (o.skipped)
      std::snprintf(note + std::strlen(note), sizeof note - std::strlen(note),
                    "  (from the database)");
    std::printf("%s%s%5d %10.1f %10.1f %7.2fx %7d %7d%s\n",
                padded(o.kernel->names, 22).c_str(),
                padded(o.kernel->summary, 36).c_str(), o.kernel->count,
                e.defaultMedianUs, e.medianUs, e.speedup(), e.trials, o.failed,
                note);
    before += e.defaultMedianUs * o.kernel->count;
    after += e.medianUs * o.kernel->count;
    logSum += std::log(e.speedup());
    ++measured;
    trials += o.skipped ? 0 : e.trials;
  }
  if (measured == 0)
    return;
  std::printf("kernel time (count x median): %.1f -> %.1f us (%.2fx); "
              "geometric mean speedup %.2fx over %d kernels\n",
              before, after, after > 0 ? before / after : 1.0,
              std::exp(logSum / measured), measured);
  std::printf("%d trials in %.0f s on %d thread(s), target %s; database %s\n",
              trials, seconds, options.threads, options.target->name.c_str(),
              options.database.c_str());
  if (model.measured)
    std::printf("in the model (profiled runs): %.1f -> %.1f us per run "
                "(%.2fx); %d tuned "
                "schedule(s) not faster there, the heuristics' kept\n",
                model.defaultUs, model.tunedUs,
                model.tunedUs > 0 ? model.defaultUs / model.tunedUs : 1.0,
                model.rejected);
  else
    std::printf("in the model: every kernel keeps the heuristics' schedule\n");
}

} // namespace

int main(int argc, char **argv) {
  Arguments args;
  if (!parseArguments(argc, argv, args))
    return 1;
  sora::TuneOptions options;
  if (!parseBudget(args.budget, options) || !writable(args.output))
    return 1;
  options.target = sora::lookupTarget(args.target);
  if (!options.target)
    return fail("unknown target '" + args.target +
                "'; known targets: " + sora::targetNames()),
           1;
  if (options.target->isGpu())
    return fail("target '" + args.target +
                "': tuning GPU kernels is not supported yet (the schedule "
                "space is the CPU's)"),
           1;
  options.threads = args.threads > 0
                        ? args.threads
                        : std::max(1, (int)std::thread::hardware_concurrency());
  options.seed = args.seed;
  options.resume = args.resume;
  options.database = args.output;
  options.runnerCmd =
      args.runner == "slurm" ? slurmTemplate(args.slurmArgs) : args.runnerCmd;
  for (llvm::StringRef rest = args.hosts; !rest.empty();) {
    auto [host, tail] = rest.split(',');
    if (host.empty())
      return fail("--hosts '" + args.hosts + "' has an empty host name"), 1;
    options.hosts.push_back(host.str());
    rest = tail;
  }
  options.soracc = ownDirectory() + "/soracc";
  options.soraRun = ownDirectory() + "/sora-run";

  // The model, fused and scheduled by the heuristics, as soracc sees it.
  mlir::DialectRegistry registry;
  sora::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  sora::DiagnosticPrinter printer(context, sourceMgr, "sora-tune");
  sora::exitOnOutOfMemory("sora-tune");
  sora::CompileOptions compile;
  compile.input = args.input;
  compile.target = options.target->name;
  // Schedules depend on shapes, not values: the model's weights need not
  // be at hand (kernels are timed with random ones).
  compile.randomWeightsSeed = 1;
  for (const std::string &spec : args.inputShapes) {
    std::string problem;
    if (!sora::parseInputShape(spec, compile.inputShapes, problem))
      return fail(problem), 1;
    options.shapeArgs.push_back("--input-shape=" + spec);
  }
  compile.maxBatch = args.maxBatch;
  if (args.maxBatch)
    options.shapeArgs.push_back("--max-batch=" + std::to_string(args.maxBatch));
  compile.maxSequence = args.maxSequence;
  if (args.maxSequence)
    options.shapeArgs.push_back("--max-sequence=" +
                                std::to_string(args.maxSequence));
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<sora::WeightStore> weights;
  if (!sora::loadModel(compile, context, sourceMgr, module, weights))
    return 1;
  sora::PipelineOptions pipeline;
  pipeline.target = options.target->name;
  pipeline.weights = weights.get();
  pipeline.untilSchedules = true;
  mlir::PassManager pm(&context);
  sora::buildSoraccPipeline(pm, pipeline);
  if (mlir::failed(pm.run(*module)))
    return 1;
  mlir::FailureOr<std::vector<sora::TunableKernel>> kernels =
      sora::tunableKernels(*module);
  if (mlir::failed(kernels))
    return 1;

  // Slurm's nodes read and write the candidates' files: by default they go
  // beside the database, not into this machine's $TMPDIR.
  llvm::SmallString<256> prefix("sora-tune"); // relative: in $TMPDIR
  std::string workParent = args.workDir;
  if (workParent.empty() && args.runner == "slurm")
    workParent = llvm::sys::path::parent_path(args.output).str();
  if (!args.workDir.empty() || args.runner == "slurm") {
    prefix = workParent.empty() ? "." : workParent;
    (void)llvm::sys::fs::make_absolute(prefix);
    llvm::sys::path::append(prefix, "sora-tune");
  }
  llvm::SmallString<128> work;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory(prefix, work))
    return fail("cannot create a work directory '" + prefix.str().str() +
                "-*': " + ec.message()),
           1;
  options.workDir = work.str().str();

  bool terminal = isatty(2);
  options.progress = [&](const std::string &line, bool notable) {
    if (notable)
      std::cerr << (terminal ? "\r\033[K" : "") << "sora-tune: " << line
                << "\n";
    else if (terminal)
      std::cerr << "\r\033[K" << line.substr(0, 160) << std::flush;
  };
  std::cerr << "sora-tune: " << kernels->size() << " kernels to tune ("
            << args.input << ", " << options.target->name << ", "
            << options.threads << " thread(s), budget " << args.budget << ")\n";
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
  auto start = std::chrono::steady_clock::now();
  std::vector<sora::KernelOutcome> outcomes;
  bool interrupted = false;
  std::string error;
  bool tuned = sora::tune(*kernels, options, outcomes, interrupted, error);
  // The winners judged inside the whole model (ModelCheck.h).
  sora::ModelTimes model;
  if (tuned && !interrupted) {
    if (terminal)
      std::cerr << "\r\033[Kchecking the tuned schedules in the model..."
                << std::flush;
    tuned = sora::checkInModel(args.input, outcomes, options, model, error);
    interrupted = sora::stopping();
    if (!tuned && interrupted)
      tuned = true; // the database holds the search's winners
    else if (!tuned)
      error = "sora-tune: error: the check in the whole model failed: " + error;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (terminal)
    std::cerr << "\r\033[K";
  if (args.keepWork)
    std::cerr << "sora-tune: candidates kept in " << options.workDir << "\n";
  else
    (void)llvm::sys::fs::remove_directories(options.workDir);
  if (!tuned) {
    std::cerr << error << "\n";
    return 1;
  }
  printReport(outcomes, options, seconds, model);
  if (interrupted) {
    std::cerr << "sora-tune: interrupted; what was found is in "
              << options.database << " (--resume continues)\n";
    return 130;
  }
  return 0;
}
