//===- Algorithms.h - The Halide algorithm of each kernel op --------------===//
//
// One builder per op kind (build<Kind>, or pointwise<Kind> for elementwise
// kinds), next to its family's algorithm. Builders define Funcs only; where a
// Func is computed, and how its loops are tiled, is the schedule's business
// (Schedules.h). Layout: a value of shape [s0, ..., sR-1] is a Func whose
// Halide dimension i is shape dimension R-1-i (innermost first).
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TARGET_HALIDE_ALGORITHMS_H
#define SORA_TARGET_HALIDE_ALGORITHMS_H

#include "sora/Core/KernelSpec.h"

#include "Halide.h"

#include <string>
#include <vector>

namespace sora {

/// A tensor inside a kernel: a Func over the reversed shape.
struct Value {
  Halide::Func func;
  Shape shape;
  /// > 0: weights that were packed at compile time into panels this many
  /// columns wide (an unpack_panels view), which need no packing per call.
  int panels = 0;
  /// Defined for a winograd_filter view: the filters it reads, transformed
  /// for Winograd F(2x2, 3x3), U(f, c, b, a) (tile element (a, b)).
  Halide::Func winograd;
  /// Where a run chooses extents (KernelSpec::runTimeArgs; empty when the
  /// shape is fixed): per dimension, outermost first, the least extent
  /// (a run's is a multiple of it) and the run's extent.
  Shape least;
  std::vector<Halide::Expr> extents;

