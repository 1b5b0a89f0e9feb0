//===- Schedules.cpp - Applying a ScheduleRecord to a kernel's Funcs ------===//
//
// Contractions (dense, conv) follow the register-tile recipe measured in
// design.md section 6: weights packed into tileCols-wide panels, a
// tileRows x tileCols accumulator tile (rows unrolled, columns as vectors)
// computed per tile with the whole reduction innermost, parallel over row
// blocks (over column panels when there is a single row tile). Pools,
// softmax and elementwise kernels vectorize the innermost dimension and go
// parallel over the outermost rows.
//
//===----------------------------------------------------------------------===//

#include "Schedules.h"

#include "sora/Core/ParticleShapes.h"

#include <tuple>

namespace sora {

using namespace Halide;

/// Innermost extents up to this many elements are unrolled inside vectors
/// of the next dimension rather than vectorized themselves.
static constexpr int kInterleavedExtent = 4;

/// How to split a pure dimension of `extent` by `factor` without touching
/// memory outside it: exact, shifted inwards, or guarded when too short.
/// Where a run chooses the extent, `extent` is the least (Value::least):
/// the strategy holds for every multiple of it.
static TailStrategy pureTail(int64_t extent, int factor) {
  if (extent % factor == 0)
    return TailStrategy::RoundUp;
  return extent > factor ? TailStrategy::ShiftInwards
                         : TailStrategy::GuardWithIf;
}

/// Runs the loop `var` of `func` in parallel, `grain` iterations per task.
static void parallelize(Func func, const VarOrRVar &var, int grain) {
  if (grain > 1)
    func.parallel(var, grain, TailStrategy::GuardWithIf);
  else
    func.parallel(var);
}

/// The accumulator of a contraction: a full tileRows x tileCols register tile
/// computed at `tileLoop` of `tiled`, reduction loops outside the tile.
static void scheduleAccumulator(const OpStages &anchor, Func tiled,
                                const Var &tileLoop, const Tiling &tile) {
  Func acc = anchor.reduce;
  std::vector<Var> v = acc.args();
  Var co("co"), ci("ci");
  acc.compute_at(tiled, tileLoop)
      .bound_extent(v[0], tile.cols)
      .bound_extent(v[1], tile.rows)
      .split(v[0], co, ci, tile.vector)
      .vectorize(ci)
      .unroll(co)
      .unroll(v[1]);
  std::vector<VarOrRVar> order{v[0], v[1]};
  for (int i = 0; i < anchor.reduction.dimensions(); ++i)
    order.push_back(anchor.reduction[i]);
  acc.update()
      .reorder(order)
      .split(v[0], co, ci, tile.vector)
      .vectorize(ci)
      .unroll(co)
      .unroll(v[1]);
}

/// Bytes of weights a reduction block may read, so that the block stays in
/// L1 (48 KiB here) while every register tile of a panel reads it.
static constexpr int kBlockWeightBytes = 40 << 10;

/// The accumulator of a contraction whose column panels are outermost
/// (weights beyond the cache): the panel's whole output computed at
/// `panel`, its reduction in blocks of its first dimension (dense: k; conv:
/// input channels, each with its whole window) whose weights stay in L1
/// while every register tile of the panel reads them. Without the blocks,
/// each tile streamed the panel's megabyte from L2, and the first one from
/// memory, uninterleaved with any arithmetic.
static void scheduleBlockedAccumulator(const OpStages &anchor, Func tiled,
                                       const Var &panel, const Tiling &tile) {
  Func acc = anchor.reduce;
  std::vector<Var> v = acc.args(); // dense (u, n); conv (f, ox, oy, n)
  Var fo("fo"), fi("fi"), xo("xo"), xi("xi");
  acc.compute_at(tiled, panel)
      .bound_extent(v[0], tile.cols)
      .split(v[0], fo, fi, tile.vector)
      .vectorize(fi)
      .unroll(fo);
  const RDom &r = anchor.reduction;
  auto extent = [](const RVar &rv) { return *as_const_int(rv.extent()); };
  int64_t sliceBytes = (int64_t)tile.cols * 4; // weights per step of r[0]
  for (int i = 1; i < r.dimensions(); ++i)
    sliceBytes *= extent(r[i]);
  int64_t block = 1;
  while (block * 2 * sliceBytes <= kBlockWeightBytes &&
         block * 2 <= extent(r[0]))
    block *= 2;
  RVar ro("rbo"), ri("rbi");
  // Innermost first: the tile's columns and rows, the block's reduction
  // steps, then the tiles, then the blocks.
  std::vector<VarOrRVar> order{fi, fo, xi, ri};
  for (int i = 1; i < r.dimensions(); ++i)
    order.push_back(r[i]);
  order.push_back(xo);
  order.insert(order.end(), v.begin() + 2, v.end());
  order.push_back(ro);
  acc.update()
      .split(r[0], ro, ri, (int)block, TailStrategy::GuardWithIf)
      .split(v[1], xo, xi, tile.rows, TailStrategy::GuardWithIf)
      .split(v[0], fo, fi, tile.vector)
      .reorder(order)
      .vectorize(fi)
      .unroll(fo)
      .unroll(xi);
}

/// The register tiles of a contraction: `tiled`'s innermost dim (columns)
/// split into tile.cols panels of tile.vector vectors, the next (rows) into
/// tile.rows rows (`rowTail` past the last). Returns the column panel,
/// vector and lane vars and the row tile and row vars.
static std::tuple<Var, Var, Var, Var, Var>
splitRegisterTiles(Func tiled, const Tiling &tile, TailStrategy rowTail) {
  std::vector<Var> v = tiled.args();
  Var co("co"), ci("ci"), cvo("cvo"), cvi("cvi"), ro("ro"), ri("ri");
  tiled.split(v[0], co, ci, tile.cols, TailStrategy::GuardWithIf)
      .split(v[1], ro, ri, tile.rows, rowTail)
      .split(ci, cvo, cvi, tile.vector);
  return {co, cvo, cvi, ro, ri};
}

/// A Winograd conv (ContractionOps.cpp): tiled(f, ox, oy, n) in 2x2 output
/// tiles, vectorized along f, parallel over tile rows (and images). The
/// products are register tiles of tile.cols filters x tile.rows tiles with
/// the input channels innermost. Computed per tile row, with its input
/// tiles, when the transformed filters stay in cache; else (panelsOuter) up
/// front, each task one filter panel of one of the 16 tile elements, so
/// that the filters are read from memory once.
static void scheduleWinograd(const OpStages &anchor, Func tiled,
                             const ScheduleRecord &schedule) {
  const Shape &shape = anchor.value.shape; // [N, OH, OW, F]
  int64_t tilesX = (shape[2] + 1) / 2;
  Tiling tile = clampTiling(schedule, shape[3], tilesX);
  std::vector<Var> v = tiled.args();
  Var tx("tx"), px("px"), ty("ty"), py("py"), fo("fo"), fi("fi");
  tiled.split(v[1], tx, px, 2, pureTail(shape[2], 2))
      .split(v[2], ty, py, 2, pureTail(shape[1], 2))
      .split(v[0], fo, fi, tile.vector, pureTail(shape[3], tile.vector))
      .reorder(fi, px, py, fo, tx, ty, v[3])
      .vectorize(fi)
      .unroll(px)
      .unroll(py);
  // Tasks of `grain` tile rows; a tile row's products are computed per row,
  // their bounds exact (a fused loop's would span the image).
  int64_t tilesY = (shape[1] + 1) / 2;
  int grain = (int)std::clamp<int64_t>(schedule.grain, 1, tilesY);
  Var rows("rows"), task("task");
  tiled.split(ty, rows, ty, grain, pureTail(tilesY, grain))
      .fuse(rows, v[3], task);
  if (schedule.parallel)
    tiled.parallel(task);

  Func products = anchor.products, tiles = anchor.tiles;
  std::vector<Var> m = products.args(); // f, tx, b, a, ty, n
  std::vector<Var> t = tiles.args();    // c, tx, b, a, ty, n
  int64_t channels = *as_const_int(anchor.reduction.x.extent());
  Var mo("mo"), mi("mi"), to("to"), ti("ti"), co("co"), ci("ci");
  products.split(m[0], mo, mi, tile.cols, pureTail(shape[3], tile.cols))
      .split(m[1], to, ti, tile.rows, pureTail(tilesX, tile.rows))
      .vectorize(mi, tile.vector)
      .unroll(ti);
  tiles.split(t[0], co, ci, tile.vector, pureTail(channels, tile.vector))
      .reorder(ci, t[2], t[3], co, t[1])
      .vectorize(ci)
      .unroll(t[2])
      .unroll(t[3]);
  if (schedule.panelsOuter) {
    Var element("element"), panelTask("panel_task"), tileRow("tile_row");
    products.compute_root()
        .reorder(mi, ti, to, m[4], m[5], mo, m[2], m[3])
        .fuse(m[2], m[3], element)
        .fuse(mo, element, panelTask);
    tiles.compute_root().fuse(t[4], t[5], tileRow);
    if (schedule.parallel) {
      products.parallel(panelTask);
      tiles.parallel(tileRow);
    }
  } else {
    products.compute_at(tiled, ty).reorder(mi, ti, mo, to, m[2], m[3]);
    tiles.compute_at(tiled, ty);
  }
  scheduleAccumulator(anchor, products, schedule.panelsOuter ? to : mo, tile);
  if (Func filters = anchor.filters; filters.defined())
    filters.compute_root().vectorize(filters.args()[0], tile.vector,
                                     TailStrategy::GuardWithIf);
}

/// A pointwise conv computed inside a depthwise conv's loop nest, realized
/// by `rows`: the consumer's zero-padded input (the producer reads its own
/// input clamped, so it is defined on the padding too) or, unpadded, its own
/// value. Its rows at the consumer's `row` loop, kept across a task's rows
/// (`rowTask`: a sliding window, each row computed once per task), or up
/// front without row tasks; in the consumer's register tiles (its channels
/// are the consumer's), the whole reduction innermost.
static void scheduleRowProducer(const OpStages &producer, Func rows, Func tiled,
                                const Var &row, const Var *rowTask,
                                const ScheduleRecord &schedule) {
  const Shape &shape = producer.value.shape; // [N, H, W, F]
  Tiling tile = clampTiling(schedule, shape[3], shape[2]);
  std::vector<Var> v = rows.args();
  // Past the last tile (rounded up), the clamped input still reads in bounds.
  auto [co, cvo, cvi, ro, ri] =
      splitRegisterTiles(rows, tile, pureTail(shape[2], tile.rows));
  rows.reorder(cvi, cvo, ri, co, ro, v[2], v[3])
      .vectorize(cvi)
      .unroll(cvo)
      .unroll(ri);
  if (rowTask) {
    rows.store_at(tiled, *rowTask).compute_at(tiled, row);
  } else {
    rows.compute_root();
    if (schedule.parallel)
      rows.parallel(v[2]);
  }
  scheduleAccumulator(producer, rows, co, tile);
}

/// Whether a conv reads its zero-padded input in place, bounds tested,
/// rather than from a padded copy: one whose window sums a single input
/// channel (depthwise) in one-vector register tiles that divide its
/// channels. Its tile's few accumulators leave registers for the tests,
/// which Halide moves out of the tiles clear of the border, and each input
/// vector feeds only the window's taps, so a copy cost more than the reads
/// it serves (MobileNetV2's 14 x 14 x 576 depthwise conv: 43 us with the
/// copy, 20 in place). (A ragged vector reads clamped channels: gathers.)
static bool readsPaddingInPlace(const OpStages &anchor, const Tiling &tile) {
  if (anchor.reduction.dimensions() != 3 || tile.cols != tile.vector ||
      anchor.value.shape.back() % tile.vector != 0)
    return false;
  const int64_t *channels = as_const_int(anchor.reduction.x.extent());
  return channels && *channels == 1;
}

/// Dense: tiled(u, n); Conv2D: tiled(f, ox, oy, n), pixel tiles along ox.
static void scheduleContraction(const OpStages &anchor, Func tiled,
                                const ScheduleRecord &schedule) {
  if (anchor.products.defined())
    return scheduleWinograd(anchor, tiled, schedule);
  const Shape &shape = anchor.value.shape;
  bool dense = shape.size() == 2; // else conv2d [N, OH, OW, F]
  int64_t rows = dense ? shape[0] : shape[2];
  Tiling tile = clampTiling(schedule, shape.back(), rows);

  std::vector<Var> v = tiled.args();
  const Value &value = anchor.value;
  auto [co, cvo, cvi, ro, ri] = splitRegisterTiles(
      tiled, tile, pureTail(value.leastExtent(dense ? 0 : 2), tile.rows));
  // A single row tile (batch-1 dense) leaves only column panels to share.
  bool panelsOuter = schedule.panelsOuter || (dense && rows <= tile.rows);
  bool rowTasks = !dense && !panelsOuter;
  // Conv: output rows (and images) are one loop around the pixel tiles; with
  // row producers, the images a loop of their own (a producer's rows slide
  // along the rows of one image: Halide slides along one dimension).
  bool imagesApart = rowTasks && !anchor.rowProducers.empty();
  Var row("row");
  if (imagesApart)
    row = v[2];
  else if (!dense)
    tiled.fuse(v[2], v[3], row);
  std::vector<VarOrRVar> rowLoops{ro};
  if (!dense)
    rowLoops.push_back(row);
  if (imagesApart)
    rowLoops.push_back(v[3]);
  std::vector<VarOrRVar> order{cvi, cvo, ri}; // innermost first
  if (!panelsOuter)
    order.push_back(co);
  order.insert(order.end(), rowLoops.begin(), rowLoops.end());
  if (panelsOuter)
    order.push_back(co);
  tiled.reorder(order).vectorize(cvi).unroll(cvo).unroll(ri);

  // Conv: output rows in tasks of `grain` rows, each one's padded input
  // rows kept across its rows (a sliding window: an output row copies only
  // the input rows the previous one did not read).
  Var rowTask("row_task");
  Var panelTask = co; // panels outermost: the loop of parallel tasks
  if (rowTasks) {
    int grain = std::max(1, schedule.grain);
    if (imagesApart) {
      Var imageRows("image_rows");
      tiled
          .split(row, imageRows, row, grain,
                 pureTail(value.leastExtent(1), grain))
          .fuse(imageRows, v[3], rowTask);
    } else {
      tiled.split(row, rowTask, row, grain,
                  pureTail(value.leastExtent(0) * value.leastExtent(1), grain));
    }
    if (schedule.parallel)
      tiled.parallel(rowTask);
  } else if (schedule.parallel && panelsOuter && schedule.grain > 1) {
    // Tasks of `grain` panels; the loop `co` stays one panel.
    panelTask = Var("panel_task");
    tiled.split(co, panelTask, co, schedule.grain, TailStrategy::GuardWithIf)
        .parallel(panelTask);
  } else if (schedule.parallel) {
    parallelize(tiled, panelsOuter ? co : dense ? ro : row, schedule.grain);
  }
  bool blocked = schedule.panelsOuter;
  if (blocked)
    scheduleBlockedAccumulator(anchor, tiled, co, tile);
  else
    scheduleAccumulator(anchor, tiled, panelsOuter ? ro : co, tile);

  // The zero-padded input, a copy (with row producers: their realization),
  // except where the conv reads it in place (readsPaddingInPlace).
  bool paddedCopy = anchor.padded.defined() && anchor.rowProducers.empty() &&
                    !readsPaddingInPlace(anchor, tile);
  if (paddedCopy && blocked) {
    // Read by every panel: padded once, up front, or in parallel by each
    // task for its panels, on the thread that reads it (one copy up front,
    // written by one core and read by all, kept ResNet-18's layer3.0.conv1
    // at 727 us on 2 threads, 695 on 1; per task: 472 on 2, 673 on 1).
    Func padded = anchor.padded;
    if (schedule.parallel)
      padded.compute_at(tiled, panelTask);
    else
      padded.compute_root();
    padded.vectorize(padded.args()[0], tile.vector, TailStrategy::GuardWithIf);
  } else if (paddedCopy) {
    Func padded = anchor.padded;
    if (rowTasks)
      padded.store_at(tiled, rowTask);
    padded.compute_at(tiled, row)
        .vectorize(padded.args()[0], tile.vector, TailStrategy::GuardWithIf);
  }
  for (const OpStages &producer : anchor.rowProducers)
    scheduleRowProducer(
        producer, anchor.padded.defined() ? anchor.padded : producer.value.func,
        tiled, row, rowTasks ? &rowTask : nullptr, schedule);
  if (anchor.packed.defined()) {
    Func packed = anchor.packed;
    std::vector<Var> p = packed.args();
    packed.compute_root().vectorize(p[0], tile.vector);
    if (schedule.parallel)
      packed.parallel(p.back());
  }
}

/// MatMul: tiled(n, m, batch...) in rows x columns register tiles like dense,
/// the row tiles and batch entries fused into one parallel loop.
static void scheduleMatMul(const OpStages &anchor, Func tiled,
                           const ScheduleRecord &schedule) {
  const Shape &shape = anchor.value.shape;
  int64_t rows = shape[shape.size() - 2];
  Tiling tile = clampTiling(schedule, shape.back(), rows);
  std::vector<Var> v = tiled.args();
  auto [co, cvo, cvi, ro, ri] = splitRegisterTiles(
      tiled, tile,
      pureTail(anchor.value.leastExtent(shape.size() - 2), tile.rows));
  std::vector<VarOrRVar> order{cvi, cvo, ri, co, ro};
  order.insert(order.end(), v.begin() + 2, v.end());
  tiled.reorder(order).vectorize(cvi).unroll(cvo).unroll(ri);
  Var outer = ro;
  for (size_t d = 2; d < v.size(); ++d) {
    Var fused("rb" + std::to_string(d));
    tiled.fuse(outer, v[d], fused);
    outer = fused;
  }
  if (schedule.parallel)
    parallelize(tiled, outer, schedule.grain);
  scheduleAccumulator(anchor, tiled, co, tile);
}

/// A conv computed one image at a time at `tiled`'s loop `image` (a pool
/// reading it): its own contraction schedule over one image, on the thread
/// that runs the image, its input rows sliding across the whole image. Where
/// each of the pool's output rows reads rows of its own (`ownWindowRows`),
/// the conv computes them at that row, so that they stay in L1 until pooled
/// (cnn_mnist at batch 64, its conv + ReLU + 2x2 max pool: 216 -> 178 us on
/// one thread; the image's 86 KiB had gone through L2). Not with panels
/// outermost: those would stream the weights once per row.
static void scheduleImageProducer(const OpStages &producer, Func tiled,
                                  const Var &image, int64_t ownWindowRows,
                                  const ScheduleRecord &schedule) {
  OpStages oneImage = producer;
  oneImage.value.shape[0] = 1;
  oneImage.value.least.clear(); // one image, whichever the batch
  ScheduleRecord perImage = schedule;
  perImage.parallel = 0;
  Func rows = producer.value.func;
  if (ownWindowRows > 0 && !schedule.panelsOuter) {
    perImage.grain = (int)ownWindowRows;
    rows.compute_at(tiled, tiled.args()[2]);
  } else {
    perImage.grain = (int)producer.value.shape[1];
    rows.compute_at(tiled, image);
  }
  scheduleContraction(oneImage, rows, perImage);
}

/// Pools: tiled(c, ox, oy, n), channels vectorized, the window reduced per
/// vector of channels. With an image producer, parallel over images, each
/// image's conv computed before its pool reads it.
static void schedulePooling(const OpStages &anchor, Func tiled,
                            const ScheduleRecord &schedule) {
  int64_t channels = anchor.value.shape[3];
  int vector = schedule.vector;
  std::vector<Var> v = tiled.args();
  Var co("co"), ci("ci"), row("row");
  tiled.split(v[0], co, ci, vector, pureTail(channels, vector)).vectorize(ci);
  if (!anchor.imageProducers.empty()) {
    // Tasks of `grain` images, each image's conv computed for that image.
    if (schedule.parallel && schedule.grain > 1) {
      Var task("image_task");
      tiled.split(v[3], task, v[3], schedule.grain, TailStrategy::GuardWithIf)
          .parallel(task);
    } else if (schedule.parallel) {
      tiled.parallel(v[3]);
    }
    for (const OpStages &producer : anchor.imageProducers)
      scheduleImageProducer(producer, tiled, v[3], anchor.ownWindowRows,
                            schedule);
  } else {
    tiled.fuse(v[2], v[3], row);
    if (schedule.parallel)
      parallelize(tiled, row, schedule.grain);
  }

  Func reduce = anchor.reduce;
  Var c = reduce.args()[0];
  reduce.compute_at(tiled, co);
  reduce.update().reorder(c, anchor.reduction.x, anchor.reduction.y);
  if (channels >= vector) {
    // Every channel tile is exactly one vector wide.
    reduce.bound_extent(c, vector).vectorize(c);
    reduce.update().vectorize(c);
  } else {
    reduce.vectorize(c, vector, TailStrategy::GuardWithIf);
    reduce.update().vectorize(c, vector, TailStrategy::GuardWithIf);
  }
}

/// Softmax: statistics per row next to the output when the axis is the
/// innermost dimension, else computed up front vectorized across rows.
static void scheduleSoftmax(const OpStages &anchor, Func tiled,
                            const ScheduleRecord &schedule) {
  const Shape &shape = anchor.value.shape;
  size_t rank = shape.size();
  int vector = schedule.vector;
  std::vector<Var> v = tiled.args();
  Var vo("vo"), vi("vi");
  tiled
      .split(v[0], vo, vi, vector,
             pureTail(anchor.value.leastExtent(rank - 1), vector))
      .vectorize(vi);
  if (schedule.parallel && rank >= 2)
    parallelize(tiled, v.back(), schedule.grain);

  if (anchor.axisDim == 0 && anchor.rowTerms.defined()) {
    // A softmax's exps, once per element instead of once for the sum and
    // once for the result: a row of them, next to the row's statistics
    // (BERT's 12 x 128 x 128 scores, one thread: 132 -> 67 us).
    Func terms = anchor.rowTerms;
    LoopLevel row = rank >= 2 ? LoopLevel(tiled, v[1]) : LoopLevel::root();
    terms.compute_at(row).vectorize(terms.args()[0], vector,
                                    TailStrategy::GuardWithIf);
  }
  for (Func stat : {anchor.rowMax, anchor.reduce}) {
    if (anchor.axisDim == 0 && rank >= 2) {
      stat.compute_at(tiled, v[1]);
      continue;
    }
    stat.compute_root();
    if (anchor.axisDim == 0)
      continue; // a single row: nothing to vectorize across
    Var inner = stat.args()[0];
    stat.vectorize(inner, vector, TailStrategy::GuardWithIf);
    stat.update()
        .reorder(inner, anchor.reduction.x)
        .vectorize(inner, vector, TailStrategy::GuardWithIf);
  }
}

/// Reductions: the result vectorized along its innermost dim like an
/// elementwise kernel; its statistics computed per vector of results, the
/// reduction loops outside the vector lanes.
static void scheduleReduction(const OpStages &anchor, Func tiled,
                              const ScheduleRecord &schedule) {
  scheduleElementwise(tiled, anchor.value, schedule);
  for (Func stat : {anchor.rowMax, anchor.reduce}) {
    if (!stat.defined())
      continue;
    std::vector<Var> v = stat.args();
    stat.compute_at(tiled, Var("vo"))
        .vectorize(v[0], schedule.vector, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order{v[0]};
    for (int i = 0; i < anchor.reduction.dimensions(); ++i)
      order.push_back(anchor.reduction[i]);
    order.insert(order.end(), v.begin() + 1, v.end());
    stat.update().reorder(order).vectorize(v[0], schedule.vector,
                                           TailStrategy::GuardWithIf);
  }
}

/// A recurrent step (RecurrentOps.cpp): u = h · R in a buffer of its own,
/// vectorized along the G * H columns (where R is contiguous): each tile of
/// tileCols columns accumulates in registers over the whole reduction, then
/// is stored once; with `parallel`, the threads share the tiles (each
/// streams its share of R). The cell (or r * h) and hidden states get
/// buffers of their own, vectorized along the units (guarded: they must not
/// read u past G * H).
static void scheduleRecurrence(const OpStages &step,
                               const ScheduleRecord &schedule) {
  Func gates = step.gates, dot = step.reduce;
  Var x = gates.args()[0], b = gates.args()[1];
  int64_t columns =
      step.value.shape[2] * particle::recurrentCell(step.kind)->gateBlocks;
  int vector = schedule.vector, tile = schedule.tileCols;
  gates.compute_root();
  if (columns % tile != 0 || tile % vector != 0) {
    dot.compute_at(gates, b);
  } else {
    Var xo("xo"), xi("xi"), xv("xv"), xu("xu");
    gates.split(x, xo, xi, tile)
        .split(xi, xu, xv, vector)
        .reorder(xv, xu, xo, b)
        .vectorize(xv)
        .unroll(xu);
    if (schedule.parallel)
      gates.parallel(xo);
    dot.compute_at(gates, xo)
        .store_in(MemoryType::Register)
        .split(x, xu, xv, vector)
        .vectorize(xv)
        .unroll(xu);
    dot.update()
        .split(x, xu, xv, vector)
        .reorder(xv, xu, step.reduction.x, b)
        .vectorize(xv)
        .unroll(xu);
  }
  for (Func state : {step.cell, step.hidden})
    if (state.defined())
      state.compute_root().vectorize(state.args()[0], vector,
                                     TailStrategy::GuardWithIf);
}

void scheduleAnchor(const OpStages &anchor, Func tiled,
                    const ScheduleRecord &schedule) {
  switch (kernelFamily(anchor.kind)) {
  case KernelFamily::Contraction:
    scheduleContraction(anchor, tiled, schedule);
    return;
  case KernelFamily::Pooling:
    schedulePooling(anchor, tiled, schedule);
    return;
  case KernelFamily::RowReduction:
    scheduleSoftmax(anchor, tiled, schedule);
    return;
  case KernelFamily::Reduction:
    scheduleReduction(anchor, tiled, schedule);
    return;
  case KernelFamily::MatMul:
    scheduleMatMul(anchor, tiled, schedule);
    return;
  case KernelFamily::Elementwise:
  case KernelFamily::Copy:
  case KernelFamily::Recurrent:
    break;
  }
  throw CompileError(std::string("no anchor schedule for ") +
                     kernelOpName(anchor.kind));
}

void scheduleOwnStages(const OpStages &stages, const ScheduleRecord &schedule) {
  switch (kernelFamily(stages.kind)) {
  case KernelFamily::Recurrent:
    scheduleRecurrence(stages, schedule);
    return;
  case KernelFamily::Copy:
    // A lookup (an embedding's row per id) once per output row, up front.
    if (Func lookup = stages.lookup; lookup.defined())
      lookup.compute_root();
    return;
  case KernelFamily::Contraction:
  case KernelFamily::MatMul:
  case KernelFamily::Pooling:
  case KernelFamily::RowReduction:
  case KernelFamily::Reduction:
  case KernelFamily::Elementwise:
    return; // in the loop nest of the kernel's output
  }
}

bool scheduleBlockTranspose(const OpStages &transpose, Func output,
                            const ScheduleRecord &schedule) {
  const Shape &shape = transpose.value.shape;
  int k = transpose.blockDim, vector = schedule.vector;
  size_t rank = shape.size();
  const Value &value = transpose.value;
  if (k <= 0 || !transpose.block.defined() || vector < 2 ||
      value.leastExtent(rank - 1) % vector != 0 ||
      value.leastExtent(rank - 1 - k) % vector != 0)
    return false;
  // Before: one vector of results read `vector` elements a row apart
  // (gathers; BERT's keys [128, 12, 64] -> [12, 64, 128]: 100 us).
  std::vector<Var> v = output.args();
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
  output.split(v[0], xo, xi, vector)
      .split(v[k], yo, yi, vector)
      .reorder(xi, yi, xo, yo)
      .vectorize(xi)
      .unroll(yi);
  Func block = transpose.block;
  std::vector<Var> b = block.args();
  block.compute_at(output, xo).vectorize(b[0]);
  for (size_t d = 1; d < b.size(); ++d)
    block.unroll(b[d]); // one dimension of `vector`, the others of 1
  if (schedule.parallel)
    parallelize(output, (size_t)k == rank - 1 ? yo : v.back(), schedule.grain);
  return true;
}

void scheduleElementwise(Func func, const Value &value,
                         const ScheduleRecord &schedule) {
  const Shape &shape = value.shape;
  if (shape.empty())
    return;
  std::vector<Var> v = func.args();
  Var vo("vo"), vi("vi");
  size_t rank = shape.size();
  int64_t inner = shape.back();
  if (rank >= 2 && inner < schedule.vector && inner <= kInterleavedExtent &&
      !value.runTimeDim(rank - 1) && shape[rank - 2] >= schedule.vector) {
    // A few innermost elements (an image's channels, as NCHW input becomes
    // NHWC): vectors along the next dimension with the innermost one
    // unrolled inside them, which Halide stores as whole interleaved
    // vectors (one element at a time before: 60-80 us for a 224x224 RGB
    // image).
    func.bound(v[0], 0, (int)inner)
        .split(v[1], vo, vi, schedule.vector,
               pureTail(value.leastExtent(rank - 2), schedule.vector))
        .reorder(v[0], vi)
        .unroll(v[0])
        .vectorize(vi);
    if (schedule.parallel)
      parallelize(func, rank > 2 ? v.back() : vo, schedule.grain);
    return;
  }
  func.split(v[0], vo, vi, schedule.vector,
             pureTail(value.leastExtent(rank - 1), schedule.vector))
      .vectorize(vi);
  if (schedule.parallel && rank >= 2)
    parallelize(func, v.back(), schedule.grain);
}

} // namespace sora
