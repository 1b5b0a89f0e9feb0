//===- Reference.h - Naive kernel evaluation for the unit tests -----------===//
//
// A direct transcription of each op's definition as row-major loops, written
// independently of the Halide backend, to check its results against.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TEST_UNIT_REFERENCE_H
#define SORA_TEST_UNIT_REFERENCE_H

#include "sora/Core/KernelSpec.h"

#include <vector>

namespace sora::test {

/// A dense row-major f32 tensor.
struct Tensor {
  Shape shape;
  std::vector<float> data;
};

/// Number of elements of `shape`.
size_t numElements(const Shape &shape);

/// A tensor of `shape` filled with values uniform in [lo, hi), from `seed`.
Tensor randomTensor(const Shape &shape, unsigned seed, float lo = -1.0f,
                    float hi = 1.0f);

/// Evaluates `spec` on `args` (in argument order) and returns its result.
Tensor evaluateReference(const KernelSpec &spec,
                         const std::vector<Tensor> &args);

} // namespace sora::test

#endif // SORA_TEST_UNIT_REFERENCE_H
