//===- Reference.cpp - Naive kernel evaluation for the unit tests ---------===//

#include "ReferenceOps.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace sora::test {

size_t numElements(const Shape &shape) {
  size_t n = 1;
  for (int64_t extent : shape)
    n *= (size_t)extent;
  return n;
}

Tensor randomTensor(const Shape &shape, unsigned seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t{shape, std::vector<float>(numElements(shape))};
  for (float &v : t.data)
    v = dist(rng);
  return t;
}

/// Row-major offset into `operand` of the result element at `index`, with
/// NumPy broadcasting (shapes aligned on the right).
static size_t broadcastOffset(const Shape &operand,
                              const std::vector<int64_t> &index) {
  size_t offset = 0, shift = index.size() - operand.size();
  for (size_t d = 0; d < operand.size(); ++d)
    offset = offset * operand[d] + (operand[d] == 1 ? 0 : index[d + shift]);
  return offset;
}

/// An elementwise op: each element from its operands' (broadcast) elements.
template <KernelOpKind K>
static Tensor elementwise(const KernelOp &op, const Inputs &in) {
  Tensor y = resultOf(op);
  std::vector<int64_t> index(op.shape.size(), 0);
  std::vector<double> x(in.size());
  for (float &out : y.data) {
    for (size_t i = 0; i < in.size(); ++i)
      x[i] = in[i]->data[broadcastOffset(in[i]->shape, index)];
    out = (float)pointwiseReference<K>(op, x, index.empty() ? 0 : index.back());
    nextIndex(index, op.shape);
  }
  return y;
}

#define SORA_POINTWISE(Kind, expr)                                             \
  template <>                                                                  \
  double pointwiseReference<KernelOpKind::Kind>(                               \
      [[maybe_unused]] const KernelOp &op, const std::vector<double> &x,       \
      [[maybe_unused]] int64_t channel) {                                      \
    return expr;                                                               \
  }
SORA_POINTWISE(Add, x[0] + x[1])
SORA_POINTWISE(Sub, x[0] - x[1])
SORA_POINTWISE(Mul, x[0] * x[1])
SORA_POINTWISE(Div, x[0] / x[1])
SORA_POINTWISE(Maximum, std::max(x[0], x[1]))
SORA_POINTWISE(Minimum, std::min(x[0], x[1]))
SORA_POINTWISE(Pow, std::pow(x[0], x[1]))
SORA_POINTWISE(PRelu, x[0] > 0 ? x[0] : x[0] * x[1])
SORA_POINTWISE(Fmod, std::fmod(x[0], x[1]))
SORA_POINTWISE(Where, x[0] != 0 ? x[1] : x[2])
SORA_POINTWISE(Relu, std::max(x[0], 0.0))
SORA_POINTWISE(Sigmoid, 1.0 / (1.0 + std::exp(-x[0])))
SORA_POINTWISE(Tanh, std::tanh(x[0]))
SORA_POINTWISE(Exp, std::exp(x[0]))
SORA_POINTWISE(Sqrt, std::sqrt(x[0]))
SORA_POINTWISE(Erf, std::erf(x[0]))
SORA_POINTWISE(Abs, std::fabs(x[0]))
SORA_POINTWISE(Neg, -x[0])
SORA_POINTWISE(Reciprocal, 1.0 / x[0])
SORA_POINTWISE(Floor, std::floor(x[0]))
SORA_POINTWISE(Ceil, std::ceil(x[0]))
SORA_POINTWISE(Round, std::nearbyint(x[0]))
SORA_POINTWISE(Sign, (double)((x[0] > 0) - (x[0] < 0)))
SORA_POINTWISE(Log, std::log(x[0]))
SORA_POINTWISE(Sin, std::sin(x[0]))
SORA_POINTWISE(Cos, std::cos(x[0]))
SORA_POINTWISE(Tan, std::tan(x[0]))
SORA_POINTWISE(Asin, std::asin(x[0]))
SORA_POINTWISE(Acos, std::acos(x[0]))
SORA_POINTWISE(Atan, std::atan(x[0]))
SORA_POINTWISE(Sinh, std::sinh(x[0]))
SORA_POINTWISE(Cosh, std::cosh(x[0]))
SORA_POINTWISE(Asinh, std::asinh(x[0]))
SORA_POINTWISE(Acosh, std::acosh(x[0]))
SORA_POINTWISE(Atanh, std::atanh(x[0]))
SORA_POINTWISE(Softplus, x[0] > 20 ? x[0] : std::log1p(std::exp(x[0])))
SORA_POINTWISE(Softsign, x[0] / (1.0 + std::fabs(x[0])))
SORA_POINTWISE(Mish,
               x[0] * std::tanh(x[0] > 20 ? x[0] : std::log1p(std::exp(x[0]))))
