//===- Fuser.h - Rewriting multi-node ONNX patterns -------------*- C++ -*-===//
//
// The state shared by the pattern files: the node list with its producer
// and reader indexes, and the helpers the patterns match with.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_FUSER_H
#define SORA_FRONTEND_ONNX_FUSER_H

#include "ImportSteps.h"

#include <optional>

namespace sora::onnximport {

/// Matches and rewrites the patterns, one file per family:
/// FusePatterns.cpp (driver, Gather of a table, Conv + BatchNormalization,
/// MatMul + Add), FuseActivations.cpp (GELU, layer norm), FoldScales.cpp
/// (scalar scales).
class Fuser {
public:
  explicit Fuser(OnnxModel &model) : model(model) {}
  void run();

private:
  using Node = onnx::NodeProto;
  void index();
  /// The node producing `value`, if it has op type `op`.
  const Node *producedBy(const std::string &value, const char *op) const;
  /// The only reader of `value` (which is no model output), if of type `op`.
  const Node *onlyReader(const std::string &value, const char *op) const;
  /// The input of binary `node` other than `value`, or "".
  static std::string other(const Node &node, const std::string &value);
  std::optional<float> scalar(const std::string &value) const;
  /// True if `v` is within 1e-4 (relative) of `want`.
  static bool near(std::optional<float> v, double want);
  /// Replaces `last` by `fused` and drops `others` (which may list `last`).
  void replace(const Node *last, Node fused, std::vector<const Node *> others);

  bool embedding(const Node &gather);
  bool convBatchNorm(const Node &bn);
  bool matMulAdd(const Node &matmul);
  bool gelu(const Node &erf);
  bool layerNorm(const Node &mean);
  bool scaleIntoWeights(const Node &node);

  /// Where a uniform scale of `value` can be folded: the linear node and
  /// the range of its output's last axis that `value` holds.
  struct ScaleTarget {
    const Node *linear = nullptr;
    int64_t begin = 0, end = -1; ///< end -1: every column
  };
  std::optional<ScaleTarget> scaleTarget(const std::string &value);
  /// Multiplies output columns [begin, end) of `linear`'s weights by `scale`.
  bool applyScale(const ScaleTarget &target, float scale);
  bool onlyRead(const std::string &value) const;

  OnnxModel &model;
  std::map<std::string, const Node *> producers;
  std::map<std::string, std::vector<const Node *>> readers;
};

} // namespace sora::onnximport

#endif
