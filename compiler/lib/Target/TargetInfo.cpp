//===- TargetInfo.cpp - The targets soracc compiles for -------------------===//

#include "sora/Target/TargetInfo.h"

namespace sora {

const std::vector<TargetInfo> &allTargets() {
  static const std::vector<TargetInfo> targets = [] {
    std::vector<TargetInfo> t;
    TargetInfo avx2;
    avx2.name = "x86-64-avx2";
    avx2.arch = "x86_64";
    avx2.triple = "x86_64-unknown-linux-gnu";
    avx2.cpu = "x86-64";
    avx2.halideTarget = "x86-64-linux-sse41-avx-f16c-fma-avx2";
    avx2.vectorBytes = 32;
    avx2.cpuFeatures = "sse4.1,avx,f16c,fma,avx2";
    avx2.libcDir = "/lib/x86_64-linux-gnu";
    t.push_back(avx2);

    // x86-64-v4: AVX-512 F, CD, BW, DQ and VL, which every AVX-512 CPU since
    // Skylake-SP has (Ice Lake, Sapphire Rapids, Zen 4 and 5). Fp32 kernels
    // need nothing newer; requiring bf16 sent Ice Lake to AVX2 (half the
    // FMA width) and failed AVX-512 models there. Halide 14 needs the chain
    // spelled out: its later AVX-512 features alone yield 128-bit vectors.
    TargetInfo avx512 = avx2;
    avx512.name = "x86-64-avx512";
    avx512.halideTarget = "x86-64-linux-sse41-avx-f16c-fma-avx2-avx512-"
                          "avx512_skylake";
    avx512.vectorBytes = 64;
    avx512.cpuFeatures = "sse4.1,avx,f16c,fma,avx2,avx512f,avx512cd,avx512bw,"
                         "avx512dq,avx512vl";
    t.push_back(avx512);

    TargetInfo arm;
    arm.name = "aarch64-linux";
    arm.arch = "aarch64";
    arm.triple = "aarch64-unknown-linux-gnu";
    arm.cpu = "generic";
    arm.halideTarget = "arm-64-linux";
    arm.vectorBytes = 16;
    arm.cpuFeatures = "";
    arm.libcDir = "/usr/aarch64-linux-gnu/lib";
    t.push_back(arm);

    // NVIDIA GPUs through Halide's CUDA backend: the driver and Halide's host
    // code are x86-64 (AVX2), the kernels PTX. Halide 14 stops at sm_86;
    // PTX JITs forward, so `cuda` (sm_80) runs on Ampere and Hopper.
    for (int capability : {80, 70, 75, 86}) {
      TargetInfo cuda = avx2;
      cuda.name = capability == 80 ? std::string("cuda")
                                   : "cuda-sm" + std::to_string(capability);
      cuda.halideTarget = avx2.halideTarget + "-cuda-cuda_capability_" +
                          std::to_string(capability);
      cuda.gpu = "cuda";
      cuda.cudaCapability = capability;
      t.push_back(cuda);
    }
    return t;
  }();
  return targets;
}

/// The best x86-64 target whose features this machine has.
static const char *hostTargetName() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
      __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "x86-64-avx512";
  return "x86-64-avx2";
#elif defined(__aarch64__)
  return "aarch64-linux";
#else
  return "";
#endif
}

const TargetInfo *lookupTarget(const std::string &name) {
  std::string wanted = name == "host" ? hostTargetName() : name;
  for (const TargetInfo &t : allTargets())
    if (t.name == wanted)
      return &t;
  return nullptr;
}

std::string targetNames() {
  std::string names = "host";
  for (const TargetInfo &t : allTargets())
    names += ", " + t.name;
  return names;
}

} // namespace sora
