//===- KernelSpecText.cpp - The text form of a kernel spec ----------------===//

#include "sora/Core/KernelSpecText.h"

#include <sstream>

namespace sora {

std::string formatSchedule(const ScheduleRecord &schedule) {
  PartialSchedule record = PartialSchedule::of(schedule);
  size_t count;
  const ScheduleField *fields = scheduleFields(count);
  std::ostringstream os;
  for (size_t i = 0; i < count; ++i)
    os << (i ? ", " : "") << fields[i].key << " = "
       << *(record.*fields[i].member);
  return os.str();
}

namespace {

/// Prints "name = value" for each attribute of an op that differs from a
/// default-constructed KernelOp's.
class AttributePrinter {
public:
  template <typename T>
  void field(const char *name, const T &value, const T &fallback) {
    if (value == fallback)
      return;
    os << (first ? "" : ", ") << name << " = ";
    print(value);
    first = false;
  }
  std::string str() const {
    return first ? std::string() : " {" + os.str() + "}";
  }

private:
  void print(int64_t v) { os << v; }
  void print(bool v) { os << (v ? "true" : "false"); }
  void print(const std::string &v) { os << '"' << v << '"'; }
  void print(float v) { os << formatNumber(v); }
  void print(double v) { os << formatNumber(v); }
  template <typename T> void print(const T &values) {
    os << '[';
    bool firstValue = true;
    for (const auto &v : values) {
      os << (firstValue ? "" : ", ");
      print(v);
      firstValue = false;
    }
    os << ']';
  }

  std::ostringstream os;
  bool first = true;
};

std::string attributes(const KernelOp &op) {
  KernelOp d; // the defaults
  AttributePrinter p;
  p.field("window", op.window, d.window);
  p.field("strides", op.strides, d.strides);
  p.field("dilation", op.dilation, d.dilation);
  p.field("pad", op.pad, d.pad);
  p.field("axis", op.axis, d.axis);
  p.field("groups", op.groups, d.groups);
  p.field("transpose_a", op.transposeA, d.transposeA);
  p.field("transpose_b", op.transposeB, d.transposeB);
  p.field("align_corners", op.alignCorners, d.alignCorners);
  p.field("scale_factor", op.scaleFactor, d.scaleFactor);
  p.field("padding", std::string(gridPaddingName(op.gridPadding)),
          std::string(gridPaddingName(d.gridPadding)));
  p.field("mean", op.channelMean, d.channelMean);
  p.field("std", op.channelStd, d.channelStd);
  p.field("reduction", std::string(reduceKindName(op.reduction)),
          std::string(reduceKindName(d.reduction)));
  p.field("axes", op.axes, d.axes);
  p.field("keep_dims", op.keepDims, d.keepDims);
  p.field("scalars", op.scalars, d.scalars);
  p.field("perm", op.perm, d.perm);
  p.field("begin", op.begin, d.begin);
  p.field("step", op.step, d.step);
  p.field("low", op.low, d.low);
  p.field("high", op.high, d.high);
  return p.str();
}

/// " run-time [x1, 64]": the least extents of a value whose extents a run
/// chooses, "x" marking the dimensions that are multiples of them; "" for
/// a fixed shape.
std::string runTimeExtents(const Shape &shape, const Shape &least) {
  if (least.empty())
    return "";
  std::string text = " run-time [";
  for (size_t d = 0; d < least.size(); ++d)
    text += (d ? ", " : "") + std::string(least[d] != shape[d] ? "x" : "") +
            std::to_string(least[d]);
  return text + "]";
}

} // namespace

std::string printKernelSpec(const KernelSpec &spec) {
  std::ostringstream os;
  os << "kernel " << spec.name << " schedule<" << formatSchedule(spec.schedule)
     << ">";
  if (!spec.runTimeResult.empty())
    os << " result"
       << runTimeExtents(spec.shapeOf(spec.result), spec.runTimeResult);
  os << "\n";
  for (size_t i = 0; i < spec.args.size(); ++i)
    os << "  %" << i << " = arg "
       << (spec.int64Args.count((int)i) ? "i64" : "f32")
       << formatDims(spec.args[i])
       << runTimeExtents(spec.args[i], spec.runTimeArgs.count((int)i)
                                           ? spec.runTimeArgs.at((int)i)
                                           : Shape())
       << "\n";
  for (size_t i = 0; i < spec.ops.size(); ++i) {
    const KernelOp &op = spec.ops[i];
    os << "  %" << spec.args.size() + i << " = " << kernelOpName(op.kind)
       << "(";
    for (size_t k = 0; k < op.operands.size(); ++k)
      os << (k ? ", " : "") << "%" << op.operands[k];
    os << ")" << attributes(op) << " : " << formatDims(op.shape);
    if (!op.particle.empty())
      os << "  // " << op.particle << (op.location.empty() ? "" : " at ")
         << op.location;
    else if (!op.location.empty())
      os << "  // " << op.location;
    os << "\n";
  }
  os << "  return %" << spec.result << "\n";
  return os.str();
}

} // namespace sora
