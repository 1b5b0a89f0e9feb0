//===- MLIRGenPreprocess.cpp - Preprocessing particles --------------------===//
//
// Lowerings of normalize ((x * scale - mean) / std per channel), resize
// (nearest or bilinear, by output size or scale factor, as F.interpolate)
// and grid_sample (F.grid_sample).
//
//===----------------------------------------------------------------------===//

#include "MLIRGenImpl.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Frontend/Diagnostics.h"

#include <cmath>

using namespace mlir;
using namespace sora::particle;

namespace sora {

Value MLIRGenImpl::normalize(const ParticleDecl &p, ParticleAttrs &a,
                             ArrayRef<Value> in) {
  auto scale = a.number("scale", 1.0);
  auto mean = a.numbers("mean", 0.0);
  auto stddev = a.numbers("std", 1.0);
  if (!scale || !mean || !stddev)
    return nullptr;
  if (!std::isfinite((float)*scale)) {
    a.error("scale") << "'scale' " << formatNumber(*scale)
                     << " is too large for f32";
    return nullptr;
  }
  SmallVector<float> meanF(mean->begin(), mean->end());
  SmallVector<float> stdF(stddev->begin(), stddev->end());
  if (!checkNormalize(shapeOf(in[0]), meanF, stdF, shapeError(p, a)))
    return nullptr;
  return NormalizeOp::create(
      b, loc, in[0].getType(), in[0], b.getF32FloatAttr((float)*scale),
      b.getDenseF32ArrayAttr(meanF), b.getDenseF32ArrayAttr(stdF));
}

Value MLIRGenImpl::resize(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto mode = a.choice("mode", {"nearest", "bilinear"});
  auto alignCorners = a.boolean("align_corners", false);
  if (!mode || !alignCorners)
    return nullptr;
  if (!checkResizeMode(*mode, *alignCorners, a.shapeError("align_corners")))
    return nullptr;
  if (a.has("size") && a.has("scale_factor")) {
    a.error("scale_factor") << "give 'size' or 'scale_factor', not both";
    return nullptr;
  }
  std::optional<std::array<int64_t, 2>> size;
  std::optional<std::vector<double>> scales;
  if (a.has("scale_factor")) {
    // One factor for both dimensions, or [sh, sw].
    scales = a.numbers("scale_factor", std::nullopt);
    if (!scales)
      return nullptr;
    if (scales->size() == 1)
      scales->push_back(scales->front());
    if (scales->size() != 2 ||
        llvm::any_of(*scales, [](double s) { return s <= 0; })) {
      a.error("scale_factor") << "'scale_factor' must be a positive number "
                                 "or a pair [sh, sw] of them";
      return nullptr;
    }
  } else if (a.has("size")) {
    size = a.positivePair("size", std::nullopt);
    if (!size)
      return nullptr;
  } else {
    shapeError(p, a)() << "needs 'size' or 'scale_factor'";
    return nullptr;
  }
  std::optional<ArrayRef<int64_t>> sizeRef;
  if (size)
    sizeRef = ArrayRef<int64_t>(*size);
  std::optional<ArrayRef<double>> scalesRef;
  if (scales)
    scalesRef = ArrayRef<double>(*scales);
  auto shape =
      inferResizeShape(shapeOf(in[0]), sizeRef, scalesRef, shapeError(p, a));
  if (!shape)
    return nullptr;
  return ResizeOp::create(b, loc, tensorType(*shape), in[0],
                          b.getStringAttr(*mode), b.getBoolAttr(*alignCorners),
                          scales ? b.getDenseF64ArrayAttr(*scales)
                                 : DenseF64ArrayAttr());
}

Value MLIRGenImpl::gridSample(const ParticleDecl &p, ParticleAttrs &a,
                              ArrayRef<Value> in) {
  auto mode = a.choice("mode", {"bilinear", "nearest"});
  auto padding = a.choice("padding_mode", kGridPaddingNames);
  auto alignCorners = a.boolean("align_corners", false);
  if (!mode || !padding || !alignCorners)
    return nullptr;
  auto shape =
      inferGridSampleShape(shapeOf(in[0]), shapeOf(in[1]), shapeError(p, a));
  if (!shape)
    return nullptr;
  return GridSampleOp::create(b, loc, tensorType(*shape), in[0], in[1],
                              b.getStringAttr(*mode), b.getStringAttr(*padding),
                              b.getBoolAttr(*alignCorners));
}

} // namespace sora
