//===- AssignSchedules.cpp - Schedule records for kernels -----------------===//

#include "sora/Conversion/KernelSpecBuilder.h"
#include "sora/Conversion/Passes.h"
#include "sora/Target/TargetInfo.h"
#include "sora/Tuning/Heuristics.h"

namespace sora {
#define GEN_PASS_DEF_SORAASSIGNSCHEDULES
#include "sora/Conversion/Passes.h.inc"
} // namespace sora

using namespace mlir;

namespace {

struct AssignSchedulesPass
    : public sora::impl::SoraAssignSchedulesBase<AssignSchedulesPass> {
  using SoraAssignSchedulesBase::SoraAssignSchedulesBase;

  void runOnOperation() override {
    const sora::TargetInfo *info = sora::lookupTarget(target);
    if (!info) {
      getOperation().emitError() << "unknown target '" << target
                                 << "'; known: " << sora::targetNames();
      return signalPassFailure();
    }
    getOperation().walk([&](sora::particle::KernelOp kernel) {
      if (kernel.getSchedule())
        return WalkResult::advance();
      FailureOr<sora::KernelSpec> spec = sora::buildKernelSpec(kernel);
      if (failed(spec)) {
        signalPassFailure();
        return WalkResult::interrupt();
      }
      kernel.setScheduleAttr(sora::scheduleToAttr(
          &getContext(), sora::defaultSchedule(*spec, *info)));
      return WalkResult::advance();
    });
  }
};

} // namespace
