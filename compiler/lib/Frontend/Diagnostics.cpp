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

} // namespace sora
