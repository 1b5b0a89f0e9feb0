//===- DiagnosticPrinter.h - How the tools print diagnostics ----*- C++ -*-===//
//
// Diagnostics at a source place print as MLIR prints them (`file:line:col:
// error: ...`, the line, a caret); those without a line as `tool: error:
// ...` or `file: error: ...`; remarks as `file:line:col: remark: ...`.
// Model files are untrusted: a message or a source line that echoes a huge
// name or value is cut to a readable length.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_DIAGNOSTICPRINTER_H
#define SORA_FRONTEND_DIAGNOSTICPRINTER_H

#include "mlir/IR/Diagnostics.h"

#include <string>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace sora {

/// Longest message printed in full; longer ones are cut.
constexpr size_t kMaxDiagnosticMessage = 1000;
/// Longest source line echoed in full; longer ones show the part around the
/// column.
constexpr size_t kMaxEchoedLine = 160;

/// Prints the diagnostics of `context` to stderr while it lives.
class DiagnosticPrinter {
public:
  DiagnosticPrinter(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr,
                    std::string tool);
  ~DiagnosticPrinter();

private:
  mlir::LogicalResult print(mlir::Diagnostic &diag);

  mlir::MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  std::string tool;
  mlir::SourceMgrDiagnosticHandler sourceHandler;
  mlir::DiagnosticEngine::HandlerID id;
};

/// Makes running out of memory (a failed allocation in LLVM, MLIR or
/// operator new) print `<tool>: error: out of memory ...`, remove the files
/// registered with llvm::sys::RemoveFileOnSignal, and exit with status 1,
/// instead of aborting with a stack dump. `tool` must outlive the process.
void exitOnOutOfMemory(const char *tool);

/// Caps the process's address space at `bytes` (0: this machine's physical
/// memory), so that a runaway allocation (Halide's Adams2019 autoscheduler
/// grew past 24 GiB on ResNet-18's stem) fails inside the process, where
/// exitOnOutOfMemory reports it, before the system's OOM killer ends it
/// without a word. Never raises an existing limit; does nothing under
/// sanitizers, which reserve terabytes of address space.
void limitAddressSpace(uint64_t bytes);

} // namespace sora

#endif
