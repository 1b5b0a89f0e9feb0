//===- PackWeights.cpp - Contraction weights in panels, at compile time ---===//
//
// A kernel whose schedule packs weights (pack_weights = 1) reads them in
// column panels as wide as its register tile. When the weights are a
// particle.weight, the panels are made here, once, into a new weight
// `<name>.panels<P>` of shape [G, d..., P]; the kernel takes that and reads
// it through a particle.unpack_panels at the top of its body, so nothing is
// packed when the model runs. A conv2d whose schedule says winograd = 1
// (and that Winograd applies to) gets its filters transformed instead,
// into `<name>.winograd<P>` [F / P, 4, 4, C, P] (panels of the register
// tile's width, or one panel where that does not divide F), read through a
// particle.winograd_filter.
//
//===----------------------------------------------------------------------===//

#include "sora/Core/Schedule.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "llvm/ADT/StringSet.h"

namespace sora::particle {
#define GEN_PASS_DEF_SORAPACKWEIGHTS
#include "sora/Dialect/Particle/Passes.h.inc"
} // namespace sora::particle

using namespace mlir;
using namespace sora::particle;

namespace {

/// [d..., F] row-major values as `panels` panels of `width` columns,
/// [panels, d..., width]; columns past F are zero (never read).
std::vector<float> packPanels(const std::vector<float> &values, int64_t columns,
                              int64_t panels, int64_t width) {
  int64_t inner = (int64_t)values.size() / columns;
  std::vector<float> packed(panels * inner * width, 0.0f);
  for (int64_t g = 0; g < panels; ++g)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t p = 0; p < width && g * width + p < columns; ++p)
        packed[(g * inner + i) * width + p] =
            values[i * columns + g * width + p];
  return packed;
}

/// [3, 3, C, F] filters g as U = G g G^T per channel pair (Winograd
/// F(2x2, 3x3)) in panels of `width` filters, [F / width, 4, 4, C, width].
std::vector<float> winogradFilters(const std::vector<float> &g, int64_t filters,
                                   int64_t width) {
  static const float kG[4][3] = {
      {1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
  int64_t cf = (int64_t)g.size() / 9;
  std::vector<float> u(16 * cf, 0.0f);
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          float scale = kG[a][i] * kG[b][j];
          if (scale == 0.0f)
            continue;
          for (int64_t k = 0; k < cf; ++k)
            u[(a * 4 + b) * cf + k] += scale * g[(i * 3 + j) * cf + k];
        }
  return packPanels(u, filters, filters / width, width);
}

/// The weight operand of the kernel's last dense or conv2d (its loop nest's;
/// an earlier conv is a row producer, reading its weights as they are), or
/// of its recurrence (whose steps each stream the recurrent kernel).
OpOperand *contractionWeights(KernelOp kernel) {
  OpOperand *weights = nullptr;
  for (Operation &op : kernel.getBody().front()) {
    if (auto dense = dyn_cast<DenseOp>(op))
      weights = &dense.getKernelMutable();
    if (auto conv = dyn_cast<Conv2DOp>(op))
      weights = &conv.getKernelMutable();
    if (auto recurrence = dyn_cast<RecurrenceOp>(op))
      weights = &recurrence.getRecurrentKernelMutable();
  }
  return weights;
}

/// Whether the contraction owning `use` runs as Winograd under `record`.
bool runsWinograd(OpOperand *use, const sora::ScheduleRecord &record) {
  auto conv = dyn_cast<Conv2DOp>(use->getOwner());
  if (!record.winograd || !conv)
    return false;
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(use->get().getType()).getShape();
  return sora::winogradApplies(conv.describeKernelOp(),
                               sora::Shape(shape.begin(), shape.end()));
}

struct SoraPackWeightsPass
    : public sora::particle::impl::SoraPackWeightsBase<SoraPackWeightsPass> {
  explicit SoraPackWeightsPass(WeightValues *weights) : weights(weights) {}

  void runOnOperation() override {
    if (!weights)
      return;
    getOperation().walk([&](KernelOp kernel) {
      if (!pack(kernel))
        signalPassFailure();
    });
  }

  /// Packs the weights of `kernel` if its schedule asks and they are a
  /// particle.weight; false after reporting an error.
  bool pack(KernelOp kernel) {
    ScheduleAttr schedule = kernel.getScheduleAttr();
    OpOperand *use = contractionWeights(kernel);
    if (!schedule || !use)
      return true;
    sora::ScheduleRecord record = schedule.complete(sora::ScheduleRecord());
    auto arg = dyn_cast<BlockArgument>(use->get());
    bool winograd = runsWinograd(use, record);
    if (!(record.packWeights || winograd) || !arg)
      return true;
    auto weight =
        kernel.getInputs()[arg.getArgNumber()].getDefiningOp<WeightOp>();
    if (!weight)
      return true; // computed weights are packed per call
    auto type = cast<RankedTensorType>(weight.getType());
    ArrayRef<int64_t> shape = type.getShape();
    int64_t columns = shape.back();
    int64_t width = sora::contractionPanel(record, columns);
    int64_t panels = (columns + width - 1) / width;
    SmallVector<int64_t> packedShape{panels};
    packedShape.append(shape.begin(), shape.end() - 1);
    packedShape.push_back(width);
    std::string name =
        (weight.getName() + ".panels" + std::to_string(width)).str();
    if (winograd) {
      if (columns % width != 0)
        width = columns;
      packedShape.assign({columns / width, 4, 4, shape[2], width});
      name = (weight.getName() + ".winograd" + std::to_string(width)).str();
    }
    if (defined.insert(name).second) {
      std::optional<std::vector<float>> values =
          weights->read(weight.getName());
      if (!values) {
        weight.emitOpError("has no values to pack");
        return false;
      }
      weights->define(name, packedShape,
                      winograd ? winogradFilters(*values, columns, width)
                               : packPanels(*values, columns, panels, width));
    }

    auto packedType = RankedTensorType::get(packedShape, type.getElementType());
    OpBuilder b(kernel);
    Value packed = WeightOp::create(b, weight.getLoc(), packedType, name);
    kernel->setOperand(arg.getArgNumber(), packed);
    arg.setType(packedType);
    b.setInsertionPointToStart(&kernel.getBody().front());
    Location loc = use->getOwner()->getLoc();
    Value view =
        winograd ? Value(WinogradFilterOp::create(b, loc, type, arg))
                 : Value(UnpackPanelsOp::create(b, loc, type, arg,
                                                b.getI64IntegerAttr(columns)));
    arg.replaceAllUsesExcept(view, view.getDefiningOp());
    if (weight->use_empty())
      weight->erase();
    return true;
  }

  WeightValues *weights;
  /// Packed tensors defined so far (kernels may share weights).
  llvm::StringSet<> defined;
};

} // namespace

std::unique_ptr<Pass>
sora::particle::createSoraPackWeightsPass(WeightValues *weights) {
  return std::make_unique<SoraPackWeightsPass>(weights);
}
