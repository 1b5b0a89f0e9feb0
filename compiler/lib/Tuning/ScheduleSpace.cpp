//===- ScheduleSpace.cpp - The schedules sora-tune may try ----------------===//

#include "sora/Tuning/ScheduleSpace.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Tuning/CostModel.h"
#include "sora/Tuning/Heuristics.h"

#include <algorithm>
#include <functional>

namespace sora {
namespace {

/// `values` up to `limit` (at least the first).
std::vector<int> upTo(std::vector<int> values, int64_t limit) {
  std::vector<int> kept;
  for (int v : values)
    if (kept.empty() || v <= limit)
      kept.push_back(v);
  return kept;
}

/// Grains from 1 to half the tasks (a parallel loop wants two tasks at
/// least), powers of two.
std::vector<int> grains(int64_t loopExtent) {
  std::vector<int> values{1};
  for (int g = 2; g <= loopExtent / 2 && g <= 256; g *= 2)
    values.push_back(g);
  return values;
}

class SpaceBuilder {
public:
  SpaceBuilder(const ScheduleRecord &base) : base(base) {}

  /// Adds every combination of the given field values to the space.
  void add(const std::vector<int> &vectors, const std::vector<int> &tileRows,
           const std::vector<int> &tileCols, const std::vector<int> &packs,
           const std::vector<int> &panelsOuter,
           const std::function<std::vector<int>(const ScheduleRecord &)>
               &grainsFor) {
    for (int vector : vectors)
      for (int rows : tileRows)
        for (int cols : tileCols)
          for (int pack : packs)
            for (int outer : panelsOuter)
              for (int parallel : {0, 1}) {
                ScheduleRecord s = base;
                s.vector = vector;
                s.tileRows = rows;
                s.tileCols = cols;
                s.packWeights = pack;
                s.panelsOuter = outer;
                s.parallel = parallel;
                s.grain = 1;
                if (!parallel) {
                  push(s);
                  continue;
                }
                for (int grain : grainsFor(s)) {
                  s.grain = grain;
                  push(s);
                }
              }
  }

  /// Adds `s` unless it is invalid or already there.
  void push(ScheduleRecord s) {
    // Families that do not read tile_cols keep it a multiple of vector.
    if (s.tileCols % s.vector != 0)
      s.tileCols = s.vector;
    // Winograd filters are transformed, never packed in panels.
    if (s.winograd)
      s.packWeights = 0;
    if (!checkSchedule(PartialSchedule::of(s)).empty())
      return;
    if (std::find(points.begin(), points.end(), s) == points.end())
      points.push_back(s);
  }

  std::vector<ScheduleRecord> points;
  ScheduleRecord base;
};

} // namespace

bool operator==(const ScheduleRecord &a, const ScheduleRecord &b) {
  return PartialSchedule::of(a) == PartialSchedule::of(b);
}

bool oneFieldApart(const ScheduleRecord &a, const ScheduleRecord &b) {
  PartialSchedule x = PartialSchedule::of(a), y = PartialSchedule::of(b);
  size_t count;
  const ScheduleField *fields = scheduleFields(count);
  int differ = 0;
  for (size_t i = 0; i < count; ++i)
    differ += x.*fields[i].member != y.*fields[i].member;
  return differ == 1;
}

std::vector<ScheduleRecord> scheduleSpace(const KernelSpec &spec,
                                          const TargetInfo &target) {
  ScheduleRecord base = defaultSchedule(spec, target);
  KernelWork work = kernelWork(spec);
  int v = target.vectorFloats();
  SpaceBuilder space(base);
  space.push(base);
  switch (work.family) {
  case KernelFamily::Contraction:
  case KernelFamily::MatMul: {
    bool contraction = work.family == KernelFamily::Contraction;
    std::vector<int> rows =
        upTo({1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16}, work.rowRun);
    std::vector<int> cols =
        upTo({v, 2 * v, 3 * v, 4 * v}, ceilDiv(work.cols, v) * v);
    std::vector<int> packs =
        contraction ? std::vector<int>{0, 1} : std::vector<int>{0};
    std::vector<int> outer =
        contraction ? std::vector<int>{0, 1} : std::vector<int>{0};
    auto grainsFor = [&](const ScheduleRecord &s) {
      return grains(parallelLoopExtent(work, s));
    };
    space.add({v}, rows, cols, packs, outer, grainsFor);
    if (work.winograd) {
      // The same tiles with the other algorithm (Winograd or direct).
      SpaceBuilder other(base);
      other.base.winograd = !base.winograd;
      other.add({v}, rows, cols, packs, outer, grainsFor);
      for (const ScheduleRecord &s : other.points)
        space.push(s);
    }
    break;
  }
  case KernelFamily::Recurrent: {
    // Gate tiles of whole vectors dividing the G * H gate columns.
    const KernelOp *step = loopNestOwner(spec);
    const particle::RecurrentCell *cell =
        step ? particle::recurrentCell(step->kind) : nullptr;
    int64_t columns = (cell ? cell->gateBlocks : 1) * work.inner;
    std::vector<int> cols;
    for (int c = v; c <= 8 * v && c <= columns; c += v)
      if (columns % c == 0)
        cols.push_back(c);
    if (cols.empty())
      cols.push_back(base.tileCols);
    space.add({v}, {base.tileRows}, cols, {base.packWeights},
              {base.panelsOuter},
              [](const ScheduleRecord &) { return std::vector<int>{1}; });
    break;
  }
  case KernelFamily::Pooling:
  case KernelFamily::RowReduction:
  case KernelFamily::Reduction:
  case KernelFamily::Elementwise:
  case KernelFamily::Copy:
    space.add(upTo({v, 2 * v, 4 * v}, std::max<int64_t>(work.inner, v)),
              {base.tileRows}, {base.tileCols}, {base.packWeights},
              {base.panelsOuter},
              [&](const ScheduleRecord &) { return grains(work.outer); });
    break;
  }
  return space.points;
}

} // namespace sora
