//===- DecomposeTransformer.cpp - Attention, FFN, positions to basic ops --===//
//
// multi_head_attention [B, S, D], H heads of width d:
//
//   rows [B*S, D] --dense--> q, k, v [B*S, H*d]   (fused: one dense, sliced)
//   q -> [B, H, S, d], k -> [B, H, d, S], v -> [B, H, S, d]   (transposes)
//   scores = matmul(q, k) * 1/sqrt(d) (+ causal table) (+ padding bias)
//   ctx = matmul(softmax(scores), v) -> [B, S, H*d] --dense--> [B, S, D]
//
// The scale and the masks are elementwise epilogues of the scores matmul
// (sora-fuse puts them in its kernel); k is laid out [d, S] so that the
// matmul reads both operands along rows. feed_forward is dense, activation,
// dense; positional_encoding an add of its table. The constants (the scale,
// the causal table, the sinusoid table) are weights named `_sora.<what>`
// whose values the pass defines through WeightValues when it has them.
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>
#include <functional>

namespace sora::particle {
#define GEN_PASS_DEF_SORADECOMPOSETRANSFORMER
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

/// What masked attention scores get added: exp() of it underflows to 0.
constexpr float kMaskedScore = -1e30f;

ArrayRef<int64_t> dims(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Builds the replacement ops of one particle at its place.
class Decomposer {
public:
  Decomposer(Operation *op, WeightValues *values)
      : b(op), loc(op->getLoc()), values(values) {}

  Value attention(MultiHeadAttentionOp op);
  Value feedForward(FeedForwardOp op);
  Value positionalEncoding(PositionalEncodingOp op);

private:
  RankedTensorType type(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  /// `v` viewed as `shape`, looking through a reshape that made `v`.
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    if (dims(v) == shape)
      return v;
    if (auto view = v.getDefiningOp<ReshapeOp>())
      v = view.getInput();
    if (dims(v) == shape)
      return v;
    return ReshapeOp::create(b, loc, type(shape), v);
  }
  /// transpose(v, perm), or a free reshape when only size-1 dims move.
  Value permute(Value v, ArrayRef<int64_t> perm);
  /// dense over the last axis of `v` (any rank), through [rows, in], with
  /// `act` (a feed_forward activation, "" for none) applied to the rows.
  Value dense(Value v, Value kernel, Value bias, StringRef act = "");
  /// A constant tensor, defined in the weight store when there is one.
  Value constant(const std::string &name, ArrayRef<int64_t> shape,
                 const std::function<std::vector<float>()> &values);
  /// A [1] constant named after `what` and its value (printed as %g).
  Value scalar(const char *what, float value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.9g", value);
    return constant(llvm::formatv("_sora.{0}.{1}", what, text).str(), {1},
                    [&] { return std::vector<float>{value}; });
  }
  Value activation(StringRef name, Value x);

  OpBuilder b;
  Location loc;
  WeightValues *values;
};

Value Decomposer::permute(Value v, ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> in = dims(v);
  SmallVector<int64_t> out, moved;
  for (int64_t p : perm) {
    out.push_back(in[p]);
    if (in[p] != 1)
      moved.push_back(p);
  }
  if (llvm::is_sorted(moved))
    return reshape(v, out);
  return TransposeOp::create(b, loc, type(out), v, perm);
}

Value Decomposer::dense(Value v, Value kernel, Value bias, StringRef act) {
  ArrayRef<int64_t> x = dims(v);
  int64_t rows = 1;
  for (int64_t d : x.drop_back())
    rows *= d;
  int64_t units = dims(kernel)[1];
  Value flat = reshape(v, {rows, x.back()});
  Value y = DenseOp::create(b, loc, type({rows, units}), flat, kernel, bias);
  if (!act.empty())
    y = activation(act, y);
  SmallVector<int64_t> shape(x.drop_back());
  shape.push_back(units);
  return reshape(y, shape);
}

Value Decomposer::constant(const std::string &name, ArrayRef<int64_t> shape,
                           const std::function<std::vector<float>()> &make) {
  if (values)
    values->define(name, shape, make());
  return WeightOp::create(b, loc, type(shape), name);
}

Value Decomposer::activation(StringRef name, Value x) {
  Type t = x.getType();
  if (name == "gelu" || name == "gelu_tanh")
    return GeluOp::create(b, loc, t, x,
                          b.getStringAttr(name == "gelu" ? "none" : "tanh"));
  if (name == "silu")
    return SiluOp::create(b, loc, t, x);
  if (name == "tanh")
    return TanhOp::create(b, loc, t, x);
  if (name == "sigmoid")
    return SigmoidOp::create(b, loc, t, x);
  return ReluOp::create(b, loc, t, x);
}

Value Decomposer::attention(MultiHeadAttentionOp op) {
  ArrayRef<int64_t> x = dims(op.getInput());
  int64_t batch = x[0], seq = x[1], heads = op.getHeads();
  int64_t inner = dims(op.getOutKernel())[0], width = inner / heads;

  // The projections as [B*S, H*d] rows.
  Value rows = reshape(op.getInput(), {batch * seq, x[2]});
  Value q, k, v;
  if (op.isFusedQkv()) {
    Value qkv = dense(rows, op.getQkvKernel(), op.getQkvBias());
    Value *parts[] = {&q, &k, &v};
    for (int64_t i = 0; i < 3; ++i)
      *parts[i] = SliceOp::create(b, loc, type({batch * seq, inner}), qkv,
                                  ArrayRef<int64_t>{0, i * inner},
                                  ArrayRef<int64_t>{1, 1});
  } else {
    q = dense(rows, op.getQKernel(), op.getQBias());
    k = dense(rows, op.getKKernel(), op.getKBias());
    v = dense(rows, op.getVKernel(), op.getVBias());
  }
  auto split = [&](Value t, ArrayRef<int64_t> perm) {
    return permute(reshape(t, {batch, seq, heads, width}), perm);
  };
  q = split(q, {0, 2, 1, 3}); // [B, H, S, d]
  k = split(k, {0, 2, 3, 1}); // [B, H, d, S]
  v = split(v, {0, 2, 1, 3}); // [B, H, S, d]

  auto scoresType = type({batch, heads, seq, seq});
  Value scores = MatMulOp::create(b, loc, scoresType, q, k,
                                  b.getBoolAttr(false), b.getBoolAttr(false));
  float scale = (float)(1.0 / std::sqrt((double)width));
  scores = MulOp::create(b, loc, scoresType, scores, scalar("scale", scale));
  if (op.getCausal()) {
    Value table = constant(
        llvm::formatv("_sora.causal_mask.{0}x{0}", seq).str(), {seq, seq}, [&] {
          std::vector<float> t(seq * seq, 0.0f);
          for (int64_t i = 0; i < seq; ++i)
            for (int64_t j = i + 1; j < seq; ++j)
              t[i * seq + j] = kMaskedScore;
          return t;
        });
    scores = AddOp::create(b, loc, scoresType, scores, table);
  }
  if (Value mask = op.getMask()) {
    // 1 -> 0, 0 -> -1e30: mask * 1e30 - 1e30.
    Value big = scalar("mask_scale", -kMaskedScore);
    auto maskType = type({batch, seq});
    Value bias = MulOp::create(b, loc, maskType, mask, big);
    bias = SubOp::create(b, loc, maskType, bias, big);
    scores = AddOp::create(b, loc, scoresType, scores,
                           reshape(bias, {batch, 1, 1, seq}));
  }
  Value probs = SoftmaxOp::create(b, loc, scoresType, scores, 3);
  Value context =
      MatMulOp::create(b, loc, type({batch, heads, seq, width}), probs, v,
                       b.getBoolAttr(false), b.getBoolAttr(false));
  context = permute(context, {0, 2, 1, 3}); // [B, S, H, d]
  context = reshape(context, {batch, seq, inner});
  return dense(context, op.getOutKernel(), op.getOutBias());
}

Value Decomposer::feedForward(FeedForwardOp op) {
  Value hidden = dense(op.getInput(), op.getHiddenKernel(), op.getHiddenBias(),
                       op.getActivation());
  return dense(hidden, op.getOutKernel(), op.getOutBias());
}

Value Decomposer::positionalEncoding(PositionalEncodingOp op) {
  ArrayRef<int64_t> x = dims(op.getInput());
  int64_t seq = x[x.size() - 2], dim = x.back();
  Value table = op.getTable();
  auto learned = table ? table.getDefiningOp<WeightOp>() : WeightOp();
  std::optional<std::vector<float>> rows =
      learned && values ? values->read(learned.getName()) : std::nullopt;
  if (rows) {
    // The table's first `seq` rows as a weight of their own, named alike
    // for every length: read by position, as a model compiled for 1 to N
    // tokens (--max-sequence) reads them.
    rows->resize(seq * dim);
    table = constant(learned.getName().str() + ".rows", {seq, dim},
                     [&] { return *rows; });
  } else if (table && dims(table)[0] != seq) {
    table = SliceOp::create(b, loc, type({seq, dim}), table,
                            ArrayRef<int64_t>{0, 0}, ArrayRef<int64_t>{1, 1});
  } else if (!table) {
    table = constant(
        llvm::formatv("_sora.sinusoid.{0}x{1}", seq, dim).str(), {seq, dim},
        [&] {
          std::vector<float> t(seq * dim);
          for (int64_t s = 0; s < seq; ++s)
            for (int64_t d = 0; d < dim; ++d) {
              double angle =
                  s / std::pow(10000.0, (double)(d - d % 2) / (double)dim);
              t[s * dim + d] =
                  (float)(d % 2 ? std::cos(angle) : std::sin(angle));
            }
          return t;
        });
  }
  return AddOp::create(b, loc, op.getType(), op.getInput(), table);
}

struct SoraDecomposeTransformerPass
    : public sora::particle::impl::SoraDecomposeTransformerBase<
          SoraDecomposeTransformerPass> {
  explicit SoraDecomposeTransformerPass(WeightValues *weights)
      : weights(weights) {}

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<MultiHeadAttentionOp, FeedForwardOp, PositionalEncodingOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      Decomposer d(op, weights);
      Value result =
          TypeSwitch<Operation *, Value>(op)
              .Case([&](MultiHeadAttentionOp a) { return d.attention(a); })
              .Case([&](FeedForwardOp f) { return d.feedForward(f); })
              .Case([&](PositionalEncodingOp p) {
                return d.positionalEncoding(p);
              });
      op->getResult(0).replaceAllUsesWith(result);
      op->erase();
    }
    // Views that reshape() looked through, and position tables whose rows
    // became weights of their own, may be left unused.
    getOperation().walk([](Operation *op) {
      if (isa<ReshapeOp, WeightOp>(op) && op->use_empty())
        op->erase();
    });
  }

  WeightValues *weights;
};

} // namespace

std::unique_ptr<Pass>
sora::particle::createSoraDecomposeTransformerPass(WeightValues *weights) {
  return std::make_unique<SoraDecomposeTransformerPass>(weights);
}
