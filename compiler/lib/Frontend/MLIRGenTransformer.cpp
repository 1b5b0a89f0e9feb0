//===- MLIRGenTransformer.cpp - Transformer particles ---------------------===//
//
// Lowerings of multi_head_attention, feed_forward and positional_encoding:
// each becomes its one op (sora-decompose-transformer splits them later).
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {

/// Whether `x` has at least `rank` dims; reports `layout` expected if not.
static bool checkRank(ArrayRef<int64_t> x, size_t rank, const char *layout,
                      const ShapeError &error) {
  if (x.size() >= rank)
    return true;
  error() << "port 'input' expects " << layout << ", got " << formatDims(x);
  return false;
}

Value MLIRGenImpl::multiHeadAttention(const ParticleDecl &p, ParticleAttrs &a,
                                      ArrayRef<Value> in) {
  auto heads = a.positiveInt("heads", std::nullopt);
  auto causal = a.boolean("causal", false);
  auto fused = a.boolean("fused_qkv", false);
  if (!heads || !causal || !fused)
    return nullptr;
  if (in.size() > 2) {
    shapeError(p, a)() << "takes the input and an optional mask ('inputs': "
                          "[x] or [x, mask]), got "
                       << in.size() << " inputs";
    return nullptr;
  }
  ArrayRef<int64_t> x = shapeOf(in[0]);
  if (x.size() != 3) {
    shapeError(p, a)() << "port 'input' expects rank 3 [batch, seq, dim], got "
                       << formatDims(x);
    return nullptr;
  }
  int64_t dim = x[2];
  if (dim % *heads != 0 && !a.has("head_dim")) {
    a.error("heads") << "'heads' (" << *heads << ") must divide the input dim "
                     << dim << ", or give 'head_dim'";
    return nullptr;
  }
  auto headDim = a.positiveInt("head_dim", dim / *heads);
  if (!headDim)
    return nullptr;
  int64_t inner, width;
  if (__builtin_mul_overflow(*heads, *headDim, &inner) ||
      __builtin_mul_overflow(inner, 3, &width)) {
    a.error("head_dim") << "heads * head_dim is too large";
    return nullptr;
  }
  // The scores, [batch, heads, seq, seq], are a tensor of their own.
  if (!checkSize({x[0], *heads, x[1], x[1]}, p.loc,
                 a.owner() + ": the attention scores"))
    return nullptr;
  auto param = [&](const char *name, std::vector<int64_t> shape,
                   const char *layout) {
    return weight(p, a, name, shape, shape[0], layout);
  };
  SmallVector<Value, 8> proj(8); // qkv, qkv bias, q, q bias, k, ..., v bias
  if (*fused) {
    proj[0] =
        param("qkv_kernel", {dim, 3 * inner}, "[dim, 3 * heads * head_dim]");
    proj[1] =
        weight(p, a, "qkv_bias", {3 * inner}, dim, "[3 * heads * head_dim]");
  } else {
    const char *names[] = {"q", "k", "v"};
    for (int i = 0; i < 3; ++i) {
      std::string n = names[i];
      proj[2 + 2 * i] = param((n + "_kernel").c_str(), {dim, inner},
                              "[dim, heads * head_dim]");
      proj[3 + 2 * i] =
          weight(p, a, n + "_bias", {inner}, dim, "[heads * head_dim]");
    }
  }
  Value outKernel =
      param("out_kernel", {inner, dim}, "[heads * head_dim, dim]");
  Value outBias = weight(p, a, "out_bias", {dim}, inner, "[dim]");
  if (!outKernel || !outBias ||
      (*fused
           ? !proj[0] || !proj[1]
           : llvm::is_contained(ArrayRef<Value>(proj).drop_front(2), Value())))
    return nullptr;
  Value mask = in.size() > 1 ? in[1] : Value();
  auto optShape = [&](Value v) -> std::optional<ArrayRef<int64_t>> {
    return v ? std::optional(shapeOf(v)) : std::nullopt;
  };
  AttentionWeightShapes w{optShape(proj[0]),  optShape(proj[1]),
                          optShape(proj[2]),  optShape(proj[3]),
                          optShape(proj[4]),  optShape(proj[5]),
                          optShape(proj[6]),  optShape(proj[7]),
                          shapeOf(outKernel), shapeOf(outBias)};
  auto shape = inferMultiHeadAttentionShape(x, optShape(mask), w, *heads,
                                            shapeError(p, a));
  if (!shape)
    return nullptr;
  return MultiHeadAttentionOp::create(
      b, loc, in[0].getType(), in[0], mask, proj[0], proj[1], proj[2], proj[3],
      proj[4], proj[5], proj[6], proj[7], outKernel, outBias,
      b.getI64IntegerAttr(*heads), b.getBoolAttr(*causal));
}

Value MLIRGenImpl::feedForward(const ParticleDecl &p, ParticleAttrs &a,
                               ArrayRef<Value> in) {
  auto units = a.positiveInt("units", std::nullopt);
  if (!units)
    return nullptr;
  // The same names as feedForwardActivations(), the default first.
  auto act = a.choice("activation",
                      {"relu", "gelu", "gelu_tanh", "silu", "tanh", "sigmoid"});
  if (!act)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  if (!checkRank(x, 2, "rank >= 2 [..., dim]", shapeError(p, a)))
    return nullptr;
  int64_t dim = x.back();
  // The hidden layer, [..., units], is a tensor of its own.
  SmallVector<int64_t> hidden(x.drop_back());
  hidden.push_back(*units);
  if (!checkSize(hidden, p.loc, a.owner() + ": the hidden layer"))
    return nullptr;
  Value hk = weight(p, a, "hidden_kernel", {dim, *units}, dim, "[dim, units]");
  Value hb = weight(p, a, "hidden_bias", {*units}, dim, "[units]");
  Value ok = weight(p, a, "out_kernel", {*units, dim}, *units, "[units, dim]");
  Value ob = weight(p, a, "out_bias", {dim}, *units, "[dim]");
  if (!hk || !hb || !ok || !ob)
    return nullptr;
  auto shape = inferFeedForwardShape(x, shapeOf(hk), shapeOf(hb), shapeOf(ok),
                                     shapeOf(ob), shapeError(p, a));
  if (!shape)
    return nullptr;
  return FeedForwardOp::create(b, loc, in[0].getType(), in[0], hk, hb, ok, ob,
                               b.getStringAttr(*act));
}

Value MLIRGenImpl::positionalEncoding(const ParticleDecl &p, ParticleAttrs &a,
                                      ArrayRef<Value> in) {
  auto kind = a.choice("kind", {"sinusoidal", "learned"});
  if (!kind)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  if (!checkRank(x, 2, "[..., seq, dim]", shapeError(p, a)))
    return nullptr;
  int64_t seq = x[x.size() - 2], dim = x.back();
  Value table;
  if (*kind == "sinusoidal") {
    if (a.has("max_len")) {
      a.error("max_len") << "'max_len' applies to learned positions only "
                            "(the sinusoid table is computed)";
      return nullptr;
    }
  } else {
    auto maxLen = a.positiveInt("max_len", seq);
    if (!maxLen)
      return nullptr;
    if (*maxLen < seq) {
      a.error("max_len") << "'max_len' (" << *maxLen
                         << ") is shorter than the sequence (" << seq << ")";
      return nullptr;
    }
    table = weight(p, a, "embeddings", {*maxLen, dim}, 1, "[max_len, dim]");
    if (!table)
      return nullptr;
  }
  auto shape = inferPositionalEncodingShape(
      x, table ? std::optional(shapeOf(table)) : std::nullopt,
      shapeError(p, a));
  if (!shape)
    return nullptr;
  return PositionalEncodingOp::create(b, loc, in[0].getType(), in[0], table);
}

} // namespace sora
