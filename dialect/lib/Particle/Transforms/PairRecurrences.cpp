//===- PairRecurrences.cpp - Independent recurrences side by side ---------===//
//
// A recurrence kernel is a chain of short steps on one thread. Two that do
// not depend on each other (a bidirectional layer's directions) become
// adjacent, the second marked `concurrent_with_previous`, so that the graph
// driver runs them as two tasks of the thread pool (Passes.td).
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "llvm/ADT/SetVector.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORAPAIRRECURRENCES
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

bool isRecurrence(KernelOp kernel) {
  return !kernel.getBody().front().getOps<RecurrenceOp>().empty();
}

bool isPaired(Operation *op) {
  Operation *next = op->getNextNode();
  return op->hasAttr(kConcurrentAttr) ||
         (next && next->hasAttr(kConcurrentAttr));
}

/// The ops after `earlier` that `later` depends on (itself excluded), in
/// block order; nullopt when `later` depends on `earlier` or when one of
/// them may not move (a model input, whose place orders the signature, or
/// a kernel of another pair).
std::optional<SmallVector<Operation *>> dependenciesAfter(Operation *earlier,
                                                          Operation *later) {
  llvm::SetVector<Operation *> slice;
  SmallVector<Operation *> work{later};
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!def || def->getBlock() != earlier->getBlock() ||
          def->isBeforeInBlock(earlier) || slice.contains(def))
        continue;
      if (def == earlier || isa<InputOp>(def) || isPaired(def))
        return std::nullopt;
      slice.insert(def);
      work.push_back(def);
    }
  }
  SmallVector<Operation *> ops = slice.takeVector();
  llvm::sort(ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return ops;
}

struct SoraPairRecurrencesPass
    : public sora::particle::impl::SoraPairRecurrencesBase<
          SoraPairRecurrencesPass> {
  void runOnOperation() override {
    SmallVector<KernelOp> recurrences;
    for (KernelOp kernel : getOperation().getBody().getOps<KernelOp>())
      if (isRecurrence(kernel))
        recurrences.push_back(kernel);
    SmallVector<KernelOp> unpaired;
    for (KernelOp later : recurrences) {
      std::optional<SmallVector<Operation *>> moved;
      auto *partner = llvm::find_if(unpaired, [&](KernelOp earlier) {
        moved = dependenciesAfter(earlier, later);
        return moved.has_value();
      });
      if (partner == unpaired.end()) {
        unpaired.push_back(later);
        continue;
      }
      KernelOp earlier = *partner;
      for (Operation *op : *moved)
        op->moveBefore(earlier);
      later->moveAfter(earlier);
      later->setAttr(kConcurrentAttr, UnitAttr::get(&getContext()));
      unpaired.erase(partner);
    }
  }
};

} // namespace
