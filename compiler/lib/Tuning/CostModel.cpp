//===- CostModel.cpp - How long a schedule should take --------------------===//
//
// The constants are this project's measurements on the 2-core AVX2 machines
// (design.md section 6): about 46 GFLOP/s per core at fp32 peak, 10 GB/s of
// memory bandwidth per core, a few microseconds to wake the thread pool.
// They set the scale; only the ranking matters.
//
//===----------------------------------------------------------------------===//

#include "sora/Tuning/CostModel.h"
#include "sora/Tuning/Heuristics.h"

#include <algorithm>
#include <cmath>

namespace sora {
namespace {

constexpr double kFlopsPerNsPerVectorFloat = 46.0 / 8; // per core
constexpr double kBytesPerNs = 10.0;                   // per core
constexpr double kPoolWakeUs = 3.0;
constexpr double kTaskUs = 0.3;
/// Independent FMA chains that hide the FMA latency (latency x throughput).
constexpr int kLatencyChains = 8;

/// The fraction of peak a register tile sustains.
double tileEfficiency(const KernelWork &w, const ScheduleRecord &s,
                      const TargetInfo &target) {
  int64_t panel =
      std::min<int64_t>(s.tileCols, ceilDiv(w.cols, s.vector) * s.vector);
  int64_t colVectors = std::max<int64_t>(1, panel / s.vector);
  int64_t tileRows = std::min<int64_t>(s.tileRows, w.rowRun);
  double accumulators = (double)(tileRows * colVectors);
  // Each step loads colVectors weight vectors and broadcasts tileRows
  // inputs for tileRows x colVectors multiply-adds; two loads per cycle.
  double loads = (double)(tileRows + colVectors);
  double efficiency = std::min(1.0, accumulators / (loads / 2.0));
  efficiency *= std::min(1.0, accumulators / kLatencyChains);
  if (accumulators + colVectors + 1 > vectorRegisters(target))
    efficiency *= 0.5; // spills: a store and a load per multiply-add
  // Tiles overhanging the output compute columns and rows thrown away.
  double rowsComputed = (double)(ceilDiv(w.rowRun, tileRows) * tileRows);
  double colsComputed = (double)(ceilDiv(w.cols, panel) * panel);
  efficiency *= (double)w.rowRun / rowsComputed * (double)w.cols / colsComputed;
  // Weights read in place (not packed) stride across rows of the weight
  // matrix: fine for one panel, slower for many.
  if (!s.packWeights && w.cols > panel && w.rows > tileRows)
    efficiency *= 0.8;
  return std::max(efficiency, 0.02);
}

} // namespace

KernelWork kernelWork(const KernelSpec &spec) {
  KernelWork w;
  const KernelOp *op = loopNestOwner(spec);
  if (spec.result >= 0 && spec.result < spec.numValues()) {
    const Shape &result = spec.shapeOf(spec.result);
    w.outer = result.empty() ? 1 : std::max<int64_t>(result.front(), 1);
    w.inner = result.empty() ? 1 : std::max<int64_t>(result.back(), 1);
    w.bytes = 4.0 * (double)numElements(result);
  }
  for (const Shape &arg : spec.args)
    w.bytes += 4.0 * (double)numElements(arg);
  if (!op)
    return w;
  w.family = kernelFamily(op->kind);
  const Shape &out = op->shape;
  if ((w.family == KernelFamily::Contraction ||
       w.family == KernelFamily::MatMul) &&
      out.size() >= 2 && op->operands.size() >= 2) {
    const Shape &x = spec.shapeOf(op->operands[0]);
    w.cols = std::max<int64_t>(out.back(), 1);
    w.rows = numElements(out) / w.cols;
    // Conv [N, OH, OW, F] tiles pixels along a row; dense [N, U] and matmul
    // [..., M, N] tile rows.
    bool conv = out.size() == 4 && w.family == KernelFamily::Contraction;
    w.rowRun = conv ? std::max<int64_t>(out[2], 1)
                    : std::max<int64_t>(out[out.size() - 2], 1);
    if (conv)
      w.convRows = std::max<int64_t>(out[0] * out[1], 1);
    bool perImage = isImageProducer(spec, (size_t)(op - spec.ops.data()));
    if (perImage)
      w.images = out[0];
    const Shape &weights = spec.shapeOf(op->operands[1]);
    w.winograd = winogradApplies(*op, weights) && !perImage;
    w.depth =
        w.family == KernelFamily::MatMul
            ? std::max<int64_t>(op->transposeA ? x[x.size() - 2] : x.back(), 1)
            : std::max<int64_t>(numElements(weights) / w.cols, 1);
    w.flops = 2.0 * (double)w.rows * (double)w.cols * (double)w.depth;
    // Pointwise convs computed in its loop nest: their multiply-adds too.
    for (size_t i = 0; i < spec.ops.size(); ++i)
      if (isRowProducer(spec, i))
        w.flops += 2.0 * (double)numElements(spec.ops[i].shape) *
                   (double)spec.shapeOf(spec.ops[i].operands[1])[2];
  } else {
    w.flops = (double)numElements(out);
  }
  return w;
}

int64_t parallelLoopExtent(const KernelWork &w, const ScheduleRecord &s) {
  if (w.family != KernelFamily::Contraction && w.family != KernelFamily::MatMul)
    return w.outer;
  // As the Halide schedules split them (Target/Halide/Schedules.cpp).
  int64_t panel =
      std::max<int64_t>(s.vector, std::min<int64_t>(s.tileCols, w.cols));
  int64_t panels = ceilDiv(w.cols, panel);
  int64_t rowTiles = ceilDiv(w.rows, std::min<int64_t>(s.tileRows, w.rows));
  if (w.family == KernelFamily::MatMul)
    return rowTiles; // row tiles of every batch entry
  if (w.images > 0)
    return w.images;
  if (w.winograd && s.winograd) // panels of the 16 tile elements, tile rows
    return s.panelsOuter ? 16 * panels : ceilDiv(w.convRows, 2);
  if (w.convRows > 0)
    return s.panelsOuter ? panels : w.convRows;
  return s.panelsOuter || rowTiles == 1 ? panels : rowTiles;
}

double estimateMicros(const KernelWork &w, const ScheduleRecord &s,
                      const TargetInfo &target, int threads) {
  bool tiled =
      w.family == KernelFamily::Contraction || w.family == KernelFamily::MatMul;
  int64_t tasks =
      s.parallel ? ceilDiv(parallelLoopExtent(w, s), std::max(1, s.grain)) : 1;
  int busy = (int)std::min<int64_t>(threads, tasks);
  // The slowest thread's share of the tasks.
  double share = (double)ceilDiv(tasks, busy) / (double)tasks;

  double vectorFloats = std::max(1, std::min(s.vector, target.vectorFloats()));
  double computeNs =
      tiled
          ? w.flops / (kFlopsPerNsPerVectorFloat * vectorFloats *
                       tileEfficiency(w, s, target))
          : w.flops / (kFlopsPerNsPerVectorFloat * vectorFloats *
                       (w.inner < s.vector ? (double)w.inner / s.vector : 1.0));
  if (w.winograd && s.winograd)
    computeNs /= 2.25; // F(2x2, 3x3): 16 multiplies per 4 outputs, not 36
  double memoryNs = w.bytes / kBytesPerNs;
  double ns = std::max(computeNs, memoryNs) * (busy > 1 ? share : 1.0);
  double overheadUs =
      s.parallel ? kPoolWakeUs + kTaskUs * (double)tasks / std::max(1, busy)
                 : 0.0;
  return ns / 1000.0 + overheadUs;
}

} // namespace sora
