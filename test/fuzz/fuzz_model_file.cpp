//===- fuzz_model_file.cpp - model.so files given to sora-run ------------===//
//
// Checks the input as sora-run checks a model library before dlopen(): ELF
// identification, machine, and program and section headers within the file.
// (dlopen() itself is glibc's loader, which trusts the files it maps.)
//
//===----------------------------------------------------------------------===//

#include "FuzzInput.h"

extern "C" {
#include "loader.h"
}

// libFuzzer's entry point has its own name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = sora::fuzz::writeInput(data, size, ".so");
  char error[512];
  sora_check_model_file(path.c_str(), error, sizeof(error));
  return 0;
}
