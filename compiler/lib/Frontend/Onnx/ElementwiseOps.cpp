//===- ElementwiseOps.cpp - Activations, arithmetic, normalizations -------===//
//
// Elementwise particles work in any layout: the result keeps the layout of
// the operands, so a relu after a conv stays NHWC.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"
#include "WeightConversion.h"
#include "sora/Core/ParticleShapes.h"

using nlohmann::json;

namespace sora::onnximport {

/// Defines output 0 as `ref`, laid out like input `like`.
static void defineLike(const NodeContext &c, GraphBuilder &b,
                       const std::string &ref, const Held &like) {
  Held out = like;
  out.ref = ref;
  out.shape = c.outShape(0);
  b.define(c.out(0), std::move(out));
}

void lowerUnary(const NodeContext &c, GraphBuilder &b) {
  static const std::map<std::string, std::string> particles = {
      {"Relu", "relu"},
      {"Sigmoid", "sigmoid"},
      {"Tanh", "tanh"},
      {"Erf", "erf"},
      {"Gelu", "gelu"},
      {"HardSwish", "hard_swish"},
      {"Abs", "abs"},
      {"Neg", "neg"},
      {"Reciprocal", "reciprocal"},
      {"Floor", "floor"},
      {"Ceil", "ceil"},
      {"Round", "round"},
      {"Sign", "sign"},
      {"Log", "log"},
      {"Sin", "sin"},
      {"Cos", "cos"},
      {"Tan", "tan"},
      {"Asin", "asin"},
      {"Acos", "acos"},
      {"Atan", "atan"},
      {"Sinh", "sinh"},
      {"Cosh", "cosh"},
      {"Asinh", "asinh"},
      {"Acosh", "acosh"},
      {"Atanh", "atanh"},
      {"Softplus", "softplus"},
      {"Softsign", "softsign"},
      {"Mish", "mish"},
      {"Exp", "exp"},
      {"Sqrt", "sqrt"},
  };
  const Held &x = b.get(c.in(0));
  defineLike(
      c, b, b.particle(c.node, "", particles.at(c.node.op_type()), {x.ref}), x);
}

void lowerLeakyRelu(const NodeContext &c, GraphBuilder &b) {
  const Held &x = b.get(c.in(0));
  defineLike(c, b,
             b.particle(c.node, "", "leaky_relu", {x.ref},
                        json{{"alpha", c.attrs.getFloat("alpha", 0.01f)}}),
             x);
}

void lowerScalarActivation(const NodeContext &c, GraphBuilder &b) {
  static const std::map<std::string, std::string> particles = {
      {"Elu", "elu"},
      {"Selu", "selu"},
      {"Celu", "celu"},
      {"ThresholdedRelu", "thresholded_relu"},
      {"Shrink", "shrink"}};
  json attrs = json::object();
  for (const onnx::AttributeProto &attr : c.node.attribute())
    if (attr.type() == onnx::AttributeProto::FLOAT)
      attrs[attr.name()] = attr.f();
  const Held &x = b.get(c.in(0));
  defineLike(
      c, b,
      b.particle(c.node, "", particles.at(c.node.op_type()), {x.ref}, attrs),
      x);
}

void lowerVariadic(const NodeContext &c, GraphBuilder &b) {
  static const std::map<std::string, std::string> particles = {
      {"Max", "maximum"}, {"Min", "minimum"}, {"Sum", "add"}, {"Mean", "add"}};
  const std::string &op = particles.at(c.node.op_type());
  if (c.node.input_size() == 1) {
    b.define(c.out(0), b.get(c.in(0)));
    return;
  }
  // One binary particle per further input, left to right (NumPy
  // broadcasting at each step, as ONNX specifies).
  // Mean: the sum times 1 / n.
  int n = c.node.input_size();
  bool mean = c.node.op_type() == "Mean";
  std::string result = b.plain(c.in(0));
  for (int i = 1; i < n; ++i)
    result = b.particle(
        c.node, i + 1 < n || mean ? "_" + std::to_string(i) : std::string(), op,
        {result, b.plain(c.in(i))});
  if (mean) {
    std::string scale = b.scalar(c.node, "_scale", 1.0f / (float)n);
    result = b.particle(c.node, "", "mul", {result, scale});
  }
  defineOutput(c, b, 0, result);
}

void lowerHardSigmoid(const NodeContext &c, GraphBuilder &b) {
  const Held &x = b.get(c.in(0));
  json attrs{{"alpha", c.attrs.getFloat("alpha", 0.2f)},
             {"beta", c.attrs.getFloat("beta", 0.5f)}};
  defineLike(c, b, b.particle(c.node, "", "hard_sigmoid", {x.ref}, attrs), x);
}

void checkClip(const NodeContext &c, Problems &p) {
  const ConstTensor *lo = c.constant(1), *hi = c.constant(2);
  if (lo && hi && lo->scalar() && hi->scalar() && *lo->scalar() > *hi->scalar())
    p.node(c.node, "min is greater than max");
}

void lowerClip(const NodeContext &c, GraphBuilder &b) {
  std::optional<float> lo, hi;
  if (c.has(1))
    lo = c.constant(1)->scalar();
  if (c.has(2))
    hi = c.constant(2)->scalar();
  const Held &x = b.get(c.in(0));
  if (!lo && !hi) { // no bounds: the identity
    b.define(c.out(0), x);
    return;
  }
  std::string op = "clip";
  json attrs = json::object();
  if (lo && *lo == 0.0f && !hi) {
    op = "relu";
  } else if (lo && *lo == 0.0f && hi && *hi == 6.0f) {
    op = "relu6";
  } else {
    if (lo)
      attrs["min"] = *lo;
    if (hi)
      attrs["max"] = *hi;
  }
  defineLike(c, b, b.particle(c.node, "", op, {x.ref}, attrs), x);
}

void lowerBinary(const NodeContext &c, GraphBuilder &b) {
  static const std::map<std::string, std::string> particles = {
      {"Add", "add"}, {"Sub", "sub"},     {"Mul", "mul"}, {"Div", "div"},
      {"Pow", "pow"}, {"PRelu", "prelu"}, {"Mod", "fmod"}};
  const std::string &op = particles.at(c.node.op_type());
  // A constant meets the run-time operand in its layout (rearranged at
  // compile time), broadcast to its rank.
  const ConstTensor *constants[2] = {c.constant(0), c.constant(1)};
  for (int k = 0; k < 2; ++k) {
    if (!constants[k] || constants[1 - k])
      continue;
    const Held &x = b.get(c.in(1 - k));
    if (!x.columns.empty() || constants[k]->dims.size() > x.shape.size())
      break;
    Held constant = b.constant(c.in(k), x.shape.size(), x.perm);
    std::vector<std::string> refs = {x.ref, constant.ref};
    if (k == 0)
      std::swap(refs[0], refs[1]);
    defineLike(c, b, b.particle(c.node, "", op, refs), x);
    return;
  }
  const Held &lhs = b.get(c.in(0)), &rhs = b.get(c.in(1));
  std::vector<std::string> refs;
  Held like;
  if (lhs.shape == rhs.shape && lhs.perm == rhs.perm &&
      lhs.columns == rhs.columns) {
    refs = {lhs.ref, rhs.ref};
    like = lhs;
  } else if (lhs.shape.size() == rhs.shape.size() && lhs.columns.empty() &&
             rhs.columns.empty()) {
    // Broadcasting works per dimension: put both in one layout.
    std::vector<int64_t> perm = lhs.perm.empty() ? rhs.perm : lhs.perm;
    if (perm.empty())
      perm = identityPerm(lhs.shape.size());
    refs = {b.withPerm(c.in(0), perm), b.withPerm(c.in(1), perm)};
    like.perm = perm;
  } else {
    refs = {b.plain(c.in(0)), b.plain(c.in(1))};
  }
  defineLike(c, b, b.particle(c.node, "", op, refs), like);
}

void checkMod(const NodeContext &c, Problems &p) {
  if (c.attrs.getInt("fmod", 0) != 1)
    p.node(c.node, "fmod=0 (the divisor's sign) is for integer tensors; "
                   "float32 Mod needs fmod=1");
}

void checkWhere(const NodeContext &c, Problems &p) {
  const ConstTensor *cond = c.constant(0);
  if (!cond || !cond->readable || !(cond->isInt() || cond->isFloat()))
    p.node(c.node, "input '" + c.in(0) +
                       "' (the condition) must be a constant mask: "
                       "conditions computed at run time are not supported");
}

void lowerWhere(const NodeContext &c, GraphBuilder &b) {
  // In the ONNX layout: broadcasting works on it.
  defineLike(c, b,
             b.particle(c.node, "", "where",
                        {b.plain(c.in(0)), b.plain(c.in(1)), b.plain(c.in(2))}),
             Held{});
}

void checkPRelu(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  const ConstTensor *slope = c.constant(1);
  if (!x || !x->hasShape || !slope)
    return; // reported by the input checks
  bool broadcasts = slope->dims.size() <= x->dims.size();
  for (size_t i = 1; broadcasts && i <= slope->dims.size(); ++i) {
    int64_t s = slope->dims[slope->dims.size() - i];
    broadcasts = s == 1 || s == x->dims[x->dims.size() - i];
  }
  if (!broadcasts)
    p.node(c.node, "slope of shape " + formatDims(slope->dims) +
                       " does not broadcast to the input's " +
                       formatDims(x->dims));
}

void checkSoftmax(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (x && x->hasShape &&
      !normalizeAxis(c.attrs.getInt("axis", -1), x->dims.size()))
    p.node(c.node, "attribute axis is out of range");
}

void lowerSoftmax(const NodeContext &c, GraphBuilder &b) {
  const Held &held = b.get(c.in(0));
  int64_t axis = *normalizeAxis(c.attrs.getInt("axis", -1), held.shape.size());
  std::string op = c.node.op_type() == "Softmax" ? "softmax" : "log_softmax";
  if (!held.columns.empty()) {
    std::string ref = b.plain(c.in(0));
    defineOutput(c, b, 0,
                 b.particle(c.node, "", op, {ref}, json{{"axis", axis}}));
    return;
  }
  int64_t physicalAxis = held.perm.empty() ? axis : held.perm[axis];
  defineLike(
      c, b,
      b.particle(c.node, "", op, {held.ref}, json{{"axis", physicalAxis}}),
      held);
}

/// The normalized dimensions of a LayerNormalization: x's from `axis` on.
static std::vector<int64_t> normalizedShape(const std::vector<int64_t> &dims,
                                            int64_t axis) {
  return std::vector<int64_t>(dims.begin() + axis, dims.end());
}

void checkLayerNorm(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->hasShape)
    return;
  auto axis = normalizeAxis(c.attrs.getInt("axis", -1), x->dims.size());
  if (!axis) {
    p.node(c.node, "axis " + std::to_string(c.attrs.getInt("axis", -1)) +
                       " is out of range for rank " +
                       std::to_string(x->dims.size()));
    return;
  }
  std::vector<int64_t> normalized = normalizedShape(x->dims, *axis);
  for (int i = 1; i <= 2; ++i) {
    const ConstTensor *t = c.constant(i);
    if (t && t->readable && t->isFloat() &&
        broadcastToShape(t->floats, t->dims, normalized).empty())
      p.node(c.node, "input '" + c.in(i) + "' does not broadcast to " +
                         formatDims(normalized));
  }
}

