//===- SelectionOps.cpp - Element moves at constant indices ---------------===//
//
// GatherElements, GatherND, ScatterElements (and opset 10's Scatter),
// ScatterND and ReverseSequence with constant indices move elements: each
// output element is one input element (or, for reduction=add, a sum of
// some). Each run-time input they read becomes a selection matrix, a dense
// particle over that input flattened to one row ([1, N] x [N, M]); the
// outputs add up and are reshaped to the output's shape. The matrices grow
// as N x M, so they are bounded (kMaxSelectionEntries each): these ops move
// masks, boxes and small tables in real models, not feature maps.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "sora/Core/Shape.h"

#include <functional>

using nlohmann::json;

namespace sora::onnximport {

namespace {

/// A selection matrix of N x M floats: 16 MiB of weights at most.
constexpr int64_t kMaxSelectionEntries = int64_t{1} << 22;

/// One input element feeding an output element.
struct Source {
  int input;    ///< the node's input number
  int64_t flat; ///< row-major offset in that input
};

/// What each output element (row-major) is the sum of.
struct Selection {
  std::vector<int64_t> shape;
  std::vector<std::vector<Source>> terms;
};

int64_t flatten(const std::vector<int64_t> &index,
                const std::vector<int64_t> &shape) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + index[d];
  return flat;
}

/// An index read from a constant, negative ones counted from `extent`;
/// std::nullopt if out of range.
std::optional<int64_t> resolveIndex(int64_t value, int64_t extent) {
  if (value < 0)
    value += extent;
  if (value < 0 || value >= extent)
    return std::nullopt;
  return value;
}

/// Input `i`'s shape (a constant's or inferred), or nullptr where shape
/// inference gave none.
const std::vector<int64_t> *shapeOf(const NodeContext &c, int i) {
  if (const ConstTensor *constant = c.constant(i))
    return &constant->dims;
  const ValueType *type = c.has(i) ? c.model.type(c.in(i)) : nullptr;
  return type && type->hasShape ? &type->dims : nullptr;
}

/// Constant integer input `i`, or nullptr (the input check reported it).
const ConstTensor *constantInts(const NodeContext &c, int i) {
  const ConstTensor *t = c.constant(i);
  return t && t->readable && t->isInt() ? t : nullptr;
}

/// An output of `shape` with no terms yet; std::nullopt (with `why`) where
/// a run-time input's selection matrix would exceed kMaxSelectionEntries.
std::optional<Selection> start(const NodeContext &c,
                               const std::vector<int64_t> &shape,
                               std::string &why) {
  int64_t outputs = numElements(shape);
  for (int input : {0, 2}) {
    const std::vector<int64_t> *dims = shapeOf(c, input);
    if (dims && numElements(*dims) * outputs > kMaxSelectionEntries) {
      why = "input '" + c.in(input) + "' (" + formatDims(*dims) +
            ") into an output of " + std::to_string(outputs) +
            " elements needs a selection matrix of more than " +
            std::to_string(kMaxSelectionEntries) + " entries";
      return std::nullopt;
    }
  }
  return Selection{shape, std::vector<std::vector<Source>>(outputs)};
}

/// start(), each output element being the same element of input 0.
std::optional<Selection> startFromData(const NodeContext &c,
                                       const std::vector<int64_t> &data,
                                       std::string &why) {
  std::optional<Selection> s = start(c, data, why);
  for (int64_t o = 0; s && o < (int64_t)s->terms.size(); ++o)
    s->terms[o] = {{0, o}};
  return s;
}

/// The offset in `data` of element `index` with its `axis` coordinate
/// replaced by the index `flat` of `indices` (GatherElements,
/// ScatterElements); std::nullopt if out of range.
std::optional<int64_t> alongAxis(const ConstTensor &indices, int64_t flat,
                                 std::vector<int64_t> index,
                                 const std::vector<int64_t> &data,
                                 int64_t axis) {
  for (size_t d = 0; d < data.size(); ++d)
    if ((int64_t)d != axis && index[d] >= data[d])
      return std::nullopt;
  auto at = resolveIndex(indices.ints[flat], data[axis]);
  if (!at)
    return std::nullopt;
  index[axis] = *at;
  return flatten(index, data);
}

/// The offset in `data` where the index tuple `flat` of `indices` (its last
/// dimension) starts, after the leading coordinates `prefix` (GatherND's
/// batch); std::nullopt if out of range.
std::optional<int64_t> atTuple(const ConstTensor &indices, int64_t flat,
                               std::vector<int64_t> prefix,
                               const std::vector<int64_t> &data) {
  int64_t tuple = indices.dims.back();
  for (int64_t k = 0; k < tuple; ++k) {
    auto at = resolveIndex(indices.ints[flat * tuple + k], data[prefix.size()]);
    if (!at)
      return std::nullopt;
    prefix.push_back(*at);
  }
  prefix.resize(data.size(), 0);
  return flatten(prefix, data);
}

/// `s` if every index was in range, else std::nullopt with `why`.
std::optional<Selection> inRange(Selection &&s, bool ok, std::string &why) {
  if (!ok)
    why = "an index is out of range";
  return ok ? std::optional<Selection>(std::move(s)) : std::nullopt;
}

std::optional<Selection> gatherElements(const NodeContext &c,
                                        const std::vector<int64_t> &data,
                                        const ConstTensor &indices,
                                        std::string &why) {
  auto axis = normalizeAxis(c.attrs.getInt("axis", 0), data.size());
  if (!axis || indices.dims.size() != data.size()) {
    why = !axis ? "attribute axis is out of range"
                : "indices must have the data's rank";
    return std::nullopt;
  }
  std::optional<Selection> s = start(c, indices.dims, why);
  if (!s)
    return s;
  bool ok = forEachIndex(
      s->shape, [&](const std::vector<int64_t> &index, int64_t flat) {
        auto from = alongAxis(indices, flat, index, data, *axis);
        if (from)
          s->terms[flat] = {{0, *from}};
        return from.has_value();
      });
  return inRange(std::move(*s), ok, why);
}

std::optional<Selection> gatherND(const NodeContext &c,
                                  const std::vector<int64_t> &data,
                                  const ConstTensor &indices,
                                  std::string &why) {
  int64_t batch = c.attrs.getInt("batch_dims", 0);
  const std::vector<int64_t> &dims = indices.dims;
  int64_t rank = data.size();
  int64_t tuple = dims.empty() ? 0 : dims.back();
  if (dims.empty() || batch < 0 || batch >= (int64_t)dims.size() || tuple < 1 ||
      batch + tuple > rank ||
      !std::equal(dims.begin(), dims.begin() + batch, data.begin())) {
    why = "indices of shape " + formatDims(dims) + " (batch_dims " +
          std::to_string(batch) + ") do not index the data's " +
          formatDims(data);
    return std::nullopt;
  }
  std::vector<int64_t> tuples(dims.begin(), dims.end() - 1);
  std::vector<int64_t> rest(data.begin() + batch + tuple, data.end());
  std::vector<int64_t> shape = tuples;
  shape.insert(shape.end(), rest.begin(), rest.end());
  std::optional<Selection> s = start(c, shape, why);
  if (!s)
    return s;
  int64_t inner = numElements(rest);
  bool ok = forEachIndex(tuples, [&](const std::vector<int64_t> &index,
                                     int64_t flat) {
    auto base =
        atTuple(indices, flat, {index.begin(), index.begin() + batch}, data);
    for (int64_t r = 0; base && r < inner; ++r)
      s->terms[flat * inner + r] = {{0, *base + r}};
    return base.has_value();
  });
  return inRange(std::move(*s), ok, why);
}

/// Writes (or, with reduction=add, adds) input 2's element `from` to the
/// output's element `to`.
void scatterTo(Selection &s, bool add, int64_t to, int64_t from) {
  if (!add)
    s.terms[to].clear(); // the last write wins, as in ONNX's reference
  s.terms[to].push_back({2, from});
}

/// reduction none or add; std::nullopt (with `why`) for mul.
std::optional<bool> scatterAdds(const NodeContext &c, std::string &why) {
  std::string reduction = c.attrs.getString("reduction", "none");
  if (reduction != "none" && reduction != "add") {
    why = "reduction " + reduction + " is not supported (none, add)";
    return std::nullopt;
  }
  return reduction == "add";
}

std::optional<Selection> scatterElements(const NodeContext &c,
                                         const std::vector<int64_t> &data,
                                         const ConstTensor &indices,
                                         std::string &why) {
  const std::vector<int64_t> *updates = shapeOf(c, 2);
  std::optional<bool> add = scatterAdds(c, why);
  if (!updates || !add)
    return std::nullopt;
  auto axis = normalizeAxis(c.attrs.getInt("axis", 0), data.size());
  if (!axis || indices.dims != *updates || updates->size() != data.size()) {
    why = !axis ? "attribute axis is out of range"
                : "indices and updates must have one shape, of the data's "
                  "rank";
    return std::nullopt;
  }
  std::optional<Selection> s = startFromData(c, data, why);
  if (!s)
    return s;
  bool ok = forEachIndex(
      *updates, [&](const std::vector<int64_t> &index, int64_t flat) {
        auto to = alongAxis(indices, flat, index, data, *axis);
        if (to)
          scatterTo(*s, *add, *to, flat);
        return to.has_value();
      });
  return inRange(std::move(*s), ok, why);
}

std::optional<Selection> scatterND(const NodeContext &c,
                                   const std::vector<int64_t> &data,
                                   const ConstTensor &indices,
                                   std::string &why) {
  const std::vector<int64_t> *updates = shapeOf(c, 2);
  std::optional<bool> add = scatterAdds(c, why);
  if (!updates || !add)
    return std::nullopt;
  const std::vector<int64_t> &dims = indices.dims;
  int64_t tuple = dims.empty() ? 0 : dims.back();
  std::vector<int64_t> expected;
  if (tuple >= 1 && tuple <= (int64_t)data.size()) {
    expected.assign(dims.begin(), dims.end() - 1);
    expected.insert(expected.end(), data.begin() + tuple, data.end());
  }
  if (expected.empty() || expected != *updates) {
    why = "updates of shape " + formatDims(*updates) +
          " do not match indices " + formatDims(dims) + " into data " +
          formatDims(data);
    return std::nullopt;
  }
  std::optional<Selection> s = startFromData(c, data, why);
  if (!s)
    return s;
  int64_t inner =
      numElements(std::vector<int64_t>(data.begin() + tuple, data.end()));
  std::vector<int64_t> tuples(dims.begin(), dims.end() - 1);
  bool ok =
      forEachIndex(tuples, [&](const std::vector<int64_t> &, int64_t flat) {
        auto base = atTuple(indices, flat, {}, data);
        for (int64_t r = 0; base && r < inner; ++r)
          scatterTo(*s, *add, *base + r, flat * inner + r);
        return base.has_value();
      });
  return inRange(std::move(*s), ok, why);
}

std::optional<Selection> reverseSequence(const NodeContext &c,
                                         const std::vector<int64_t> &data,
                                         const ConstTensor &lengths,
                                         std::string &why) {
  int64_t batchAxis = c.attrs.getInt("batch_axis", 1);
  int64_t timeAxis = c.attrs.getInt("time_axis", 0);
  if (data.size() < 2 || batchAxis == timeAxis ||
      std::min(batchAxis, timeAxis) < 0 || std::max(batchAxis, timeAxis) > 1) {
    why = "batch_axis and time_axis must be 0 and 1 of an input of rank 2 "
          "or more";
    return std::nullopt;
  }
  int64_t steps = data[timeAxis];
  bool ok = (int64_t)lengths.ints.size() == data[batchAxis];
  for (int64_t length : lengths.ints)
    ok &= length >= 0 && length <= steps;
  if (!ok) {
    why = "sequence_lens must hold one length in [0, " + std::to_string(steps) +
          "] per batch element";
    return std::nullopt;
  }
  std::optional<Selection> s = startFromData(c, data, why);
  if (!s)
    return s;
  forEachIndex(data, [&](const std::vector<int64_t> &index, int64_t flat) {
    int64_t length = lengths.ints[index[batchAxis]];
    if (index[timeAxis] < length) {
      std::vector<int64_t> from = index;
      from[timeAxis] = length - 1 - index[timeAxis];
      s->terms[flat] = {{0, flatten(from, data)}};
    }
    return true;
  });
  return s;
}

std::optional<Selection> selection(const NodeContext &c, std::string &why) {
  const std::vector<int64_t> *data = shapeOf(c, 0);
  if (!data)
    return std::nullopt;
  // Input 1 (indices, sequence_lens) is constant integers, or reported.
  const ConstTensor *indices = constantInts(c, 1);
  if (!indices)
    return std::nullopt;
  const std::string &op = c.node.op_type();
  auto build = op == "GatherElements"    ? gatherElements
               : op == "GatherND"        ? gatherND
               : op == "ScatterND"       ? scatterND
               : op == "ReverseSequence" ? reverseSequence
                                         : scatterElements;
  return build(c, *data, *indices, why);
}

} // namespace

