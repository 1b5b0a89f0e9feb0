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
/// [K, units]; defines output 0, or the value `result` when given.
static void emitDense(const NodeContext &c, GraphBuilder &b,
                      const std::string &input, std::vector<float> kernel,
                      int64_t units, std::vector<float> bias,
                      const std::string &result = "") {
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
  if (result.empty()) {
    defineOutput(c, b, 0, dense, perm);
    return;
  }
  Held held;
  held.ref = dense;
  held.shape = x.shape;
  held.shape.back() = units;
  held.perm = perm;
  b.define(result, held);
}

/// The rows M of a Gemm's output (A is [M, K], or [K, M] with transA).
static int64_t gemmRows(const NodeContext &c, const ValueType &a) {
  return c.attrs.getInt("transA", 0) ? a.dims[1] : a.dims[0];
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
  const ValueType *a = c.model.type(c.in(0));
  if (a && a->hasShape && a->dims.size() != 2) {
    p.node(c.node, "input '" + c.in(0) + "' must have rank 2");
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
  int64_t inner = transB ? w->dims[1] : w->dims[0];
  if (c.attrs.getInt("transA", 0)) {
    if (a && a->hasShape && a->dims[0] != inner)
      p.node(c.node, "input '" + c.in(0) + "' (transA) has " +
                         std::to_string(a->dims[0]) +
                         " features but the weight expects " +
                         std::to_string(inner));
  } else {
    checkInner(c, p, inner);
  }
  const ConstTensor *bias = c.has(2) ? c.constant(2) : nullptr;
  if (bias && bias->isFloat() && bias->readable && a && a->isStatic() &&
      (bias->dims.size() > 2 ||
       broadcastToShape(bias->floats, bias->dims,
                        {gemmRows(c, *a), transB ? w->dims[0] : w->dims[1]})
           .empty()))
    p.node(c.node, "bias '" + c.in(2) + "' does not broadcast to the output");
}

void lowerGemm(const NodeContext &c, GraphBuilder &b) {
  const ConstTensor &w = *c.constant(1);
  bool transB = c.attrs.getInt("transB", 0);
  int64_t units = transB ? w.dims[0] : w.dims[1];
  // transA: A [K, M] is held as the logical [M, K] it stands for.
  std::string input = c.in(0);
  if (c.attrs.getInt("transA", 0)) {
    Held a = b.get(input);
    Held transposed;
    transposed.ref = b.plain(input);
    transposed.shape = {a.shape[1], a.shape[0]};
    transposed.perm = {1, 0};
    input = c.out(0) + "/transA";
    b.define(input, transposed);
  }
  std::vector<float> kernel =
      transB ? permuteTensor(w.floats, w.dims, {1, 0}) : w.floats;
  float alpha = c.attrs.getFloat("alpha", 1.0f);
  float beta = c.attrs.getFloat("beta", 1.0f);
  if (alpha != 1.0f)
    for (float &v : kernel)
      v *= alpha;
  // A bias per output unit goes into the dense; another one (per row, or
  // per element) is added after it.
  std::vector<float> bias, rowBias;
  if (c.has(2)) {
    const ConstTensor &cb = *c.constant(2);
    bias = broadcastToVector(cb.floats, cb.dims, units);
    if (bias.empty())
      rowBias = broadcastToShape(cb.floats, cb.dims,
                                 {gemmRows(c, *c.model.type(c.in(0))), units});
    for (std::vector<float> *v : {&bias, &rowBias})
      for (float &e : *v)
        e *= beta;
  }
  if (rowBias.empty()) {
    emitDense(c, b, input, std::move(kernel), units, std::move(bias));
    return;
  }
  std::string product = c.out(0) + "/product";
  emitDense(c, b, input, std::move(kernel), units, {}, product);
  int64_t rows = (int64_t)rowBias.size() / units;
  std::string constant = b.particle(c.node, "_bias", "constant", {},
                                    json{{"shape", {rows, units}}});
  b.weight(constant, "value", {rows, units}, std::move(rowBias));
  defineOutput(c, b, 0,
               b.particle(c.node, "", "add", {b.plain(product), constant}));
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
