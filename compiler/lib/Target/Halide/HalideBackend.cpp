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

#include <set>
#include <sstream>

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

/// Lowers one kernel into a module exporting `spec.name`.
static Module lowerKernel(const KernelSpec &spec, const Target &target) {
  HalideKernel kernel = buildHalideKernel(spec);
  return Pipeline(kernel.output)
      .compile_to_module(kernel.arguments(), spec.name, target);
}

namespace {
/// A failure while building one kernel.
struct KernelFailure : std::runtime_error {
  KernelFailure(std::string kernel, const std::string &message)
      : std::runtime_error(message), kernel(std::move(kernel)) {}
  std::string kernel;
};
} // namespace

/// Lowers every kernel; kernel names must be unique.
static std::vector<Module> lowerKernels(const std::vector<KernelSpec> &kernels,
                                        const Target &target) {
  std::set<std::string> names;
  std::vector<Module> modules;
  for (const KernelSpec &spec : kernels) {
    if (!names.insert(spec.name).second)
      throw KernelFailure(spec.name,
                          "two kernels are named '" + spec.name + "'");
    try {
      modules.push_back(lowerKernel(spec, target));
    } catch (const Halide::Error &e) {
      throw KernelFailure(spec.name, e.what());
    }
  }
  return modules;
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

bool compileKernelsToObject(const std::vector<KernelSpec> &kernels,
                            const TargetInfo &target,
                            const std::string &objectPath,
                            BackendError &error) {
  return reportingErrors(error, [&] {
    Target halideTarget = kernelTarget(target);
    std::vector<Module> modules = lowerKernels(kernels, halideTarget);
    Module linked = modules.empty() ? Module("sora_kernels", halideTarget)
                                    : link_modules("sora_kernels", modules);
    linked.compile({{OutputFileType::object, objectPath}});
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
