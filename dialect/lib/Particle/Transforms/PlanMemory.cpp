//===- PlanMemory.cpp - Static arena offsets for kernel results -----------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "llvm/ADT/DenseMap.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORAPLANMEMORY
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t n) {
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}

int64_t byteSize(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return type.getNumElements() * (type.getElementTypeBitWidth() / 8);
}

/// One arena tensor: where it lives and until which op it is needed.
struct Slot {
  int64_t offset, size, lastUse;
};

struct SoraPlanMemoryPass
    : public sora::particle::impl::SoraPlanMemoryBase<SoraPlanMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t end = 0;
    // A kernel concurrent with the one before it starts with it: nothing
    // either reads or writes is reused until both are done.
    for (Operation &op : func.getBody().getOps())
      position[&op] = op.hasAttr(kConcurrentAttr) && end > 0 ? end - 1 : end++;

    // Last use of each kernel result, following views to the ops that read
    // them; model outputs stay live to the end (they are copied out last).
    std::function<int64_t(Value)> lastUse = [&](Value v) -> int64_t {
      int64_t last = position[v.getDefiningOp()];
      for (Operation *user : v.getUsers()) {
        if (isa<OutputOp>(user))
          return end;
        if (isa<ReshapeOp, FlattenOp>(user))
          last = std::max(last, lastUse(user->getResult(0)));
        else
          last = std::max(last, position[user]);
      }
      return last;
    };

    std::vector<Slot> live;
    int64_t arenaSize = 0;
    for (KernelOp kernel : func.getBody().getOps<KernelOp>()) {
      int64_t now = position[kernel];
      llvm::erase_if(live, [&](const Slot &s) { return s.lastUse < now; });
      llvm::sort(live, [](const Slot &a, const Slot &b) {
        return a.offset < b.offset;
      });
      int64_t size = alignUp(byteSize(kernel.getResult()));
      int64_t offset = 0;
      for (const Slot &s : live) {
        if (offset + size <= s.offset)
          break;
        offset = std::max(offset, s.offset + s.size);
      }
      live.push_back({offset, size, lastUse(kernel.getResult())});
      arenaSize = std::max(arenaSize, offset + size);
      kernel->setAttr(
          kArenaOffsetAttr,
          IntegerAttr::get(IntegerType::get(&getContext(), 64), offset));
    }
    func->setAttr(
        kArenaSizeAttr,
        IntegerAttr::get(IntegerType::get(&getContext(), 64), arenaSize));
  }
};

} // namespace
