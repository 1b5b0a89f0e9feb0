//===- FoldConstants.cpp - Constant nodes and shape arithmetic ------------===//
//
// Exporters compute reshape targets, resize sizes and LSTM initial states at
// run time (Shape → Gather/Slice → Unsqueeze → Concat → Reshape/Expand/
// Resize). With static shapes all of it is constant: this step evaluates
// such nodes at import time and removes them, so only real computation is
// left for the particles.
//
//===----------------------------------------------------------------------===//

#include "ImportSteps.h"

#include "sora/Core/Shape.h"

#include <cmath>
#include <functional>
#include <limits>

namespace sora::onnximport {
namespace {

/// Folded tensors stay small: they are shapes, axes and initial states.
constexpr int64_t kMaxFoldedElements = 1 << 24;

/// Non-negative dimensions with a small product.
bool smallDims(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > kMaxFoldedElements)
      return false;
  return true;
}

/// Readable, with as many values as its shape says.
bool consistent(const ConstTensor &t) {
  if (!t.readable || !smallDims(t.dims))
    return false;
  size_t n = t.holdsFloats() ? t.floats.size() : t.ints.size();
  return (t.holdsFloats() || t.isInt()) && n == static_cast<size_t>(t.numel());
}

double at(const ConstTensor &t, int64_t i) {
  return t.holdsFloats() ? t.floats[i] : static_cast<double>(t.ints[i]);
}

ConstTensor make(bool isFloat, std::vector<int64_t> dims) {
  ConstTensor t;
  t.elemType = isFloat ? onnx::TensorProto::FLOAT : onnx::TensorProto::INT64;
  t.dims = std::move(dims);
  (isFloat ? (void)t.floats.resize(t.numel()) : t.ints.resize(t.numel()));
  return t;
}

void set(ConstTensor &t, int64_t i, double v) {
  if (t.holdsFloats()) {
    t.floats[i] = static_cast<float>(v);
    return;
  }
  // Integer results beyond int64 (folded in double) saturate, NaN is 0: a
  // float-to-int conversion out of range is undefined behaviour.
  constexpr double kLimit = 9223372036854775808.0; // 2^63
  t.ints[i] = std::isnan(v) ? 0
              : v >= kLimit ? std::numeric_limits<int64_t>::max()
              : v < -kLimit ? std::numeric_limits<int64_t>::min()
                            : static_cast<int64_t>(v);
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;)
    strides[i - 1] = strides[i] * dims[i];
  return strides;
}

/// Calls f(outIndex, offsetA, offsetB) over NumPy broadcasting of a and b.
std::optional<std::vector<int64_t>>
broadcast(const std::vector<int64_t> &a, const std::vector<int64_t> &b,
          const std::function<void(int64_t, int64_t, int64_t)> &f) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> da(rank, 1), db(rank, 1), out(rank);
  std::copy(a.begin(), a.end(), da.begin() + (rank - a.size()));
  std::copy(b.begin(), b.end(), db.begin() + (rank - b.size()));
  for (size_t i = 0; i < rank; ++i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1)
      return std::nullopt;
    out[i] = da[i] == 1 ? db[i] : da[i];
  }
  std::vector<int64_t> sa = stridesOf(da), sb = stridesOf(db);
  if (numElements(out) > kMaxFoldedElements)
    return std::nullopt;
  forEachIndex(out, [&](const std::vector<int64_t> &index, int64_t n) {
    int64_t oa = 0, ob = 0;
    for (size_t i = 0; i < rank; ++i) {
      oa += (da[i] == 1 ? 0 : index[i]) * sa[i];
      ob += (db[i] == 1 ? 0 : index[i]) * sb[i];
    }
    f(n, oa, ob);
    return true;
  });
  return out;
}

