//===- fuzz_json_model.cpp - JSON model files -----------------------------===//
//
// Parses the input as a JSON model and lowers it to the particle dialect.
//
//===----------------------------------------------------------------------===//

#include "FuzzFrontend.h"

#include "sora/Frontend/JsonModelParser.h"

// libFuzzer's entry point has its own name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  sora::fuzz::lower(
      sora::parseJsonModel("model.json", text, sora::fuzz::context()));
  return 0;
}
