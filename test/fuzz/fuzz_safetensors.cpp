//===- fuzz_safetensors.cpp - safetensors weight files --------------------===//
//
// Opens the input as a safetensors file and reads every tensor it lists.
//
//===----------------------------------------------------------------------===//

#include "FuzzFrontend.h"

#include "sora/Frontend/WeightStore.h"

// libFuzzer's entry point has its own name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = sora::fuzz::writeInput(data, size, ".safetensors");
  std::unique_ptr<sora::WeightStore> store = sora::WeightStore::fromSafetensors(
      path, sora::SourceLoc{"model.json", 1, 1, ""}, sora::fuzz::context());
  if (!store)
    return 0;
  for (const std::string &name : store->unused())
    (void)store->read(name);
  return 0;
}
