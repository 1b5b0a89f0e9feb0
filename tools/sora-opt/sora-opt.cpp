//===- sora-opt.cpp - Runs particle dialect passes on MLIR files ----------===//
//
// Like mlir-opt, with the particle dialect and every soracc pass registered:
// `sora-opt --sora-fuse model.mlir`.
//
//===----------------------------------------------------------------------===//

#include "sora/Pipeline/Registration.h"
#include "sora/Support/Version.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  sora::registerAllDialects(registry);
  sora::registerAllPasses();
  sora::setVersionPrinter("sora-opt");
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "soracc optimizer driver\n", registry));
}
