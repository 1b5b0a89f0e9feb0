//===- WeightLayout.cpp - Where each weight lives in the blob -------------===//

#include "sora/Conversion/WeightLayout.h"
#include "sora/Dialect/Particle/ParticleOps.h"

#include <set>

namespace sora {

std::vector<WeightSlot> weightLayout(mlir::func::FuncOp graph) {
  std::vector<WeightSlot> layout;
  std::set<std::string> seen;
  int64_t offset = 0;
  graph.walk([&](particle::WeightOp weight) {
    std::string name = weight.getName().str();
    if (!seen.insert(name).second)
      return;
    auto type = weight.getType();
    int64_t bytes = type.getNumElements() * 4;
    layout.push_back({name, offset, bytes});
    offset += (bytes + 63) / 64 * 64;
  });
  return layout;
}

int64_t weightBlobSize(const std::vector<WeightSlot> &layout) {
  if (layout.empty())
    return 0;
  return layout.back().offset + layout.back().bytes;
}

} // namespace sora
