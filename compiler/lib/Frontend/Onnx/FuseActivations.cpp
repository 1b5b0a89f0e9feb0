//===- FuseActivations.cpp - GELU and layer norm from their parts ---------===//
//
//   x·½·(1 + erf(x/√2)), in any association           → soracc.Gelu(x)
//   ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div [→ Mul γ → Add β]
//                                          → soracc.LayerNormalization
//
//===----------------------------------------------------------------------===//

#include "Fuser.h"

#include "llvm/ADT/StringRef.h"

#include <cmath>

namespace sora::onnximport {

bool Fuser::gelu(const Node &erf) {
  if (erf.op_type() != "Erf" || !erf.domain().empty())
    return false;
  // erf(x / √2) or erf(x · 1/√2)
  const Node *scale = producedBy(erf.input(0), "Div");
  std::string x;
  const Node *product = producedBy(erf.input(0), "Mul");
  if (scale && near(scalar(scale->input(1)), M_SQRT2))
    x = scale->input(0);
  else if (product) {
    for (int i = 0; i < 2; ++i)
      if (near(scalar(product->input(1 - i)), M_SQRT1_2))
        x = product->input(i);
  }
  if (x.empty() || !onlyReader(erf.input(0), "Erf"))
    return false;
  const Node *plusOne = onlyReader(erf.output(0), "Add");
  if (!plusOne || !near(scalar(other(*plusOne, erf.output(0))), 1.0))
    return false;
  const Node *m1 = onlyReader(plusOne->output(0), "Mul");
  if (!m1)
    return false;
  std::string m1Other = other(*m1, plusOne->output(0));
  std::vector<const Node *> parts{scale, &erf, plusOne, m1};
  const Node *last = nullptr;
  if (m1Other == x || near(scalar(m1Other), 0.5)) {
    // (x · (1 + erf)) · ½, or x · ((1 + erf) · ½)
    const Node *m2 = onlyReader(m1->output(0), "Mul");
    std::string m2Other = m2 ? other(*m2, m1->output(0)) : "";
    bool ok = m1Other == x ? near(scalar(m2Other), 0.5) : m2Other == x;
    if (!ok)
      return false;
    parts.push_back(m2);
    last = m2;
  } else if (const Node *half = producedBy(m1Other, "Mul")) {
    // (x · ½) · (1 + erf)
    bool ok = onlyReader(m1Other, "Mul") &&
              ((half->input(0) == x && near(scalar(half->input(1)), 0.5)) ||
               (half->input(1) == x && near(scalar(half->input(0)), 0.5)));
    if (!ok)
      return false;
    parts.push_back(half);
    last = m1;
  } else {
    return false;
  }
  Node fused;
  fused.set_op_type("Gelu");
  fused.set_domain(kFusedDomain);
  // "/ffn/Erf" → "/ffn/Gelu".
  std::string name = erf.name();
  if (llvm::StringRef(name).ends_with("Erf"))
    name = name.substr(0, name.size() - 3) + "Gelu";
  else if (!name.empty())
    name += "_gelu";
  fused.set_name(name);
  fused.add_input(x);
  fused.add_output(last->output(0));
  replace(last, fused, parts);
  return true;
}

bool Fuser::layerNorm(const Node &mean) {
  auto lastAxisOnly = [&](const Node &reduce) {
    const ValueType *t = model.type(reduce.input(0));
    std::vector<int64_t> axes = NodeAttrs(reduce).getInts("axes", {});
    int64_t rank = t && t->hasShape ? t->dims.size() : -1;
    return reduce.domain().empty() && NodeAttrs(reduce).getInt("keepdims", 1) &&
           axes.size() == 1 && (axes[0] == -1 || axes[0] == rank - 1);
  };
  if (mean.op_type() != "ReduceMean" || !lastAxisOnly(mean))
    return false;
  const std::string &x = mean.input(0);
  const Node *sub = onlyReader(mean.output(0), "Sub");
  if (!sub || sub->input(0) != x || sub->input(1) != mean.output(0))
    return false;
  const std::string &d = sub->output(0);
  // d is read by Pow(d, 2) and Div(d, ·), nothing else.
  auto it = readers.find(d);
  if (it == readers.end() || it->second.size() != 2 || model.isGraphOutput(d))
    return false;
  const Node *pow = nullptr, *div = nullptr;
  for (const Node *r : it->second) {
    if (r->op_type() == "Pow" && r->input(0) == d &&
        near(scalar(r->input(1)), 2.0))
      pow = r;
    if (r->op_type() == "Div" && r->input(0) == d)
      div = r;
  }
  if (!pow || !div)
    return false;
  const Node *var = onlyReader(pow->output(0), "ReduceMean");
  if (!var || !lastAxisOnly(*var))
    return false;
  const Node *addEps = onlyReader(var->output(0), "Add");
  std::optional<float> eps =
      addEps ? scalar(other(*addEps, var->output(0))) : std::nullopt;
  const Node *sqrt = addEps ? onlyReader(addEps->output(0), "Sqrt") : nullptr;
  if (!eps || !sqrt || div->input(1) != sqrt->output(0) ||
      !onlyReader(sqrt->output(0), "Div"))
    return false;
  std::vector<const Node *> parts{&mean, sub, pow, var, addEps, sqrt, div};
  const Node *last = div;
  std::string gamma, beta;
  if (const Node *mul = onlyReader(div->output(0), "Mul")) {
    std::string g = other(*mul, div->output(0));
    if (model.constant(g)) {
      gamma = g;
      parts.push_back(last = mul);
      if (const Node *add = onlyReader(mul->output(0), "Add")) {
        std::string b = other(*add, mul->output(0));
        if (model.constant(b)) {
          beta = b;
          parts.push_back(last = add);
        }
      }
    }
  }
  if (gamma.empty()) {
    const ValueType *t = model.type(x);
    if (!t || !t->isStatic())
      return false;
    ConstTensor ones;
    ones.dims = {t->dims.back()};
    ones.floats.assign(t->dims.back(), 1.0f);
    gamma = last->output(0) + "::ones";
    model.setConstant(gamma, std::move(ones));
  }
  Node fused;
  fused.set_op_type("LayerNormalization");
  fused.set_domain(kFusedDomain);
  fused.set_name(last->name());
  fused.add_input(x);
  fused.add_input(gamma);
  if (!beta.empty())
    fused.add_input(beta);
  fused.add_output(last->output(0));
  onnx::AttributeProto *epsilon = fused.add_attribute();
  epsilon->set_name("epsilon");
  epsilon->set_type(onnx::AttributeProto::FLOAT);
  epsilon->set_f(*eps);
  replace(last, fused, parts);
  return true;
}

} // namespace sora::onnximport