/// Output 1 (Mean) and output 2 (InvStdDev, 1 / sqrt(variance + epsilon))
/// of a LayerNormalization over `axes` of plain `x`, where they are used.
static void layerNormStatistics(const NodeContext &c, GraphBuilder &b,
                                const std::string &x,
                                const std::vector<int64_t> &axes,
                                float epsilon) {
  std::map<std::string, int> uses = c.model.useCounts();
  bool mean = c.outputUsed(1, uses), invStd = c.outputUsed(2, uses);
  if (!mean && !invStd)
    return;
  json over{{"axes", axes}, {"keepdims", true}};
  std::string m = b.particle(c.node, "_mean", "reduce_mean", {x}, over);
  if (mean)
    defineOutput(c, b, 1, m);
  if (!invStd)
    return;
  std::string centered = b.particle(c.node, "_centered", "sub", {x, m});
  std::string squares =
      b.particle(c.node, "_squares", "mul", {centered, centered});
  std::string variance =
      b.particle(c.node, "_variance", "reduce_mean", {squares}, over);
  std::string eps = b.scalar(c.node, "_epsilon", epsilon);
  std::string shifted = b.particle(c.node, "_shifted", "add", {variance, eps});
  std::string root = b.particle(c.node, "_std", "sqrt", {shifted});
  defineOutput(c, b, 2, b.particle(c.node, "_inv_std", "reciprocal", {root}));
}

