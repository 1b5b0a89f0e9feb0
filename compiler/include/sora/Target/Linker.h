//===- Linker.h - Objects to model.so with ld.lld ---------------*- C++ -*-===//
#ifndef SORA_TARGET_LINKER_H
#define SORA_TARGET_LINKER_H

#include "sora/Target/TargetInfo.h"

#include <string>
#include <utility>
#include <vector>

namespace sora {

/// Directory of the prebuilt runtime objects (`sora_runtime_<arch>.o`,
/// `halide_runtime_<target>.o`, `sora_exports.map`): $SORA_RUNTIME_DIR, else
/// `<soracc dir>/../lib/sora`.
std::string runtimeDirectory();

/// Halide's standalone runtime for `target` in the runtime directory, built
/// with soracc by tools/sora-halide-runtime; every model links one.
std::string halideRuntimeObject(const TargetInfo &target);

/// Symbols defined as another symbol's address (`ld.lld --defsym`): the
/// first of each pair is the alias.
using SymbolAliases = std::vector<std::pair<std::string, std::string>>;

/// Links `objects` and the target's runtimes into a shared library that
/// exports only the `sora_*` API. The output appears atomically: on failure
/// no file is left at `output`.
bool linkSharedLibrary(const TargetInfo &target,
                       const std::vector<std::string> &objects,
                       const SymbolAliases &aliases, const std::string &output,
                       std::string &error);

/// Links `objects` and the runtimes into one relocatable object (`-c`).
bool linkRelocatable(const TargetInfo &target,
                     const std::vector<std::string> &objects,
                     const SymbolAliases &aliases, const std::string &output,
                     std::string &error);

} // namespace sora

#endif
