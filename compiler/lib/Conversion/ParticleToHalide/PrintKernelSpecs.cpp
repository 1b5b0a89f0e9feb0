//===- PrintKernelSpecs.cpp - Each kernel as the backend receives it ------===//

#include "sora/Conversion/KernelSpecBuilder.h"
#include "sora/Conversion/Passes.h"
#include "sora/Core/KernelSpecText.h"

#include "llvm/Support/raw_ostream.h"

namespace sora {
#define GEN_PASS_DEF_SORAPRINTKERNELSPECS
#include "sora/Conversion/Passes.h.inc"
} // namespace sora

using namespace mlir;

namespace {

struct PrintKernelSpecsPass
    : public sora::impl::SoraPrintKernelSpecsBase<PrintKernelSpecsPass> {
  void runOnOperation() override {
    getOperation().walk([&](sora::particle::KernelOp kernel) {
      FailureOr<sora::KernelSpec> spec = sora::buildKernelSpec(kernel);
      if (failed(spec)) {
        signalPassFailure();
        return WalkResult::interrupt();
      }
      llvm::outs() << sora::printKernelSpec(*spec);
      return WalkResult::advance();
    });
    markAllAnalysesPreserved();
  }
};

} // namespace
