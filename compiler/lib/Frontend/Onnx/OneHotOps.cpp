//===- OneHotOps.cpp - ONNX OneHot as the one_hot particle ----------------===//
//
// OneHot(indices, depth, values) puts values[1] where a new axis of `depth`
// cells meets the index and values[0] elsewhere; an index in [-depth, 0)
// counts from the end, one outside [-depth, depth) leaves its row off. The
// one_hot particle marks ids in [0, depth) with 1 on a new last axis, so
// the indices (float32, computed at run time; constant ones fold) shifted
// by depth go into 2·depth cells, whose two halves (the negative and the
// non-negative indices) add up. Then hot · (on − off) + off, and the new
// axis is placed as a layout.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

using nlohmann::json;

namespace sora::onnximport {

void checkOneHot(const NodeContext &c, Problems &p) {
  const ConstTensor *depth = c.constant(1), *values = c.constant(2);
  if (depth && (!depth->scalar() || *depth->scalar() < 1))
    p.node(c.node, "depth must be one positive number");
  if (!values || !values->readable || values->numel() != 2 ||
      !(values->isFloat() || values->isInt()))
    p.node(c.node, "input '" + c.in(2) +
                       "' (the values) must be a constant of two numbers "
                       "[off, on]");
  const ValueType *x = c.model.type(c.in(0));
  if (x && x->hasShape &&
      !normalizeAxis(c.attrs.getInt("axis", -1), x->dims.size() + 1))
    p.node(c.node, "axis " + std::to_string(c.attrs.getInt("axis", -1)) +
                       " is out of range for rank " +
                       std::to_string(x->dims.size() + 1));
}

void lowerOneHot(const NodeContext &c, GraphBuilder &b) {
  auto depth = static_cast<int64_t>(*c.constant(1)->scalar());
  const ConstTensor &values = *c.constant(2);
  auto value = [&](int i) {
    return values.isFloat() ? values.floats[i]
                            : static_cast<float>(values.ints[i]);
  };
  std::vector<int64_t> shape = c.inShape(0);
  auto rank = static_cast<int64_t>(shape.size()) + 1;
  std::string shifted =
      b.particle(c.node, "_shifted", "add",
                 {b.plain(c.in(0)),
                  b.scalar(c.node, "_depth", static_cast<float>(depth))});
  std::string both = b.particle(c.node, "_both", "one_hot", {shifted},
                                json{{"depth", 2 * depth}});
  auto half = [&](const char *suffix, int64_t begin) {
    std::vector<int64_t> begins(rank, 0), ends = shape;
    begins.back() = begin;
    ends.push_back(begin + depth);
    return b.particle(c.node, suffix, "slice", {both},
                      json{{"begin", begins}, {"end", ends}});
  };
  std::string hot = b.particle(
      c.node, "_hot", "add", {half("_negative", 0), half("_positive", depth)});
  std::string scaled =
      b.particle(c.node, "_scaled", "mul",
                 {hot, b.scalar(c.node, "_on_minus_off", value(1) - value(0))});
  std::string y = b.particle(c.node, "", "add",
                             {scaled, b.scalar(c.node, "_off", value(0))});
  // Physical [indices..., depth]; logical dim `axis` is the last one.
  int64_t axis = *normalizeAxis(c.attrs.getInt("axis", -1), rank);
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    perm.push_back(d < axis ? d : d == axis ? rank - 1 : d - 1);
  defineOutput(c, b, 0, y, perm);
}

} // namespace sora::onnximport
