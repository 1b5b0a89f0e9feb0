//===- HalideBackend.cpp - Kernels to target code through Halide ----------===//
//
// Debian's Halide 14 is built with exceptions: user, internal and JIT runtime
// errors are thrown as Halide::Error (CompileError, InternalError,
// RuntimeError). Every entry point catches them, and any other std::exception,
// and reports the message instead.
//
//===----------------------------------------------------------------------===//

#include "sora/Target/HalideBackend.h"

#include "HalideKernel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace sora {

using namespace Halide;

/// The Halide target of `info` for kernels: no runtime (one standalone
/// runtime per library) and a user_context argument.
static Target kernelTarget(const TargetInfo &info) {
  if (!Target::validate_target_string(info.halideTarget))
    throw CompileError("'" + info.halideTarget +
                       "' is not a valid Halide target");
  return Target(info.halideTarget)
      .with_feature(Target::NoRuntime)
      .with_feature(Target::UserContext);
}

/// Halide's autoscheduler plugins, from the Debian package, loaded once.
static void loadAutoschedulers() {
  static std::once_flag loaded;
  std::call_once(loaded, [] {
    for (const char *name : {"adams2019", "mullapudi2016", "li2018"})
      load_plugin(std::string(SORA_HALIDE_PLUGIN_DIR) + "/libautoschedule_" +
                  name + ".so");
  });
}

/// Lowers one kernel into a module exporting `spec.name`.
static Module lowerKernel(const KernelSpec &spec, const Target &target) {
  HalideKernel kernel = buildHalideKernel(spec, target.has_gpu_feature());
  Pipeline pipeline(kernel.output);
  if (!spec.autoscheduler.empty()) {
    loadAutoschedulers();
    // This machine's cores, the generic cache and balance figures.
    MachineParams machine = MachineParams::generic();
    machine.parallelism = std::max(1, (int)std::thread::hardware_concurrency());
    pipeline.auto_schedule(spec.autoscheduler, target, machine);
  }
  return pipeline.compile_to_module(kernel.arguments(), spec.name, target);
}

namespace {
/// A failure while building one kernel.
struct KernelFailure : std::runtime_error {
  KernelFailure(std::string kernel, const std::string &message)
      : std::runtime_error(message), kernel(std::move(kernel)) {}
  std::string kernel;
};
} // namespace

/// Kernel names must be unique: each is a symbol of the library.
static void checkUniqueNames(const std::vector<KernelSpec> &kernels) {
  std::set<std::string> names;
  for (const KernelSpec &spec : kernels)
    if (!names.insert(spec.name).second)
      throw KernelFailure(spec.name,
                          "two kernels are named '" + spec.name + "'");
}

/// Lowers every kernel.
static std::vector<Module> lowerKernels(const std::vector<KernelSpec> &kernels,
                                        const Target &target) {
  checkUniqueNames(kernels);
  std::vector<Module> modules;
  for (const KernelSpec &spec : kernels) {
    try {
      modules.push_back(lowerKernel(spec, target));
    } catch (const Halide::Error &e) {
      throw KernelFailure(spec.name, e.what());
    }
  }
  return modules;
}

/// Runs `work(i)` for every i < count on `jobs` threads (0: one per hardware
/// thread); returns the exception message of the lowest failing i, if any.
template <typename Work>
static std::optional<std::pair<size_t, std::string>>
forEachInParallel(size_t count, unsigned jobs, Work work) {
  if (jobs == 0)
    jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, count));
  std::vector<std::optional<std::string>> failures(count);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        work(i);
      } catch (const std::exception &e) {
        failures[i] = e.what();
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t)
    threads.emplace_back(worker);
  worker();
  for (std::thread &thread : threads)
    thread.join();
  for (size_t i = 0; i < count; ++i)
    if (failures[i])
      return std::make_pair(i, *failures[i]);
  return std::nullopt;
}

/// Runs `body`, turning any exception into `error`.
template <typename Body>
static bool reportingErrors(BackendError &error, Body body) {
  try {
    body();
    return true;
  } catch (const KernelFailure &e) {
    error = {e.kernel, e.what()};
  } catch (const Halide::Error &e) {
    error = {"", e.what()};
  } catch (const std::exception &e) {
    error = {"", std::string("Halide backend: ") + e.what()};
  }
  return false;
}

bool compileKernelsToObjects(
    const std::vector<KernelSpec> &kernels, const TargetInfo &target,
    const std::vector<std::string> &objectPaths, unsigned jobs,
    BackendError &error,
    const std::function<void(size_t done, size_t total)> &progress) {
  return reportingErrors(error, [&] {
    if (objectPaths.size() != kernels.size())
      throw std::invalid_argument("one object path per kernel is needed");
    Target halideTarget = kernelTarget(target);
    checkUniqueNames(kernels);
    // Halide compiles separate pipelines on separate threads safely; each
    // kernel builds its own Funcs and LLVM module.
    std::atomic<size_t> done{0};
    auto failure = forEachInParallel(kernels.size(), jobs, [&](size_t i) {
      lowerKernel(kernels[i], halideTarget)
          .compile({{OutputFileType::object, objectPaths[i]}});
      size_t finished = ++done;
      if (progress)
        progress(finished, kernels.size());
    });
    if (failure)
      throw KernelFailure(kernels[failure->first].name, failure->second);
  });
}

bool compileHalideRuntimeObject(const TargetInfo &target,
                                const std::string &objectPath,
                                BackendError &error) {
  return reportingErrors(error, [&] {
    Target runtimeTarget =
        kernelTarget(target).without_feature(Target::NoRuntime);
    compile_standalone_runtime(objectPath, runtimeTarget);
  });
}

bool printKernels(const std::vector<KernelSpec> &kernels,
                  const TargetInfo &target, std::string &out,
                  BackendError &error) {
  return reportingErrors(error, [&] {
    std::ostringstream os;
    for (const Module &module : lowerKernels(kernels, kernelTarget(target)))
      os << module;
    out += os.str();
  });
}

} // namespace sora