/// Slice of a constant (`shape[:2]` of a Resize's sizes, F.pad's pads
/// reversed by `[::-1]`): any axes and nonzero steps, with ONNX's clamping
/// of starts and ends.
std::optional<ConstTensor> slice(const std::vector<const ConstTensor *> &in) {
  const ConstTensor &x = *in[0];
  auto rank = static_cast<int64_t>(x.dims.size());
  auto list = [&](size_t i) -> const ConstTensor * {
    return i < in.size() && in[i] && in[i]->isInt() && in[i]->dims.size() == 1
               ? in[i]
               : nullptr;
  };
  const ConstTensor *starts = list(1), *ends = list(2), *axes = list(3),
                    *steps = list(4);
  if (!starts || !ends || starts->numel() != ends->numel() ||
      (in.size() > 3 && in[3] && !axes) || (in.size() > 4 && in[4] && !steps) ||
      (axes && axes->numel() != starts->numel()) ||
      (steps && steps->numel() != starts->numel()))
    return std::nullopt;
  std::vector<int64_t> begin(rank, 0), step(rank, 1), count = x.dims;
  for (int64_t i = 0; i < starts->numel(); ++i) {
    int64_t axis = axes ? axes->ints[i] : i;
    axis = axis < 0 ? axis + rank : axis;
    int64_t s = steps ? steps->ints[i] : 1;
    if (axis < 0 || axis >= rank || s == 0 ||
        s == std::numeric_limits<int64_t>::min())
      return std::nullopt;
    // Forward: indices in [0, extent]; backward: in [-1, extent - 1].
    int64_t extent = x.dims[axis];
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v = v < -extent ? -1 : v + extent;
      return s > 0 ? std::clamp<int64_t>(v, 0, extent)
                   : std::clamp<int64_t>(v, -1, extent - 1);
    };
    int64_t first = clampIndex(starts->ints[i]),
            stop = clampIndex(ends->ints[i]);
    int64_t span = s > 0 ? stop - first : first - stop, stride = s > 0 ? s : -s;
    begin[axis] = first;
    step[axis] = s;
    count[axis] = std::max<int64_t>(0, (span + stride - 1) / stride);
  }
  ConstTensor out = make(x.holdsFloats(), count);
  std::vector<int64_t> strides = stridesOf(x.dims);
  forEachIndex(count, [&](const std::vector<int64_t> &index, int64_t n) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += (begin[d] + index[d] * step[d]) * strides[d];
    set(out, n, at(x, source));
    return true;
  });
  return out;
}

/// `x` with its dims in the order `perm` (reversed when empty).
std::optional<ConstTensor> transpose(const ConstTensor &x,
                                     std::vector<int64_t> perm) {
  auto rank = static_cast<int64_t>(x.dims.size());
  if (perm.empty())
    for (int64_t d = rank; d-- > 0;)
      perm.push_back(d);
  std::vector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm.size()) != rank)
    return std::nullopt;
  std::vector<int64_t> dims, sourceStrides, strides = stridesOf(x.dims);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return std::nullopt;
    seen[p] = true;
    dims.push_back(x.dims[p]);
    sourceStrides.push_back(strides[p]);
  }
  ConstTensor out = make(x.holdsFloats(), dims);
  forEachIndex(dims, [&](const std::vector<int64_t> &index, int64_t n) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += index[d] * sourceStrides[d];
    set(out, n, at(x, source));
    return true;
  });
  return out;
}

/// ONNX's ScatterND without reduction: `data` with the slices that
/// `indices` [..., k] address (their first k coordinates) replaced by
/// `updates`, in order.
std::optional<ConstTensor> scatterND(const ConstTensor &data,
                                     const ConstTensor &indices,
                                     const ConstTensor &updates) {
  if (!indices.isInt() || indices.dims.empty())
    return std::nullopt;
  auto rank = static_cast<int64_t>(data.dims.size());
  int64_t k = indices.dims.back(),
          count = indices.numel() / std::max<int64_t>(k, 1);
  if (k < 1 || k > rank)
    return std::nullopt;
  int64_t slice = 1;
  for (int64_t d = k; d < rank; ++d)
    slice *= data.dims[d];
  if (updates.numel() != count * slice)
    return std::nullopt;
  ConstTensor out = data;
  std::vector<int64_t> strides = stridesOf(data.dims);
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < k; ++d) {
      int64_t index = indices.ints[i * k + d];
      index = index < 0 ? index + data.dims[d] : index;
      if (index < 0 || index >= data.dims[d])
        return std::nullopt;
      offset += index * strides[d];
    }
    for (int64_t j = 0; j < slice; ++j)
      set(out, offset + j, at(updates, i * slice + j));
  }
  return out;
}

