//===- DataMovementOps.cpp - Transpose, Concat, Slice, Pad, Embedding, ... ===//
//
// Pure Funcs that only move elements; like elementwise ops they are inlined
// into the kernel output, whose loop nest scheduleElementwise vectorizes
// along the innermost result dimension. Result shape dimension i is Halide
// dimension R-1-i.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

/// Halide dimension of row-major dimension `d` in a rank-`rank` tensor.
static int halideDim(size_t rank, int64_t d) { return (int)(rank - 1 - d); }

static Expr transpose(const KernelOp &op, const Value &x,
                      const std::vector<Var> &vars) {
  size_t rank = op.shape.size();
  // Result dim i reads input dim perm[i].
  std::vector<Expr> args(rank);
  for (size_t i = 0; i < rank; ++i)
    args[halideDim(rank, op.perm[i])] = vars[halideDim(rank, i)];
  return x.func(args);
}

static Expr slice(const KernelOp &op, const Value &x,
                  const std::vector<Var> &vars) {
  size_t rank = op.shape.size();
  std::vector<Expr> args(rank);
  for (size_t i = 0; i < rank; ++i) {
    int d = halideDim(rank, i);
    args[d] = (int)op.begin[i] + vars[d] * (int)op.step[i];
  }
  return x.func(args);
}

/// `x` extended past every dim by its kind's boundary condition, read at
/// the result's coordinates less `low`.
static Expr pad(const KernelOp &op, const Value &x,
                const std::vector<Var> &vars) {
  size_t rank = op.shape.size();
  std::vector<int> all;
  for (size_t d = 0; d < rank; ++d)
    all.push_back((int)d);
  Func padded;
  if (op.kind == KernelOpKind::PadReflect)
    padded = mirrorDims(x, all);
  else if (op.kind == KernelOpKind::PadEdge)
    padded = clampDims(x, all);
  else
    padded = padDims(x, all, op.scalars[0]);
  std::vector<Expr> args(rank);
  for (size_t i = 0; i < rank; ++i) {
    int d = halideDim(rank, i);
    args[d] = vars[d] - (int)op.low[i];
  }
  return padded(args);
}

/// select(v < end0, x0(v), v < end1, x1(v - end0), ..., xN(v - endN-1)),
/// each read clamped into its own input so that no branch reads outside it
/// (by whole vectors of `vector` lanes where the inputs allow).
static Expr concat(const KernelOp &op, const std::vector<Value> &inputs,
                   const std::vector<Var> &vars, int vector) {
  size_t rank = op.shape.size();
  int axis = halideDim(rank, op.axis);
  std::vector<int64_t> begins;
  int64_t offset = 0;
  bool wholeVectors = axis == 0 && vector > 1;
  for (const Value &input : inputs) {
    begins.push_back(offset);
    offset += input.shape[op.axis];
    wholeVectors = wholeVectors && input.shape[op.axis] % vector == 0;
  }
  // Along the vectorized dimension, a clamp per lane turns each read into a
  // gather (DenseNet's channel concats ran at 7-10 GB/s, half its run
  // time). When every input is whole vectors, clamp the vector's first lane
  // instead: x rounded down to a vector, plus its lane. That is x itself in
  // the input's own columns, and in bounds elsewhere (where the select
  // takes another input), and a vector of it is one contiguous load.
  Expr x = vars[axis];
  Expr lane = wholeVectors ? x % vector : Expr(0);
  Expr first = wholeVectors ? x - lane : x;
  Expr result;
  for (size_t k = inputs.size(); k-- > 0;) {
    int64_t extent = inputs[k].shape[op.axis];
    std::vector<Expr> args(vars.begin(), vars.end());
    args[axis] =
        wholeVectors
            ? clamp(first - (int)begins[k], 0, (int)(extent - vector)) + lane
            : clamp(x - (int)begins[k], 0, (int)extent - 1);
    Expr read = inputs[k].func(args);
    result = result.defined()
                 ? select(vars[axis] < (int)(begins[k] + extent), read, result)
                 : read;
  }
  return result;
}

