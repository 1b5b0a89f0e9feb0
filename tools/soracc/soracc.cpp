//===- soracc.cpp - The soracc compiler driver ----------------------------===//
//
//   soracc model.{json,sora,onnx,mlir} -o model.so [--target=T] [--emit=K]
//          [--name N] [--weights F] [--random-weights SEED] [--tuning-db F]
//          [--explain-schedules]
//          [--mlir-print-ir-after-all ...]
//
// Diagnostics print as `file:line:col: error: ...` with the source line and
// a caret; the exit code is 1 on any error and no output file is left.
//
//===----------------------------------------------------------------------===//

#include "sora/Frontend/DiagnosticPrinter.h"
#include "sora/Frontend/OnnxImporter.h"
#include "sora/Pipeline/Compile.h"
#include "sora/Pipeline/Registration.h"
#include "sora/Support/Version.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

#include <cctype>
#include <csignal>
#include <iterator>
#include <malloc.h>

namespace cl = llvm::cl;
using sora::EmitKind;

static cl::OptionCategory category("soracc options");
static cl::OptionCategory mlirCategory("MLIR options (IR printing, timing)");

static cl::opt<std::string>
    inputFile(cl::Positional,
              cl::desc("<model.json|model.sora|model.onnx|model.mlir>"),
              cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init(""),
                                       cl::cat(category));
static cl::opt<EmitKind> emit(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::So),
    cl::values(
        clEnumValN(EmitKind::Json, "json", "the model as JSON (from the AST)"),
        clEnumValN(EmitKind::Sora, "sora", "the model as .sora (from the AST)"),
        clEnumValN(EmitKind::Mlir, "mlir",
                   "particle dialect from the frontend"),
        clEnumValN(EmitKind::MlirFused, "mlir-fused",
                   "after fusion, schedules and memory planning"),
        clEnumValN(EmitKind::Dot, "dot",
                   "that graph for Graphviz: kernels as clusters with their "
                   "schedule and arena slot"),
        clEnumValN(EmitKind::Svg, "svg", "that picture rendered by dot"),
        clEnumValN(EmitKind::Kernels, "kernels",
                   "each kernel as the Halide backend receives it"),
        clEnumValN(EmitKind::Halide, "halide", "Halide statements of kernels"),
        clEnumValN(EmitKind::Llvm, "llvm", "graph driver LLVM IR"),
        clEnumValN(EmitKind::Obj, "obj",
                   "one relocatable object exporting <name>_model only, "
                   "and its header"),
        clEnumValN(EmitKind::Lib, "lib",
                   "that object in a static archive, and its header"),
        clEnumValN(EmitKind::So, "so", "self-contained shared library"),
        clEnumValN(EmitKind::Header, "header",
                   "the model's C header (signature constants, "
                   "<name>_model)")),
    cl::cat(category));
static cl::opt<bool> emitObject("c", cl::desc("Same as --emit=obj"),
                                cl::cat(category));
static cl::opt<std::string>
    modelName("name",
              cl::desc("C prefix of the model's symbols (<name>_model) and "
                       "header constants; default: the model's name made a "
                       "C identifier"),
              cl::value_desc("identifier"), cl::init(""), cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("host, x86-64-avx2, x86-64-avx512 "
                                            "or aarch64-linux"),
                                   cl::init("host"), cl::cat(category));
static cl::opt<std::string> weightsFile("weights",
                                        cl::desc("Safetensors weights file"),
                                        cl::value_desc("file"), cl::init(""),
                                        cl::cat(category));
static cl::opt<bool> weightsExternal(
    "weights-external",
    cl::desc("Write the weights beside the output (<stem>.weights), mapped "
             "and checked by the runtime at model creation, instead of into "
             "it"),
    cl::cat(category));
static cl::opt<std::string> maxMemory(
    "max-memory",
    cl::desc("Refuse a model whose weights and arena together need more "
             "than this when it runs (K, M, G, T: powers of 1024)"),
    cl::value_desc("size"), cl::init(""), cl::cat(category));
static cl::opt<std::string> compileMemory(
    "compile-memory",
    cl::desc("Address space soracc itself may use while compiling (default: "
             "this machine's physical memory); past it, the compile fails "
             "with an out-of-memory error (K, M, G, T: powers of 1024)"),
    cl::value_desc("size"), cl::init(""), cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Give an ONNX model's input this shape, pinning its dynamic "
             "dimensions (repeat for more inputs)"),
    cl::value_desc("name=d0,d1,..."), cl::cat(category));
