//===- AssignSchedules.cpp - Schedule records for kernels -----------------===//
//
// A kernel's record comes, in order of precedence, from the IR (a complete
// record written by hand), the tuning database (an entry for the kernel's
// signature, the target and the thread count), or the heuristics (which
// also fill in the fields a partial record leaves out).
//
//===----------------------------------------------------------------------===//

#include "sora/Conversion/KernelSpecBuilder.h"
#include "sora/Conversion/Passes.h"
#include "sora/Core/KernelSpecText.h"
#include "sora/Target/TargetInfo.h"
#include "sora/Tuning/Heuristics.h"
#include "sora/Tuning/KernelSignature.h"
#include "sora/Tuning/TuningDatabase.h"

#include <cstdio>
#include <thread>

namespace sora {
#define GEN_PASS_DEF_SORAASSIGNSCHEDULES
#include "sora/Conversion/Passes.h.inc"
} // namespace sora

using namespace mlir;
using sora::particle::ScheduleAttr;

namespace {

/// "1.31x over the heuristics (12.0 us -> 9.2 us), 2026-12-04 on <machine>".
std::string describeEntry(const sora::TuningEntry &e) {
  char text[96];
  std::snprintf(text, sizeof text,
                "%.2fx over the heuristics (%.1f -> %.1f us)", e.speedup(),
                e.defaultMedianUs, e.medianUs);
  return std::string(text) + ", tuned " + e.date.substr(0, 10) + " on " +
         e.machine + (e.complete ? "" : ", search unfinished");
}

std::string threadList(const std::vector<int> &counts) {
  std::string text;
  for (int n : counts)
    text += (text.empty() ? "" : ", ") + std::to_string(n);
  return text;
}

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
    sora::TuningDatabase database;
    if (!tuningDb.empty()) {
      sora::DatabaseError error;
      if (!database.load(tuningDb, /*mayBeMissing=*/false, error)) {
        emitError(FileLineColLoc::get(&getContext(), error.path, error.line,
                                      error.column))
            << error.message;
        return signalPassFailure();
      }
    }
    int threadCount =
        threads > 0 ? (int)threads
                    : std::max(1, (int)std::thread::hardware_concurrency());
    getOperation().walk([&](sora::particle::KernelOp kernel) {
      if (failed(assign(kernel, *info, database, threadCount))) {
        signalPassFailure();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
  }

  LogicalResult assign(sora::particle::KernelOp kernel,
                       const sora::TargetInfo &info,
                       const sora::TuningDatabase &database, int threadCount) {
    ScheduleAttr given = kernel.getScheduleAttr();
    bool complete = given && given.getRecord().isComplete();
    if (complete && !explain)
      return success();
    FailureOr<sora::KernelSpec> spec = sora::buildKernelSpec(kernel);
    if (failed(spec))
      return failure();
    std::string source = "written in the IR";
    if (!complete) {
      sora::ScheduleRecord defaults = sora::defaultSchedule(*spec, info);
      source = "heuristics";
      std::string signature = sora::kernelSignatureOf(kernel, *spec);
      if (given) {
        source = "written in the IR, completed by the heuristics";
      } else if (const sora::TuningEntry *entry =
                     database.find(signature, info.name, threadCount)) {
        defaults = entry->schedule;
        source = "tuning database: " + describeEntry(*entry);
      } else if (std::vector<int> counts =
                     database.threadCounts(signature, info.name);
                 !counts.empty()) {
        source = "heuristics (the tuning database has this kernel for " +
                 threadList(counts) + " thread(s), not " +
                 std::to_string(threadCount) + ")";
      }
      // A partial record keeps what it chose; the rest comes from the
      // database entry or the heuristics.
      ScheduleAttr record = ScheduleAttr::getChecked(
          [&] { return kernel.emitOpError(); }, &getContext(),
          sora::PartialSchedule::of(given ? given.complete(defaults)
                                          : defaults));
      if (!record)
        return failure();
      kernel.setScheduleAttr(record);
      spec->schedule = record.complete(sora::ScheduleRecord());
    }
    if (explain)
      emitRemark(kernel.getLoc())
          << kernel.getSymName() << " " << sora::kernelSummary(*spec) << ": "
          << source << ": " << sora::formatSchedule(spec->schedule);
    return success();
  }
};

} // namespace