/// `x` converted to `to` (float32, an integer type or bool), as ONNX's Cast:
/// floats truncate toward zero, anything nonzero is true.
std::optional<ConstTensor> cast(const ConstTensor &x, int64_t to) {
  ConstTensor probe;
  probe.elemType = static_cast<int32_t>(to);
  if (!probe.isFloat() && !probe.isInt())
    return std::nullopt;
  ConstTensor out = make(probe.isFloat(), x.dims);
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = at(x, i);
    set(out, i, to == onnx::TensorProto::BOOL ? double(v != 0) : v);
  }
  out.elemType = probe.elemType;
  return out;
}

/// ONNX's OneHot: `values` [off, on] at a new axis of `depth` cells, on
/// where the cell is the index (negative indices count from the end).
std::optional<ConstTensor> oneHot(const ConstTensor &indices, double depth,
                                  const ConstTensor &values, int64_t axis) {
  int64_t rank = static_cast<int64_t>(indices.dims.size()) + 1;
  if (axis < 0)
    axis += rank;
  if (!(depth >= 1 && depth <= kMaxFoldedElements) || axis < 0 || axis >= rank)
    return std::nullopt;
  auto cells = static_cast<int64_t>(depth);
  std::vector<int64_t> dims = indices.dims;
  dims.insert(dims.begin() + axis, cells);
  if (!smallDims(dims))
    return std::nullopt;
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= dims[d];
  ConstTensor out = make(values.holdsFloats(), dims);
  for (int64_t i = 0; i < out.numel(); ++i) {
    int64_t cell = i / inner % cells;
    int64_t index = (i / inner / cells) * inner + i % inner;
    double hot = std::trunc(at(indices, index));
    if (hot < 0)
      hot += static_cast<double>(cells);
    set(out, i, at(values, hot == static_cast<double>(cell) ? 1 : 0));
  }
  out.elemType = values.holdsFloats() ? onnx::TensorProto::FLOAT
                                      : onnx::TensorProto::INT64;
  return out;
}

/// ONNX's HannWindow, HammingWindow and BlackmanWindow of `size` samples:
/// a0 - a1 cos(2πn/N) + a2 cos(4πn/N), N = size when periodic, else size-1.
ConstTensor window(const std::string &op, int64_t size, bool periodic) {
  double a0 = op == "HannWindow"      ? 0.5
              : op == "HammingWindow" ? 25.0 / 46
                                      : 0.42;
  double a1 = op == "BlackmanWindow" ? 0.5 : 1 - a0;
  double a2 = op == "BlackmanWindow" ? 0.08 : 0;
  ConstTensor out = make(true, {std::max<int64_t>(size, 0)});
  double n = static_cast<double>(periodic ? size : size - 1);
  for (int64_t i = 0; i < out.numel(); ++i) {
    double angle = n > 0 ? 2 * M_PI * static_cast<double>(i) / n : 0;
    set(out, i, a0 - a1 * std::cos(angle) + a2 * std::cos(2 * angle));
  }
  return out;
}

class Folder {
public:
  explicit Folder(OnnxModel &model) : model(model) {}
  bool run();

private:
  /// The folded outputs of `node`, or std::nullopt if it cannot fold.
  std::optional<std::vector<ConstTensor>> fold(const onnx::NodeProto &node);
  std::optional<ConstTensor> constantNode(const onnx::NodeProto &node);
  std::optional<ConstTensor> binary(const std::string &op, const ConstTensor &a,
                                    const ConstTensor &b);
  /// Integer constants read as float32 by particles: Pow of a run-time base
  /// by an integer exponent (same values: ONNX's Pow casts nothing, and
  /// |exponent| < 2^24 is exact), and Where's bool condition (as 1 and 0)
  /// when a or b is computed at run time.
  void floatOperands();
  /// The branch an If with a constant condition takes, or nullptr.
  const onnx::GraphProto *takenBranch(const onnx::NodeProto &node);
  /// Drops nodes none of whose outputs is read.
  void removeDeadNodes();
  std::optional<ConstTensor> gather(const ConstTensor &data,
                                    const ConstTensor &indices, int64_t axis);

