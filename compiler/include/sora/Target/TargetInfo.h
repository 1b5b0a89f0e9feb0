//===- TargetInfo.h - What soracc knows about one compilation target ------===//
//
// A target is a first-class object: the LLVM triple and CPU for the graph
// driver, the Halide target for kernels, vector widths for schedules, the
// host features the runtime must find before running, and where the linker
// finds the target's C library. Independent of MLIR and Halide.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TARGET_TARGETINFO_H
#define SORA_TARGET_TARGETINFO_H

#include <string>
#include <vector>

namespace sora {

struct TargetInfo {
  std::string name;         ///< soracc name, e.g. "x86-64-avx512"
  std::string arch;         ///< "x86_64" or "aarch64" (runtime object suffix)
  std::string triple;       ///< LLVM triple for the graph driver
  std::string cpu;          ///< LLVM CPU for the graph driver
  std::string halideTarget; ///< Halide target string (no runtime/context flags)
  int vectorBytes = 16;     ///< SIMD register width used by schedules
  std::string cpuFeatures;  ///< comma-separated features checked at load time
  std::string libcDir;      ///< directory holding the target's libc.so.6
  /// "cuda" when kernels run on an NVIDIA GPU (the host code is `arch`'s),
  /// else "" (kernels run on the CPU).
  std::string gpu;
  int cudaCapability = 0; ///< e.g. 80 for sm_80; 0 when `gpu` is ""

  bool isGpu() const { return !gpu.empty(); }

  int vectorFloats() const { return vectorBytes / 4; }
};

/// Every target soracc knows, in a stable order.
const std::vector<TargetInfo> &allTargets();

/// Looks a target up by name; "host" resolves to the best x86-64 target this
/// machine runs. Returns nullptr for an unknown name.
const TargetInfo *lookupTarget(const std::string &name);

/// Comma-separated list of valid target names (for diagnostics).
std::string targetNames();

} // namespace sora

#endif // SORA_TARGET_TARGETINFO_H
