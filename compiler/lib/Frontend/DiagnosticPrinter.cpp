//===- DiagnosticPrinter.cpp - How the tools print diagnostics ------------===//

#include "sora/Frontend/DiagnosticPrinter.h"
#include "sora/Support/StatusLine.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <new>
#include <sys/resource.h>
#include <unistd.h>

namespace sora {
namespace {

const char *severityName(mlir::DiagnosticSeverity severity) {
  switch (severity) {
  case mlir::DiagnosticSeverity::Error:
    return "error";
  case mlir::DiagnosticSeverity::Warning:
    return "warning";
  case mlir::DiagnosticSeverity::Remark:
    return "remark";
  case mlir::DiagnosticSeverity::Note:
    return "note";
  }
  return "error";
}

llvm::SmallVector<llvm::StringRef> linesOf(llvm::StringRef message) {
  llvm::SmallVector<llvm::StringRef> lines;
  message.split(lines, '\n');
  return lines;
}

/// `message` with each of its lines cut to kMaxDiagnosticMessage.
std::string capMessage(llvm::StringRef message) {
  std::string capped;
  llvm::SmallVector<llvm::StringRef> lines = linesOf(message);
  for (llvm::StringRef line : lines) {
    if (line.data() != lines.front().data())
      capped += '\n';
    capped += line.take_front(kMaxDiagnosticMessage).str();
    if (line.size() > kMaxDiagnosticMessage)
      capped += "... (" + std::to_string(line.size() - kMaxDiagnosticMessage) +
                " more characters)";
  }
  return capped;
}

bool hasLongLine(llvm::StringRef message) {
  return llvm::any_of(linesOf(message), [](llvm::StringRef line) {
    return line.size() > kMaxDiagnosticMessage;
  });
}

/// Line `line` (1-based) of the buffer named `file`, from the source
/// manager or, failing that, from the file.
std::string sourceLine(llvm::SourceMgr &sourceMgr, llvm::StringRef file,
                       unsigned line) {
  std::unique_ptr<llvm::MemoryBuffer> read;
  const llvm::MemoryBuffer *buffer = nullptr;
  for (unsigned i = 1; i <= sourceMgr.getNumBuffers() && !buffer; ++i)
    if (sourceMgr.getMemoryBuffer(i)->getBufferIdentifier() == file)
      buffer = sourceMgr.getMemoryBuffer(i);
  if (!buffer) {
    auto opened = llvm::MemoryBuffer::getFile(file, /*IsText=*/true);
    if (!opened)
      return "";
    read = std::move(*opened);
    buffer = read.get();
  }
  llvm::StringRef text = buffer->getBuffer();
  for (unsigned i = 1; i < line && !text.empty(); ++i)
    text = text.split('\n').second;
  return text.split('\n').first.rtrim('\r').str();
}

} // namespace

DiagnosticPrinter::DiagnosticPrinter(mlir::MLIRContext &context,
                                     llvm::SourceMgr &sourceMgr,
                                     std::string tool)
    : context(context), sourceMgr(sourceMgr), tool(std::move(tool)),
      sourceHandler(sourceMgr, &context) {
  startStatus(this->tool.c_str());
  // Registered after the source manager's handler, so asked first.
  id = context.getDiagEngine().registerHandler(
      [this](mlir::Diagnostic &diag) { return print(diag); });
}

DiagnosticPrinter::~DiagnosticPrinter() {
  context.getDiagEngine().eraseHandler(id);
}

mlir::LogicalResult DiagnosticPrinter::print(mlir::Diagnostic &diag) {
  clearStatus(); // a progress line would run into the message
  std::string prefix = tool;
  std::string echo;
  mlir::Location loc = diag.getLocation();
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(loc))
    loc = name.getChildLoc();
  std::string message = diag.str();
  if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(loc)) {
    prefix = file.getFilename().str();
    bool remark = diag.getSeverity() == mlir::DiagnosticSeverity::Remark;
    if (remark || file.getLine() != 0)
      prefix += ":" + std::to_string(file.getLine()) + ":" +
                std::to_string(file.getColumn());
    if (file.getLine() != 0 && !remark) {
      std::string line =
          sourceLine(sourceMgr, file.getFilename(), file.getLine());
      if (!hasLongLine(message) && line.size() <= kMaxEchoedLine)
        return mlir::failure(); // the source manager prints it
      // The part of the line around the column, and the caret under it.
      size_t column = file.getColumn() ? file.getColumn() - 1 : 0;
      size_t begin =
          column > kMaxEchoedLine / 2 ? column - kMaxEchoedLine / 2 : 0;
      std::string lead = begin ? "..." : "";
      echo = lead + line.substr(begin, kMaxEchoedLine) +
             (begin + kMaxEchoedLine < line.size() ? "..." : "") + "\n" +
             std::string(lead.size() + column - begin, ' ') + "^\n";
    }
  } else if (!llvm::isa<mlir::UnknownLoc>(loc)) {
    return mlir::failure();
  }
  llvm::errs() << prefix << ": " << severityName(diag.getSeverity()) << ": "
               << capMessage(message) << "\n"
               << echo;
  for (mlir::Diagnostic &note : diag.getNotes())
    llvm::errs() << prefix << ": note: " << capMessage(note.str()) << "\n";
  return mlir::success();
}

static const char *outOfMemoryTool = "soracc";

[[noreturn]] static void exitOutOfMemory() {
  // Nothing may be allocated here: write(2) the message, then remove the
  // registered scratch files as a signal would.
  const char *message = ": error: out of memory (the model needs more memory "
                        "than this process may use)\n";
  (void)!write(2, outOfMemoryTool, std::strlen(outOfMemoryTool));
  (void)!write(2, message, std::strlen(message));
  llvm::sys::RunInterruptHandlers();
  _exit(1);
}

void exitOnOutOfMemory(const char *tool) {
  outOfMemoryTool = tool;
  std::set_new_handler(exitOutOfMemory);
  llvm::install_bad_alloc_error_handler(
      [](void *, const char *, bool) { exitOutOfMemory(); });
}

void limitAddressSpace(uint64_t bytes) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||     \
    __has_feature(memory_sanitizer)
  return;
#endif
#endif
  if (bytes == 0)
    bytes = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
  struct rlimit limit;
  if (bytes == 0 || getrlimit(RLIMIT_AS, &limit) != 0)
    return;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur <= bytes)
    return;
  limit.rlim_cur = bytes;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max)
    limit.rlim_cur = limit.rlim_max;
  (void)setrlimit(RLIMIT_AS, &limit);
}

} // namespace sora
