//===- Opset18.h - Opset-18 models in their opset-17 form -------*- C++ -*-===//
//
// Debian's libonnx (1.12) knows the operators up to opset 17: its shape
// inference reads an opset-18 node by the opset-17 schema. Opset 18 moved
// the axes of the Reduce* operators and of Pad into inputs, gave Split
// num_outputs, Resize antialias/axes/keep_aspect_ratio_policy, LpPool
// ceil_mode and Scatter* two more reductions, and added Mish and
// GroupNormalization (among others). Each of those is rewritten here into
// the opset-17 nodes that compute the same thing, so that the rest of the
// importer sees an opset-17 model.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_FRONTEND_ONNX_OPSET18_H
#define SORA_FRONTEND_ONNX_OPSET18_H

#include <onnx/onnx_pb.h>

#include <string>

namespace sora::onnximport {

/// Rewrites the main graph of an opset-18 `proto` into opset 17, in place,
/// and makes 17 its default opset:
/// - Reduce* with an axes input: the axes attribute (an empty list with
///   noop_with_empty_axes: the reduction's function of each element);
/// - Pad with an axes input: pads for every axis (zero elsewhere);
/// - Split with num_outputs: the sizes of the parts, the last one smaller;
/// - Resize antialias 0 and keep_aspect_ratio_policy "stretch", LpPool
///   ceil_mode 0: dropped (other values stay, and validation reports them);
/// - Mish: Softplus, Tanh, Mul;
/// - GroupNormalization (a scale and bias per group): InstanceNormalization
///   of the input reshaped to [N, groups, rest], reshaped back.
/// Operators new in opset 18 otherwise are left for validation to report.
/// False with a one-line `error` naming the node where a form cannot be
/// rewritten (axes computed at run time, a rank or extent not known).
bool downgradeOpset18(onnx::ModelProto &proto, std::string &error);

} // namespace sora::onnximport

#endif
