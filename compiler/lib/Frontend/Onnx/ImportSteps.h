//===- ImportSteps.h - The steps of an ONNX import --------------*- C++ -*-===//
//
//   load (OnnxModel) → foldConstants → widenWindows → fusePatterns
//                    → validateModel
//                    → lowerModel (only when nothing was reported)
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_IMPORTSTEPS_H
#define SORA_FRONTEND_ONNX_IMPORTSTEPS_H

#include "GraphBuilder.h"
#include "OpTable.h"

namespace sora::onnximport {

/// Turns Constant nodes, Identity of constants and shape arithmetic on
/// constants (Shape of a static value, Gather, Unsqueeze, Concat, Cast, ...)
/// into constants, removing those nodes, replaces an If on a constant
/// condition by the branch it takes, and drops nodes whose outputs nobody
/// reads. Returns true if it changed the graph.
bool foldConstants(OnnxModel &model);

/// Rewrites Conv, ConvTranspose, pools and BatchNormalization over
/// [N, C, L] into their 2-D
/// forms over [N, C, 1, L] between an Unsqueeze and a Squeeze. Returns true
/// if it rewrote any (shapes must then be inferred again).
bool widenWindows(OnnxModel &model);

/// Rewrites node patterns into single nodes: Gather of a 2-D initializer at
/// run-time ids (domain soracc Embedding), Conv + BatchNormalization
/// (folded weights), MatMul + Add of a constant (domain soracc MatMul with a
/// bias input), the erf form of GELU, decomposed layer normalization, and
/// scalar Mul/Div folded into the weights of the linear node feeding them.
void fusePatterns(OnnxModel &model);

/// Checks graph inputs, outputs and every node; returns every unsupported
/// construct found.
Problems validateModel(const OnnxModel &model);

/// Builds the particle graph of a validated model; fills `weights`.
ModelAST lowerModel(const OnnxModel &model, TensorMap &weights);

} // namespace sora::onnximport

#endif
