//===- fuzz_npy.cpp - .npy inputs of sora-run -----------------------------===//
//
// Reads the input with sora-run's .npy reader.
//
//===----------------------------------------------------------------------===//

#include "FuzzInput.h"

extern "C" {
#include "npy.h"
}

// libFuzzer's entry point has its own name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = sora::fuzz::writeInput(data, size, ".npy");
  npy_array_t array;
  char error[512];
  if (npy_read(path.c_str(), &array, error, sizeof(error)))
    npy_array_free(&array);
  return 0;
}