/// Whether the token id `id` (i64, or f32 holding an integer) is a row of
/// a table of `rows` rows.
static Expr validTokenId(const Expr &id, int rows) {
  return id.type().is_float()
             ? id >= 0.0f && id < (float)rows && floor(id) == id
             : id >= cast(id.type(), 0) && id < cast(id.type(), rows);
}

/// On a GPU, where a kernel error cannot be raised: a scalar the host
/// evaluates, 0 when every id of `ids` is valid, failing the kernel with the
/// position of the first invalid one otherwise (found by one GPU pass).
static Func hostIdCheck(const Value &ids, int rows, const std::string &name) {
  size_t rank = ids.shape.size();
  Region region;
  int64_t count = 1;
  for (size_t d = 0; d < rank; ++d) {
    region.emplace_back(0, (int)ids.shape[rank - 1 - d]);
    count *= ids.shape[rank - 1 - d];
  }
  RDom r(region);
  std::vector<Expr> at;
  Expr position = 0;
  int64_t stride = 1;
  for (size_t d = 0; d < rank; ++d) {
    at.push_back(r[(int)d]);
    position += r[(int)d] * (int)stride;
    stride *= ids.shape[rank - 1 - d];
  }
  Func firstBad(name + "_first_bad");
  firstBad() = (int)count;
  firstBad() = min(firstBad(), select(validTokenId(ids.func(at), rows),
                                      (int)count, position));
  // The value (0 when it passes) is not a constant: Halide would otherwise
  // replace the check's uses by it and drop the check.
  Func check(name + "_check");
  check() = require(firstBad() == (int)count, firstBad() - (int)count,
                    "embedding: token id number", firstBad(),
                    "(row-major) is not an integer in [0,", rows, ")");
  return check;
}

/// table(d, row(i...)) where row(i...) is the id ids(i...) (i64, or f32
/// holding an integer) as an index when it is an integer in [0, V), and the
/// kernel fails (Halide `require`) otherwise. `row` is the stages' lookup,
/// computed once per id up front by the schedule (a check per id, not per
/// element, and the gather stays a vector load per row); the index is
/// selected and clamped before any read, so a bad id never reads outside
/// the table whatever the generated code evaluates first. On a GPU the
/// check is the host's (hostIdCheck).
template <>
OpStages build<KernelOpKind::Embedding>(const KernelOp &op,
                                        const std::vector<Value> &operands,
                                        const std::string &name,
                                        const ScheduleRecord &schedule) {
  const Value &ids = operands[0], &table = operands[1];
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  int rows = (int)table.shape[0];
  std::vector<Var> at(vars.begin() + 1, vars.end());
  Expr id = ids.func(at);
  Expr valid = validTokenId(id, rows);
  Expr index = clamp(select(valid, cast<int>(id), 0), 0, rows - 1);
  Func row(name + "_row"), check;
  if (schedule.gpu) {
    check = hostIdCheck(ids, rows, name);
    row(at) = index + check();
  } else {
    row(at) = require(valid, index, "embedding: token id", id,
                      "is not an integer in [0,", rows, ")");
  }
  // The clamp tells bounds inference which table rows can be read.
  OpStages stages = pureStages(
      op, name, vars, table.func(vars[0], clamp(row(at), 0, rows - 1)));
  stages.lookup = row;
  stages.hostCheck = check;
  return stages;
}

/// 1 where the last coordinate equals the id ids(i...) (i64, or f32), else
/// 0: an id outside [0, depth), or a fractional one, matches nothing.
template <>
OpStages build<KernelOpKind::OneHot>(const KernelOp &op,
                                     const std::vector<Value> &operands,
                                     const std::string &name,
                                     const ScheduleRecord &) {
  const Value &ids = operands[0];
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  std::vector<Var> at(vars.begin() + 1, vars.end());
  Expr id = ids.func(at);
  Expr hit = id == cast(id.type(), vars[0]);
  return pureStages(op, name, vars, select(hit, 1.0f, 0.0f));
}