  OnnxModel &model;
};

std::optional<ConstTensor> Folder::constantNode(const onnx::NodeProto &node) {
  NodeAttrs attrs(node);
  if (node.attribute_size() != 1)
    return std::nullopt;
  const onnx::AttributeProto &a = node.attribute(0);
  ConstTensor t;
  if (a.name() == "value")
    return readTensor(a.t());
  if (a.name() == "value_float" || a.name() == "value_floats") {
    t = make(true, a.name() == "value_float"
                       ? std::vector<int64_t>{}
                       : std::vector<int64_t>{a.floats_size()});
    t.floats = a.name() == "value_float"
                   ? std::vector<float>{a.f()}
                   : std::vector<float>(a.floats().begin(), a.floats().end());
    return t;
  }
  if (a.name() == "value_int" || a.name() == "value_ints") {
    t = make(false, a.name() == "value_int"
                        ? std::vector<int64_t>{}
                        : std::vector<int64_t>{a.ints_size()});
    t.ints = a.name() == "value_int"
                 ? std::vector<int64_t>{a.i()}
                 : std::vector<int64_t>(a.ints().begin(), a.ints().end());
    return t;
  }
  return std::nullopt;
}

std::optional<ConstTensor> Folder::binary(const std::string &op,
                                          const ConstTensor &a,
                                          const ConstTensor &b) {
  bool isFloat = a.holdsFloats() || b.holdsFloats();
  bool compare = op == "Equal" || op == "Less" || op == "Greater";
  std::vector<double> values;
  auto dims = broadcast(a.dims, b.dims, [&](int64_t, int64_t i, int64_t j) {
    double x = at(a, i), y = at(b, j);
    double v = op == "Add"       ? x + y
               : op == "Sub"     ? x - y
               : op == "Mul"     ? x * y
               : op == "Equal"   ? double(x == y)
               : op == "Less"    ? double(x < y)
               : op == "Greater" ? double(x > y)
               : op == "Fmod"    ? std::fmod(x, y)
               : op == "Mod"     ? (y == 0 ? 0 : x - y * std::floor(x / y))
               : isFloat         ? x / y
                                 : (y == 0 ? 0 : std::trunc(x / y));
    values.push_back(v);
  });
  if (!dims)
    return std::nullopt;
  ConstTensor out = make(isFloat && !compare, *dims);
  if (compare)
    out.elemType = onnx::TensorProto::BOOL;
  for (size_t i = 0; i < values.size(); ++i)
    set(out, i, values[i]);
  return out;
}

std::optional<ConstTensor> Folder::gather(const ConstTensor &data,
                                          const ConstTensor &indices,
                                          int64_t axis) {
  int64_t rank = data.dims.size();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || !indices.isInt())
    return std::nullopt;
  int64_t outer = 1, inner = 1, extent = data.dims[axis];
  for (int64_t i = 0; i < axis; ++i)
    outer *= data.dims[i];
  for (int64_t i = axis + 1; i < rank; ++i)
    inner *= data.dims[i];
  std::vector<int64_t> dims(data.dims.begin(), data.dims.begin() + axis);
  dims.insert(dims.end(), indices.dims.begin(), indices.dims.end());
  dims.insert(dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  ConstTensor out = make(data.holdsFloats(), dims);
  int64_t n = 0, count = indices.numel();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k) {
      int64_t index =
          indices.ints[k] < 0 ? indices.ints[k] + extent : indices.ints[k];
      if (index < 0 || index >= extent)
        return std::nullopt;
      for (int64_t i = 0; i < inner; ++i)
        set(out, n++, at(data, (o * extent + index) * inner + i));
    }
  return out;
}

