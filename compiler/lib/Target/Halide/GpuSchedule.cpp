//===- GpuSchedule.cpp - Thread blocks for a kernel on a GPU target -------===//
//
// On a GPU every stage that must be stored (the kernel output, and each Func
// with update definitions: accumulators, window reductions, row statistics)
// is computed at the root as its own GPU loop nest: its pure dimensions are
// fused into one loop split into blocks of `gpu_threads` threads; each
// update definition gets the same over the pure dimensions it keeps (a
// reduction domain stays a serial loop inside each thread), or one thread
// when it keeps none. Every other Func is inlined into its consumers.
// Only checks run on the host (a kernel error cannot be raised in GPU code):
// a scalar the GPU computed is copied back for them.
//
//===----------------------------------------------------------------------===//

#include "Schedules.h"

#include <set>

namespace sora {

using namespace Halide;

/// Fuses `vars` (innermost first) of `stage` into one loop and splits it
/// into thread blocks.
static void gpuLoop(Stage stage, const std::vector<Var> &vars, int threads) {
  Var fused = vars.front();
  for (size_t i = 1; i < vars.size(); ++i) {
    Var outer(fused.name() + "_" + vars[i].name());
    stage.fuse(fused, vars[i], outer);
    fused = outer;
  }
  Var block(fused.name() + "_block"), thread(fused.name() + "_thread");
  stage.gpu_tile(fused, block, thread, threads, TailStrategy::GuardWithIf);
}

/// The pure dimensions an update definition of `func` keeps: the arguments
/// that are the pure variable of their own position.
static std::vector<Var> updatePureVars(Func func, int update) {
  std::vector<Var> pure;
  std::vector<Var> args = func.args();
  std::vector<Expr> updateArgs = func.update_args(update);
  for (size_t i = 0; i < updateArgs.size() && i < args.size(); ++i) {
    const auto *var = updateArgs[i].as<Internal::Variable>();
    if (var && !var->reduction_domain.defined() && var->name == args[i].name())
      pure.push_back(args[i]);
  }
  return pure;
}

namespace {
/// Calls C's libm on the CPU become the GPU's equivalents (Halide's
/// `pow_f32` is libdevice's __nv_powf in PTX, with C's special cases;
/// fmodf becomes a - trunc(a / b) * b, exact while |a / b| < 2^24).
class GpuMathCalls : public Internal::IRMutator {
  using IRMutator::visit;
  Expr visit(const Internal::Call *call) override {
    bool pow = call->name == "powf", fmod = call->name == "fmodf";
    if (call->call_type == Internal::Call::PureExtern && (pow || fmod)) {
      std::vector<Expr> args;
      for (const Expr &arg : call->args)
        args.push_back(mutate(arg));
      if (fmod) // libdevice's fmodf is not among Halide's PTX intrinsics
        return args[0] - trunc(args[0] / args[1]) * args[1];
      return Internal::Call::make(call->type, "pow_f32", args,
                                  Internal::Call::PureExtern);
    }
    return IRMutator::visit(call);
  }
};
} // namespace

void scheduleGpu(Func output, const std::vector<Func> &hostStages,
                 const ScheduleRecord &schedule) {
  int threads = schedule.gpuThreads;
  std::set<std::string> onHost;
  for (Func stage : hostStages) {
    stage.compute_root();
    onHost.insert(stage.name());
  }
  std::map<std::string, Internal::Function> env =
      Internal::find_transitive_calls(output.function());
  GpuMathCalls gpuMath;
  for (auto &entry : env) {
    Func func(entry.second);
    if (onHost.count(entry.first))
      continue;
    entry.second.mutate(&gpuMath);
    bool isOutput = entry.first == output.name();
    if (!isOutput && !func.has_update_definition())
      continue; // inlined
    if (!isOutput)
      func.compute_root();
    if (func.dimensions() > 0)
      gpuLoop(func, func.args(), threads);
    else
      func.gpu_single_thread();
    for (int u = 0; u < func.num_update_definitions(); ++u) {
      std::vector<Var> pure = updatePureVars(func, u);
      if (pure.empty())
        func.update(u).gpu_single_thread();
      else
        gpuLoop(func.update(u), pure, threads);
    }
  }
}

} // namespace sora
