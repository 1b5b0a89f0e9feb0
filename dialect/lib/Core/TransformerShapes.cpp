//===- TransformerShapes.cpp - Shape rules of the Transformer particles ---===//

#include "sora/Core/ParticleShapes.h"

namespace sora::particle {

/// Checks that `port` has shape `expected`, described as `layout`.
static bool expectShape(const char *port, ShapeRef actual, ShapeRef expected,
                        const char *layout, const ShapeError &emitError) {
  if (actual == expected)
    return true;
  emitError() << "port '" << port << "' expects " << formatDims(expected)
              << " (" << layout << "), got " << formatDims(actual);
  return false;
}

std::optional<Shape>
inferMultiHeadAttentionShape(ShapeRef input, std::optional<ShapeRef> mask,
                             const AttentionWeightShapes &w, int64_t heads,
                             const ShapeError &emitError) {
  if (input.size() != 3)
    return emitError() << "port 'input' expects rank 3 [batch, seq, dim], got "
                       << formatDims(input);
  if (heads < 1)
    return emitError() << "heads must be positive, got " << heads;
  int64_t dim = input[2];
  bool fused = w.qkvKernel.has_value();
  bool separate = w.qKernel || w.kKernel || w.vKernel;
  if (fused == separate || (fused && !w.qkvBias) ||
      (separate &&
       !(w.qKernel && w.kKernel && w.vKernel && w.qBias && w.kBias && w.vBias)))
    return emitError() << "needs either 'qkv_kernel' and 'qkv_bias' or all of "
                          "'q_kernel', 'k_kernel', 'v_kernel' and their "
                          "biases";
  // heads * head_dim, from the projection kernels.
  ShapeRef first = fused ? *w.qkvKernel : *w.qKernel;
  if (first.size() != 2 || first[0] != dim)
    return emitError() << "port '" << (fused ? "qkv_kernel" : "q_kernel")
                       << "' expects [" << dim << ", ...] ([dim, "
                       << (fused ? "3 * " : "") << "heads * head_dim]), got "
                       << formatDims(first);
  int64_t inner = fused ? first[1] / 3 : first[1];
  if ((fused && first[1] % 3 != 0) || inner % heads != 0)
    return emitError() << "port '" << (fused ? "qkv_kernel" : "q_kernel")
                       << "' has " << first[1] << " columns, not "
                       << (fused ? "3 * " : "") << "heads (" << heads
                       << ") * head_dim";
  if (fused) {
    if (!(expectShape("qkv_bias", *w.qkvBias, {3 * inner},
                      "[3 * heads * head_dim]", emitError)))
      return std::nullopt;
  } else {
    std::pair<const char *, ShapeRef> kernels[] = {{"k_kernel", *w.kKernel},
                                                   {"v_kernel", *w.vKernel}};
    for (auto [port, shape] : kernels)
      if (!(expectShape(port, shape, {dim, inner}, "[dim, heads * head_dim]",
                        emitError)))
        return std::nullopt;
    std::pair<const char *, ShapeRef> biases[] = {
        {"q_bias", *w.qBias}, {"k_bias", *w.kBias}, {"v_bias", *w.vBias}};
    for (auto [port, shape] : biases)
      if (!(expectShape(port, shape, {inner}, "[heads * head_dim]", emitError)))
        return std::nullopt;
  }
  if (!(expectShape("out_kernel", w.outKernel, {inner, dim},
                    "[heads * head_dim, dim]", emitError)) ||
      !(expectShape("out_bias", w.outBias, {dim}, "[dim]", emitError)))
    return std::nullopt;
  if (mask && !(expectShape("mask", *mask, {input[0], input[1]}, "[batch, seq]",
                            emitError)))
    return std::nullopt;
  return Shape(input.begin(), input.end());
}

const std::vector<std::string> &feedForwardActivations() {
  static const std::vector<std::string> names = {"relu", "gelu", "gelu_tanh",
                                                 "silu", "tanh", "sigmoid"};
  return names;
}

std::optional<Shape> inferFeedForwardShape(ShapeRef input,
                                           ShapeRef hiddenKernel,
                                           ShapeRef hiddenBias,
                                           ShapeRef outKernel, ShapeRef outBias,
                                           const ShapeError &emitError) {
  if (input.empty())
    return emitError() << "port 'input' needs a feature dimension";
  int64_t dim = input.back();
  if (hiddenKernel.size() != 2 || hiddenKernel[0] != dim)
    return emitError() << "port 'hidden_kernel' expects [" << dim
                       << ", units] ([dim, units]), got "
                       << formatDims(hiddenKernel);
  int64_t units = hiddenKernel[1];
  if (!(expectShape("hidden_bias", hiddenBias, {units}, "[units]",
                    emitError)) ||
      !(expectShape("out_kernel", outKernel, {units, dim}, "[units, dim]",
                    emitError)) ||
      !(expectShape("out_bias", outBias, {dim}, "[dim]", emitError)))
    return std::nullopt;
  return Shape(input.begin(), input.end());
}

std::optional<Shape> inferPositionalEncodingShape(ShapeRef input,
                                                  std::optional<ShapeRef> table,
                                                  const ShapeError &emitError) {
  if (input.size() < 2)
    return emitError() << "port 'input' expects [..., seq, dim], got "
                       << formatDims(input);
  int64_t seq = input[input.size() - 2], dim = input.back();
  if (table && (table->size() != 2 || (*table)[0] < seq || (*table)[1] != dim))
    return emitError() << "port 'table' expects [max_len, " << dim
                       << "] with max_len >= " << seq << " (the sequence), got "
                       << formatDims(*table);
  return Shape(input.begin(), input.end());
}

} // namespace sora::particle