void checkSelection(const NodeContext &c, Problems &p) {
  std::string why;
  if (!selection(c, why) && !why.empty())
    p.node(c.node, why);
}

void lowerSelection(const NodeContext &c, GraphBuilder &b) {
  std::string why;
  Selection s = *selection(c, why);
  int64_t outputs = s.terms.size();
  std::string sum;
  for (int input : {0, 2}) {
    if (!c.has(input))
      continue;
    const std::vector<int64_t> &shape = b.get(c.in(input)).shape;
    int64_t rows = numElements(shape);
    std::vector<float> kernel(rows * outputs, 0.0f);
    bool used = false, isIdentity = rows == outputs;
    for (int64_t o = 0; o < outputs; ++o) {
      int64_t own = 0;
      for (const Source &from : s.terms[o])
        if (from.input == input) {
          kernel[from.flat * outputs + o] += 1.0f;
          used = true;
          own += from.flat == o ? 1 : 2;
        }
      isIdentity &= own == 1;
    }
    if (!used)
      continue;
    std::string suffix = input == 0 ? "_data" : "_updates";
    std::string ref =
        b.particle(c.node, suffix + "_row", "reshape", {b.plain(c.in(input))},
                   json{{"shape", std::vector<int64_t>{1, rows}}});
    if (!isIdentity) {
      ref = b.particle(c.node, suffix, "dense", {ref},
                       json{{"units", outputs}, {"use_bias", false}});
      b.weight(ref, "kernel", {rows, outputs}, std::move(kernel));
    }
    sum = sum.empty() ? ref : b.particle(c.node, "_sum", "add", {sum, ref});
  }
  defineOutput(
      c, b, 0,
      b.particle(c.node, "", "reshape", {sum}, json{{"shape", s.shape}}));
}

} // namespace sora::onnximport
