//===- KernelOps.cpp - Names, families and roles of the kernel op kinds ---===//

#include "sora/Core/KernelSpec.h"

namespace sora {

const char *kernelOpName(KernelOpKind kind) {
  static const char *const names[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) Name,
#include "sora/Core/KernelOps.def"
  };
  return names[(size_t)kind];
}

KernelFamily kernelFamily(KernelOpKind kind) {
  static const KernelFamily families[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) KernelFamily::Family,
#include "sora/Core/KernelOps.def"
  };
  return families[(size_t)kind];
}

FusionRole fusionRole(KernelFamily family) {
  static const FusionRole roles[] = {
#define SORA_KERNEL_FAMILY(Family, Role) FusionRole::Role,
#include "sora/Core/KernelOps.def"
  };
  return roles[(size_t)family];
}

} // namespace sora
