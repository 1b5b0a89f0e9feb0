//===- Diagnostics.h - Frontend locations as MLIR locations -----*- C++ -*-===//
#ifndef SORA_FRONTEND_DIAGNOSTICS_H
#define SORA_FRONTEND_DIAGNOSTICS_H

#include "sora/Frontend/ModelAST.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

namespace sora {

/// The MLIR location of a source place (file:line:col).
mlir::Location toLocation(mlir::MLIRContext *context, const SourceLoc &loc);

/// The location of a particle: its name wrapped around its place, so that
/// verifier messages can name the particle.
mlir::Location particleLocation(mlir::MLIRContext *context,
                                const ParticleDecl &particle);

/// Starts an error at a source place.
mlir::InFlightDiagnostic emitErrorAt(mlir::MLIRContext *context,
                                     const SourceLoc &loc);

/// The candidate closest to `word` in edit distance, for "did you mean"
/// hints; empty when none is close (about a third of the word may differ).
std::string nearestSpelling(llvm::StringRef word,
                            llvm::ArrayRef<std::string> candidates);

/// Appends "; did you mean '<nearest>'?" when a candidate is close.
void addSpellingHint(mlir::InFlightDiagnostic &diag, llvm::StringRef word,
                     llvm::ArrayRef<std::string> candidates);

} // namespace sora

#endif
