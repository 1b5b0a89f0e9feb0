//===- WeightStore.h - The parameter tensors of a model ---------*- C++ -*-===//
//
// Holds a model's weights from a safetensors file, from arrays inlined in the
// model file, or from a seeded generator, and hands them to MLIRGen (which
// checks shapes) and to the weight blob writer. All tensors are f32.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_WEIGHTSTORE_H
#define SORA_FRONTEND_WEIGHTSTORE_H

#include "sora/Dialect/Particle/WeightValues.h"
#include "sora/Frontend/ModelAST.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace llvm {
class MemoryBuffer;
}
namespace mlir {
class MLIRContext;
}

namespace sora {

/// Also the WeightValues of the IR's particle.weight ops, so that passes
/// can fold constants (batch_norm into conv2d/dense).
class WeightStore : public particle::WeightValues {
public:
  ~WeightStore() override;

  /// Loads and validates a safetensors file. Errors are reported at `where`
  /// (the place that named the file).
  static std::unique_ptr<WeightStore>
  fromSafetensors(const std::string &path, const SourceLoc &where,
                  mlir::MLIRContext &context);

  /// Takes the nested arrays of an inline `weights` object.
  static std::unique_ptr<WeightStore> fromInline(const WeightsDecl &decl,
                                                 mlir::MLIRContext &context);

  /// Takes tensors already in memory (e.g. ONNX initializers, converted to
  /// the particles' layouts); `description` names them in messages.
  static std::unique_ptr<WeightStore> fromTensors(
      std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>
          tensors,
      std::string description);

  /// Generates every requested tensor from `seed` (uniform in
  /// ±1/sqrt(fan_in), like PyTorch's defaults), deterministically.
  static std::unique_ptr<WeightStore> random(uint64_t seed);

  /// A store with no tensors, for models that name no weights: any weight
  /// a particle needs is reported as missing.
  static std::unique_ptr<WeightStore> none();

  /// Makes sure tensor `name` exists with `shape`, generating it when the
  /// store is random. Reports a missing or mis-shaped tensor at `where`,
  /// naming `owner` (e.g. "particle 'd1' (dense)") and `layout`
  /// (e.g. "[in, units]").
  bool require(const std::string &name, const std::vector<int64_t> &shape,
               int64_t fanIn, const SourceLoc &where, const std::string &owner,
               const std::string &layout, mlir::MLIRContext &context);

  /// Copies the f32 bytes of a required tensor to `dst`.
  void copyTo(const std::string &name, char *dst) const;

  /// WeightValues: the values of a tensor the store holds (generated ones
  /// included), and tensors that passes derive (they count as used). Safe
  /// to call from passes running in parallel.
  std::optional<std::vector<float>> read(llvm::StringRef name) override;
  void define(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
              std::vector<float> values) override;

  /// Names of tensors that no `require` asked for.
  std::vector<std::string> unused() const;

  /// How the store is described in messages (a file name, "inline", ...).
  const std::string &description() const { return source; }

private:
  struct Tensor {
    std::vector<int64_t> shape;
    const char *bytes = nullptr; ///< into `file`, or into `owned`
    std::vector<float> owned;
    bool used = false;
  };

  WeightStore() = default;

  std::string source;
  std::map<std::string, Tensor> tensors;
  /// Guards `tensors` against passes reading and defining concurrently.
  mutable std::mutex mutex;
  std::unique_ptr<llvm::MemoryBuffer> file;
  std::optional<uint64_t> seed;
};

} // namespace sora

#endif
