//===- FuzzFrontend.h - What the frontend harnesses share -------*- C++ -*-===//
#ifndef SORA_TEST_FUZZ_FUZZFRONTEND_H
#define SORA_TEST_FUZZ_FUZZFRONTEND_H

#include "FuzzInput.h"

#include "sora/Frontend/ModelAST.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
class MLIRContext;
}

namespace sora {
class WeightStore;
}

namespace sora::fuzz {

/// One context for every input, with the particle and func dialects loaded
/// and diagnostics dropped (they are the expected outcome of most inputs).
mlir::MLIRContext &context();

/// Lowers a parsed model to the particle dialect with `weights` (random
/// ones when null) and verifies it, as soracc does before its passes.
void lower(const std::optional<ModelAST> &model,
           WeightStore *weights = nullptr);

} // namespace sora::fuzz

#endif
