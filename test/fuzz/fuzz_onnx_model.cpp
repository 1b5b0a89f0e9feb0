//===- fuzz_onnx_model.cpp - ONNX protobuf files --------------------------===//
//
// Imports the input as an ONNX model (protobuf parsing, ONNX's shape
// inference, validation, import) and lowers it to the particle dialect.
//
//===----------------------------------------------------------------------===//

#include "FuzzFrontend.h"

#include "sora/Frontend/OnnxImporter.h"
#include "sora/Frontend/WeightStore.h"

// libFuzzer's entry point has its own name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = sora::fuzz::writeInput(data, size, ".onnx");
  std::optional<sora::OnnxImport> onnx =
      sora::importOnnxModel(path, sora::fuzz::context());
  if (onnx)
    sora::fuzz::lower(std::move(onnx->model), onnx->weights.get());
  return 0;
}
