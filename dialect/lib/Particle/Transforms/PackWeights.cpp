//===- PackWeights.cpp - Contraction weights in panels, at compile time ---===//
//
// A kernel whose schedule packs weights (pack_weights = 1) reads them in
// column panels as wide as its register tile. When the weights are a
// particle.weight, the panels are made here, once, into a new weight
// `<name>.panels<P>` of shape [G, d..., P]; the kernel takes that and reads
// it through a particle.unpack_panels at the top of its body, so nothing is
// packed when the model runs.
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

/// The weight operand of the kernel's dense or conv2d, if the body has one.
OpOperand *contractionWeights(KernelOp kernel) {
  for (Operation &op : kernel.getBody().front()) {
    if (auto dense = dyn_cast<DenseOp>(op))
      return &dense.getKernelMutable();
    if (auto conv = dyn_cast<Conv2DOp>(op))
      return &conv.getKernelMutable();
  }
  return nullptr;
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
    if (!record.packWeights || !arg)
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
    if (defined.insert(name).second) {
      std::optional<std::vector<float>> values =
          weights->read(weight.getName());
      if (!values) {
        weight.emitOpError("has no values to pack");
        return false;
      }
      weights->define(name, packedShape,
                      packPanels(*values, columns, panels, width));
    }

    auto packedType = RankedTensorType::get(packedShape, type.getElementType());
    OpBuilder b(kernel);
    Value packed = WeightOp::create(b, weight.getLoc(), packedType, name);
    kernel->setOperand(arg.getArgNumber(), packed);
    arg.setType(packedType);
    b.setInsertionPointToStart(&kernel.getBody().front());
    Value view = UnpackPanelsOp::create(b, use->getOwner()->getLoc(), type, arg,
                                        b.getI64IntegerAttr(columns));
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
