//===- ModelHeader.h - The C header of a compiled model ---------*- C++ -*-===//
#ifndef SORA_TARGET_MODELHEADER_H
#define SORA_TARGET_MODELHEADER_H

#include <cstdint>
#include <string>
#include <vector>

namespace sora {

/// What an application needs to know about a compiled model at build time.
struct ModelSignature {
  struct Tensor {
    std::string name;
    bool tokenIds = false; ///< i64 token ids, else f32
    std::vector<int64_t> shape;
  };
  std::string name;   ///< the model's own name
  std::string symbol; ///< the C prefix (--name): `<symbol>_model()`
  std::string source; ///< the model file it was compiled from
  std::string target; ///< soracc target name
  std::vector<Tensor> inputs, outputs;
  int64_t arenaBytes = 0;
  std::string weightsFile; ///< the external weights file, "" if inside
  /// `--max-batch`: the shapes hold this many samples and a run may pass
  /// 1 to maxBatch of them; 0 = the shapes are exact.
  int64_t maxBatch = 0;
  /// soracc --max-sequence: the most tokens a run may pass, else 0.
  int64_t maxSequence = 0;
};

/// `name` made a C identifier: every other character becomes '_', and a
/// leading digit (or an empty name) gets a '_' in front.
std::string cIdentifier(const std::string &name);

/// Whether `name` is a C identifier that soracc can prefix symbols with.
bool isCIdentifier(const std::string &name);

/// The C/C++ header declaring `<symbol>_model()` and describing the model's
/// inputs, outputs and arena as constants (`<SYMBOL>_INPUT_<NAME>_DIMS` …).
std::string modelHeader(const ModelSignature &model);

} // namespace sora

#endif
