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
// step). A large pointwise conv's kernel then joins the depthwise conv's it
// feeds (feedsDepthwiseConv), and a conv's over several images the pool's it
// feeds (feedsPool).
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

/// `conv` as a kernel op, with its weights' shape.
std::pair<sora::KernelOp, sora::Shape> describeConv(Conv2DOp conv) {
  ArrayRef<int64_t> w =
      cast<RankedTensorType>(conv.getKernel().getType()).getShape();
  return {conv.describeKernelOp(), sora::Shape(w.begin(), w.end())};
}

/// Bytes of a pointwise conv's result per image beyond which it is computed
/// row by row inside the depthwise conv reading it: more than a core's L2
/// keeps (1 MiB here) for the depthwise conv to read back. A smaller one
/// costs less than the rows a row producer computes twice (where parallel
/// tasks meet), and more than its weights unpacked per call: MobileNetV2's
/// 7 x 7 x 960 expansion at batch 8 (1.5 MiB in all) took 415 us an image
/// inside its depthwise conv, about 100 on its own.
constexpr int64_t kRowProducerBytes = 1 << 20;

/// Whether `group` (a kernel's ops) is led by a pointwise conv2d whose result
/// only the depthwise conv2d seeding `consumer` reads, in the same block:
/// an inverted-residual block's expansion, then computed row by row inside
/// the depthwise conv's loop nest instead of going through memory.
bool feedsDepthwiseConv(ArrayRef<Operation *> group,
                        ArrayRef<Operation *> consumer) {
  auto producer = dyn_cast<Conv2DOp>(group.front());
  auto depthwise = dyn_cast<Conv2DOp>(consumer.front());
  Operation *last = group.back();
  if (!producer || !depthwise || !last->getResult(0).hasOneUse() ||
      depthwise.getInput() != last->getResult(0) ||
      last->getBlock() != depthwise->getBlock() ||
      group.size() + consumer.size() > kMaxKernelOps)
    return false;
  auto [p, pWeights] = describeConv(producer);
  auto [d, dWeights] = describeConv(depthwise);
  auto result = cast<RankedTensorType>(producer.getType());
  return sora::isPointwiseConv(p, pWeights) &&
         sora::isDepthwiseConv(d, dWeights) &&
         result.getNumElements() * 4 / result.getDimSize(0) > kRowProducerBytes;
}

/// Bytes of one image's conv result up to which a pool reading it computes
/// it image by image: half a core's L2, so that the pool reads it from
/// there.
constexpr int64_t kImageProducerBytes = 512 << 10;

/// Images below which a conv is not computed image by image: its kernel's
/// only parallel tasks are then images, which a few cannot share out.
constexpr int64_t kImageProducerImages = 8;

/// Whether `group` (a kernel's ops) is a conv2d and its epilogue whose
/// result only the pool seeding `consumer` reads, in the same block, of at
/// least kImageProducerImages images each within kImageProducerBytes and all
/// beyond kRowProducerBytes: then each image is computed inside the pool's
/// loop nest and pooled from the cache instead of going through memory
/// (cnn_mnist at batch 64: 485 -> 445 us on one thread).
bool feedsPool(ArrayRef<Operation *> group, ArrayRef<Operation *> consumer) {
  auto producer = dyn_cast<Conv2DOp>(group.front());
  auto pool = dyn_cast<KernelOpInterface>(consumer.front());
  Operation *last = group.back();
  if (!producer || !pool || !last->getResult(0).hasOneUse() ||
      consumer.front()->getOperand(0) != last->getResult(0) ||
      last->getBlock() != consumer.front()->getBlock() ||
      group.size() + consumer.size() > kMaxKernelOps ||
      sora::kernelFamily(pool.describeKernelOp().kind) !=
          sora::KernelFamily::Pooling ||
      llvm::any_of(group.drop_front(), [](Operation *op) {
        return fusionRoleOf(op) == sora::FusionRole::Anchor;
      }))
    return false;
  auto result = cast<RankedTensorType>(producer.getType());
  int64_t bytes = result.getNumElements() * 4, images = result.getDimSize(0);
  return images >= kImageProducerImages && bytes > kRowProducerBytes &&
         bytes / images <= kImageProducerBytes;
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
    // A pointwise conv's group joins the depthwise conv's it feeds; a
    // conv's, the pool's it feeds.
    llvm::DenseMap<Operation *, size_t> groupEndingAt;
    for (size_t i = 0; i < groups.size(); ++i)
      groupEndingAt[groups[i].back()] = i;
    for (auto &group : groups) {
      Operation *seed = group.front();
      if (seed->getNumOperands() == 0)
        continue;
      auto found = groupEndingAt.find(seed->getOperand(0).getDefiningOp());
      if (found == groupEndingAt.end())
        continue;
      SmallVector<Operation *> &producer = groups[found->second];
      if (producer.empty() ||
          !(feedsDepthwiseConv(producer, group) || feedsPool(producer, group)))
        continue;
      group.insert(group.begin(), producer.begin(), producer.end());
      producer.clear();
    }
    llvm::erase_if(groups, [](auto &group) { return group.empty(); });
    int counter = 0;
    getOperation().walk([&](KernelOp) { ++counter; });
    for (auto &group : groups)
      outline(group, ("_sora_k" + llvm::Twine(counter++)).str());
  }
};

} // namespace
