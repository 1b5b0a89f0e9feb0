//===- ConvOps.cpp - Convolutions, pools and normalizations ---------------===//
//
// All of them work on NHWC values: their input is converted with
// channelsLast() and their output is held NHWC (perm [0, 3, 1, 2]).
//
//===----------------------------------------------------------------------===//

#include "Ops.h"
#include "WeightConversion.h"
#include "Window.h"
#include "sora/Core/ParticleShapes.h"

#include <cmath>
#include <limits>

using nlohmann::json;

namespace sora::onnximport {

static Pair spatial(const std::vector<int64_t> &nchw) {
  return {nchw[2], nchw[3]};
}

/// Adds the padding attribute: "valid", "same" or [top, left, bottom,
/// right]. Pools take explicit sides smaller than the window only; other
/// pads become a pad particle (of `padValue`) in front of `input`.
static std::string applyPadding(const NodeContext &c, GraphBuilder &b,
                                const Window &w, std::string input, json &attrs,
                                bool isPool, float padValue) {
  WindowPadding padding = choosePadding(w, spatial(c.inShape(0)));
  attrs["padding"] = padding.mode == WindowPadding::Same ? "same" : "valid";
  if (padding.mode != WindowPadding::Explicit)
    return input;
  const std::array<int64_t, 4> &pads = padding.pads;
  bool fits = true;
  for (int side = 0; side < 4; ++side)
    fits &= pads[side] < w.kernel[side % 2];
  if (!isPool || fits) {
    attrs["padding"] = {pads[0], pads[1], pads[2], pads[3]};
    return input;
  }
  std::string base = c.node.name().empty() ? c.out(0) : c.node.name();
  return b.padSpatial(input, pads, padValue, safeName(base) + "_pad");
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

void checkConv(const NodeContext &c, Problems &p) {
  checkWindow(c, p, /*hasDilations=*/true);
  const ConstTensor *w = c.constant(1);
  if (w && w->dims.size() != 4) {
    p.node(c.node, "only 2-D convolutions are supported (weight '" + c.in(1) +
                       "' has rank " + std::to_string(w->dims.size()) + ")");
    return;
  }
  const ValueType *x = c.model.type(c.in(0));
  int64_t group = c.attrs.getInt("group", 1);
  if (w && x && x->dims.size() == 4 &&
      (group < 1 || x->dims[1] != w->dims[1] * group))
    p.node(c.node, "attribute group=" + std::to_string(group) +
                       " does not match the weight and input channels");
  std::vector<int64_t> kernel = c.attrs.getInts("kernel_shape", {});
  if (w && w->dims.size() == 4 && kernel.size() == 2 &&
      (kernel[0] != w->dims[2] || kernel[1] != w->dims[3]))
    p.node(c.node, "attribute kernel_shape does not match the weight");
  const ConstTensor *bias = c.constant(2);
  if (w && bias && bias->numel() != w->dims[0])
    p.node(c.node, "bias '" + c.in(2) + "' does not hold one value per filter");
}

void lowerConv(const NodeContext &c, GraphBuilder &b) {
  const ConstTensor &w = *c.constant(1);
  int64_t filters = w.dims[0], group = c.attrs.getInt("group", 1);
  Window window =
      readWindow(c, spatial(c.inShape(0)), Pair{w.dims[2], w.dims[3]});
  json attrs{{"filters", filters},
             {"kernel", toList(window.kernel)},
             {"strides", toList(window.strides)},
             {"dilation_rate", toList(window.dilations)},
             {"use_bias", c.has(2)}};
  if (group != 1)
    attrs["groups"] = group;
  std::string input = applyPadding(c, b, window, b.channelsLast(c.in(0)), attrs,
                                   /*isPool=*/false, 0.0f);
  std::string conv = b.particle(c.node, "", "conv2d", {input}, attrs);
  b.weight(conv, "kernel", {w.dims[2], w.dims[3], w.dims[1], filters},
           oihwToHwio(w.floats, w.dims));
  if (c.has(2))
    b.weight(conv, "bias", {filters}, c.constant(2)->floats);
  defineOutput(c, b, 0, conv, kChannelsLast);
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

namespace {
/// A ConvTranspose's padding as the particle takes it.
struct TransposedPadding {
  std::array<int64_t, 4> pads{0, 0, 0, 0}; ///< top, left, bottom, right
  Pair outputPadding{0, 0};
};
} // namespace

/// The node's pads, from `pads`, or from `output_shape` or auto_pad
/// SAME_UPPER/SAME_LOWER (out = in * stride) as ONNX splits their total
/// padding (the odd cell at the start, except for SAME_UPPER); an output
/// larger than the unpadded one (negative total) is output padding.
static TransposedPadding transposedPadding(const NodeContext &c,
                                           const Window &w, Pair inputHW) {
  TransposedPadding result;
  std::vector<int64_t> extra = c.attrs.getInts("output_padding", {0, 0});
  std::vector<int64_t> outputShape = c.attrs.getInts("output_shape", {});
  std::string autoPad = c.attrs.getString("auto_pad", "NOTSET");
  bool sameUpper = autoPad == "SAME_UPPER";
  bool same = sameUpper || autoPad == "SAME_LOWER";
  for (int d = 0; d < 2; ++d) {
    result.outputPadding[d] = extra.size() == 2 ? extra[d] : 0;
    if (outputShape.size() != 2 && !same) {
      result.pads[d] = w.pads[d];
      result.pads[d + 2] = w.pads[d + 2];
      continue;
    }
    int64_t full = w.strides[d] * (inputHW[d] - 1) + result.outputPadding[d] +
                   (w.kernel[d] - 1) * w.dilations[d] + 1;
    int64_t out =
        outputShape.size() == 2 ? outputShape[d] : inputHW[d] * w.strides[d];
    int64_t total = full - out;
    if (total < 0) {
      result.outputPadding[d] -= total;
      continue;
    }
    result.pads[d] = sameUpper ? total / 2 : total - total / 2;
    result.pads[d + 2] = total - result.pads[d];
  }
  return result;
}

void checkConvTranspose(const NodeContext &c, Problems &p) {
  checkWindow(c, p, /*hasDilations=*/true);
  auto checkPair = [&](const char *name) {
    if (!c.attrs.find(name))
      return;
    std::vector<int64_t> v = c.attrs.getInts(name, {});
    if (v.size() != 2 || std::any_of(v.begin(), v.end(), [](int64_t e) {
          return e < 0 || e > kMaxTensorElements;
        }))
      p.node(c.node, "attribute '" + std::string(name) +
                         "' must hold 2 values in [0, " +
                         std::to_string(kMaxTensorElements) +
                         "] (2-D windows only)");
  };
  checkPair("output_padding");
  checkPair("output_shape");
  const ConstTensor *w = c.constant(1);
  if (w && w->dims.size() != 4) {
    p.node(c.node, "only 2-D transposed convolutions are supported (weight '" +
                       c.in(1) + "' has rank " +
                       std::to_string(w->dims.size()) + ")");
    return;
  }
  const ValueType *x = c.model.type(c.in(0));
  int64_t group = c.attrs.getInt("group", 1);
  if (w && (group < 1 || w->dims[0] % group != 0 ||
            (x && x->dims.size() == 4 && x->dims[1] != w->dims[0])))
    p.node(c.node, "attribute group=" + std::to_string(group) +
                       " does not match the weight and input channels");
  std::vector<int64_t> kernel = c.attrs.getInts("kernel_shape", {});
  if (w && kernel.size() == 2 &&
      (kernel[0] != w->dims[2] || kernel[1] != w->dims[3]))
    p.node(c.node, "attribute kernel_shape does not match the weight");
  const ConstTensor *bias = c.constant(2);
  if (w && bias && bias->numel() != w->dims[1] * group)
    p.node(c.node, "bias '" + c.in(2) + "' does not hold one value per filter");
}

void lowerConvTranspose(const NodeContext &c, GraphBuilder &b) {
  const ConstTensor &w = *c.constant(1);
  int64_t group = c.attrs.getInt("group", 1), filters = w.dims[1] * group;
  Window window =
      readWindow(c, spatial(c.inShape(0)), Pair{w.dims[2], w.dims[3]});
  TransposedPadding padding =
      transposedPadding(c, window, spatial(c.inShape(0)));
  json attrs{{"filters", filters},
             {"kernel", toList(window.kernel)},
             {"strides", toList(window.strides)},
             {"dilation_rate", toList(window.dilations)},
             {"padding", padding.pads},
             {"output_padding", toList(padding.outputPadding)},
             {"use_bias", c.has(2)}};
  if (group != 1)
    attrs["groups"] = group;
  std::string conv = b.particle(c.node, "", "conv_transpose2d",
                                {b.channelsLast(c.in(0))}, attrs);
  // [in, filters / group, kh, kw] -> [kh, kw, filters / group, in].
  b.weight(conv, "kernel", {w.dims[2], w.dims[3], w.dims[1], w.dims[0]},
           oihwToHwio(w.floats, w.dims));
  if (c.has(2))
    b.weight(conv, "bias", {filters}, c.constant(2)->floats);
  defineOutput(c, b, 0, conv, kChannelsLast);
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

void checkMaxPool(const NodeContext &c, Problems &p) {
  checkWindow(c, p, /*hasDilations=*/true);
  for (int64_t d : c.attrs.getInts("dilations", {1, 1}))
    if (d != 1)
      p.node(c.node, "attribute dilations other than 1 is not supported");
  if (c.attrs.getInt("storage_order", 0) != 0)
    p.node(c.node, "attribute storage_order=1 is not supported");
  if (c.node.output_size() > 1 && !c.out(1).empty() &&
      c.model.useCounts().count(c.out(1)))
    p.node(c.node, "output 'Indices' is not supported");
}

void checkAveragePool(const NodeContext &c, Problems &p) {
  checkWindow(c, p, /*hasDilations=*/false);
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->isStatic() || x->dims.size() != 4)
    return;
  Window w = readWindow(c, spatial(x->dims));
  WindowPadding padding = choosePadding(w, spatial(x->dims));
  bool fits = true;
  for (int side = 0; side < 4; ++side)
    fits &= padding.pads[side] < w.kernel[side % 2];
  if (padding.mode == WindowPadding::Explicit && !fits &&
      !c.attrs.getInt("count_include_pad", 0))
    p.node(c.node, "pads as large as the window are not supported with "
                   "count_include_pad=0");
}

static void lowerPool(const NodeContext &c, GraphBuilder &b, const char *op,
                      float padValue, json attrs = json::object()) {
  Window window = readWindow(c, spatial(c.inShape(0)));
  attrs["pool"] = toList(window.kernel);
  attrs["strides"] = toList(window.strides);
  // The pools leave padded cells out; count_include_pad=1 pads with zeros
  // that the average counts, except ceil_mode's extra cells (PyTorch).
  WindowPadding padding = choosePadding(window, spatial(c.inShape(0)));
  bool countPads = c.attrs.getInt("count_include_pad", 0) &&
                   padding.mode != WindowPadding::Valid;
  std::string input = b.channelsLast(c.in(0));
  if (countPads) {
    std::array<int64_t, 4> zeros = padding.pads;
    const Pair &extra = window.ceilExtra;
    for (int d = 0; d < 2; ++d)
      zeros[d + 2] = std::max<int64_t>(zeros[d + 2] - extra[d], 0);
    std::string base = c.node.name().empty() ? c.out(0) : c.node.name();
    if (zeros != std::array<int64_t, 4>{0, 0, 0, 0})
      input = b.padSpatial(input, zeros, 0.0f, safeName(base) + "_pad");
    attrs["padding"] = "valid";
    if (extra[0] || extra[1])
      attrs["padding"] = {0, 0, extra[0], extra[1]};
  } else {
    input = applyPadding(c, b, window, input, attrs, /*isPool=*/true, padValue);
  }
  defineOutput(c, b, 0, b.particle(c.node, "", op, {input}, attrs),
               kChannelsLast);
}

void lowerMaxPool(const NodeContext &c, GraphBuilder &b) {
  lowerPool(c, b, "max_pool2d", std::numeric_limits<float>::lowest());
}

void lowerAveragePool(const NodeContext &c, GraphBuilder &b) {
  lowerPool(c, b, "avg_pool2d", 0.0f);
}

void checkLpPool(const NodeContext &c, Problems &p) {
  checkWindow(c, p, /*hasDilations=*/false);
  if (c.attrs.getInt("p", 2) < 1)
    p.node(c.node, "attribute p must be positive");
}

void lowerLpPool(const NodeContext &c, GraphBuilder &b) {
  // Padded cells are zeros, which add nothing to the norm.
  lowerPool(c, b, "lp_pool2d", 0.0f, json{{"p", c.attrs.getInt("p", 2)}});
}

void checkGlobalPool(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (x && x->hasShape && x->dims.size() != 4)
    p.node(c.node, "only rank-4 NCHW inputs are supported");
}

void lowerGlobalPool(const NodeContext &c, GraphBuilder &b) {
  const char *op = c.node.op_type() == "GlobalMaxPool" ? "global_max_pool2d"
                                                       : "global_avg_pool2d";
  defineOutput(c, b, 0,
               b.particle(c.node, "", op, {b.channelsLast(c.in(0))},
                          json{{"keepdims", true}}),
               kChannelsLast);
}

//===----------------------------------------------------------------------===//
// BatchNormalization (not folded into a Conv)
//===----------------------------------------------------------------------===//

void checkBatchNorm(const NodeContext &c, Problems &p) {
  if (c.attrs.getInt("training_mode", 0))
    p.node(c.node, "attribute training_mode=1 is not supported");
  std::map<std::string, int> uses = c.model.useCounts();
  for (int i = 1; i < c.node.output_size(); ++i)
    if (c.outputUsed(i, uses))
      p.node(c.node,
             "output '" + c.out(i) + "' (running statistics) is not supported");
  const ValueType *x = c.model.type(c.in(0));
  if (x && x->hasShape && x->dims.size() != 2 && x->dims.size() != 4) {
    p.node(c.node, "only rank-2 and rank-4 inputs are supported");
    return;
  }
  for (int i = 1; x && x->isStatic() && i < 5; ++i)
    if (const ConstTensor *t = c.constant(i); t && t->numel() != x->dims[1])
      p.node(c.node, "input '" + c.in(i) +
                         "' does not hold one value per "
                         "channel");
}

void lowerBatchNorm(const NodeContext &c, GraphBuilder &b) {
  bool image = c.inShape(0).size() == 4;
  std::string input = image ? b.channelsLast(c.in(0)) : b.plain(c.in(0));
  int64_t channels = c.inShape(0)[1];
  std::string bn = b.particle(
      c.node, "", "batch_norm", {input},
      json{{"epsilon",
            c.attrs.getFloat("epsilon", sora::particle::kDefaultNormEpsilon)}});
  const char *params[] = {"gamma", "beta", "moving_mean", "moving_variance"};
  for (int i = 0; i < 4; ++i)
    b.weight(bn, params[i], {channels}, c.constant(i + 1)->floats);
  defineOutput(c, b, 0, bn, image ? kChannelsLast : std::vector<int64_t>{});
}

//===----------------------------------------------------------------------===//
// InstanceNormalization
//===----------------------------------------------------------------------===//

void checkInstanceNorm(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (!x || !x->isStatic())
    return;
  if (x->dims.size() < 3) {
    p.node(c.node, "only inputs of rank 3 or more are supported");
    return;
  }
  for (int i = 1; i < 3; ++i)
    if (const ConstTensor *t = c.constant(i); t && t->numel() != x->dims[1])
      p.node(c.node,
             "input '" + c.in(i) + "' does not hold one value per channel");
}

void lowerInstanceNorm(const NodeContext &c, GraphBuilder &b) {
  // Channels last: logical [N, C, D...] is physical [N, D..., C].
  int64_t rank = c.inShape(0).size(), channels = c.inShape(0)[1];
  std::vector<int64_t> perm{0, rank - 1};
  for (int64_t d = 1; d + 1 < rank; ++d)
    perm.push_back(d);
  std::string norm = b.particle(
      c.node, "", "instance_norm", {b.withPerm(c.in(0), perm)},
      json{{"epsilon",
            c.attrs.getFloat("epsilon", sora::particle::kDefaultNormEpsilon)}});
  b.weight(norm, "gamma", {channels}, c.constant(1)->floats);
  b.weight(norm, "beta", {channels}, c.constant(2)->floats);
  defineOutput(c, b, 0, norm, perm);
}

//===----------------------------------------------------------------------===//
// LRN
//===----------------------------------------------------------------------===//

void checkLrn(const NodeContext &c, Problems &p) {
  const ValueType *x = c.model.type(c.in(0));
  if (x && x->hasShape && x->dims.size() < 3)
    p.node(c.node, "only inputs of rank 3 or more are supported");
  if (c.attrs.getInt("size", 0) < 1)
    p.node(c.node, "attribute size must be given and positive");
}

void lowerLrn(const NodeContext &c, GraphBuilder &b) {
  // x / (bias + alpha / size · (sum of x² over nearby channels))^beta, with
  // channels last: the window sum is a dense over channels with a banded
  // kernel that also carries alpha / size.
  int64_t rank = c.inShape(0).size(), channels = c.inShape(0)[1];
  int64_t size = c.attrs.getInt("size", 1);
  float alpha = c.attrs.getFloat("alpha", 1e-4f);
  std::vector<int64_t> perm{0, rank - 1};
  for (int64_t d = 1; d + 1 < rank; ++d)
    perm.push_back(d);
  std::string x = b.withPerm(c.in(0), perm);
  std::string squares = b.particle(c.node, "_squares", "mul", {x, x});
  std::string sums = b.particle(c.node, "_window", "dense", {squares},
                                json{{"units", channels}, {"use_bias", false}});
  std::vector<float> band(channels * channels, 0.0f);
  for (int64_t out = 0; out < channels; ++out)
    for (int64_t in = std::max<int64_t>(0, out - (size - 1) / 2);
         in <= std::min(channels - 1, out + size / 2); ++in)
      band[in * channels + out] = alpha / static_cast<float>(size);
  b.weight(sums, "kernel", {channels, channels}, std::move(band));
  std::string base = b.particle(
      c.node, "_base", "add",
      {sums, b.scalar(c.node, "_bias", c.attrs.getFloat("bias", 1.0f))});
  std::string scale = b.particle(
      c.node, "_scale", "pow",
      {base, b.scalar(c.node, "_exponent", -c.attrs.getFloat("beta", 0.75f))});
  defineOutput(c, b, 0, b.particle(c.node, "", "mul", {x, scale}), perm);
}

} // namespace sora::onnximport
