//===- FoldScales.cpp - Scalar Mul/Div folded into weights ----------------===//
//
// `y = x · s` (or x / s) with a scalar constant s costs nothing when it is
// folded into the weights of the Conv/Gemm/MatMul that
// computes x: through single-reader views (Transpose, Reshape, ...), through
// a slice of the last axis (scaling only those output columns: Q cut from a
// fused QKV projection, whose K and V slices must read other columns), and
// through a MatMul of two run-time tensors ((a·b)·s = (a·s)·b: attention's
// 1/√d). The Mul/Div becomes an Identity.
//
//===----------------------------------------------------------------------===//

#include "Fuser.h"

#include <algorithm>
#include <set>

namespace sora::onnximport {

bool Fuser::onlyRead(const std::string &value) const {
  auto it = readers.find(value);
  return it != readers.end() && it->second.size() == 1 &&
         !model.isGraphOutput(value);
}

std::optional<Fuser::ScaleTarget> Fuser::scaleTarget(const std::string &value) {
  static const std::set<std::string> views = {
      "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"};
  // [begin, end) of the last axis if `slice` is a unit-step slice of it.
  auto lastAxisRange =
      [&](const Node &slice) -> std::optional<std::pair<int64_t, int64_t>> {
    if (slice.op_type() != "Slice" || slice.input_size() < 4 ||
        (slice.input_size() > 4 && !slice.input(4).empty()))
      return std::nullopt;
    const ConstTensor *starts = model.constant(slice.input(1));
    const ConstTensor *ends = model.constant(slice.input(2));
    const ConstTensor *axes = model.constant(slice.input(3));
    const ValueType *type = model.type(slice.input(0));
    if (!starts || !ends || !axes || !type || !type->isStatic() ||
        starts->ints.size() != 1 || ends->ints.size() != 1 ||
        axes->ints.size() != 1)
      return std::nullopt;
    int64_t rank = type->dims.size(), dim = type->dims.back();
    if (axes->ints[0] != -1 && axes->ints[0] != rank - 1)
      return std::nullopt;
    auto clamp = [dim](int64_t x) {
      return std::clamp<int64_t>(x < 0 ? x + dim : x, 0, dim);
    };
    return std::make_pair(clamp(starts->ints[0]), clamp(ends->ints[0]));
  };
  ScaleTarget target;
  std::string v = value;
  // After a slice, the sliced value may have other readers: slices of
  // other columns (Q, K and V cut from one projection).
  const Node *slice = nullptr;
  while (slice || onlyRead(v)) {
    if (slice)
      for (const Node *reader : readers[v]) {
        auto range = lastAxisRange(*reader);
        if (reader != slice && (!range || (range->first < target.end &&
                                           target.begin < range->second)))
          return std::nullopt;
      }
    auto it = producers.find(v);
    if (it == producers.end())
      return std::nullopt;
    const Node *p = it->second;
    const std::string &op = p->op_type();
    const ConstTensor *w =
        p->input_size() > 1 ? model.constant(p->input(1)) : nullptr;
    bool constWeight = w && w->isFloat() && w->readable;
    if ((op == "MatMul" || op == "Gemm") && constWeight) {
      target.linear = p;
      return target;
    }
    if (op == "Conv" && constWeight && target.end < 0) {
      target.linear = p;
      return target;
    }
    if (op == "MatMul" && p->domain().empty() && target.end < 0) {
      // (a·b)·s = (a·s)·b = a·(b·s)
      if (auto t = scaleTarget(p->input(0)))
        return t;
      return scaleTarget(p->input(1));
    }
    if (views.count(op) && p->domain().empty() && target.end < 0) {
      v = p->input(0);
      continue;
    }
    if (op == "Slice" && target.end < 0) {
      auto range = lastAxisRange(*p);
      if (!range)
        return std::nullopt;
      std::tie(target.begin, target.end) = *range;
      slice = p;
      v = p->input(0);
      continue;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

bool Fuser::applyScale(const ScaleTarget &target, float scale) {
  Node linear = *target.linear;
  const std::string &op = linear.op_type();
  bool transB = op == "Gemm" && NodeAttrs(linear).getInt("transB", 0);
  // Gemm's alpha and beta multiply what is scaled here: they commute.
  if (op == "Gemm" && NodeAttrs(linear).getInt("transA", 0))
    return false;
  ConstTensor w = *model.constant(linear.input(1));
  // Output columns: MatMul/Gemm [K, N] (Gemm transB: [N, K]); Conv: all.
  int64_t units = op == "Conv" ? w.dims[0] : transB ? w.dims[0] : w.dims[1];
  int64_t begin = target.begin, end = target.end < 0 ? units : target.end;
  auto scaled = [&](int64_t unit) { return unit >= begin && unit < end; };
  int64_t n = w.numel();
  for (int64_t i = 0; i < n; ++i) {
    int64_t unit = op == "Conv" ? i / (n / units)
                   : transB     ? i / w.dims[1]
                                : i % w.dims[1];
    if (scaled(unit))
      w.floats[i] *= scale;
  }
  std::string base = linear.output(0) + "::scaled_";
  model.setConstant(base + "W", std::move(w));
  linear.set_input(1, base + "W");
  if (linear.input_size() > 2 && !linear.input(2).empty()) {
    const ConstTensor *b = model.constant(linear.input(2));
    if (!b || !b->isFloat() || !b->readable || b->numel() != units)
      return false;
    ConstTensor bias = *b;
    for (int64_t i = 0; i < units; ++i)
      if (scaled(i))
        bias.floats[i] *= scale;
    model.setConstant(base + "B", std::move(bias));
    linear.set_input(2, base + "B");
  }
  replace(target.linear, linear, {});
  return true;
}

bool Fuser::scaleIntoWeights(const Node &node) {
  const std::string &op = node.op_type();
  if ((op != "Mul" && op != "Div") || !node.domain().empty() ||
      node.input_size() != 2)
    return false;
  int data = 0;
  std::optional<float> s = scalar(node.input(1));
  if (!s && op == "Mul") {
    s = scalar(node.input(0));
    data = 1;
  }
  if (!s || (op == "Div" && *s == 0.0f) || model.constant(node.input(data)))
    return false;
  std::optional<ScaleTarget> target = scaleTarget(node.input(data));
  if (!target)
    return false;
  // The Mul/Div becomes an Identity of its data input.
  Node identity;
  identity.set_op_type("Identity");
  identity.set_name(node.name());
  identity.add_input(node.input(data));
  identity.add_output(node.output(0));
  std::string anchor = node.output(0);
  if (!applyScale(*target, op == "Mul" ? *s : 1.0f / *s))
    return false;
  replace(producers.at(anchor), identity, {});
  return true;
}

} // namespace sora::onnximport
