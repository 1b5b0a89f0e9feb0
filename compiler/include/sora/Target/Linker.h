//===- Linker.h - Objects to model.so with ld.lld ---------------*- C++ -*-===//
#ifndef SORA_TARGET_LINKER_H
#define SORA_TARGET_LINKER_H

#include "sora/Target/TargetInfo.h"

#include <string>
#include <vector>

namespace sora {

/// Directory of the prebuilt runtime objects (`sora_runtime_<arch>.o`,
/// `sora_exports.map`): $SORA_RUNTIME_DIR, else `<soracc dir>/../lib/sora`.
std::string runtimeDirectory();

/// Links `objects` and the target's runtime into a shared library that
/// exports only the `sora_*` API. The output appears atomically: on failure
/// no file is left at `output`.
bool linkSharedLibrary(const TargetInfo &target,
                       const std::vector<std::string> &objects,
                       const std::string &output, std::string &error);

/// Links `objects` and the runtime into one relocatable object (`-c`).
bool linkRelocatable(const TargetInfo &target,
                     const std::vector<std::string> &objects,
                     const std::string &output, std::string &error);

} // namespace sora

#endif
