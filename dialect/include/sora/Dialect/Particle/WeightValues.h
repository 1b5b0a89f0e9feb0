//===- WeightValues.h - Access to the values of weight tensors --*- C++ -*-===//
//
// `particle.weight` ops name tensors whose values live outside the IR, in
// the frontend's weight store. Passes that fold constants (batch_norm into a
// conv2d or dense) reach them through this interface, which the compiler
// driver implements; without it such passes leave the IR alone. Function
// passes run in parallel on the functions of a module, so implementations
// must be safe to call from several threads at once.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_DIALECT_PARTICLE_WEIGHTVALUES_H
#define SORA_DIALECT_PARTICLE_WEIGHTVALUES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <vector>

namespace sora::particle {

class WeightValues {
public:
  virtual ~WeightValues() = default;
  /// The row-major values of tensor `name`, or nullopt if it is unknown.
  virtual std::optional<std::vector<float>> read(llvm::StringRef name) = 0;
  /// Adds tensor `name` (replacing one of that name), to be embedded in the
  /// compiled library like the others.
  virtual void define(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                      std::vector<float> values) = 0;
};

} // namespace sora::particle

#endif // SORA_DIALECT_PARTICLE_WEIGHTVALUES_H
