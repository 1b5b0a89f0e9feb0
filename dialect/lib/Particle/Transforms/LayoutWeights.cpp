//===- LayoutWeights.cpp - Blob offsets for the weight tensors ------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORALAYOUTWEIGHTS
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

constexpr int64_t kAlignment = 64;

struct SoraLayoutWeightsPass
    : public sora::particle::impl::SoraLayoutWeightsBase<
          SoraLayoutWeightsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    llvm::StringMap<int64_t> offsets;
    int64_t size = 0; // the end of the last tensor
    module.walk([&](WeightOp weight) {
      int64_t next = (size + kAlignment - 1) / kAlignment * kAlignment;
      auto [slot, added] = offsets.try_emplace(weight.getName(), next);
      if (added) {
        auto type = cast<RankedTensorType>(weight.getType());
        size =
            next + type.getNumElements() * (type.getElementTypeBitWidth() / 8);
      }
      weight->setAttr(kBlobOffsetAttr, b.getI64IntegerAttr(slot->second));
    });
    module->setAttr(kWeightsSizeAttr, b.getI64IntegerAttr(size));
  }
};

} // namespace
