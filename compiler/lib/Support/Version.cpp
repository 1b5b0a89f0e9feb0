//===- Version.cpp - What `--version` prints ------------------------------===//

#include "sora/Support/Version.h"
#include "sora/kernel_abi.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace sora {

std::string versionText(const char *tool) {
  return std::string(tool) +
         " " SORA_VERSION " (LLVM/MLIR " SORA_LLVM_VERSION
         ", Halide " SORA_HALIDE_VERSION ", runtime ABI " +
         std::to_string(SORA_ABI_VERSION) + ")";
}

void setVersionPrinter(const char *tool) {
  static std::string text;
  text = versionText(tool);
  llvm::cl::SetVersionPrinter(
      [](llvm::raw_ostream &os) { os << text << "\n"; });
}

} // namespace sora
