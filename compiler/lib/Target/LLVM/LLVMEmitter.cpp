//===- LLVMEmitter.cpp - Graph driver and weights to objects --------------===//

#include "sora/Target/LLVMEmitter.h"

#include "OutputFile.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

namespace sora {

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const TargetInfo &target, std::string &error) {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
  llvm::Triple triple(target.triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  return std::unique_ptr<llvm::TargetMachine>(llvmTarget->createTargetMachine(
      triple, target.cpu, /*Features=*/"", llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Default));
}

/// Runs LLVM's -O2 pipeline and writes the module as an object file.
static bool writeObject(llvm::Module &module, llvm::TargetMachine &machine,
                        const std::string &path, std::string &error) {
  module.setTargetTriple(machine.getTargetTriple());
  module.setDataLayout(machine.createDataLayout());

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2)
      .run(module, mam);

  // A plain stream: the caller's scratch files own the path's removal (a
  // ToolOutputFile's keep() would cancel its removal on a signal).
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = cannotWrite(path, ec);
    return false;
  }
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, out, nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    error = "the LLVM target cannot emit object files";
    return false;
  }
  codegen.run(module);
  return closeChecked(out, path, error);
}

mlir::LogicalResult emitDriver(mlir::ModuleOp module, const TargetInfo &target,
                               const std::string &irPath,
                               const std::string &objectPath) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "sora_driver");
  if (!llvmModule)
    return module.emitError("cannot translate the graph driver to LLVM IR");
  std::string error;
  auto machine = createTargetMachine(target, error);
  if (!machine)
    return module.emitError()
           << "no LLVM target for '" << target.triple << "': " << error;
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  if (!irPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream out(irPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return module.emitError(cannotWrite(irPath, ec));
    llvmModule->print(out, nullptr);
  }
  if (!objectPath.empty() &&
      !writeObject(*llvmModule, *machine, objectPath, error))
    return module.emitError(error);
  return mlir::success();
}

std::string
weightBlob(const std::vector<WeightSlot> &layout,
           const std::function<void(const std::string &, char *)> &fill) {
  std::string blob(weightBlobSize(layout), '\0');
  for (const WeightSlot &slot : layout)
    fill(slot.name, blob.data() + slot.offset);
  return blob;
}

} // namespace sora
