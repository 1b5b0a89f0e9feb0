//===- KernelValidation.cpp - Checks a KernelSpec before building it ------===//
//
// Operands and extents are checked here; each op's shape and attributes by
// its kind's shape rule (sora/Core/KernelShapes.h), the one the particle's
// verifier uses too.
//
//===----------------------------------------------------------------------===//

#include "KernelValidation.h"

#include "sora/Core/KernelShapes.h"

#include <cctype>
#include <climits>

namespace sora {

/// Checks that every extent is positive and the element count fits Halide's
/// 32-bit indexing.
static std::string checkExtents(const Shape &shape) {
  int64_t elements = 1;
  for (int64_t extent : shape) {
    if (extent < 1)
      return "shape " + formatDims(shape) + " has a non-positive extent";
    elements *= extent;
    if (elements > INT32_MAX)
      return "shape " + formatDims(shape) + " has more than 2^31-1 elements";
  }
  return "";
}

static bool isIdentifier(const std::string &name) {
  if (name.empty() || std::isdigit((unsigned char)name[0]))
    return false;
  for (char c : name)
    if (!std::isalnum((unsigned char)c) && c != '_')
      return false;
  return true;
}

/// "op 2 (conv2d, particle 'c1' at model.json:4:5): " for messages.
static std::string describe(size_t index, const KernelOp &op) {
  std::string where =
      "op " + std::to_string(index) + " (" + kernelOpName(op.kind);
  if (!op.particle.empty())
    where += ", particle '" + op.particle + "'";
  if (!op.location.empty())
    where += " at " + op.location;
  return where + "): ";
}

/// Checks the ops one by one; `used` marks the values some op reads.
static std::string checkOps(const KernelSpec &spec, std::vector<bool> &used) {
  int numArgs = (int)spec.args.size();
  int anchors = 0;
  size_t previousAnchor = 0;
  for (size_t i = 0; i < spec.ops.size(); ++i) {
    const KernelOp &op = spec.ops[i];
    std::string where = describe(i, op);
    for (int id : op.operands) {
      if (id < 0 || id >= numArgs + (int)i)
        return where + "operand " + std::to_string(id) +
               " is not an argument or an earlier op";
      used[id] = true;
    }
    std::string error;
    std::optional<Shape> expected = inferKernelOpShape(
        op, KernelOperands::of(spec, op),
        ShapeError([&](const std::string &message) { error = message; }));
    if (!expected)
      return where + error;
    if (op.shape != *expected)
      return where + "result shape " + formatDims(op.shape) +
             " does not match the inferred " + formatDims(*expected);
    if (fusionRole(op.kind) != FusionRole::Anchor)
      continue;
    ++anchors;
    if (anchors > 2 || (anchors == 2 && !isRowProducer(spec, previousAnchor) &&
                        !isImageProducer(spec, previousAnchor)))
      return where + "a kernel holds at most one dense, conv, pool or "
                     "softmax (and a pointwise conv feeding a depthwise one, "
                     "or a conv feeding a pool)";
    previousAnchor = i;
  }
  return "";
}

std::string validateKernel(const KernelSpec &spec) {
  if (!isIdentifier(spec.name))
    return "kernel name '" + spec.name + "' is not a C identifier";
  std::string prefix = "kernel '" + spec.name + "': ";
  for (size_t i = 0; i < spec.args.size(); ++i) {
    std::string error = checkExtents(spec.args[i]);
    if (!error.empty())
      return prefix + "argument " + std::to_string(i) + ": " + error;
  }
  for (int id : spec.int64Args)
    if (id < 0 || id >= (int)spec.args.size())
      return prefix + "i64 argument " + std::to_string(id) +
             " is not an argument";
  for (size_t i = 0; i < spec.ops.size(); ++i) {
    std::string error = checkExtents(spec.ops[i].shape);
    if (!error.empty())
      return prefix + describe(i, spec.ops[i]) + error;
  }
  if (spec.result < 0 || spec.result >= spec.numValues())
    return prefix + "result " + std::to_string(spec.result) +
           " is not a value of the kernel";
  std::vector<bool> used(spec.numValues(), false);
  std::string error = checkOps(spec, used);
  if (!error.empty())
    return prefix + error;
  used[spec.result] = true;
  for (size_t i = 0; i < spec.ops.size(); ++i)
    if (!used[spec.args.size() + i])
      return prefix + describe(i, spec.ops[i]) + "is never used";
  error = checkSchedule(PartialSchedule::of(spec.schedule));
  if (!error.empty())
    return prefix + "schedule: " + error;
  return "";
}

} // namespace sora