static cl::opt<unsigned> maxBatch(
    "max-batch",
    cl::desc("Compile once for 1 to this many samples per run (the first "
             "dimension of every input and output), after checking that no "
             "particle mixes samples"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<unsigned> maxSequence(
    "max-sequence",
    cl::desc("Compile a token model once for 1 to this many tokens per "
             "run (an ONNX model's dynamic input dimensions; dimension 1 of "
             "a JSON or .sora model's first input)"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<uint64_t> randomWeights("random-weights",
                                       cl::desc("Fill weights from this seed"),
                                       cl::value_desc("seed"),
                                       cl::cat(category));

static cl::opt<unsigned>
    jobs("j",
         cl::desc("Kernels compiled at a time (default: one per hardware "
                  "thread); the library is the same whatever the number"),
         cl::value_desc("N"), cl::init(0), cl::cat(category));

static cl::opt<std::string>
    tuningDb("tuning-db",
             cl::desc("Schedules tuned by sora-tune replace the heuristics' "
                      "for the kernels the database has"),
             cl::value_desc("file"), cl::init(""), cl::cat(category));
static cl::opt<int>
    threads("tuning-threads",
            cl::desc("Threads the library will run with: selects the tuning "
                     "database's entries (default: this machine's CPUs)"),
            cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<bool> explainSchedules(
    "explain-schedules",
    cl::desc("Print each kernel's schedule and where it came from (tuning "
             "database, heuristics, the IR)"),
    cl::cat(category));

/// What schedules the kernels (the names are Halide's autoschedulers').
enum class ScheduleSource { Records, Adams2019, Mullapudi2016, Li2018 };
static cl::opt<ScheduleSource> scheduleSource(
    "schedule-source",
    cl::desc("What schedules the kernels: their schedule records "
             "(heuristics, tuning database) or a Halide autoscheduler"),
    cl::init(ScheduleSource::Records),
    cl::values(clEnumValN(ScheduleSource::Records, "records",
                          "the schedule records (default)"),
               clEnumValN(ScheduleSource::Adams2019, "adams2019",
                          "Halide's Adams2019"),
               clEnumValN(ScheduleSource::Mullapudi2016, "mullapudi2016",
                          "Halide's Mullapudi2016"),
               clEnumValN(ScheduleSource::Li2018, "li2018", "Halide's Li2018")),
    cl::cat(category));

static cl::opt<bool> listOnnxOperators(
    "list-onnx-operators",
    cl::desc("Print the ONNX operators soracc imports (a Markdown table, "
             "as docs/onnx.md shows it) and exit"),
    cl::cat(category));

/// The supported-operator table as docs/onnx.md prints it.
static void printOnnxOperators() {
  llvm::outs()
      << "| ONNX operator | particles | notes |\n| --- | --- | --- |\n";
  for (const sora::OnnxOperatorInfo &op : sora::onnxOperatorTable())
    llvm::outs() << "| " << op.onnxOp << " | " << op.particles << " |"
                 << (op.notes.empty() ? " " : " " + op.notes + " ") << "|\n";
}

/// "512M", "2G", "1048576": bytes (suffixes K, M, G, T are powers of 1024,
/// optionally followed by "iB" or "B"); 0 for a malformed or zero size.
static uint64_t parseByteSize(llvm::StringRef text) {
  uint64_t value = 0;
  llvm::StringRef rest = text.trim();
  if (rest.consumeInteger(10, value))
    return 0;
  rest = rest.trim();
  if (!rest.consume_back_insensitive("ib"))
    rest.consume_back_insensitive("b");
  if (rest.size() > 1)
    return 0;
  unsigned shift = 0;
  if (!rest.empty()) {
    size_t index = llvm::StringRef("KMGT").find(
        (char)std::toupper((unsigned char)rest[0]));
    if (index == llvm::StringRef::npos)
      return 0;
    shift = 10 * (unsigned)(index + 1);
  }
  if (value > (UINT64_MAX >> shift))
    return 0;
  return value << shift;
}

/// The bytes a size option gives (0 when it is not given); false, after
/// reporting it, when the option is not a size.
static bool sizeOption(const cl::opt<std::string> &option, uint64_t &bytes) {
  if (!option.getNumOccurrences())
    return true;
  bytes = parseByteSize(option);
  if (bytes == 0)
    llvm::errs() << "soracc: error: --" << option.ArgStr << "='" << option
                 << "' is not a size (bytes, or with K, M, G or T: 512M, 2G)\n";
  return bytes != 0;
}

/// Signals that stop a compile (LLVM's handler removes the scratch files
/// and the partial output, then re-raises). One the parent ignored (a
/// background job's SIGINT, nohup's SIGHUP) stays ignored: LLVM's handler
/// would remove the files and then let the compile go on without them.
class KeepIgnoredSignals {
public:
  KeepIgnoredSignals() {
    for (size_t i = 0; i < std::size(kSignals); ++i) {
      struct sigaction old;
      ignored[i] = sigaction(kSignals[i], nullptr, &old) == 0 &&
                   old.sa_handler == SIG_IGN;
    }
  }
  /// Puts the ignored ones back after LLVM installed its handlers.
  void restore() const {
    for (size_t i = 0; i < std::size(kSignals); ++i)
      if (ignored[i])
        std::signal(kSignals[i], SIG_IGN);
  }

private:
  static constexpr int kSignals[] = {SIGHUP, SIGINT, SIGTERM, SIGQUIT};
  bool ignored[std::size(kSignals)] = {};
};

int main(int argc, char **argv) {
  KeepIgnoredSignals ignoredSignals;
  llvm::InitLLVM init(argc, argv);
  ignoredSignals.restore();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  sora::registerAllPasses();
  // --help shows soracc's options and MLIR's mlir-* ones, not the hundreds
  // of LLVM backend options that the linked-in targets register.
  auto &registered = cl::getRegisteredOptions();
  for (auto &entry : registered)
    if (entry.first.starts_with("mlir-"))
      entry.second->addCategory(mlirCategory);
  // LLVM's --stats is soracc's: what the compile produced and took.
  if (auto stats = registered.find("stats"); stats != registered.end()) {
    stats->second->setDescription(
        "Print the kernels, the work per run, weight and arena bytes (with "
        "the arena's liveness lower bound) and compile time per phase");
    stats->second->addCategory(category);
  }
  cl::HideUnrelatedOptions({&category, &mlirCategory});
  sora::setVersionPrinter("soracc");
  cl::ParseCommandLineOptions(argc, argv, "soracc: particle graph compiler\n");
  if (listOnnxOperators) {
    printOnnxOperators();
    return 0;
  }
  if (threads < 0) {
    llvm::errs() << "soracc: error: --tuning-threads must be 0 (this machine's "
                    "CPUs) or more\n";
    return 1;
  }
  uint64_t maxMemoryBytes = 0, compileMemoryBytes = 0;
  if (!sizeOption(maxMemory, maxMemoryBytes) ||
      !sizeOption(compileMemory, compileMemoryBytes))
    return 1;
  if (inputFile.empty()) {
    llvm::errs() << "soracc: error: no input file (see soracc --help)\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  sora::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  sora::DiagnosticPrinter printer(context, sourceMgr, "soracc");
  sora::exitOnOutOfMemory("soracc");
  sora::limitAddressSpace(compileMemoryBytes);
  // A compile copies every weight tensor several times (import, layout,
  // packing, the blob) through short-lived buffers of up to tens of MiB.
  // glibc maps each such buffer afresh and unmaps it when freed, so every
  // copy page-faults anew (ResNet-18: a third of the frontend's time in the
  // kernel's fault path); kept in the heap, freed buffers are reused.
  // --stats on resnet18: pipeline 400 -> 155 ms, frontend 770 -> 650.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  sora::CompileOptions options;
  options.input = inputFile;
  options.output = outputFile;
  options.weightsFile = weightsFile;
  if (randomWeights.getNumOccurrences())
    options.randomWeightsSeed = randomWeights;
  for (const std::string &spec : inputShapes) {
    std::string problem;
    if (!sora::parseInputShape(spec, options.inputShapes, problem)) {
      llvm::errs() << "soracc: error: " << problem << "\n";
      return 1;
    }
  }
  if (maxBatch.getNumOccurrences() && (maxBatch < 1 || maxBatch > (1u << 20))) {
    llvm::errs() << "soracc: error: --max-batch expects 1 to 1048576, got "
                 << maxBatch << "\n";
    return 1;
  }
  options.maxBatch = maxBatch;
  if (maxSequence.getNumOccurrences() &&
      (maxSequence < 2 || maxSequence > (1u << 20))) {
    llvm::errs() << "soracc: error: --max-sequence expects 2 to 1048576, got "
                 << maxSequence << "\n";
    return 1;
  }
  options.maxSequence = maxSequence;
  options.target = target;
  options.name = modelName;
  options.weightsExternal = weightsExternal;
  options.maxMemory = maxMemoryBytes;
  options.stats = llvm::AreStatisticsEnabled(); // LLVM's own --stats flag
  options.jobs = jobs;
  options.tuningDb = tuningDb;
  options.threads = threads;
  options.explainSchedules = explainSchedules;
  constexpr const char *autoschedulers[] = {"", "Adams2019", "Mullapudi2016",
                                            "Li2018"};
  options.autoscheduler = autoschedulers[(int)scheduleSource.getValue()];
  options.emit = emitObject ? EmitKind::Obj : emit.getValue();
  auto configure = [](mlir::PassManager &pm) {
    // --mlir-timing: a report per pass manager (this probe reports nothing).
    mlir::DefaultTimingManager probe;
    mlir::applyDefaultTimingManagerCLOptions(probe);
    bool timing = probe.isEnabled();
    probe.setEnabled(false);
    if (timing)
      pm.enableTiming();
    return mlir::succeeded(mlir::applyPassManagerCLOptions(pm));
  };
  return sora::compileModel(options, context, sourceMgr, configure) ? 0 : 1;
}
