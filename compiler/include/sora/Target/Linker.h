//===- Linker.h - Objects to a model library with ld.lld --------*- C++ -*-===//
#ifndef SORA_TARGET_LINKER_H
#define SORA_TARGET_LINKER_H

#include "sora/Target/TargetInfo.h"

#include <string>
#include <utility>
#include <vector>

namespace sora {

/// Directory of the prebuilt runtime objects (`sora_runtime_<arch>.o`,
/// `sora_model_hooks_<arch>.o`, `sora_shared_model_<arch>.o`,
/// `halide_runtime_<target>.o`, `sora_exports.map`): $SORA_RUNTIME_DIR, else
/// `<soracc dir>/../lib/sora`.
std::string runtimeDirectory();

/// Halide's standalone runtime for `target` in the runtime directory, built
/// with soracc by tools/sora-halide-runtime; every model links one.
std::string halideRuntimeObject(const TargetInfo &target);

/// Symbols defined as another symbol's address (`ld.lld --defsym`): the
/// first of each pair is the alias.
using SymbolAliases = std::vector<std::pair<std::string, std::string>>;

/// What soracc generated for one model.
struct ModelObjects {
  std::vector<std::string> objects; ///< driver, weights, kernels
  SymbolAliases aliases;            ///< repeated kernels
  /// The model's descriptor function (`<name>_model`), exported beside the
  /// runtime API.
  std::string descriptorSymbol;
};

/// Links the model, the target's Halide runtime, the kernel hooks and the
/// sora runtime into a self-contained shared library that exports only the
/// `sora_*` API and the descriptor function. Every output here appears
/// atomically: on failure no file is left at `output`.
bool linkSharedLibrary(const TargetInfo &target, const ModelObjects &model,
                       const std::string &output, std::string &error);

/// Links the model, the Halide runtime and the kernel hooks into one
/// relocatable object (`-c`) whose only global definition is the descriptor
/// function: any number of models, the runtime library and an application's
/// own Halide link into one program.
bool linkModelObject(const TargetInfo &target, const ModelObjects &model,
                     const std::string &output, std::string &error);

/// The object of linkModelObject in a static archive (`--emit=lib`).
bool linkModelArchive(const TargetInfo &target, const ModelObjects &model,
                      const std::string &output, std::string &error);

} // namespace sora

#endif
