//===- WeightLayout.cpp - Where each weight lives in the blob -------------===//

#include "sora/Conversion/WeightLayout.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include <set>

namespace sora {

mlir::FailureOr<std::vector<WeightSlot>> weightLayout(mlir::ModuleOp module) {
  std::vector<WeightSlot> layout;
  std::set<std::string> seen;
  mlir::WalkResult walked = module.walk([&](particle::WeightOp weight) {
    auto offset =
        weight->getAttrOfType<mlir::IntegerAttr>(particle::kBlobOffsetAttr);
    if (!offset) {
      weight.emitOpError("has no blob offset; run sora-layout-weights");
      return mlir::WalkResult::interrupt();
    }
    std::string name = weight.getName().str();
    if (seen.insert(name).second)
      layout.push_back(
          {name, offset.getInt(), weight.getType().getNumElements() * 4});
    return mlir::WalkResult::advance();
  });
  if (walked.wasInterrupted())
    return mlir::failure();
  return layout;
}

int64_t weightBlobSize(const std::vector<WeightSlot> &layout) {
  int64_t size = 0;
  for (const WeightSlot &slot : layout)
    size = std::max(size, slot.offset + slot.bytes);
  return size;
}

} // namespace sora