  /// The extent of shape dimension `d` in this run.
  Halide::Expr extent(size_t d) const {
    return extents.empty() ? Halide::Expr((int)shape[d]) : extents[d];
  }
  /// The least extent of shape dimension `d` (its shape's when fixed).
  int64_t leastExtent(size_t d) const {
    return least.empty() ? shape[d] : least[d];
  }
  /// Whether a run chooses the extent of shape dimension `d`.
  bool runTimeDim(size_t d) const {
    return !least.empty() && least[d] != shape[d];
  }
};

/// Sets the run-time extents of `result`, the value of `op` (a kernel
/// argument's come from its spec): the dimensions that follow run-time
/// dimensions of `operands`. Throws CompileError where `op` cannot take
/// them (it works along them in a way its builder does not bound by the
/// run).
void propagateRunTimeExtents(const KernelOp &op,
                             const std::vector<Value> &operands, Value &result);

/// The stages of one op that its schedule places (Schedules.h). Stages an
/// op does not have are left undefined.
struct OpStages {
  KernelOpKind kind;
  Value value; ///< the op's result, a pure Func
  // Anchors.
  Halide::Func reduce;    ///< accumulator, window reduction or row statistic
  Halide::Func rowMax;    ///< row reductions: the first statistic of a row
  Halide::Func packed;    ///< contractions: weights in tileCols-wide panels
  Halide::Func padded;    ///< convolutions: the zero-padded input, if padded
  Halide::RDom reduction; ///< the reduction domain of `reduce`
  // Winograd convolutions: the transformed input tiles, their products by
  // the transformed filters (the sum of `reduce` over input channels) and
  // the filters, when transformed per call.
  Halide::Func tiles, products, filters;
  int axisDim = -1; ///< row reductions: the Halide dimension of the axis
  /// Row reductions: the terms `reduce` sums where the result reads them too
  /// (a softmax's exps), which the schedule may compute once per row.
  Halide::Func rowTerms;
  // Recurrences: `reduce` accumulates the step's gates plus h . R over
  // `reduction` into `gates`; the `cell` and `hidden` states follow.
  Halide::Func gates, cell, hidden;
  // Copies: an index computed once per output row before the copy reads
  // with it (an embedding's table row); a transpose's input, which its
  // schedule may stage in blocks (an identity, inlined otherwise), and the
  // result's Halide dimension that reads the input's innermost one.
  Halide::Func lookup, block;
  int blockDim = -1;
  // Anchors: the pointwise convs computed row by row inside this one's loop
  // nest (isRowProducer), whose results it reads.
  std::vector<OpStages> rowProducers;
  // Pools: the conv computed one image at a time inside this one's loop
  // nest (isImageProducer), its value the Func this pool reads; the input
  // rows each output row reads where no other output row reads them (an
  // unpadded window as tall as its stride), else 0.
  std::vector<OpStages> imageProducers;
  int64_t ownWindowRows = 0;
  // GPU kernels: a check the host evaluates (a kernel error cannot be raised
  // inside GPU code) from what the GPU stages computed.
  Halide::Func hostCheck;
};

/// The register tile a contraction uses: the schedule's tile clamped to the
/// output's innermost extent (`cols`) and row extent (`rows`). The packed
/// weight layout depends on it, so algorithm and schedule share it.
struct Tiling {
  int vector;
  int cols;
  int rows;
};
Tiling clampTiling(const ScheduleRecord &schedule, int64_t cols, int64_t rows);

/// Builds op `K` from its `operands` (as KernelOps.def lists them): one
/// explicit specialization per kind, defined next to its family's algorithm
/// (the elementwise family defines `pointwise` instead). `name` prefixes its
/// Funcs; `schedule` matters only where the algorithm depends on it (the
/// packed weight panels of a contraction).
template <KernelOpKind K>
OpStages build(const KernelOp &op, const std::vector<Value> &operands,
               const std::string &name, const ScheduleRecord &schedule);

/// The value of elementwise op `K` at one element, from its operands'
/// values there; `vars` are the result's coordinates, innermost first.
template <KernelOpKind K>
Halide::Expr pointwise(const KernelOp &op,
                       const std::vector<Halide::Expr> &operands,
                       const std::vector<Halide::Var> &vars);

// The specializations every kind may have, declared before any use.
#define SORA_KERNEL_OP(Kind, Name, Family)                                     \
  template <>                                                                  \
  OpStages build<KernelOpKind::Kind>(                                          \
      const KernelOp &, const std::vector<Value> &, const std::string &,       \
      const ScheduleRecord &);                                                 \
  template <>                                                                  \
  Halide::Expr pointwise<KernelOpKind::Kind>(                                  \
      const KernelOp &, const std::vector<Halide::Expr> &,                     \
      const std::vector<Halide::Var> &);
#include "sora/Core/KernelOps.def"

/// An elementwise op: `value` reads every operand at the result's
/// coordinates (NumPy broadcasting) and combines them with `combine`.
using PointwiseFn = Halide::Expr (*)(const KernelOp &,
                                     const std::vector<Halide::Expr> &,
                                     const std::vector<Halide::Var> &);
OpStages buildElementwise(const KernelOp &op,
                          const std::vector<Value> &operands,
                          const std::string &name, PointwiseFn combine);

/// An op whose value is one expression over the result's coordinates
/// `vars` (copies): `value(vars) = expr`.
OpStages pureStages(const KernelOp &op, const std::string &name,
                    const std::vector<Halide::Var> &vars,
                    const Halide::Expr &expr);

/// x where x is NaN, else `value`: for operations (min, max, clamps) that
/// would turn NaN into a number.
Halide::Expr propagateNaN(const Halide::Expr &x, const Halide::Expr &value);

/// exp(x) for Float(32), also for NaN and arguments beyond ln(FLT_MAX).
Halide::Expr accurateExp(const Halide::Expr &x);

/// tanh(x) for Float(32), vectorizable (from exp), within 7 ulps.
Halide::Expr vectorTanh(const Halide::Expr &x);

/// erf(x) for Float(32) with a relative error below 1e-6 (a number for NaN).
Halide::Expr accurateErf(const Halide::Expr &x);

/// Pure variables named `prefix`0, `prefix`1, ... for a Func of `rank` dims.
std::vector<Halide::Var> makeVars(size_t rank, const std::string &prefix);

/// The loops of a row reduction along `op.axis` (softmax, layer_norm): the
/// result's pure vars, the vars of per-row statistics, and the operand's
/// index with the axis replaced by the reduction domain.
struct AxisReduction {
  std::vector<Halide::Var> vars;   ///< the result's dims
  std::vector<Halide::Var> others; ///< every dim but the axis
  std::vector<Halide::Expr> along; ///< `vars` with the axis replaced by `r`
  Halide::RDom r;                  ///< 0 .. extent along the axis
  int axisDim;                     ///< the Halide dimension of the axis
  Halide::Expr extent;             ///< `input`'s along the axis in this run
};
AxisReduction reduceAlongAxis(const KernelOp &op, const Value &input,
                              const std::string &name);

/// OpStages of kind `op.kind` reducing over `red`, for the row-reduction
/// schedule, which places `rowMax` and `reduce`.
OpStages rowReductionStages(const KernelOp &op, const AxisReduction &red);

/// `input` with the given Halide dimensions (innermost first) clamped to
/// [0, extent): reads past the end repeat the last element. Other dims are
/// left unbounded.
Halide::Func clampDims(const Value &input, const std::vector<int> &dims);

/// `input` mirrored outside [0, extent) along the given Halide dimensions,
/// the edge element not repeated (x[-1] = x[1]).
Halide::Func mirrorDims(const Value &input, const std::vector<int> &dims);

/// `input` padded with `fill` outside [0, extent) along the given Halide
/// dimensions.
Halide::Func padDims(const Value &input, const std::vector<int> &dims,
                     float fill);

} // namespace sora

#endif // SORA_TARGET_HALIDE_ALGORITHMS_H
