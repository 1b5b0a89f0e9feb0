//===- Heuristics.cpp - Default schedules chosen from kernel shapes -------===//
//
// Contractions get the register tile measured in design.md section 6: as
// many accumulators as the vector register file holds with room left for the
// operands (8 rows x 2 vectors for GEMM, 4 vectors x 6 pixels for conv on
// AVX-512; 6 x 2 vectors for both on AVX2, whose 16 registers a 4-vector
// conv tile overflows; a conv tile a vector narrower where that computes
// fewer outputs), weights packed into panels when several row tiles reuse
// them, and parallel row blocks of about 64 rows (a conv: tasks of
// an eighth of its output rows, up to 8, which share their padded input
// rows); a depthwise conv one vector x a run of pixels. Small kernels stay
// on one thread.
//
//===----------------------------------------------------------------------===//

#include "sora/Tuning/Heuristics.h"
#include "sora/Core/ParticleShapes.h"

#include <algorithm>

namespace sora {

int anchorOpIndex(const KernelSpec &spec) {
  for (size_t i = 0; i < spec.ops.size(); ++i)
    if (isImageProducer(spec, i))
      return (int)i;
  for (size_t i = spec.ops.size(); i-- > 0;)
    if (fusionRole(spec.ops[i].kind) == FusionRole::Anchor)
      return (int)i;
  return -1;
}

/// Work below which a kernel runs on one thread (about 10 us on one core):
/// handing it to a thread pool costs more than it saves.
static constexpr double kParallelFlops = 2e6;
static constexpr int64_t kParallelElements = 1 << 18;
/// Weight bytes above which a batch-1 dense layer is worth splitting.
static constexpr int64_t kParallelWeightBytes = 256 << 10;
/// Weight bytes beyond which a contraction's weights do not stay in a core's
/// cache (L2 is 512 KiB to 1 MiB here): its column panels go outermost, so
/// that each panel is read from memory once rather than once per row tile.
static constexpr int64_t kCachedWeightBytes = 1 << 20;
/// Rows of a dense kernel's parallel task.
static constexpr int kRowsPerTask = 64;

static bool allPositive(const Shape &shape) {
  return std::all_of(shape.begin(), shape.end(),
                     [](int64_t extent) { return extent > 0; });
}

/// The shape of operand `i` of `op` if it exists with `rank` positive
/// extents, else null (heuristics never fail: a malformed spec is the
/// backend's to report).
static const Shape *operandShape(const KernelSpec &spec, const KernelOp &op,
                                 size_t i, size_t rank) {
  if (i >= op.operands.size() || op.operands[i] < 0 ||
      op.operands[i] >= spec.numValues())
    return nullptr;
  const Shape &shape = spec.shapeOf(op.operands[i]);
  return shape.size() == rank && allPositive(shape) ? &shape : nullptr;
}

int vectorRegisters(const TargetInfo &target) {
  bool sixteenRegisters = target.arch == "x86_64" && target.vectorBytes < 64;
  return sixteenRegisters ? 16 : 32;
}

/// Vector registers a register tile may hold as accumulators, leaving the
/// rest for weight vectors and broadcast inputs.
static int accumulatorBudget(const TargetInfo &target) {
  return vectorRegisters(target) * 3 / 4;
}

/// Rows of a register tile `colVectors` vectors wide: as many as the
/// accumulator budget allows while the tile's weight vectors and one
/// broadcast input still fit in registers (a spilled accumulator costs a
/// store and a load per multiply-add).
static int tileRowsFor(int colVectors, const TargetInfo &target) {
  int fit = (vectorRegisters(target) - colVectors - 1) / colVectors;
  return std::max(1, std::min(fit, accumulatorBudget(target) / colVectors));
}

/// Dense x[N,K] * w[K,U]: rows x 2 vectors, or 4 vectors of one row for
/// batch 1 (independent accumulator chains for the FMA latency).
static void denseSchedule(const KernelOp &op, int64_t depth,
                          const TargetInfo &target, ScheduleRecord &s) {
  int64_t rows = op.shape[0], cols = op.shape[1];
  int colVectors = rows == 1 ? 4 : 2;
  s.tileCols = (int)std::min<int64_t>((int64_t)colVectors * s.vector,
                                      ceilDiv(cols, s.vector) * s.vector);
  s.tileRows = (int)std::min<int64_t>(
      std::min(8, tileRowsFor(colVectors, target)), rows);
  int64_t rowTiles = ceilDiv(rows, s.tileRows);
  int64_t panels = ceilDiv(cols, s.tileCols);
  s.packWeights = panels > 1 && rowTiles > 1;
  // A batch-1 layer with large weights is bound by reading them: split its
  // columns into panels so that each thread streams a share.
  bool streaming = rows == 1 && depth * cols * 4 >= kParallelWeightBytes &&
                   cols >= 2 * (int64_t)s.vector;
  if (streaming && panels < 2) {
    s.tileCols = (int)(ceilDiv(ceilDiv(cols, 2), s.vector) * s.vector);
    panels = ceilDiv(cols, s.tileCols);
  }
  s.panelsOuter = rowTiles > 1 && panels > 1 && s.packWeights &&
                  depth * cols * 4 > kCachedWeightBytes;
  bool rowsOuter = rowTiles > 1 && !s.panelsOuter;
  s.parallel = (streaming || 2.0 * rows * depth * cols >= kParallelFlops) &&
               (rowsOuter ? rowTiles : panels) > 1;
  // Row blocks of about kRowsPerTask rows, but at least two tasks.
  s.grain = rowsOuter ? (int)std::clamp<int64_t>(kRowsPerTask / s.tileRows, 1,
                                                 ceilDiv(rowTiles, 2))
                      : 1;
}

/// Pixels per conv register tile for output rows `width` wide: the `fit`
/// that fit in registers, unless tiles that wide would recompute over an
/// eighth of the row (a 7-wide row in tiles of 6 computes 12 pixels); then
/// the count from fit/2 to fit that covers the row with the fewest.
static int pixelsPerTile(int fit, int64_t width) {
  if (width <= fit)
    return (int)width;
  auto covered = [&](int pixels) { return ceilDiv(width, pixels) * pixels; };
  int best = fit;
  if (covered(fit) * 8 > width * 9)
    for (int pixels = fit - 1; pixels >= std::max(1, fit / 2); --pixels)
      if (covered(pixels) < covered(best))
        best = pixels;
  return best;
}

/// Conv2D NHWC: vectors of output channels (4 with 32 registers, 2 with 16)
/// x as many pixels as fit in registers; parallel over output rows.
static void convSchedule(const KernelOp &op, const Shape &w,
                         const TargetInfo &target, ScheduleRecord &s) {
  // w is [KH, KW, C, F].
  int64_t outRows = op.shape[0] * op.shape[1], width = op.shape[2];
  int64_t channels = op.shape[3];
  int colVectors = (int)std::min<int64_t>(vectorRegisters(target) / 8,
                                          ceilDiv(channels, s.vector));
  // A grouped conv's ragged tile reads clamped input channels (gathers):
  // prefer the widest tile that divides the filters.
  for (int v = colVectors; op.groups > 1 && v > 1; --v)
    if (channels % ((int64_t)v * s.vector) == 0) {
      colVectors = v;
      break;
    }
  int pixels = pixelsPerTile(tileRowsFor(colVectors, target), width);
  s.panelsOuter = channels > (int64_t)colVectors * s.vector &&
                  numElements(w) * 4 > kCachedWeightBytes;
  // One vector narrower when that computes fewer outputs (a ragged last
  // panel, pixels past a row's end) with at least three vectors left: 3 x 7
  // on MobileNetV2's 7- and 14-wide rows instead of 4 x 4 and 4 x 5 ran its
  // 1x1 convs 5-20% faster; 2 vectors ran slower despite fewer outputs.
  // (Panels outermost guard the row's last tile instead of recomputing;
  // Winograd's tiles are 2x2 tiles, not pixels.)
  auto computed = [&](int vectors, int tilePixels) {
    int64_t cols = (int64_t)vectors * s.vector;
    return ceilDiv(channels, cols) * cols * ceilDiv(width, tilePixels) *
           tilePixels;
  };
  bool winograd =
      winogradApplies(op, w) && w[2] >= s.vector && w[3] >= s.vector;
  if (op.groups == 1 && colVectors >= 4 && !s.panelsOuter && !winograd) {
    int narrow = colVectors - 1;
    int narrowPixels = pixelsPerTile(tileRowsFor(narrow, target), width);
    if (computed(narrow, narrowPixels) < computed(colVectors, pixels)) {
      colVectors = narrow;
      pixels = narrowPixels;
    }
  }
  s.tileCols = colVectors * s.vector;
  s.tileRows = pixels;
  s.packWeights = channels > s.tileCols;
  double flops = 2.0 * numElements(op.shape) * w[0] * w[1] * w[2];
  // A depthwise conv runs far below the FMA peak (a load per multiply-add):
  // its time follows the elements it reads, as an elementwise kernel's.
  bool enoughWork = flops >= kParallelFlops ||
                    (op.groups > 1 &&
                     numElements(op.shape) * w[0] * w[1] >= kParallelElements);
  s.parallel = enoughWork && (outRows > 1 || s.panelsOuter);
  s.grain = (int)std::clamp<int64_t>(outRows / 8, 1, 8);
  if (winograd) {
    // Winograd F(2x2, 3x3): ResNet-18's 3x3 layers ran 1.1-1.8x faster
    // (whole model 1.3x at 1 and 2 threads). Its transformed filters are
    // 16/9 the size: beyond the cache, their panels go outermost. Register
    // tiles of at most 16 accumulators (4 tiles x 4 vectors on AVX-512), as
    // sora-tune chose: ResNet-18's 56x56 to 14x14 layers ran 4-8% faster
    // than in tiles of 6 and 5 (the direct conv's pixels).
    s.winograd = 1;
    s.tileRows = std::min(s.tileRows, std::max(1, 16 / colVectors));
    s.packWeights = 0;
    s.panelsOuter = 16 * w[2] * w[3] * 4 > kCachedWeightBytes;
    int64_t tileRows = ceilDiv(op.shape[1], 2) * op.shape[0];
    s.grain = (int)std::clamp<int64_t>(tileRows / 8, 1, 8);
  }
}

/// A depthwise conv: one vector of channels x a run of pixels, which reads
/// its padded input in place (Schedules.cpp): the tile's three weight
/// vectors per window row stay in registers and each input vector feeds
/// every tap that reads it. Measured (AVX-512, 1 thread): a whole row of up
/// to half the vector registers in one tile, whose bounds tests fold away
/// (MobileNetV2's 14 x 14 x 576 layer: 68 -> 31 us; a 16-wide row 3.8 ->
/// 2.9); a wider row in tiles of two registers fewer that divide it, at
/// least three, so that most tiles test no bounds (112 x 112 x 32: 161 ->
/// 88 us; a 28-wide row in two 14-pixel tiles ran 2x slower than in four
/// of 7, and tiles shifted inwards to cover a row ran up to 2x slower).
/// Channels no vector divides would leave a ragged last vector, which reads
/// clamped channels (gathers): the vector halves until one divides them
/// (EfficientNet's 28 x 28 x 120 layer: 82 us in 64-wide tiles, 334 in a
/// ragged 16-wide vector, 43 in 8-wide ones); without one, the conv keeps
/// its wider tiles.
static void depthwiseTile(const KernelOp &op, const TargetInfo &target,
                          ScheduleRecord &s) {
  int64_t width = op.shape[2], channels = op.shape[3];
  int vector = s.vector;
  while (channels % vector != 0 && vector > 4)
    vector /= 2;
  if (channels % vector != 0)
    return;
  int wholeRow = vectorRegisters(target) / 2, fit = wholeRow - 2;
  int pixels = 0;
  if (width <= wholeRow)
    pixels = (int)width;
  for (int d = fit; !pixels && d > 1; --d)
    if (width % d == 0 && width / d >= 3)
      pixels = d;
  if (!pixels)
    pixels = pixelsPerTile(std::min<int>(fit, ceilDiv(width, 3)), width);
  s.vector = vector;
  s.tileCols = vector;
  s.tileRows = pixels;
  s.packWeights = channels > s.tileCols;
}

/// Whether some op of `spec` is a producer of the kind `is` tells.
static bool hasProducer(const KernelSpec &spec,
                        bool (*is)(const KernelSpec &, size_t)) {
  for (size_t i = 0; i < spec.ops.size(); ++i)
    if (is(spec, i))
      return true;
  return false;
}

/// A depthwise conv computing a pointwise conv's rows (isRowProducer): each
/// task computes the window's first rows again, so tasks of a quarter of an
/// image's rows at most 16 (MobileNetV2's 56-row blocks: 2 of 16 producer
/// rows again; 7-row tasks measured the same within the noise).
static void rowProducerGrain(const KernelOp &op, ScheduleRecord &s) {
  s.grain = (int)std::clamp<int64_t>(op.shape[1] / 4, 1, 16);
}

/// A conv computed image by image inside the loop nest of the pool reading
/// it (isImageProducer): the pool's tasks are single images, the conv runs
/// inside on the task's thread, directly (Winograd's tiles are not
/// scheduled per image).
static void imageProducerSchedule(const KernelOp &op, ScheduleRecord &s) {
  s.winograd = 0;
  s.parallel = s.parallel && op.shape[0] > 1;
  s.grain = 1;
}

/// MatMul [..., M, K] x [..., K, N]: the dense register tile over M x N, no
/// packing (both operands are activations); parallel over row tiles and
/// batch entries.
static void matmulSchedule(const KernelSpec &spec, const KernelOp &op,
                           const TargetInfo &target, ScheduleRecord &s) {
  size_t rank = op.shape.size();
  if (rank < 2 || op.operands.empty() || op.operands[0] < 0 ||
      op.operands[0] >= spec.numValues())
    return;
  const Shape &a = spec.shapeOf(op.operands[0]);
  if (a.size() < 2 || !allPositive(a))
    return;
  int64_t rows = op.shape[rank - 2], cols = op.shape[rank - 1];
  int64_t depth = op.transposeA ? a[a.size() - 2] : a.back();
  int64_t batch = numElements(op.shape) / (rows * cols);
  int colVectors = rows == 1 ? 4 : 2;
  s.tileCols = (int)std::min<int64_t>((int64_t)colVectors * s.vector,
                                      ceilDiv(cols, s.vector) * s.vector);
  s.tileRows = (int)std::min<int64_t>(
      std::min(8, tileRowsFor(colVectors, target)), rows);
  s.packWeights = 0;
  int64_t tasks = ceilDiv(rows, s.tileRows) * batch;
  s.parallel =
      2.0 * numElements(op.shape) * depth >= kParallelFlops && tasks > 1;
  s.grain = 1;
}

/// One recurrent step (gates [B, G * H]): the gate product in tiles of up to
/// eight vectors that divide G * H, on one thread. A step is too short to
/// share: waking the pool for each of the T steps cost more than it saved
/// (bilstm_text at 2 threads: 1235 µs with the columns split over the
/// threads, 795 µs without; 663 µs at 1). The recurrent kernel goes in
/// panels of one tile's columns: each step streams it from L2, and one
/// sequential stream ran 1.4x faster than a tile's rows 2 KB apart (a 128 x
/// 512 LSTM kernel: 1.5 vs 2.1 µs per step).
static void recurrenceSchedule(const KernelOp &op, ScheduleRecord &s) {
  const particle::RecurrentCell *cell = particle::recurrentCell(op.kind);
  int64_t columns = (cell ? cell->gateBlocks : 1) * op.shape.back();
  int tile = s.vector;
  while (columns % s.vector == 0 && tile < 8 * s.vector &&
         columns % (2 * (int64_t)tile) == 0)
    tile *= 2;
  s.tileCols = tile;
  s.packWeights = columns % tile == 0;
  s.parallel = false;
}

const KernelOp *loopNestOwner(const KernelSpec &spec) {
  int anchor = anchorOpIndex(spec);
  if (anchor >= 0)
    return &spec.ops[anchor];
  for (const KernelOp &op : spec.ops)
    if (fusionRole(op.kind) == FusionRole::Recurrence)
      return &op;
  return nullptr;
}

/// A GPU kernel's record: plain weights (every GPU stage reads them as
/// they are) and thread blocks of 128 threads, or of the output's size
/// rounded up to a warp when it is smaller.
static ScheduleRecord gpuSchedule(const KernelSpec &spec) {
  ScheduleRecord s;
  s.parallel = 0;
  s.packWeights = 0;
  int64_t elements = spec.result >= 0 && spec.result < spec.numValues()
                         ? numElements(spec.shapeOf(spec.result))
                         : 1;
  s.gpuThreads = (int)std::min<int64_t>(
      128, std::max<int64_t>(32, ceilDiv(elements, 32) * 32));
  return s;
}

ScheduleRecord defaultSchedule(const KernelSpec &spec,
                               const TargetInfo &target) {
  if (target.isGpu())
    return gpuSchedule(spec);
  ScheduleRecord s;
  s.vector = target.vectorFloats();
  s.tileCols = s.vector;
  s.tileRows = 1;
  s.grain = 1;
  s.packWeights = 0;
  const KernelOp *op = loopNestOwner(spec);
  if (op && !allPositive(op->shape))
    op = nullptr;
  size_t rank = op ? op->shape.size() : 0;
  const Shape *x = op ? operandShape(spec, *op, 0, rank) : nullptr;
  const Shape *w = op ? operandShape(spec, *op, 1, rank) : nullptr;
  switch (op ? kernelFamily(op->kind) : KernelFamily::Elementwise) {
  case KernelFamily::MatMul:
    matmulSchedule(spec, *op, target, s);
    return s;
  case KernelFamily::Contraction:
    // Dense [N, U] or conv2d [N, OH, OW, F].
    if (x && w && rank == 2)
      denseSchedule(*op, (*x)[1], target, s);
    else if (x && w && rank == 4)
      convSchedule(*op, *w, target, s);
    if (rank == 4 && hasProducer(spec, isRowProducer))
      rowProducerGrain(*op, s);
    else if (w && rank == 4 && isDepthwiseConv(*op, *w))
      depthwiseTile(*op, target, s);
    else if (rank == 4 && hasProducer(spec, isImageProducer))
      imageProducerSchedule(*op, s);
    return s;
  case KernelFamily::Recurrent:
    if (rank == 3)
      recurrenceSchedule(*op, s);
    return s;
  case KernelFamily::Pooling:
  case KernelFamily::RowReduction:
  case KernelFamily::Reduction:
  case KernelFamily::Elementwise:
  case KernelFamily::Copy:
    break;
  }
  // Vectors along the innermost dimension, rows in parallel when the
  // kernel reads many elements: its result's, or a pool's windows'
  // (ResNet-18's 3x3 max pool, 200K outputs: 225 us on one thread, 115 us
  // on two). A softmax's element costs as four reads (an exponential and
  // three passes over its row: BERT-base's 12 x 128 x 128 scores, 196K
  // elements, took 126 us on one thread, 0.64 ns each against the pool's
  // 0.12 per read; on two threads in parallel 131 -> 97 us in the model).
  if (spec.result >= 0 && spec.result < spec.numValues()) {
    const Shape &shape = spec.shapeOf(spec.result);
    int64_t reads = numElements(shape);
    if (op && kernelFamily(op->kind) == KernelFamily::Pooling)
      reads *= op->window[0] * op->window[1];
    if (op && (op->kind == KernelOpKind::Softmax ||
               op->kind == KernelOpKind::LogSoftmax))
      reads *= 4;
    s.parallel = reads >= kParallelElements && shape.size() > 1;
  }
  return s;
}

} // namespace sora