template <>
OpStages build<KernelOpKind::Transpose>(const KernelOp &op,
                                        const std::vector<Value> &operands,
                                        const std::string &name,
                                        const ScheduleRecord &) {
  size_t rank = op.shape.size();
  std::vector<Var> vars = makeVars(rank, "d"), in = makeVars(rank, "i");
  Value x = operands[0];
  Func block(name + "_block");
  block(in) = x.func(in);
  x.func = block;
  OpStages stages = pureStages(op, name, vars, transpose(op, x, vars));
  stages.block = block;
  for (size_t i = 0; i < rank; ++i)
    if (op.perm[i] == (int64_t)rank - 1)
      stages.blockDim = halideDim(rank, (int64_t)i);
  return stages;
}

/// Element (f, rest...) of tensor `packed` stored in panels of P rows (its
/// last logical extent): packed (f % P, rest..., f / P) (Halide dims).
static Expr readPanels(const Value &packed, const Expr &f,
                       const std::vector<Expr> &rest) {
  int width = (int)packed.shape.back();
  std::vector<Expr> at{f % width};
  at.insert(at.end(), rest.begin(), rest.end());
  at.push_back(f / width);
  return packed.func(at);
}

/// A view: (f, d...) reads packed (f % P, d..., f / P) (Halide dims).
template <>
OpStages build<KernelOpKind::UnpackPanels>(const KernelOp &op,
                                           const std::vector<Value> &operands,
                                           const std::string &name,
                                           const ScheduleRecord &) {
  const Value &packed = operands[0];
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  std::vector<Expr> rest(vars.begin() + 1, vars.end());
  OpStages stages =
      pureStages(op, name, vars, readPanels(packed, vars[0], rest));
  stages.value.panels = (int)packed.shape.back();
  return stages;
}

/// A view: g(f, c, kx, ky) = (G+ U G+^T)(ky, kx) of the transformed filters
/// U(f, c, b, a), G+ = [[1, 0, 0, 0], [0, 1, -1, 0], [0, 0, 0, 1]], stored in
/// panels of P filters: U(f, c, b, a) reads (f % P, c, b, a, f / P).
template <>
OpStages build<KernelOpKind::WinogradFilter>(const KernelOp &op,
                                             const std::vector<Value> &operands,
                                             const std::string &name,
                                             const ScheduleRecord &) {
  Var f("f"), c("c"), kx("kx"), ky("ky"), ex("ex"), ey("ey");
  Func u(name + "_u"); // U(f, c, b, a), tile element (a, b) = (ey, ex)
  u(f, c, ex, ey) = readPanels(operands[0], f, {c, ex, ey});
  auto inverse = [](const Expr &i, auto v) {
    return select(i == 0, v(0), i == 1, v(1) - v(2), v(3));
  };
  Expr g = inverse(ky, [&](int a) {
    return inverse(kx, [&](int b) { return u(f, c, b, a); });
  });
  OpStages stages = pureStages(op, name, {f, c, kx, ky}, g);
  stages.value.winograd = u;
  return stages;
}

template <>
OpStages build<KernelOpKind::Slice>(const KernelOp &op,
                                    const std::vector<Value> &operands,
                                    const std::string &name,
                                    const ScheduleRecord &) {
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  return pureStages(op, name, vars, slice(op, operands[0], vars));
}

static OpStages buildPad(const KernelOp &op, const std::vector<Value> &operands,
                         const std::string &name) {
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  return pureStages(op, name, vars, pad(op, operands[0], vars));
}

template <>
OpStages
build<KernelOpKind::Pad>(const KernelOp &op, const std::vector<Value> &operands,
                         const std::string &name, const ScheduleRecord &) {
  return buildPad(op, operands, name);
}

template <>
OpStages build<KernelOpKind::PadReflect>(const KernelOp &op,
                                         const std::vector<Value> &operands,
                                         const std::string &name,
                                         const ScheduleRecord &) {
  return buildPad(op, operands, name);
}

template <>
OpStages build<KernelOpKind::PadEdge>(const KernelOp &op,
                                      const std::vector<Value> &operands,
                                      const std::string &name,
                                      const ScheduleRecord &) {
  return buildPad(op, operands, name);
}

template <>
OpStages build<KernelOpKind::Concat>(const KernelOp &op,
                                     const std::vector<Value> &operands,
                                     const std::string &name,
                                     const ScheduleRecord &schedule) {
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  return pureStages(op, name, vars,
                    concat(op, operands, vars, schedule.vector));
}

} // namespace sora