std::optional<std::vector<ConstTensor>>
Folder::fold(const onnx::NodeProto &node) {
  const std::string &op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return std::nullopt;
  NodeAttrs attrs(node);
  if (op == "Constant") {
    // Unreadable types are kept too: their consumers report the dtype.
    if (auto t = constantNode(node))
      return std::vector<ConstTensor>{*t};
    return std::nullopt;
  }
  if (op == "CastLike" && node.input_size() == 2) {
    // Only the target's type matters: it may be computed at run time.
    const ConstTensor *x = model.constant(node.input(0));
    const ValueType *like = model.type(node.input(1));
    const ConstTensor *likeConstant = model.constant(node.input(1));
    if (!x || !consistent(*x) || (!like && !likeConstant))
      return std::nullopt;
    auto out = cast(*x, like ? like->elemType : likeConstant->elemType);
    return out ? std::optional(std::vector<ConstTensor>{*out}) : std::nullopt;
  }
  if (op == "Shape") {
    const ValueType *type = model.type(node.input(0));
    if (!type || !type->isStatic())
      return std::nullopt;
    const std::vector<int64_t> &dims = type->dims;
    int64_t rank = dims.size();
    int64_t start = attrs.getInt("start", 0), end = attrs.getInt("end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    ConstTensor t = make(false, {std::max<int64_t>(end - start, 0)});
    for (int64_t i = start; i < end; ++i)
      t.ints[i - start] = dims[i];
    return std::vector<ConstTensor>{t};
  }
  // Everything else needs constant inputs.
  std::vector<const ConstTensor *> in;
  for (const std::string &name : node.input()) {
    const ConstTensor *t = name.empty() ? nullptr : model.constant(name);
    if (!name.empty() && (!t || !consistent(*t)))
      return std::nullopt;
    in.push_back(t);
  }
  if (in.empty() || !in[0])
    return std::nullopt;
  const ConstTensor &x = *in[0];
  auto one = [](std::optional<ConstTensor> t) {
    return t ? std::optional(std::vector<ConstTensor>{*t}) : std::nullopt;
  };
  if (op == "Identity" || (op == "Dropout" && node.output_size() == 1))
    return std::vector<ConstTensor>{x};
  if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
       op == "Equal" || op == "Less" || op == "Greater") &&
      in.size() == 2 && in[1])
    return one(binary(op, x, *in[1]));
  if (op == "Mod" && in.size() == 2 && in[1]) // fmod=0: the divisor's sign
    return one(binary(attrs.getInt("fmod", 0) ? "Fmod" : "Mod", x, *in[1]));
  if (op == "Where" && in.size() == 3 && in[1] && in[2] &&
      in[1]->elemType == in[2]->elemType) {
    // Each operand broadcast to the output shape ONNX inferred.
    const ValueType *type = model.type(node.output(0));
    if (!type || !type->isStatic() || !smallDims(type->dims))
      return std::nullopt;
    ConstTensor ones = make(false, type->dims);
    std::fill(ones.ints.begin(), ones.ints.end(), 1);
    std::optional<ConstTensor> cond = binary("Mul", x, ones),
                               a = binary("Mul", *in[1], ones),
                               b = binary("Mul", *in[2], ones);
    if (!cond || !a || !b || cond->dims != type->dims)
      return std::nullopt;
    ConstTensor out = make(in[1]->holdsFloats(), type->dims);
    for (int64_t i = 0; i < out.numel(); ++i)
      set(out, i, at(*cond, i) != 0 ? at(*a, i) : at(*b, i));
    out.elemType = in[1]->elemType;
    return std::vector<ConstTensor>{out};
  }
  if (op == "Gather" && in.size() == 2 && in[1])
    return one(gather(x, *in[1], attrs.getInt("axis", 0)));
  if (op == "Slice" && in.size() >= 3)
    return one(slice(in));
  if (op == "Transpose")
    return one(transpose(x, attrs.getInts("perm", {})));
  if (op == "Not" && x.isInt()) {
    ConstTensor out = make(false, x.dims);
    for (int64_t i = 0; i < x.numel(); ++i)
      out.ints[i] = x.ints[i] == 0;
    out.elemType = x.elemType;
    return std::vector<ConstTensor>{out};
  }
  if (op == "ScatterND" && in.size() == 3 && in[1] && in[2] &&
      attrs.getString("reduction", "none") == "none")
    return one(scatterND(x, *in[1], *in[2]));
  if (op == "Cast")
    return one(cast(x, attrs.getInt("to", 0)));
  if (op == "OneHot" && in.size() == 3 && in[1] && in[2] &&
      in[1]->numel() == 1 && in[2]->numel() == 2)
    return one(oneHot(x, at(*in[1], 0), *in[2], attrs.getInt("axis", -1)));
  if (op == "EyeLike" && x.dims.size() == 2) {
    int64_t k = attrs.getInt("k", 0);
    ConstTensor out = make(false, x.dims);
    for (int64_t r = 0; r < x.dims[0]; ++r)
      if (r + k >= 0 && r + k < x.dims[1])
        out.ints[r * x.dims[1] + r + k] = 1;
    return one(cast(out, attrs.getInt("dtype", x.elemType)));
  }
  if ((op == "HannWindow" || op == "HammingWindow" || op == "BlackmanWindow") &&
      x.isInt() && x.numel() == 1 && x.ints[0] <= kMaxFoldedElements)
    return one(cast(window(op, x.ints[0], attrs.getInt("periodic", 1)),
                    attrs.getInt("output_datatype", onnx::TensorProto::FLOAT)));
  if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" ||
      op == "Flatten") {
    // The data stay; only the shape changes (ONNX inferred it).
    const ValueType *type = model.type(node.output(0));
    if (!type || !type->isStatic() || !smallDims(type->dims))
      return std::nullopt;
    ConstTensor t = x;
    t.dims = type->dims;
    if (t.numel() != x.numel())
      return std::nullopt;
    t.dims = type->dims;
    return std::vector<ConstTensor>{t};
  }
  if (op == "Concat") {
    int64_t rank = x.dims.size(), axis = attrs.getInt("axis", 0);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return std::nullopt;
    std::vector<int64_t> dims = x.dims;
    dims[axis] = 0;
    for (const ConstTensor *t : in) {
      if (!t || t->dims.size() != x.dims.size() ||
          t->holdsFloats() != x.holdsFloats())
        return std::nullopt;
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && t->dims[d] != x.dims[d])
          return std::nullopt;
      dims[axis] += t->dims[axis];
    }
    ConstTensor out = make(x.holdsFloats(), dims);
    int64_t outer = 1, n = 0;
    for (int64_t i = 0; i < axis; ++i)
      outer *= dims[i];
    for (int64_t o = 0; o < outer; ++o)
      for (const ConstTensor *t : in) {
        int64_t chunk = t->numel() / std::max<int64_t>(outer, 1);
        for (int64_t i = 0; i < chunk; ++i)
          set(out, n++, at(*t, o * chunk + i));
      }
    return std::vector<ConstTensor>{out};
  }
  if (op == "ConstantOfShape") {
    ConstTensor value = make(true, {1});
    if (const onnx::AttributeProto *a = attrs.find("value"))
      value = readTensor(a->t());
    if (!consistent(value) || value.numel() != 1 || !x.isInt() ||
        !smallDims(x.ints))
      return std::nullopt;
    ConstTensor out = make(value.holdsFloats(), x.ints);
    for (int64_t i = 0; i < out.numel(); ++i)
      set(out, i, at(value, 0));
    out.elemType = value.elemType;
    return std::vector<ConstTensor>{out};
  }
  if (op == "Expand" && in.size() == 2 && in[1] && in[1]->isInt()) {
    if (!smallDims(in[1]->ints))
      return std::nullopt;
    ConstTensor ones = make(false, in[1]->ints);
    return one(binary("Mul", x, [&] {
      for (int64_t &v : ones.ints)
        v = 1;
      return ones;
    }()));
  }
  if (op == "Range" && in.size() == 3 && in[1] && in[2] && x.numel() == 1 &&
      in[1]->numel() == 1 && in[2]->numel() == 1) {
    // start, start + delta, ... short of limit.
    double start = at(x, 0), limit = at(*in[1], 0), delta = at(*in[2], 0);
    double count = delta == 0 ? -1 : std::ceil((limit - start) / delta);
    if (!(count >= 0 && count <= kMaxFoldedElements))
      return std::nullopt;
    ConstTensor out = make(x.holdsFloats(), {static_cast<int64_t>(count)});
    for (int64_t i = 0; i < out.numel(); ++i)
      set(out, i, start + static_cast<double>(i) * delta);
    out.elemType = x.elemType;
    return std::vector<ConstTensor>{out};
  }
  return std::nullopt;
}

