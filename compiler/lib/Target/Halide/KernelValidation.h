//===- KernelValidation.h - Checks a KernelSpec before building it --------===//
//
// Pure C++ (no Halide): every malformed spec is reported here with a message
// naming the kernel and the op, so pipeline construction can assume a
// well-formed spec.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TARGET_HALIDE_KERNELVALIDATION_H
#define SORA_TARGET_HALIDE_KERNELVALIDATION_H

#include "sora/Core/KernelSpec.h"

#include <string>

namespace sora {

/// Checks operands, shapes, window attributes and the schedule record of
/// `spec`. Returns an empty string if it is well formed, else a message.
std::string validateKernel(const KernelSpec &spec);

} // namespace sora

#endif // SORA_TARGET_HALIDE_KERNELVALIDATION_H