SORA_POINTWISE(Gelu, 0.5 * x[0] * (1.0 + std::erf(x[0] / std::sqrt(2.0))))
SORA_POINTWISE(GeluTanh,
               0.5 * x[0] *
                   (1.0 + std::tanh(std::sqrt(2.0 / 3.14159265358979323846) *
                                    (x[0] + 0.044715 * x[0] * x[0] * x[0]))))
SORA_POINTWISE(Silu, x[0] / (1.0 + std::exp(-x[0])))
SORA_POINTWISE(LeakyRelu, x[0] > 0 ? x[0] : op.scalars[0] * x[0])
SORA_POINTWISE(HardSwish, x[0] * std::min(std::max(x[0] + 3.0, 0.0), 6.0) / 6.0)
SORA_POINTWISE(Relu6, std::min(std::max(x[0], 0.0), 6.0))
SORA_POINTWISE(
    HardSigmoid,
    std::min(std::max((double)op.scalars[0] * x[0] + op.scalars[1], 0.0), 1.0))
SORA_POINTWISE(Elu, x[0] > 0 ? x[0] : op.scalars[0] * std::expm1(x[0]))
SORA_POINTWISE(Selu, op.scalars[1] *
                         (x[0] > 0 ? x[0] : op.scalars[0] * std::expm1(x[0])))
SORA_POINTWISE(Celu, x[0] > 0
                         ? x[0]
                         : op.scalars[0] * std::expm1(x[0] / op.scalars[0]))
SORA_POINTWISE(ThresholdedRelu, x[0] > op.scalars[0] ? x[0] : 0.0)
SORA_POINTWISE(Shrink,
               x[0]<-op.scalars[0] ? x[0] + op.scalars[1] : x[0]> op.scalars[0]
                   ? x[0] - op.scalars[1]
                   : 0.0)
SORA_POINTWISE(Clip, std::min(std::max(x[0], (double)op.scalars[0]),
                              (double)op.scalars[1]))
// x, gamma, beta, mean, variance.
SORA_POINTWISE(BatchNorm,
               (x[0] - x[3]) / std::sqrt(x[4] + op.scalars[0]) * x[1] + x[2])
SORA_POINTWISE(Normalize,
               (x[0] * op.scalars[0] -
                op.channelMean[op.channelMean.size() == 1 ? 0 : channel]) /
                   op.channelStd[op.channelStd.size() == 1 ? 0 : channel])
#undef SORA_POINTWISE

namespace {
using Evaluator = Tensor (*)(const KernelOp &, const Inputs &);

template <KernelOpKind K> constexpr Evaluator evaluatorOf() {
  if constexpr (kernelFamily(K) == KernelFamily::Elementwise)
    return &elementwise<K>;
  else
    return &reference<K>;
}

/// The reference of every kind, in KernelOps.def order.
constexpr Evaluator kEvaluators[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) evaluatorOf<KernelOpKind::Kind>(),
#include "sora/Core/KernelOps.def"
};
} // namespace

Tensor evaluateReference(const KernelSpec &spec,
                         const std::vector<Tensor> &args) {
  std::vector<Tensor> values = args;
  values.reserve(spec.numValues());
  for (const KernelOp &op : spec.ops) {
    Inputs in;
    for (int id : op.operands)
      in.push_back(&values[id]);
    values.push_back(kEvaluators[(size_t)op.kind](op, in));
  }
  return values[spec.result];
}

} // namespace sora::test