void Folder::floatOperands() {
  for (onnx::NodeProto &node : model.nodes) {
    bool pow = node.op_type() == "Pow" && node.input_size() == 2;
    bool where = node.op_type() == "Where" && node.input_size() == 3;
    if (!node.domain().empty() || !(pow || where) ||
        (pow && model.constant(node.input(0))) ||
        (where && model.constant(node.input(1)) &&
         model.constant(node.input(2))))
      continue;
    int operand = pow ? 1 : 0;
    const ConstTensor *ints = model.constant(node.input(operand));
    if (!ints || !ints->isInt() || !ints->readable)
      continue;
    ConstTensor asFloat = make(true, ints->dims);
    for (size_t i = 0; i < asFloat.floats.size(); ++i)
      asFloat.floats[i] = static_cast<float>(ints->ints[i]);
    std::string name = node.input(operand) + "_f32";
    model.setConstant(name, std::move(asFloat));
    node.set_input(operand, name);
  }
}

const onnx::GraphProto *Folder::takenBranch(const onnx::NodeProto &node) {
  if (node.op_type() != "If" || !node.domain().empty() ||
      node.input_size() != 1)
    return nullptr;
  const ConstTensor *cond = model.constant(node.input(0));
  NodeAttrs attrs(node);
  const onnx::AttributeProto *branch =
      cond && consistent(*cond) && cond->numel() == 1
          ? attrs.find(at(*cond, 0) != 0 ? "then_branch" : "else_branch")
          : nullptr;
  if (!branch || !branch->has_g() ||
      branch->g().output_size() != node.output_size())
    return nullptr;
  return &branch->g();
}

