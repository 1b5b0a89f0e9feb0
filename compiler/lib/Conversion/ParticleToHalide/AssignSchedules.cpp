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
using sora::particle::ScheduleAttr;

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
      ScheduleAttr given = kernel.getScheduleAttr();
      if (given && given.getRecord().isComplete())
        return WalkResult::advance();
      FailureOr<sora::KernelSpec> spec = sora::buildKernelSpec(kernel);
      if (failed(spec)) {
        signalPassFailure();
        return WalkResult::interrupt();
      }
      sora::ScheduleRecord defaults = sora::defaultSchedule(*spec, *info);
      // A partial record (by hand, from a tuning database) keeps what it
      // chose; the heuristics fill in the rest.
      ScheduleAttr complete = ScheduleAttr::getChecked(
          [&] { return kernel.emitOpError(); }, &getContext(),
          sora::PartialSchedule::of(given ? given.complete(defaults)
                                          : defaults));
      if (!complete) {
        signalPassFailure();
        return WalkResult::interrupt();
      }
      kernel.setScheduleAttr(complete);
      return WalkResult::advance();
    });
  }
};

} // namespace
