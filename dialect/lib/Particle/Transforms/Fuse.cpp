//===- Fuse.cpp - Group particles into particle.kernel regions ------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORAFUSE
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

// Each op's role is a trait (ParticleInterfaces.td): anchors and copies
// start a kernel, epilogues join the kernel of the op they follow (or start
// one), a recurrence is a kernel alone (the driver calls it once per time
// step).
bool isRecurrence(Operation *op) { return op->hasTrait<FusionRecurrence>(); }
bool isElementwise(Operation *op) { return op->hasTrait<FusionEpilogue>(); }

/// The most ops one kernel holds. Halide's lowering time grows about as the
/// cube of a chain's length (200 fused sigmoid/tanh/relu: 11 s, 300: 40 s);
/// a longer chain continues in the next kernel, at the cost of one more
/// round trip through memory per this many ops.
constexpr size_t kMaxKernelOps = 32;

/// The ops of one kernel: a seed followed by the epilogue it absorbs. An op
/// already in another group (a binary op both of whose operands start
/// groups) stays there.
SmallVector<Operation *>
growGroup(Operation *seed, const llvm::SmallPtrSetImpl<Operation *> &grouped) {
  SmallVector<Operation *> group{seed};
  Operation *last = seed;
  while (!isRecurrence(seed) && group.size() < kMaxKernelOps &&
         last->getResult(0).hasOneUse()) {
    Operation *user = *last->getResult(0).getUsers().begin();
    if (!isElementwise(user) || grouped.contains(user) ||
        user->getBlock() != last->getBlock() ||
        user->getResult(0).getType() != last->getResult(0).getType())
      break;
    group.push_back(user);
    last = user;
  }
  return group;
}

/// Replaces `group` by one particle.kernel placed at its last op.
void outline(ArrayRef<Operation *> group, StringRef name) {
  llvm::SmallPtrSet<Operation *, 8> members(group.begin(), group.end());
  llvm::SetVector<Value> inputs;
  for (Operation *op : group)
    for (Value v : op->getOperands())
      if (!members.contains(v.getDefiningOp()))
        inputs.insert(v);

  Operation *last = group.back();
  OpBuilder b(last);
  Location loc = group.front()->getLoc();
  auto kernel = KernelOp::create(b, loc, last->getResult(0).getType(), name,
                                 inputs.getArrayRef(), ScheduleAttr());
  Block *body = b.createBlock(&kernel.getBody());
  IRMapping map;
  for (Value v : inputs)
    map.map(v, body->addArgument(v.getType(), v.getLoc()));
  for (Operation *op : group)
    b.clone(*op, map);
  YieldOp::create(b, last->getLoc(), map.lookup(last->getResult(0)));

  last->getResult(0).replaceAllUsesWith(kernel.getResult());
  for (Operation *op : llvm::reverse(group))
    op->erase();
}

struct SoraFusePass : public sora::particle::impl::SoraFuseBase<SoraFusePass> {
  void runOnOperation() override {
    SmallVector<SmallVector<Operation *>> groups;
    llvm::SmallPtrSet<Operation *, 16> grouped;
    getOperation().walk([&](Operation *op) {
      if (grouped.contains(op) || op->getParentOfType<KernelOp>() ||
          !fusionRoleOf(op))
        return;
      groups.push_back(growGroup(op, grouped));
      grouped.insert(groups.back().begin(), groups.back().end());
    });
    int counter = 0;
    getOperation().walk([&](KernelOp) { ++counter; });
    for (auto &group : groups)
      outline(group, ("_sora_k" + llvm::Twine(counter++)).str());
  }
};

} // namespace
