//===- Linker.cpp - Objects to model.so with ld.lld -----------------------===//

#include "sora/Target/Linker.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

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

static std::string findLinker() {
  for (const char *name : {"ld.lld-22", "ld.lld"})
    if (auto path = llvm::sys::findProgramByName(
            name, {"/usr/lib/llvm-22/bin", "/usr/bin"}))
      return *path;
  return "";
}

/// Runs ld.lld into a uniquely named temporary file next to `output`, then
/// renames it into place: concurrent links to one path never mix, and the
/// temporary and the linker's log are removed on an error or a signal.
static bool runLinker(std::vector<std::string> args, const std::string &output,
                      std::string &error) {
  std::string lld = findLinker();
  if (lld.empty()) {
    error = "cannot find ld.lld-22 (install lld-22)";
    return false;
  }
  auto fail = [&](llvm::Error e, const std::string &what) {
    error = what + ": " + llvm::toString(std::move(e));
    return false;
  };
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(output + ".tmp-%%%%%%");
  if (!temp)
    return fail(temp.takeError(), "cannot write '" + output + "'");
  llvm::SmallString<128> logModel;
  llvm::sys::path::system_temp_directory(true, logModel);
  llvm::sys::path::append(logModel, "soracc-lld-%%%%%%.log");
  llvm::Expected<llvm::sys::fs::TempFile> log =
      llvm::sys::fs::TempFile::create(logModel);
  if (!log) {
    llvm::consumeError(temp->discard());
    return fail(log.takeError(), "cannot create a temporary file");
  }
  args.insert(args.begin(), {lld, "-o", temp->TmpName});
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt,
                                                llvm::StringRef(log->TmpName),
                                                llvm::StringRef(log->TmpName)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(lld, argv, std::nullopt, redirects, 0, 0,
                                     &message);
  auto text = llvm::MemoryBuffer::getFile(log->TmpName);
  llvm::consumeError(log->discard());
  if (rc != 0) {
    // The linker's own first line says why; the temporary's name means
    // nothing to the user.
    std::string why = text ? (*text)->getBuffer().rtrim().str() : "";
    llvm::StringRef name(temp->TmpName);
    for (size_t at; (at = why.find(name.str())) != std::string::npos;)
      why.replace(at, name.size(), output);
    error = "ld.lld failed" + (message.empty() ? "" : " (" + message + ")") +
            (why.empty() ? "" : ": " + why);
    llvm::consumeError(temp->discard());
    return false;
  }
  if (llvm::Error e = temp->keep(output))
    return fail(std::move(e), "cannot write '" + output + "'");
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

/// Halide's runtime, then the C runtime: the objects every model links.
static std::vector<std::string> runtimeObjects(const TargetInfo &target) {
  return {halideRuntimeObject(target),
          runtimeFile("sora_runtime_" + target.arch + ".o")};
}

static bool checkRuntime(const TargetInfo &target, std::string &error) {
  for (const std::string &object : runtimeObjects(target))
    if (!llvm::sys::fs::exists(object)) {
      error = "missing runtime object '" + object +
              "' (set SORA_RUNTIME_DIR or rebuild soracc)";
      return false;
    }
  return true;
}

/// `objects`, then the runtimes, then the aliases.
static void appendInputs(std::vector<std::string> &args,
                         const TargetInfo &target,
                         const std::vector<std::string> &objects,
                         const SymbolAliases &aliases) {
  args.insert(args.end(), objects.begin(), objects.end());
  for (const std::string &object : runtimeObjects(target))
    args.push_back(object);
  for (const auto &[alias, symbol] : aliases)
    args.push_back("--defsym=" + alias + "=" + symbol);
}

bool linkSharedLibrary(const TargetInfo &target,
                       const std::vector<std::string> &objects,
                       const SymbolAliases &aliases, const std::string &output,
                       std::string &error) {
  if (!checkRuntime(target, error))
    return false;
  llvm::SmallString<256> exports(runtimeDirectory());
  llvm::sys::path::append(exports, "sora_exports.map");
  std::vector<std::string> args{"-shared",
                                "--version-script=" + std::string(exports),
                                "-z",
                                "noexecstack",
                                "-z",
                                "now",
                                "--gc-sections",
                                "--hash-style=gnu",
                                "--as-needed",
                                "-soname",
                                llvm::sys::path::filename(output).str()};
  appendInputs(args, target, objects, aliases);
  for (const char *lib : {"libc.so.6", "libm.so.6"})
    args.push_back(target.libcDir + "/" + lib);
  return runLinker(args, output, error);
}

bool linkRelocatable(const TargetInfo &target,
                     const std::vector<std::string> &objects,
                     const SymbolAliases &aliases, const std::string &output,
                     std::string &error) {
  if (!checkRuntime(target, error))
    return false;
  std::vector<std::string> args{"-r"};
  appendInputs(args, target, objects, aliases);
  return runLinker(args, output, error);
}

} // namespace sora
