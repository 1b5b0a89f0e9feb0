//===- Diagnostics.cpp - Frontend locations as MLIR locations -------------===//

#include "sora/Frontend/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace sora {

mlir::Location toLocation(mlir::MLIRContext *context, const SourceLoc &loc) {
  return mlir::FileLineColLoc::get(context, loc.file, loc.line, loc.col);
}

mlir::Location particleLocation(mlir::MLIRContext *context,
                                const ParticleDecl &particle) {
  return mlir::NameLoc::get(mlir::StringAttr::get(context, particle.name),
                            toLocation(context, particle.loc));
}

mlir::InFlightDiagnostic emitErrorAt(mlir::MLIRContext *context,
                                     const SourceLoc &loc) {
  return mlir::emitError(toLocation(context, loc));
}

std::string nearestSpelling(llvm::StringRef word,
                            llvm::ArrayRef<std::string> candidates) {
  std::string best;
  unsigned bestDistance = std::max<unsigned>(2, word.size() / 3) + 1;
  for (const std::string &candidate : candidates) {
    unsigned d = word.edit_distance(candidate, true, bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

void addSpellingHint(mlir::InFlightDiagnostic &diag, llvm::StringRef word,
                     llvm::ArrayRef<std::string> candidates) {
  std::string hint = nearestSpelling(word, candidates);
  if (!hint.empty())
    diag << "; did you mean '" << hint << "'?";
}

} // namespace sora
