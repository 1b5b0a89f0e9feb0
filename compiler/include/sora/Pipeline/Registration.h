//===- Registration.h - Everything soracc registers with MLIR ---*- C++ -*-===//
#ifndef SORA_PIPELINE_REGISTRATION_H
#define SORA_PIPELINE_REGISTRATION_H

namespace mlir {
class DialectRegistry;
}

namespace sora {

/// The dialects soracc's IR can hold: particle, func, LLVM (+ translations).
void registerAllDialects(mlir::DialectRegistry &registry);

/// Every soracc pass and pipeline, plus MLIR's canonicalize/cse, under their
/// command-line names (for sora-opt and soracc's IR printing flags).
void registerAllPasses();

} // namespace sora

#endif
