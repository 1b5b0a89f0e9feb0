//===- CostModel.h - How long a schedule should take ------------*- C++ -*-===//
//
// sora-tune measures candidates; this model only ranks them, so that the
// few measured are the likely winners. A roofline: the kernel's flops at
// the fraction of peak its register tile sustains (accumulators covering
// the FMA latency, loads per multiply-add, registers spilled, tiles that
// overhang the output) against its bytes at memory bandwidth, divided over
// the threads its parallel tasks keep busy, plus the cost of handing tasks
// to the pool. Plain C++.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNING_COSTMODEL_H
#define SORA_TUNING_COSTMODEL_H

#include "sora/Core/KernelSpec.h"
#include "sora/Target/TargetInfo.h"

namespace sora {

/// The work of a kernel as its schedule sees it.
struct KernelWork {
  /// The family of the op that owns the loop nest (Elementwise if none).
  KernelFamily family = KernelFamily::Elementwise;
  /// Contractions and matmuls: output rows (pixels, batch rows) and columns
  /// (channels), the reduction depth, and the extent a register tile's rows
  /// run along (a conv's output width; a matmul's rows per batch entry).
  int64_t rows = 1, cols = 1, depth = 1, rowRun = 1;
  /// A conv's output rows (N x OH), which its parallel tasks split; 0 for
  /// the other families.
  int64_t convRows = 0;
  /// A conv computed image by image inside a pool's loop nest
  /// (isImageProducer): its images, which the parallel tasks split; else 0.
  int64_t images = 0;
  /// A conv that may run as Winograd F(2x2, 3x3) (winograd = 1).
  bool winograd = false;
  /// The result's outermost extent (what other families split in parallel)
  /// and innermost extent (what they vectorize).
  int64_t outer = 1, inner = 1;
  double flops = 0, bytes = 0;
};

KernelWork kernelWork(const KernelSpec &spec);

/// The extent of the loop that `schedule` splits into parallel tasks of
/// `grain` iterations: a conv's output rows, a contraction's row tiles (or
/// column panels when they are outermost), other families' outermost rows.
int64_t parallelLoopExtent(const KernelWork &work,
                           const ScheduleRecord &schedule);

/// Estimated microseconds of `schedule` for `work` on `threads` threads.
double estimateMicros(const KernelWork &work, const ScheduleRecord &schedule,
                      const TargetInfo &target, int threads);

} // namespace sora

#endif // SORA_TUNING_COSTMODEL_H
