//===- KernelModels.cpp - Each kernel of a model as a model of its own ----===//

#include "KernelModels.h"

#include "sora/Conversion/KernelSpecBuilder.h"
#include "sora/Core/KernelSpecText.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Tuning/KernelSignature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <map>

using namespace mlir;

namespace sora {

std::string TunableKernel::modelWith(const ScheduleRecord &schedule) const {
  std::string text = model;
  std::string from = formatSchedule(spec.schedule);
  size_t at = text.find("#particle.schedule<" + from + ">");
  if (at != std::string::npos)
    text.replace(at + 19, from.size(), formatSchedule(schedule));
  return text;
}

/// The module: inputs for the kernel's computed operands, its weights, the
/// kernel, its result as the output "result".
static std::string singleKernelModel(particle::KernelOp kernel) {
  MLIRContext *context = kernel.getContext();
  Location loc = kernel.getLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc, StringRef("kernel"));
  OpBuilder b(context);
  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, loc, "kernel", b.getFunctionType({}, {}));
  b.setInsertionPointToStart(func.addEntryBlock());
  IRMapping map;
  for (auto [i, operand] : llvm::enumerate(kernel.getInputs())) {
    if (map.contains(operand))
      continue;
    if (auto weight = operand.getDefiningOp<particle::WeightOp>())
      map.map(operand, particle::WeightOp::create(b, loc, operand.getType(),
                                                  weight.getName()));
    else
      map.map(operand, particle::InputOp::create(b, loc, operand.getType(),
                                                 "arg" + std::to_string(i)));
  }
  Operation *copy = b.clone(*kernel, map);
  particle::OutputOp::create(b, loc, "result", copy->getResult(0));
  func::ReturnOp::create(b, loc);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

FailureOr<std::vector<TunableKernel>> tunableKernels(ModuleOp module) {
  std::vector<TunableKernel> kernels;
  std::map<std::string, size_t> bySignature;
  WalkResult walked = module.walk([&](particle::KernelOp kernel) {
    FailureOr<KernelSpec> spec = buildKernelSpec(kernel);
    if (failed(spec))
      return WalkResult::interrupt();
    std::string signature = kernelSignatureOf(kernel, *spec);
    auto [at, isNew] = bySignature.emplace(signature, kernels.size());
    if (isNew) {
      TunableKernel k;
      k.signature = signature;
      k.summary = kernelSummary(*spec);
      k.spec = std::move(*spec);
      k.model = singleKernelModel(kernel);
      kernels.push_back(std::move(k));
    }
    TunableKernel &k = kernels[at->second];
    k.names += (k.count++ ? ", " : "") + kernel.getSymName().str();
    return WalkResult::advance();
  });
  if (walked.wasInterrupted())
    return failure();
  return kernels;
}

} // namespace sora
