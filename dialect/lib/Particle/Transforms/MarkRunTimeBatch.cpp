//===- MarkRunTimeBatch.cpp - The tensors a run's batch shrinks -----------===//
//
// A graph built for the largest batch of `soracc --max-batch N` runs any
// batch of 1 to N in one call when every tensor that follows the model
// inputs holds the batch outermost: such a tensor's outermost extent is then
// samples × (extent / N), and its other extents and strides do not change.
// This pass marks those tensors for the Halide kernels and the graph driver
// (Passes.td) as extents chosen at run time, in units of one sample.
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "llvm/ADT/DenseSet.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORAMARKRUNTIMEBATCH
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

struct SoraMarkRunTimeBatch
    : public sora::particle::impl::SoraMarkRunTimeBatchBase<
          SoraMarkRunTimeBatch> {
  using SoraMarkRunTimeBatchBase::SoraMarkRunTimeBatchBase;

  void runOnOperation() override {
    func::FuncOp graph = getOperation();
    if (maxBatch < 1) {
      graph.emitError("sora-mark-run-time-batch needs max-batch >= 1");
      return signalPassFailure();
    }
    llvm::DenseSet<Value> batched;
    // Marks `value` (the result of `op`) as holding the batch outermost;
    // reports it if it cannot.
    auto holdsBatch = [&](Operation *op, Value value) {
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || type.getRank() == 0 || type.getDimSize(0) % maxBatch) {
        op->emitError() << "--max-batch: this tensor follows the batch but "
                           "its outermost extent is not a multiple of "
                        << (int64_t)maxBatch;
        return false;
      }
      SmallVector<int64_t> least(type.getShape());
      least[0] /= maxBatch;
      op->setAttr(kRunTimeLeastAttr,
                  DenseI64ArrayAttr::get(&getContext(), least));
      batched.insert(value);
      return true;
    };
    for (Operation &op : graph.getBody().front()) {
      bool follows = llvm::any_of(op.getOperands(), [&](Value operand) {
        return batched.contains(operand);
      });
      if (isa<InputOp>(op))
        follows = true;
      if (!follows || op.getNumResults() != 1)
        continue;
      auto kernel = dyn_cast<KernelOp>(op);
      if (kernel && !kernel.getBody().front().getOps<RecurrenceOp>().empty()) {
        kernel.emitError("--max-batch: a recurrence kernel cannot take its "
                         "batch at run time");
        return signalPassFailure();
      }
      if (!holdsBatch(&op, op.getResult(0)))
        return signalPassFailure();
    }
    graph->setAttr(kRunTimeUnitsAttr,
                   IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                    (int64_t)maxBatch));
  }
};

} // namespace
