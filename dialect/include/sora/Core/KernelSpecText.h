//===- KernelSpecText.h - The text form of a kernel spec --------*- C++ -*-===//
//
// What crosses the MLIR -> Halide boundary, readable: `soracc
// --emit=kernels` and `sora-opt -sora-print-kernel-specs` print it, and lit
// tests check the translation with it.
//
// clang-format off
//   kernel _sora_k0 schedule<vector = 16, tile_rows = 4, ...>
//     %0 = arg f32[1, 28, 28, 1]
//     %1 = arg f32[3, 3, 1, 32]
//     %2 = conv2d(%0, %1) {window = [3, 3]} : [1, 26, 26, 32]  // c1 at m.json:9:5
//     %3 = relu(%2) : [1, 26, 26, 32]  // c1 at m.json:9:5
//     return %3
// clang-format on
//
// An op prints the attributes that differ from their defaults.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_CORE_KERNELSPECTEXT_H
#define SORA_CORE_KERNELSPECTEXT_H

#include "sora/Core/KernelSpec.h"

#include <string>

namespace sora {

/// The schedule as the IR writes it: "vector = 16, tile_rows = 4, ...".
std::string formatSchedule(const ScheduleRecord &schedule);

/// `spec` as text, one line per argument and op, ending in a newline.
std::string printKernelSpec(const KernelSpec &spec);

} // namespace sora

#endif // SORA_CORE_KERNELSPECTEXT_H
