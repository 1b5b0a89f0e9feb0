//===- Algorithms.h - The Halide algorithm of each kernel op --------------===//
//
// One builder per op family. Builders define Funcs only; where a Func is
// computed, and how its loops are tiled, is the schedule's business
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
};

/// The stages of an anchor op that its schedule places. Stages an op does
/// not have are left undefined.
struct AnchorStages {
  KernelOpKind kind;
  Value value;            ///< the op's result, a pure Func over `reduce`
  Halide::Func reduce;    ///< accumulator, window reduction or softmax sum
  Halide::Func rowMax;    ///< softmax: maximum along the axis
  Halide::Func packed;    ///< contractions: weights in tileCols-wide panels
  Halide::RDom reduction; ///< the reduction domain of `reduce`
  int axisDim = -1;       ///< softmax: the Halide dimension of the axis
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

/// Dense and Conv2D: a bias-initialised accumulator over packed (or plain)
/// weights. `operands` are x, w and the optional bias.
AnchorStages buildContraction(const KernelOp &op,
                              const std::vector<Value> &operands,
                              const std::string &name,
                              const ScheduleRecord &schedule);

/// MaxPool2D and AvgPool2D over the in-range cells of each window.
AnchorStages buildPooling(const KernelOp &op, const Value &input,
                          const std::string &name);

/// Numerically stable softmax, or log-softmax, along `op.axis`.
AnchorStages buildSoftmax(const KernelOp &op, const Value &input,
                          const std::string &name);

/// Layer normalization along `op.axis` (NormOps.cpp); operands x, gamma,
/// beta.
AnchorStages buildLayerNorm(const KernelOp &op,
                            const std::vector<Value> &operands,
                            const std::string &name);

/// Batched matrix product (MatMulOp.cpp).
AnchorStages buildMatMul(const KernelOp &op, const std::vector<Value> &operands,
                         const std::string &name);

/// Binary ops (NumPy broadcasting) and unary ops.
Value buildElementwise(const KernelOp &op, const std::vector<Value> &operands,
                       const std::string &name);

/// Transpose, Concat, Slice, Pad and Embedding (DataMovementOps.cpp).
Value buildDataMovement(const KernelOp &op, const std::vector<Value> &operands,
                        const std::string &name);

/// One LSTM time step (RecurrentOps.cpp): operands gates [B, 4H], recurrent
/// kernel [H, 4H], state [2, B, H]; the result is the next state. Schedules
/// its own product stage from `schedule`.
Value buildLstmCell(const KernelOp &op, const std::vector<Value> &operands,
                    const std::string &name, const ScheduleRecord &schedule);

/// ResizeNearest and ResizeBilinear of an NHWC `input` (PreprocessOps.cpp).
Value buildResize(const KernelOp &op, const Value &input,
                  const std::string &name);

/// Normalize at element `x` of channel `channel` (PreprocessOps.cpp).
Halide::Expr normalizeExpr(const KernelOp &op, const Halide::Expr &x,
                           const Halide::Expr &channel);

/// The value of unary op `op` at an element `x` (ActivationOps.cpp). Throws
/// CompileError for a kind that is not unary elementwise.
Halide::Expr unaryExpr(const KernelOp &op, const Halide::Expr &x);

/// tanh(x) for Float(32), vectorizable (from exp), within 7 ulps.
Halide::Expr vectorTanh(const Halide::Expr &x);

/// erf(x) for Float(32) with a relative error below 1e-6.
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
  int extent;
};
AxisReduction reduceAlongAxis(const KernelOp &op, const std::string &name);

/// AnchorStages of kind `op.kind` reducing over `red`, for the softmax
/// schedule, which places `rowMax` and `reduce`.
AnchorStages rowReductionStages(const KernelOp &op, const AxisReduction &red);

/// `input` with the given Halide dimensions (innermost first) clamped to
/// [0, extent): reads past the end repeat the last element. Other dims are
/// left unbounded.
Halide::Func clampDims(const Value &input, const std::vector<int> &dims);

/// `input` padded with `fill` outside [0, extent) along the given Halide
/// dimensions.
Halide::Func padDims(const Value &input, const std::vector<int> &dims,
                     float fill);

} // namespace sora

#endif // SORA_TARGET_HALIDE_ALGORITHMS_H
