//===- main.cpp - Prebuilds Halide's runtime for every target -------------===//
//
// Run at build time: writes `halide_runtime_<target>.o` for every target
// soracc knows into the runtime directory (sora/Target/Linker.h), so that a
// compile links Halide's runtime instead of generating it (about a second).
//
//===----------------------------------------------------------------------===//

#include "sora/Target/HalideBackend.h"
#include "sora/Target/Linker.h"
#include "sora/Target/TargetInfo.h"

#include <cstdio>

int main(int argc, char **argv) {
  (void)argv;
  if (argc != 1) {
    std::fprintf(stderr, "usage: sora-halide-runtime (writes into "
                         "$SORA_RUNTIME_DIR or <bin>/../lib/sora)\n");
    return 2;
  }
  for (const sora::TargetInfo &target : sora::allTargets()) {
    sora::BackendError error;
    std::string object = sora::halideRuntimeObject(target);
    if (!sora::compileHalideRuntimeObject(target, object, error)) {
      std::fprintf(stderr, "sora-halide-runtime: %s: %s\n", object.c_str(),
                   error.message.c_str());
      return 1;
    }
  }
  return 0;
}
