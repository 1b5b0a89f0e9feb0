//===- KernelSignature.h - What identifies a kernel to the tuner -*- C++
//-*-===//
//
// A kernel's signature is its computation as text: the argument shapes and
// dtypes, the ops with their attributes and result shapes (the fused
// epilogue included), and which arguments are compile-time weights. Two
// kernels with one signature compute the same thing and take the same
// schedule, in one model or across models: the tuning database is keyed by
// it. Names, provenance and the schedule are not part of it. Plain C++.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNING_KERNELSIGNATURE_H
#define SORA_TUNING_KERNELSIGNATURE_H

#include "sora/Core/KernelSpec.h"

#include <set>
#include <string>

namespace sora {

/// The signature of `spec` whose arguments in `constantArgs` are weights
/// baked into the library (packed at compile time) rather than values
/// computed at run time.
std::string kernelSignature(const KernelSpec &spec,
                            const std::set<int> &constantArgs);

/// The particles a kernel fuses, for people: "c1 (conv2d, relu)".
std::string kernelSummary(const KernelSpec &spec);

} // namespace sora

#endif // SORA_TUNING_KERNELSIGNATURE_H
