//===- HalideKernel.cpp - A KernelSpec as a scheduled Halide pipeline -----===//

#include "HalideKernel.h"

#include "KernelValidation.h"
#include "Schedules.h"

#include <optional>

namespace sora {

using namespace Halide;

std::vector<Argument> HalideKernel::arguments() const {
  return std::vector<Argument>(args.begin(), args.end());
}

/// Declares the buffer's dims as the reversed `shape` with dense strides
/// (the bounds are also the estimates autoschedulers read). Dimensions whose
/// `least` extent differs from the shape's leave their extent to the run (at
/// most the shape's: KernelSpec::runTimeArgs); their strides stay.
static void declareDenseBounds(OutputImageParam buffer, const Shape &shape,
                               const Shape &least) {
  int stride = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    size_t dim = shape.size() - 1 - d;
    int extent = (int)shape[dim];
    Internal::Dimension bounds = buffer.dim((int)d);
    if (!least.empty() && least[dim] != shape[dim])
      bounds.set_min(0);
    else
      bounds.set_bounds(0, extent);
    bounds.set_stride(stride).set_estimate(0, extent);
    stride *= extent;
  }
}

/// Argument `param` as a value whose run-time dimensions (`least`) are read
/// with their coordinates clamped to the run's extents: a stage computed
/// past them (a register tile's full rows) reads in bounds, and nothing
/// stores it.
static Value readWithinRun(const ImageParam &param, const Shape &shape,
                           const Shape &least) {
  Value value{Func(param), shape};
  if (least.empty())
    return value;
  value.least = least;
  std::vector<Var> v = makeVars(shape.size(), "i");
  std::vector<Expr> at(v.begin(), v.end());
  for (size_t d = 0; d < shape.size(); ++d) {
    int dim = (int)(shape.size() - 1 - d);
    value.extents.push_back(param.dim(dim).extent());
    // Rows (and a vector's one dimension) only: a register tile's rows are
    // what is computed past the run (its columns are guarded, or clamped by
    // the builder), and a clamp on the innermost dimension would turn
    // vector loads into gathers.
    if (value.runTimeDim(d) && (dim > 0 || shape.size() == 1))
      at[dim] = clamp(v[dim], 0, param.dim(dim).extent() - 1);
  }
  value.func = Func(param.name() + "_in_run");
  value.func(v) = param(at);
  return value;
}

namespace {

using Builder = OpStages (*)(const KernelOp &, const std::vector<Value> &,
                             const std::string &, const ScheduleRecord &);

/// An elementwise kind: its pointwise expression over broadcast operands.
template <KernelOpKind K>
OpStages buildPointwise(const KernelOp &op, const std::vector<Value> &operands,
                        const std::string &name, const ScheduleRecord &) {
  return buildElementwise(op, operands, name, &pointwise<K>);
}

template <KernelOpKind K> constexpr Builder builderOf() {
  if constexpr (kernelFamily(K) == KernelFamily::Elementwise)
    return &buildPointwise<K>;
  else
    return &build<K>;
}

/// The builder of every kind, in KernelOps.def order.
constexpr Builder kBuilders[] = {
#define SORA_KERNEL_OP(Kind, Name, Family) builderOf<KernelOpKind::Kind>(),
#include "sora/Core/KernelOps.def"
};

} // namespace

/// The stages of op `index` of `spec` from the values built so far.
static OpStages buildOp(const KernelSpec &spec, size_t index,
                        const std::vector<Value> &values,
                        const ScheduleRecord &schedule) {
  const KernelOp &op = spec.ops[index];
  std::vector<Value> operands;
  for (int id : op.operands)
    operands.push_back(values[id]);
  std::string name = spec.name + "_op" + std::to_string(index);
  OpStages stages = kBuilders[(size_t)op.kind](op, operands, name, schedule);
  propagateRunTimeExtents(op, operands, stages.value);
  return stages;
}