bool Folder::run() {
  floatOperands();
  std::vector<onnx::NodeProto> kept;
  bool folded = false;
  for (const onnx::NodeProto &node : model.nodes) {
    if (const onnx::GraphProto *branch = takenBranch(node)) {
      // The branch's nodes replace the If; Identity nodes give its results
      // the If's output names. Shape inference types them next round.
      for (const onnx::TensorProto &init : branch->initializer())
        model.setConstant(init.name(), readTensor(init));
      kept.insert(kept.end(), branch->node().begin(), branch->node().end());
      for (int i = 0; i < node.output_size(); ++i) {
        onnx::NodeProto identity;
        identity.set_op_type("Identity");
        identity.set_name(node.name() + "/" + node.output(i));
        identity.add_input(branch->output(i).name());
        identity.add_output(node.output(i));
        kept.push_back(identity);
      }
      folded = true;
      continue;
    }
    std::optional<std::vector<ConstTensor>> outputs = fold(node);
    if (!outputs) {
      kept.push_back(node);
      continue;
    }
    for (size_t i = 0; i < outputs->size(); ++i)
      model.setConstant(node.output(i), std::move((*outputs)[i]));
    folded = true;
  }
  model.nodes = std::move(kept);
  removeDeadNodes();
  return folded;
}

void Folder::removeDeadNodes() {
  // Backwards, so that a node read only by dead nodes goes too.
  std::map<std::string, int> uses = model.useCounts();
  std::vector<bool> dead(model.nodes.size(), false);
  for (size_t i = model.nodes.size(); i-- > 0;) {
    const onnx::NodeProto &node = model.nodes[i];
    bool used = false;
    for (const std::string &out : node.output())
      used |= !out.empty() && uses[out] > 0;
    if (used)
      continue;
    dead[i] = true;
    for (const std::string &in : node.input())
      if (!in.empty())
        --uses[in];
  }
  std::vector<onnx::NodeProto> live;
  for (size_t i = 0; i < model.nodes.size(); ++i)
    if (!dead[i])
      live.push_back(std::move(model.nodes[i]));
  model.nodes = std::move(live);
}

} // namespace

bool foldConstants(OnnxModel &model) { return Folder(model).run(); }

} // namespace sora::onnximport
