//===- GraphPicture.h - The fused graph as a Graphviz picture ---*- C++ -*-===//
#ifndef SORA_PIPELINE_GRAPHPICTURE_H
#define SORA_PIPELINE_GRAPHPICTURE_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace sora {

/// The planned graph of `module` (after sora-plan-memory) in Graphviz's DOT
/// language: each particle operation a box named after its particle, each
/// kernel a cluster labelled with its name, schedule and arena slot, the
/// model's inputs and outputs ellipses, edges along the data.
std::string graphToDot(mlir::ModuleOp module);

/// Renders DOT text with Graphviz's `dot` into SVG; false with `error` set
/// if `dot` is missing or fails.
bool renderSvg(const std::string &dot, std::string &svg, std::string &error);

} // namespace sora

#endif