HalideKernel buildHalideKernel(const KernelSpec &spec, bool gpu) {
  std::string error = validateKernel(spec);
  if (!error.empty())
    throw CompileError(error);

  HalideKernel kernel;
  std::vector<Value> values;
  for (size_t i = 0; i < spec.args.size(); ++i) {
    const Shape &shape = spec.args[i];
    Type type = spec.int64Args.count((int)i) ? Int(64) : Float(32);
    ImageParam param(type, (int)shape.size(),
                     spec.name + "_a" + std::to_string(i));
    auto runTime = spec.runTimeArgs.find((int)i);
    Shape least = runTime == spec.runTimeArgs.end() ? Shape() : runTime->second;
    declareDenseBounds(param, shape, least);
    kernel.args.push_back(param);
    values.push_back(readWithinRun(param, shape, least));
  }
  // The anchor, if any, owns the output's loop nest; other ops' own stages
  // (recurrences, copies' lookups) are placed as they are built.
  bool cpuSchedule = spec.autoscheduler.empty() && !gpu;
  ScheduleRecord schedule = spec.schedule;
  schedule.gpu = gpu;
  std::optional<OpStages> anchor, transpose;
  size_t anchorIndex = 0;
  std::vector<OpStages> rowProducers, imageProducers;
  // A row producer reads its weights as they are: the schedule's packing
  // and algorithm are the anchor's.
  ScheduleRecord producerSchedule = schedule;
  producerSchedule.packWeights = 0;
  producerSchedule.winograd = 0;
  // GPU kernels: stages that run on the host (checks), not on the device.
  std::vector<Func> hostStages;
  for (size_t i = 0; i < spec.ops.size(); ++i) {
    bool producer = isRowProducer(spec, i);
    OpStages stages;
    if (producer) {
      // Its input read clamped: defined on its consumer's padding too.
      std::vector<Value> clamped = values;
      Value &input = clamped[spec.ops[i].operands[0]];
      input.func = clampDims(input, {1, 2});
      stages = buildOp(spec, i, clamped, producerSchedule);
    } else {
      stages = buildOp(spec, i, values, schedule);
    }
    values.push_back(stages.value);
    if (cpuSchedule)
      scheduleOwnStages(stages, schedule);
    if (gpu && stages.hostCheck.defined())
      hostStages.push_back(stages.hostCheck);
    if (producer)
      rowProducers.push_back(std::move(stages));
    else if (isImageProducer(spec, i))
      imageProducers.push_back(std::move(stages));
    else if (fusionRole(stages.kind) == FusionRole::Anchor) {
      anchor = std::move(stages);
      anchorIndex = i;
    } else if (stages.kind == KernelOpKind::Transpose)
      transpose = std::move(stages);
  }
  if (anchor) {
    anchor->rowProducers = std::move(rowProducers);
    // The image producer's loop nest is the Func its consumer reads (its
    // value, or the epilogue's after it).
    for (OpStages &producer : imageProducers)
      producer.value.func = values[spec.ops[anchorIndex].operands[0]].func;
    anchor->imageProducers = std::move(imageProducers);
  }

  // The output wraps the result so that it is always a fresh pure Func; the
  // result's own Func (an anchor value or an epilogue op) is inlined into it.
  const Value &result = values[spec.result];
  if (result.least != spec.runTimeResult)
    throw CompileError("kernel '" + spec.name +
                       "': its result's run-time extents differ from those "
                       "its spec gives");
  std::vector<Var> vars = makeVars(result.shape.size(), "d");
  kernel.output = Func(spec.name + "_result");
  kernel.output(vars) = result.func(vars);
  declareDenseBounds(kernel.output.output_buffer(), result.shape, result.least);

  if (!spec.autoscheduler.empty()) {
    // Scheduled by an autoscheduler when compiled (HalideBackend.cpp),
    // from these estimates.
    Region estimates;
    for (auto it = result.shape.rbegin(); it != result.shape.rend(); ++it)
      estimates.emplace_back(0, (int)*it);
    kernel.output.set_estimates(estimates);
  } else if (gpu) {
    scheduleGpu(kernel.output, hostStages, schedule);
  } else if (!anchor) {
    bool blocked = transpose && transpose->value.shape == result.shape &&
                   scheduleBlockTranspose(*transpose, kernel.output, schedule);
    if (!blocked)
      scheduleElementwise(kernel.output, result, schedule);
  } else if (anchor->value.shape == result.shape) {
    scheduleAnchor(*anchor, kernel.output, schedule);
  } else {
    // The epilogue broadcasts the anchor: give the anchor its own loop nest.
    anchor->value.func.compute_root();
    scheduleAnchor(*anchor, anchor->value.func, schedule);
    scheduleElementwise(kernel.output, result, schedule);
  }
  return kernel;
}

} // namespace sora
