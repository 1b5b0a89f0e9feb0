//===- MLIRGenMath.cpp - Elementwise math particles -----------------------===//
//
// Lowerings of the elementwise math particles (sub, div, maximum, minimum,
// the activations) and of the `activation` names dense and conv2d accept.
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"

#include <type_traits>

using namespace mlir;
using namespace sora::particle;

namespace sora {

Value MLIRGenImpl::namedActivation(StringRef name, Value x) {
  Type t = x.getType();
  if (name == "gelu")
    return GeluOp::create(b, loc, t, x, b.getStringAttr("none"));
  if (name == "silu")
    return SiluOp::create(b, loc, t, x);
  if (name == "leaky_relu")
    return LeakyReluOp::create(b, loc, t, x, b.getF32FloatAttr(0.01f));
  if (name == "hard_swish")
    return HardSwishOp::create(b, loc, t, x);
  if (name == "relu6")
    return Relu6Op::create(b, loc, t, x);
  return x;
}

Value MLIRGenImpl::gelu(const ParticleDecl &, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  auto approximate = a.choice("approximate", {"none", "tanh"});
  if (!approximate)
    return nullptr;
  return GeluOp::create(b, loc, in[0].getType(), in[0],
                        b.getStringAttr(*approximate));
}

Value MLIRGenImpl::leakyRelu(const ParticleDecl &, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  // PyTorch's default slope (Keras' LeakyReLU layer defaults to 0.3).
  auto alpha = a.number("alpha", 0.01);
  if (!alpha)
    return nullptr;
  return LeakyReluOp::create(b, loc, in[0].getType(), in[0],
                             b.getF32FloatAttr((float)*alpha));
}

template <typename Op>
Value MLIRGenImpl::scalarActivation(const ParticleDecl &, ParticleAttrs &a,
                                    ArrayRef<Value> in) {
  SmallVector<NamedAttribute> attrs;
  for (StringRef name : Op::getAttributeNames()) {
    if (!a.has(name.str()))
      continue;
    auto value = a.number(name.str(), std::nullopt);
    if (!value)
      return nullptr;
    if constexpr (std::is_same_v<Op, CeluOp>) {
      if (*value == 0) { // PyTorch refuses it too: x / alpha
        a.error(name.str()) << "'alpha' must not be 0 (celu divides by it)";
        return nullptr;
      }
    }
    attrs.push_back(b.getNamedAttr(name, b.getF32FloatAttr((float)*value)));
  }
  return Op::create(b, loc, TypeRange{in[0].getType()}, ValueRange{in[0]},
                    attrs);
}
template Value MLIRGenImpl::scalarActivation<EluOp>(const ParticleDecl &,
                                                    ParticleAttrs &,
                                                    ArrayRef<Value>);
template Value MLIRGenImpl::scalarActivation<SeluOp>(const ParticleDecl &,
                                                     ParticleAttrs &,
                                                     ArrayRef<Value>);
template Value MLIRGenImpl::scalarActivation<CeluOp>(const ParticleDecl &,
                                                     ParticleAttrs &,
                                                     ArrayRef<Value>);
template Value MLIRGenImpl::scalarActivation<ThresholdedReluOp>(
    const ParticleDecl &, ParticleAttrs &, ArrayRef<Value>);
template Value MLIRGenImpl::scalarActivation<ShrinkOp>(const ParticleDecl &,
                                                       ParticleAttrs &,
                                                       ArrayRef<Value>);

Value MLIRGenImpl::hardSigmoid(const ParticleDecl &, ParticleAttrs &a,
                               ArrayRef<Value> in) {
  // PyTorch's hardsigmoid, relu6(x + 3) / 6 (ONNX defaults to alpha 0.2).
  auto alpha = a.number("alpha", 1.0 / 6);
  auto beta = a.number("beta", 0.5);
  if (!alpha || !beta)
    return nullptr;
  return HardSigmoidOp::create(b, loc, in[0].getType(), in[0],
                               b.getF32FloatAttr((float)*alpha),
                               b.getF32FloatAttr((float)*beta));
}

Value MLIRGenImpl::clip(const ParticleDecl &, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  if (!a.has("min") && !a.has("max")) {
    a.error("min") << "needs 'min', 'max' or both";
    return nullptr;
  }
  FloatAttr bounds[2];
  const char *keys[] = {"min", "max"};
  for (int i = 0; i < 2; ++i) {
    const char *key = keys[i];
    if (!a.has(key))
      continue;
    auto value = a.number(key, std::nullopt);
    if (!value)
      return nullptr;
    bounds[i] = b.getF32FloatAttr((float)*value);
  }
  if (bounds[0] && bounds[1] &&
      bounds[0].getValueAsDouble() > bounds[1].getValueAsDouble()) {
    a.error("max") << "'max' " << formatNumber(bounds[1].getValueAsDouble())
                   << " is less than 'min' "
                   << formatNumber(bounds[0].getValueAsDouble());
    return nullptr;
  }
  return ClipOp::create(b, loc, in[0].getType(), in[0], bounds[0], bounds[1]);
}

} // namespace sora
