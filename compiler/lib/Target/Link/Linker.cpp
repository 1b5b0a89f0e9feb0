//===- Linker.cpp - Objects to a model library with ld.lld ----------------===//

#include "sora/Target/Linker.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

namespace sora {

std::string runtimeDirectory() {
  if (auto dir = llvm::sys::Process::GetEnv("SORA_RUNTIME_DIR"))
    return *dir;
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(dir, "..", "lib", "sora");
  return std::string(dir);
}

/// The LLVM 22 tool `name` (ld.lld, llvm-objcopy), "" if it is missing.
static std::string findTool(const std::string &name) {
  for (const std::string &candidate : {name + "-22", name})
    if (auto path = llvm::sys::findProgramByName(
            candidate, {"/usr/lib/llvm-22/bin", "/usr/bin"}))
      return *path;
  return "";
}

/// A temporary file in the system's temporary directory, removed on
/// destruction (and by LLVM's signal handler).
static llvm::Expected<llvm::sys::fs::TempFile> scratchFile(const char *model,
                                                           std::string &error) {
  llvm::SmallString<128> path;
  llvm::sys::path::system_temp_directory(true, path);
  llvm::sys::path::append(path, model);
  auto file = llvm::sys::fs::TempFile::create(path);
  if (!file)
    error =
        "cannot create a temporary file: " + llvm::toString(file.takeError());
  return file;
}

/// Runs `tool args...`; on failure `error` says why, with the tool's own
/// message (where `temporary` appears in it, `output` is named instead).
static bool runTool(const std::string &name, std::vector<std::string> args,
                    const std::string &temporary, const std::string &output,
                    std::string &error) {
  std::string tool = findTool(name);
  if (tool.empty()) {
    error = "cannot find " + name + "-22 (install " +
            (name == "ld.lld" ? "lld-22" : "llvm-22") + ")";
    return false;
  }
  llvm::Expected<llvm::sys::fs::TempFile> log =
      scratchFile("soracc-tool-%%%%%%.log", error);
  if (!log) {
    llvm::consumeError(log.takeError());
    return false;
  }
  args.insert(args.begin(), tool);
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt,
                                                llvm::StringRef(log->TmpName),
                                                llvm::StringRef(log->TmpName)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(tool, argv, std::nullopt, redirects, 0, 0,
                                     &message);
  auto text = llvm::MemoryBuffer::getFile(log->TmpName);
  llvm::consumeError(log->discard());
  if (rc == 0)
    return true;
  // The tool's own first line says why; the temporary's name means nothing
  // to the user.
  std::string why = text ? (*text)->getBuffer().rtrim().str() : "";
  for (size_t at; (at = why.find(temporary)) != std::string::npos;)
    why.replace(at, temporary.size(), output);
  error = name + " failed" + (message.empty() ? "" : " (" + message + ")") +
          (why.empty() ? "" : ": " + why);
  return false;
}

/// Runs ld.lld into a uniquely named temporary file next to `output`, lets
/// `finish` rewrite it, then renames it into place: concurrent links to one
/// path never mix, and the temporary is removed on an error or a signal.
static bool
runLinker(std::vector<std::string> args, const std::string &output,
          std::string &error,
          const std::function<bool(const std::string &)> &finish = nullptr) {
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(output + ".tmp-%%%%%%");
  if (!temp) {
    error =
        "cannot write '" + output + "': " + llvm::toString(temp.takeError());
    return false;
  }
  args.insert(args.begin(), {"-o", temp->TmpName});
  if (!runTool("ld.lld", args, temp->TmpName, output, error) ||
      (finish && !finish(temp->TmpName))) {
    llvm::consumeError(temp->discard());
    return false;
  }
  if (llvm::Error e = temp->keep(output)) {
    error = "cannot write '" + output + "': " + llvm::toString(std::move(e));
    return false;
  }
  return true;
}

static std::string runtimeFile(const std::string &name) {
  llvm::SmallString<256> path(runtimeDirectory());
  llvm::sys::path::append(path, name);
  return std::string(path);
}

std::string halideRuntimeObject(const TargetInfo &target) {
  return runtimeFile("halide_runtime_" + target.name + ".o");
}

/// The runtime objects a model links after its own: Halide's runtime and
/// the hooks that bind it to the sora runtime (and, for a GPU target, its
/// device); for a shared library also sora_model_create and the sora
/// runtime itself.
static std::vector<std::string> runtimeObjects(const TargetInfo &target,
                                               bool sharedLibrary) {
  std::vector<std::string> objects{
      halideRuntimeObject(target),
      runtimeFile("sora_model_hooks_" + target.arch + ".o")};
  if (target.isGpu())
    objects.push_back(
        runtimeFile("sora_" + target.gpu + "_hooks_" + target.arch + ".o"));
  if (sharedLibrary) {
    objects.push_back(runtimeFile("sora_shared_model_" + target.arch + ".o"));
    objects.push_back(runtimeFile("sora_runtime_" + target.arch + ".o"));
  }
  return objects;
}

/// The model's objects, then the runtime objects, then the aliases; false
/// with `error` set if a runtime object is missing.
static bool appendInputs(std::vector<std::string> &args,
                         const TargetInfo &target, const ModelObjects &model,
                         bool sharedLibrary, std::string &error) {
  args.insert(args.end(), model.objects.begin(), model.objects.end());
  for (const std::string &object : runtimeObjects(target, sharedLibrary)) {
    if (!llvm::sys::fs::exists(object)) {
      error = "missing runtime object '" + object +
              "' (set SORA_RUNTIME_DIR or rebuild soracc)";
      return false;
    }
    args.push_back(object);
  }
  for (const auto &[alias, symbol] : model.aliases)
    args.push_back("--defsym=" + alias + "=" + symbol);
  return true;
}

bool linkSharedLibrary(const TargetInfo &target, const ModelObjects &model,
                       const std::string &output, std::string &error) {
  // The runtime's version script exports the API; a second one adds the
  // descriptor function.
  llvm::SmallString<256> exports(runtimeDirectory());
  llvm::sys::path::append(exports, "sora_exports.map");
  llvm::Expected<llvm::sys::fs::TempFile> descriptorScript =
      scratchFile("soracc-exports-%%%%%%.map", error);
  if (!descriptorScript) {
    llvm::consumeError(descriptorScript.takeError());
    return false;
  }
  llvm::scope_exit discard(
      [&] { llvm::consumeError(descriptorScript->discard()); });
  {
    llvm::raw_fd_ostream os(descriptorScript->FD, /*shouldClose=*/false);
    os << "{ global: " << model.descriptorSymbol << "; };\n";
  }
  std::vector<std::string> args{"-shared",
                                "--version-script=" + std::string(exports),
                                "--version-script=" + descriptorScript->TmpName,
                                "-Bsymbolic",
                                "-z",
                                "noexecstack",
                                "-z",
                                "now",
                                "--gc-sections",
                                "--hash-style=gnu",
                                "--as-needed",
                                "-soname",
                                llvm::sys::path::filename(output).str()};
  if (!appendInputs(args, target, model, /*sharedLibrary=*/true, error))
    return false;
  for (const char *lib : {"libc.so.6", "libm.so.6"})
    args.push_back(target.libcDir + "/" + lib);
  return runLinker(args, output, error);
}

bool linkModelObject(const TargetInfo &target, const ModelObjects &model,
                     const std::string &output, std::string &error) {
  std::vector<std::string> args{"-r"};
  if (!appendInputs(args, target, model, /*sharedLibrary=*/false, error))
    return false;
  // Every definition but the descriptor function becomes local: kernels,
  // the weights, Halide's runtime (its weak halide_* included) and the hooks.
  auto localize = [&](const std::string &object) {
    return runTool("llvm-objcopy",
                   {"--keep-global-symbol=" + model.descriptorSymbol, object},
                   object, output, error);
  };
  return runLinker(args, output, error, localize);
}

bool linkModelArchive(const TargetInfo &target, const ModelObjects &model,
                      const std::string &output, std::string &error) {
  llvm::Expected<llvm::sys::fs::TempFile> object =
      scratchFile("soracc-model-%%%%%%.o", error);
  if (!object) {
    llvm::consumeError(object.takeError());
    return false;
  }
  llvm::scope_exit discard([&] { llvm::consumeError(object->discard()); });
  if (!linkModelObject(target, model, object->TmpName, error))
    return false;
  llvm::Expected<llvm::NewArchiveMember> member =
      llvm::NewArchiveMember::getFile(object->TmpName, /*Deterministic=*/true);
  if (!member) {
    error =
        "cannot read the model object: " + llvm::toString(member.takeError());
    return false;
  }
  // The member is named after the archive: libmnist.a holds mnist.o.
  llvm::StringRef stem = llvm::sys::path::stem(output);
  stem.consume_front("lib");
  std::string memberName = (stem + ".o").str();
  member->MemberName = memberName;
  if (llvm::Error e = llvm::writeArchive(
          output, {std::move(*member)}, llvm::SymtabWritingMode::NormalSymtab,
          llvm::object::Archive::K_GNU, /*Deterministic=*/true,
          /*Thin=*/false)) {
    error = "cannot write '" + output + "': " + llvm::toString(std::move(e));
    return false;
  }
  return true;
}

} // namespace sora