void lowerLayerNorm(const NodeContext &c, GraphBuilder &b) {
  const Held &held = b.get(c.in(0));
  std::vector<int64_t> shape = held.shape;
  int64_t rank = shape.size();
  int64_t axis = *normalizeAxis(c.attrs.getInt("axis", -1), rank);
  auto epsilon =
      (float)c.attrs.getFloat("epsilon", sora::particle::kDefaultNormEpsilon);
  std::vector<int64_t> normalized = normalizedShape(shape, axis);
  int64_t d = 1;
  for (int64_t extent : normalized)
    d *= extent;
  auto parameter = [&](int i) {
    const ConstTensor &t = *c.constant(i);
    return broadcastToShape(t.floats, t.dims, normalized);
  };
  std::vector<float> gamma = parameter(1);
  std::vector<float> beta = c.has(2) ? parameter(2) : std::vector<float>(d);
  json attrs{{"epsilon", epsilon}};
  std::vector<int64_t> axes;
  for (int64_t a = axis; a < rank; ++a)
    axes.push_back(a);
  if (axis == rank - 1) {
    // The last axis: in the layout the input is held in, if that keeps it
    // last (an NHWC value's channels are not).
    bool keep = held.columns.empty() &&
                (held.perm.empty() || held.perm.back() == rank - 1);
    Held like = keep ? held : Held{};
    std::string ref = keep ? held.ref : b.plain(c.in(0));
    std::string ln = b.particle(c.node, "", "layer_norm", {ref}, attrs);
    b.weight(ln, "gamma", {d}, std::move(gamma));
    b.weight(ln, "beta", {d}, std::move(beta));
    defineLike(c, b, ln, like);
    layerNormStatistics(c, b, b.plain(c.in(0)), axes, epsilon);
    return;
  }
  // Several trailing axes: one row of d per leading index.
  std::string x = b.plain(c.in(0));
  std::string rows =
      b.particle(c.node, "_rows", "reshape", {x}, json{{"shape", {-1, d}}});
  std::string ln = b.particle(c.node, "_norm", "layer_norm", {rows}, attrs);
  b.weight(ln, "gamma", {d}, std::move(gamma));
  b.weight(ln, "beta", {d}, std::move(beta));
  defineOutput(c, b, 0,
               b.particle(c.node, "", "reshape", {ln}, json{{"shape", shape}}));
  layerNormStatistics(c, b, x, axes, epsilon);
}

} // namespace sora::onnximport
