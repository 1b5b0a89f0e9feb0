//===- KernelSpec.cpp - Identical kernels, row and image producers --------===//

#include "sora/Core/KernelSpec.h"

#include <algorithm>
#include <tuple>

namespace sora {

// A field added to KernelOp must join computation() below and the spec text
// (KernelSpecText.cpp); otherwise kernels differing only in it would share
// code. This size (LP64) changes when one is added.
static_assert(sizeof(KernelOp) == 464,
              "KernelOp changed: update computation() and the spec text");

/// The attributes and operands of an op, without its provenance.
static auto computation(const KernelOp &op) {
  return std::tie(op.kind, op.operands, op.shape, op.window, op.strides,
                  op.dilation, op.pad, op.axis, op.groups, op.transposeA,
                  op.transposeB, op.alignCorners, op.scaleFactor,
                  op.gridPadding, op.channelMean, op.channelStd, op.reduction,
                  op.axes, op.keepDims, op.scalars, op.perm, op.begin, op.step,
                  op.low, op.high);
}

/// The first anchor after op `index` of `spec` if it reads, as its input,
/// that op's result or a later value (the op's epilogue), else null.
static const KernelOp *nextAnchorReading(const KernelSpec &spec, size_t index) {
  int value = (int)(spec.args.size() + index);
  for (size_t i = index + 1; i < spec.ops.size(); ++i) {
    const KernelOp &op = spec.ops[i];
    if (fusionRole(op.kind) == FusionRole::Anchor)
      return !op.operands.empty() && op.operands[0] >= value ? &op : nullptr;
  }
  return nullptr;
}

bool isRowProducer(const KernelSpec &spec, size_t index) {
  const KernelOp &producer = spec.ops[index];
  if (producer.operands.size() < 2 ||
      !isPointwiseConv(producer, spec.shapeOf(producer.operands[1])))
    return false;
  const KernelOp *depthwise = nextAnchorReading(spec, index);
  return depthwise && depthwise->operands.size() >= 2 &&
         isDepthwiseConv(*depthwise, spec.shapeOf(depthwise->operands[1]));
}

bool isImageProducer(const KernelSpec &spec, size_t index) {
  const KernelOp *pool = nextAnchorReading(spec, index);
  return spec.ops[index].kind == KernelOpKind::Conv2D && pool &&
         kernelFamily(pool->kind) == KernelFamily::Pooling;
}

bool sameComputation(const KernelSpec &a, const KernelSpec &b) {
  if (a.args != b.args || a.int64Args != b.int64Args ||
      a.runTimeArgs != b.runTimeArgs || a.runTimeResult != b.runTimeResult ||
      a.result != b.result || a.ops.size() != b.ops.size() ||
      a.autoscheduler != b.autoscheduler ||
      !(PartialSchedule::of(a.schedule) == PartialSchedule::of(b.schedule)))
    return false;
  for (size_t i = 0; i < a.ops.size(); ++i)
    if (computation(a.ops[i]) != computation(b.ops[i]))
      return false;
  return true;
}

std::vector<KernelSpec> uniqueKernels(const std::vector<KernelSpec> &kernels,
                                      std::vector<KernelAlias> &aliases) {
  std::vector<KernelSpec> unique;
  for (const KernelSpec &spec : kernels) {
    auto same = std::find_if(unique.begin(), unique.end(),
                             [&](const KernelSpec &earlier) {
                               return sameComputation(earlier, spec);
                             });
    if (same == unique.end())
      unique.push_back(spec);
    else
      aliases.push_back({spec.name, same->name});
  }
  return unique;
}

} // namespace sora
