//===- fuzz_dsl_model.cpp - .sora model files -----------------------------===//
//
// Parses the input as a .sora model and lowers it to the particle dialect.
//
//===----------------------------------------------------------------------===//

#include "FuzzFrontend.h"

#include "sora/Frontend/DslModelParser.h"

// libFuzzer's entry point has its own name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  sora::fuzz::lower(
      sora::parseDslModel("model.sora", text, sora::fuzz::context()));
  return 0;
}
