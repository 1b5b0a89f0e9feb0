//===- LinearOps.cpp - Gemm and MatMul ------------------------------------===//
//
// A product with a constant right-hand side is a dense particle (kernel
// [in, units]); one between two run-time tensors is a matmul particle.
// Dense works on the last axis, so an input whose layout keeps the last
// axis in place is used as it is, and a flattened NHWC input is handled by
// permuting the kernel rows.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"
#include "WeightConversion.h"

using nlohmann::json;

namespace sora::onnximport {

/// Emits a dense particle on ONNX value `input` with a logical kernel
/// [K, units]; defines output 0.
static void emitDense(const NodeContext &c, GraphBuilder &b,
                      const std::string &input, std::vector<float> kernel,
                      int64_t units, std::vector<float> bias) {
  const Held &x = b.get(input);
  int64_t k = x.shape.back();
  std::string ref;
  std::vector<int64_t> perm;
  if (!x.columns.empty()) {
    kernel = permuteKernelRows(kernel, units, x.columns);
    ref = x.ref;
  } else if (!x.perm.empty() &&
             x.perm.back() == static_cast<int64_t>(x.perm.size()) - 1) {
    ref = x.ref; // the last axis stays last: keep the layout
    perm = x.perm;
  } else {
    ref = b.plain(input);
  }
  // Dense kernels take [rows, K]: fold the leading axes into rows (views
  // cost nothing) and unfold the result.
  std::vector<int64_t> shape = b.shapeOf(ref);
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i)
    rows *= shape[i];
  bool fold = shape.size() > 2;
  if (fold)
    ref = b.particle(c.node, "_rows", "reshape", {ref},
                     json{{"shape", {rows, k}}});
  std::string dense =
      b.particle(c.node, "", "dense", {ref},
                 json{{"units", units}, {"use_bias", !bias.empty()}});
  b.weight(dense, "kernel", {k, units}, std::move(kernel));
  if (!bias.empty())
    b.weight(dense, "bias", {units}, std::move(bias));
  if (fold) {
    shape.back() = units;
    dense = b.particle(c.node, "_unfold", "reshape", {dense},
                       json{{"shape", shape}});
  }
  defineOutput(c, b, 0, dense, perm);
}

/// A bias constant that must broadcast to [units].
static void checkBias(const NodeContext &c, Problems &p, int i, int64_t units) {
  const ConstTensor *bias = c.constant(i);
  if (bias && bias->isFloat() && bias->readable &&
      broadcastToVector(bias->floats, bias->dims, units).empty())
    p.node(c.node, "bias '" + c.in(i) + "' does not broadcast to [" +
                       std::to_string(units) +
                       "] (only a bias per output unit is supported)");
}

/// The last axis of input 0 must be the weight's `inner` dimension.
static void checkInner(const NodeContext &c, Problems &p, int64_t inner) {
  const ValueType *a = c.model.type(c.in(0));
  if (a && a->hasShape && !a->dims.empty() && a->dims.back() != inner)
    p.node(c.node,
           "input '" + c.in(0) + "' has " + std::to_string(a->dims.back()) +
               " features but the weight expects " + std::to_string(inner));
}

void checkGemm(const NodeContext &c, Problems &p) {
  if (c.attrs.getInt("transA", 0)) {
    p.node(c.node, "attribute transA=1 is not supported");
    return;
  }
  const ConstTensor *w = c.constant(1);
  if (!w)
    return;
  if (w->dims.size() != 2) {
    p.node(c.node, "weight '" + c.in(1) + "' must have rank 2");
    return;
  }
  bool transB = c.attrs.getInt("transB", 0);
  int64_t units = transB ? w->dims[0] : w->dims[1];
  checkInner(c, p, transB ? w->dims[1] : w->dims[0]);
  if (c.has(2))
    checkBias(c, p, 2, units);
}

void lowerGemm(const NodeContext &c, GraphBuilder &b) {
  const ConstTensor &w = *c.constant(1);
  bool transB = c.attrs.getInt("transB", 0);
  int64_t units = transB ? w.dims[0] : w.dims[1];
  std::vector<float> kernel =
      transB ? permuteTensor(w.floats, w.dims, {1, 0}) : w.floats;
  float alpha = c.attrs.getFloat("alpha", 1.0f);
  float beta = c.attrs.getFloat("beta", 1.0f);
  if (alpha != 1.0f)
    for (float &v : kernel)
      v *= alpha;
  std::vector<float> bias;
  if (c.has(2)) {
    const ConstTensor &cb = *c.constant(2);
    bias = broadcastToVector(cb.floats, cb.dims, units);
    for (float &v : bias)
      v *= beta;
  }
  emitDense(c, b, c.in(0), std::move(kernel), units, std::move(bias));
}

void checkMatMul(const NodeContext &c, Problems &p) {
  const ValueType *a = c.model.type(c.in(0));
  if (a && a->hasShape && a->dims.size() < 2)
    p.node(c.node, "a rank-1 left operand is not supported");
  const ConstTensor *w = c.constant(1);
  if (!w) {
    const ValueType *bt = c.model.type(c.in(1));
    if (!bt || !bt->isStatic() || bt->elemType != onnx::TensorProto::FLOAT)
      p.node(c.node, "input '" + c.in(1) +
                         "' must be a float32 tensor of static shape");
    else if (bt->dims.size() < 2)
      p.node(c.node, "a rank-1 right operand is not supported");
    return;
  }
  if (!w->isFloat() || !w->readable)
    p.node(c.node, "initializer '" + c.in(1) + "' has dtype " +
                       dataTypeName(w->elemType) +
                       "; soracc supports float32 weights");
  else if (w->dims.size() != 2)
    p.node(c.node, "a constant right operand of rank " +
                       std::to_string(w->dims.size()) +
                       " is not supported (only [K, N])");
  else {
    checkInner(c, p, w->dims[0]);
    if (c.has(2))
      checkBias(c, p, 2, w->dims[1]);
  }
}

void lowerMatMul(const NodeContext &c, GraphBuilder &b) {
  if (const ConstTensor *w = c.constant(1)) {
    std::vector<float> bias;
    if (c.has(2)) {
      const ConstTensor &cb = *c.constant(2);
      bias = broadcastToVector(cb.floats, cb.dims, w->dims[1]);
    }
    emitDense(c, b, c.in(0), w->floats, w->dims[1], std::move(bias));
    return;
  }
  // An operand held with its last two axes swapped (K in attention) is
  // read as it is, with transpose_a/transpose_b.
  std::vector<std::string> refs;
  json attrs = json::object();
  for (int i = 0; i < 2; ++i) {
    const Held &x = b.get(c.in(i));
    std::vector<int64_t> swapped = identityPerm(x.shape.size());
    std::swap(swapped[swapped.size() - 2], swapped.back());
    bool useSwapped = x.columns.empty() && !x.perm.empty() &&
                      isIdentity(composePerm(x.perm, invertPerm(swapped)));
    refs.push_back(useSwapped ? x.ref : b.plain(c.in(i)));
    if (useSwapped)
      attrs[i == 0 ? "transpose_a" : "transpose_b"] = true;
  }
  defineOutput(c, b, 0, b.particle(c.node, "", "matmul", refs, attrs));
}

} // namespace sora::onnximport
