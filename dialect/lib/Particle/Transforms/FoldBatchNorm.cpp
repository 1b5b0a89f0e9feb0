//===- FoldBatchNorm.cpp - batch_norm into the preceding conv2d/dense -----===//
//
// y = conv(x, K) + b followed by batch_norm(gamma, beta, mean, var, eps) is
// conv(x, K * s) + ((b - mean) * s + beta) with s = gamma / sqrt(var + eps)
// per output channel (the last dimension of K and of y). The arithmetic is
// done here, in double, on the values the compiler's weight store hands over
// (WeightValues); the result is two new weights and one op fewer.
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace sora::particle {
#define GEN_PASS_DEF_SORAFOLDBATCHNORM
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

/// `name` without `suffix` (when it ends so).
StringRef stripSuffix(StringRef name, StringRef suffix) {
  name.consume_back(suffix);
  return name;
}

/// The name of the weight behind `v`, or "" when `v` is not a weight.
StringRef weightName(Value v) {
  if (!v)
    return "";
  auto weight = v.getDefiningOp<WeightOp>();
  return weight ? weight.getName() : "";
}

class Folder {
public:
  Folder(WeightValues &values) : values(values) {}

  /// Folds `bn` into the layer before it; false if it does not qualify.
  bool fold(BatchNormOp bn);

private:
  template <typename LayerOp> bool foldInto(LayerOp layer, BatchNormOp bn);

  WeightValues &values;
};

bool Folder::fold(BatchNormOp bn) {
  Operation *producer = bn.getInput().getDefiningOp();
  if (!producer || !bn.getInput().hasOneUse())
    return false;
  if (auto conv = dyn_cast<Conv2DOp>(producer))
    return foldInto(conv, bn);
  if (auto dense = dyn_cast<DenseOp>(producer))
    return foldInto(dense, bn);
  return false;
}

template <typename LayerOp>
bool Folder::foldInto(LayerOp layer, BatchNormOp bn) {
  StringRef kernelName = weightName(layer.getKernel());
  StringRef biasName = weightName(layer.getBias());
  if (kernelName.empty() || (layer.getBias() && biasName.empty()))
    return false;
  Value params[] = {bn.getGamma(), bn.getBeta(), bn.getMean(),
                    bn.getVariance()};
  std::optional<std::vector<float>> read[4];
  for (int i = 0; i < 4; ++i) {
    StringRef name = weightName(params[i]);
    if (name.empty())
      return false;
    read[i] = values.read(name);
    if (!read[i])
      return false;
  }
  std::optional<std::vector<float>> kernel = values.read(kernelName);
  std::optional<std::vector<float>> bias;
  if (layer.getBias()) {
    bias = values.read(biasName);
    if (!bias)
      return false;
  }
  if (!kernel)
    return false;

  auto kernelType = cast<RankedTensorType>(layer.getKernel().getType());
  int64_t channels = kernelType.getShape().back();
  double epsilon = bn.getEpsilon().convertToDouble();
  const std::vector<float> &gamma = *read[0], &beta = *read[1],
                           &mean = *read[2], &variance = *read[3];
  std::vector<double> scale(channels);
  for (int64_t c = 0; c < channels; ++c)
    scale[c] = gamma[c] / std::sqrt((double)variance[c] + epsilon);
  std::vector<float> newKernel(kernel->size()), newBias(channels);
  for (size_t i = 0; i < kernel->size(); ++i)
    newKernel[i] = (float)((*kernel)[i] * scale[i % channels]);
  for (int64_t c = 0; c < channels; ++c)
    newBias[c] =
        (float)(((bias ? (*bias)[c] : 0.0) - mean[c]) * scale[c] + beta[c]);

  // New tensors `<kernel>+<bn>` and `<bias>+<bn>`, named after the
  // batch_norm particle (its gamma is `<bn>.gamma`).
  std::string bnName = stripSuffix(weightName(bn.getGamma()), ".gamma").str();
  std::string kernelOut = (kernelName + "+" + bnName).str();
  std::string biasBase =
      bias ? biasName.str()
           : (stripSuffix(kernelName, ".kernel") + ".bias").str();
  std::string biasOut = biasBase + "+" + bnName;
  values.define(kernelOut, kernelType.getShape(), std::move(newKernel));
  values.define(biasOut, {channels}, std::move(newBias));

  OpBuilder b(layer);
  auto biasType =
      RankedTensorType::get({channels}, kernelType.getElementType());
  Value k =
      WeightOp::create(b, layer.getKernel().getLoc(), kernelType, kernelOut);
  Value c = WeightOp::create(b, bn.getGamma().getLoc(), biasType, biasOut);
  Operation *folded = b.clone(*layer.getOperation());
  folded->setOperand(1, k);
  if (layer.getBias())
    folded->setOperand(2, c);
  else
    folded->insertOperands(2, c);
  bn.getResult().replaceAllUsesWith(folded->getResult(0));

  // The old weights die with the ops unless something else reads them.
  llvm::SmallSetVector<Operation *, 8> oldWeights;
  for (Value v : llvm::concat<Value>(params, layer->getOperands()))
    if (auto weight = v.getDefiningOp<WeightOp>())
      oldWeights.insert(weight);
  bn.erase();
  layer.erase();
  for (Operation *op : oldWeights)
    if (op->use_empty())
      op->erase();
  return true;
}

struct SoraFoldBatchNormPass
    : public sora::particle::impl::SoraFoldBatchNormBase<
          SoraFoldBatchNormPass> {
  explicit SoraFoldBatchNormPass(WeightValues *weights) : weights(weights) {}

  void runOnOperation() override {
    if (!weights)
      return;
    SmallVector<BatchNormOp> bns;
    getOperation().walk([&](BatchNormOp bn) { bns.push_back(bn); });
    Folder folder(*weights);
    for (BatchNormOp bn : bns)
      folder.fold(bn);
  }

  WeightValues *weights;
};

} // namespace

std::unique_ptr<Pass>
sora::particle::createSoraFoldBatchNormPass(WeightValues *weights) {
  return std::make_unique<SoraFoldBatchNormPass>(weights);
}
