//===- CompileStats.cpp - What soracc --stats reports ---------------------===//

#include "sora/Pipeline/CompileStats.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"
#include "sora/Tuning/CostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Format.h"

#include <algorithm>

namespace sora {

void CompileStats::phase(const char *name) {
  Clock::time_point now = Clock::now();
  phases.emplace_back(
      name, std::chrono::duration<double, std::milli>(now - last).count());
  last = now;
}

int64_t arenaLowerBound(mlir::ModuleOp module) {
  int64_t bound = 0;
  for (auto graph : module.getOps<mlir::func::FuncOp>()) {
    mlir::Block &body = graph.getBody().front();
    // Each kernel result: its position, and the last position that reads
    // it or a view of it.
    llvm::DenseMap<mlir::Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = (int64_t)i;
    struct Live {
      int64_t from, to, bytes;
    };
    std::vector<Live> lives;
    for (auto kernel : body.getOps<particle::KernelOp>()) {
      int64_t end = position[kernel];
      llvm::SmallVector<mlir::Value> worklist{kernel.getResult()};
      while (!worklist.empty()) {
        mlir::Value value = worklist.pop_back_val();
        for (mlir::Operation *user : value.getUsers()) {
          if (llvm::isa<particle::OutputOp>(user))
            end = (int64_t)body.getOperations().size();
          else
            end = std::max(end, position[user]);
          if (!llvm::isa<particle::KernelOp, particle::OutputOp>(user))
            worklist.append(user->result_begin(), user->result_end()); // views
        }
      }
      auto type = llvm::cast<mlir::RankedTensorType>(kernel.getType());
      lives.push_back({position[kernel], end, type.getNumElements() * 4});
    }
    for (const Live &at : lives) {
      int64_t live = 0;
      for (const Live &other : lives)
        if (other.from <= at.from && at.from <= other.to)
          live += other.bytes;
      bound = std::max(bound, live);
    }
  }
  return bound;
}

void CompileStats::describe(mlir::ModuleOp module,
                            const std::vector<KernelSpec> &specs,
                            int64_t weightBytes, int64_t weightTensors) {
  this->weightBytes = weightBytes;
  this->weightTensors = weightTensors;
  for (auto graph : module.getOps<mlir::func::FuncOp>()) {
    model = graph.getName().str();
    if (auto arena =
            graph->getAttrOfType<mlir::IntegerAttr>(particle::kArenaSizeAttr))
      arenaBytes = arena.getInt();
    for (mlir::Operation &op : graph.getBody().front()) {
      if (auto kernel = llvm::dyn_cast<particle::KernelOp>(op)) {
        ++kernels;
        operations += (int64_t)kernel.getBody().front().getOperations().size() -
                      1; // the yield
      } else if (llvm::isa<particle::ReshapeOp, particle::FlattenOp>(op)) {
        ++views;
      }
    }
  }
  for (const KernelSpec &spec : specs) {
    KernelWork work = kernelWork(spec);
    flops += work.flops;
    bytes += work.bytes;
  }
  arenaLowerBound = sora::arenaLowerBound(module);
}

/// `value` in the largest of `units` (each `base` times the previous) that
/// keeps it at least 1: "1.3 MiB", "2.73 M".
static std::string scaled(double value, double base,
                          llvm::ArrayRef<const char *> units,
                          const char *format) {
  size_t unit = 0;
  while (value >= base && unit + 1 < units.size()) {
    value /= base;
    ++unit;
  }
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format(format, value) << units[unit];
  return text;
}

std::string bytesText(double bytes) {
  return scaled(bytes, 1024, {" B", " KiB", " MiB", " GiB"}, "%.1f");
}

static std::string countText(double value) {
  return scaled(value, 1000, {" ", " k", " M", " G", " T"}, "%.2f");
}

void CompileStats::print(llvm::raw_ostream &os,
                         const std::string &target) const {
  double total =
      std::chrono::duration<double, std::milli>(last - start).count();
  os << "soracc: statistics of '" << model << "' for " << target << "\n"
     << "  kernels        " << kernels << " (" << operations
     << " operations fused into them), views " << views << "\n"
     << "  work per run   " << countText(flops) << "FLOP, " << bytesText(bytes)
     << " read and written (the kernels' estimates)\n"
     << "  weights        " << bytesText((double)weightBytes) << " in "
     << weightTensors << " tensors\n"
     << "  arena          " << bytesText((double)arenaBytes)
     << " (liveness lower bound " << bytesText((double)arenaLowerBound) << ")\n"
     << "  compile time   " << llvm::format("%.0f", total) << " ms:";
  for (auto [i, phase] : llvm::enumerate(phases))
    os << (i ? "," : "") << " " << phase.first << " "
       << llvm::format("%.0f", phase.second);
  os << " (ms)\n";
}

} // namespace sora
