//===- FuzzInput.h - A fuzz input as a file ---------------------*- C++ -*-===//
#ifndef SORA_TEST_FUZZ_FUZZINPUT_H
#define SORA_TEST_FUZZ_FUZZINPUT_H

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <unistd.h>

namespace sora::fuzz {

/// Writes the input to a file ending in `suffix` (the readers take paths)
/// and returns its path; every input of the process reuses the file.
inline std::string writeInput(const uint8_t *data, size_t size,
                              const std::string &suffix) {
  std::string path =
      "/tmp/sora-fuzz-" + std::to_string(getpid()) + "-input" + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char *>(data), (std::streamsize)size);
  return path;
}

} // namespace sora::fuzz

#endif
