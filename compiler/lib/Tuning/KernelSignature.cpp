//===- KernelSignature.cpp - What identifies a kernel to the tuner --------===//

#include "sora/Tuning/KernelSignature.h"
#include "sora/Core/KernelSpecText.h"

namespace sora {

std::string kernelSignature(const KernelSpec &spec,
                            const std::set<int> &constantArgs) {
  KernelSpec anonymous = spec;
  anonymous.name.clear();
  anonymous.schedule = ScheduleRecord();
  for (KernelOp &op : anonymous.ops) {
    op.particle.clear();
    op.location.clear();
  }
  // The text form without its header line (name and schedule).
  std::string text = printKernelSpec(anonymous);
  text.erase(0, text.find('\n') + 1);
  if (!constantArgs.empty()) {
    text += "  weights";
    for (int arg : constantArgs)
      text += " %" + std::to_string(arg);
    text += "\n";
  }
  return text;
}

std::string kernelSummary(const KernelSpec &spec) {
  std::string particles, ops;
  std::set<std::string> seen;
  for (const KernelOp &op : spec.ops) {
    if (!op.particle.empty() && seen.insert(op.particle).second)
      particles += (particles.empty() ? "" : ", ") + op.particle;
    ops += (ops.empty() ? "" : ", ") + std::string(kernelOpName(op.kind));
  }
  return particles.empty() ? ops : particles + " (" + ops + ")";
}

} // namespace sora
