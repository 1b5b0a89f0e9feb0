//===- Compile.cpp - A model file to a compiled library -------------------===//

#include "sora/Pipeline/Compile.h"
#include "sora/Conversion/KernelSpecBuilder.h"
#include "sora/Conversion/WeightLayout.h"
#include "sora/Core/KernelSpecText.h"
#include "sora/Dialect/Particle/Passes.h"
#include "sora/Frontend/Diagnostics.h"
#include "sora/Frontend/DslModelParser.h"
#include "sora/Frontend/DslPrinter.h"
#include "sora/Frontend/JsonModelParser.h"
#include "sora/Frontend/JsonModelWriter.h"
#include "sora/Frontend/MLIRGen.h"
#include "sora/Frontend/OnnxImporter.h"
#include "sora/Frontend/WeightStore.h"
#include "sora/Pipeline/CompileStats.h"
#include "sora/Pipeline/GraphPicture.h"
#include "sora/Pipeline/Pipeline.h"
#include "sora/Pipeline/SampleIndependence.h"
#include "sora/Pipeline/SequenceBound.h"
#include "sora/Support/StatusLine.h"
#include "sora/Target/HalideBackend.h"
#include "sora/Target/LLVMEmitter.h"
#include "sora/Target/Linker.h"
#include "sora/Target/ModelHeader.h"
#include "sora/Target/TargetInfo.h"

#include "available_memory.h"
#include "sora/kernel_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <csignal>
#include <cstring>
#include <map>
#include <pthread.h>

namespace sora {
namespace {

/// Scratch files of one compile, named <tmp>/soracc-XXXXXX-<name> after a
/// unique anchor file. Each is registered with LLVM's signal handler as it
/// is named, so Ctrl-C, SIGTERM or a crash removes them all (the handler
/// removes files, not directories); the destructor removes them otherwise.
class ScratchFiles {
public:
  bool create(std::string &error) {
    // A signal between creating the anchor and registering it would leave
    // it behind: the signals that stop a compile wait until both are done.
    sigset_t stopSignals, before;
    sigemptyset(&stopSignals);
    for (int sig : {SIGHUP, SIGINT, SIGTERM, SIGQUIT})
      sigaddset(&stopSignals, sig);
    pthread_sigmask(SIG_BLOCK, &stopSignals, &before);
    llvm::SmallString<128> anchor;
    std::error_code ec =
        llvm::sys::fs::createTemporaryFile("soracc", "", anchor);
    if (!ec) {
      prefix = std::string(anchor);
      files.push_back(prefix);
      (void)llvm::sys::RemoveFileOnSignal(prefix);
    }
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    if (ec)
      error = "cannot create a temporary file: " + ec.message();
    return !ec;
  }
  ~ScratchFiles() {
    // The anchor (first) last, so its name stays taken until the end.
    for (auto file = files.rbegin(); file != files.rend(); ++file) {
      (void)llvm::sys::fs::remove(*file);
      llvm::sys::DontRemoveFileOnSignal(*file);
    }
  }
  std::string file(const std::string &name) {
    files.push_back(prefix + "-" + name);
    (void)llvm::sys::RemoveFileOnSignal(files.back());
    return files.back();
  }

private:
  std::string prefix;
  std::vector<std::string> files;
};

class Compiler {
public:
  Compiler(const CompileOptions &options, mlir::MLIRContext &context,
           llvm::SourceMgr &sourceMgr)
      : options(options), context(context), sourceMgr(sourceMgr) {}

  bool run(const std::function<bool(mlir::PassManager &)> &configure);
  /// The input file in the particle dialect, with its weights; sets
  /// `emitted` when `--emit=json/sora` wrote the output instead.
  bool load(mlir::OwningOpRef<mlir::ModuleOp> &module,
            std::unique_ptr<WeightStore> &weights, bool &emitted);
  /// The model file's `text` through its frontend, with every input's first
  /// extent `batch` when it is positive (--max-batch), and an ONNX model's
  /// other dynamic extents `tokens` when that is (--max-sequence).
  bool build(const std::string &text, int64_t batch, int64_t tokens,
             mlir::OwningOpRef<mlir::ModuleOp> &module,
             std::unique_ptr<WeightStore> &weights, bool &emitted);
  /// --max-sequence: the model built for one token less than the bound, and
  /// its weights, whose planned graph shows which extents follow the
  /// sequence (markRunTimeSequence).
  bool loadShorter(const std::string &text);
  /// Gives a JSON or .sora model's sequence dimensions `tokens`.
  bool setSequence(ModelAST &model, int64_t tokens);
  /// What --max-sequence takes: a CPU target, no --max-batch, N >= 2.
  bool checkSequenceOptions();
  mlir::OwningOpRef<mlir::ModuleOp> shorter;
  std::unique_ptr<WeightStore> shorterWeights;
  PipelineOptions pipelineOptions(const TargetInfo &target,
                                  WeightStore &weights) const;
  bool requireWeights(mlir::ModuleOp module, WeightStore &weights);
  /// Whether an MLIR input is one particle graph: a function without
  /// arguments or results whose outputs are particle.output.
  bool checkParticleGraph(mlir::ModuleOp module);

private:
  bool error(const llvm::Twine &message) {
    mlir::emitError(mlir::UnknownLoc::get(&context)) << message;
    return false;
  }
  std::unique_ptr<WeightStore>
  loadWeights(const std::optional<ModelAST> &model);
  std::unique_ptr<WeightStore> loadOnnxWeights(OnnxImport &onnx);
  bool writeText(const std::string &text);
  bool writeText(const std::string &text, const std::string &path);
  std::string outputPath(const char *extension) const;
  /// --max-batch: whether the graph is built for the largest batch and runs
  /// any up to it in one call (else it is one sample, run once per sample).
  bool runTimeBatch = false;
  /// The model's C prefix: --name, checked, or its name made an identifier.
  bool symbolPrefix(mlir::ModuleOp module, std::string &prefix);
  ModelSignature describeModel(mlir::ModuleOp module, const TargetInfo &target,
                               const std::string &prefix) const;
  /// The output of a library, object, archive or header emission.
  std::string libraryPath() const;
  /// A file that goes with the output: beside it, named after it
  /// (model.so -> model.weights, libmodel.a -> model.h).
  std::string companionPath(const char *extension) const;
  /// Links the compiled model into the output that --emit asks for, and
  /// writes the external weights (`blob`) and the header that go with it.
  bool link(const TargetInfo &target, const ModelObjects &model,
            const std::string &header, const std::string &blob);
  /// Whether the weight blob of `layout` fits the memory available, and
  /// the weights and arena of `arenaBytes` fit --max-memory.
  bool checkMemory(const std::vector<WeightSlot> &layout, int64_t arenaBytes);

  const CompileOptions &options;
  mlir::MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  CompileStats stats;
};

/// An ONNX model carries its weights (initializers): --random-weights
/// replaces them (benchmarks), --weights is an error.
std::unique_ptr<WeightStore> Compiler::loadOnnxWeights(OnnxImport &onnx) {
  if (!options.weightsFile.empty()) {
    error("--weights does not apply to ONNX models, which carry their "
          "weights; use --random-weights SEED to replace them");
    return nullptr;
  }
  if (options.randomWeightsSeed)
    return WeightStore::random(*options.randomWeightsSeed);
  return std::move(onnx.weights);
}

std::unique_ptr<WeightStore>
Compiler::loadWeights(const std::optional<ModelAST> &model) {
  if (!options.weightsFile.empty() && options.randomWeightsSeed) {
    error("give either --weights or --random-weights, not both");
    return nullptr;
  }
  if (options.randomWeightsSeed)
    return WeightStore::random(*options.randomWeightsSeed);
  if (!options.weightsFile.empty())
    return WeightStore::fromSafetensors(
        options.weightsFile, SourceLoc{options.weightsFile, 0, 0, ""}, context);
  if (!model) // MLIR names weights without a file
    return WeightStore::none();
  switch (model->weights.kind) {
  case WeightsDecl::File:
    return WeightStore::fromSafetensors(model->weights.file, model->weights.loc,
                                        context);
  case WeightsDecl::Inline:
    return WeightStore::fromInline(model->weights, context);
  case WeightsDecl::None:
    return WeightStore::none();
  }
  return nullptr;
}

bool Compiler::checkMemory(const std::vector<WeightSlot> &layout,
                           int64_t arenaBytes) {
  uint64_t bytes = 0;
  for (const WeightSlot &slot : layout)
    bytes += (uint64_t)slot.bytes;
  uint64_t running = bytes + (uint64_t)std::max<int64_t>(arenaBytes, 0);
  if (options.maxMemory && running > options.maxMemory)
    return error("the model needs " + bytesText((double)running) +
                 " when it runs (weights " + bytesText((double)bytes) +
                 ", arena " + bytesText((double)arenaBytes) +
                 "), more than --max-memory allows (" +
                 bytesText((double)options.maxMemory) + ")");
  // The blob is built in memory next to the weights it is built from.
  uint64_t available = sora_available_memory();
  if (bytes <= available / 2)
    return true;
  return error("the model's weights take " + std::to_string(bytes >> 20) +
               " MiB; building their blob needs about twice that, and this "
               "process has " +
               std::to_string(available >> 20) + " MiB available");
}

std::string Compiler::outputPath(const char *extension) const {
  if (!options.output.empty())
    return options.output;
  return llvm::sys::path::stem(options.input).str() + extension;
}

bool Compiler::writeText(const std::string &text) {
  return writeText(text, options.output.empty() ? "-" : options.output);
}

bool Compiler::writeText(const std::string &text, const std::string &path) {
  // Written to a temporary beside the output, renamed into place.
  llvm::Error written = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << text;
    return llvm::Error::success();
  });
  if (written)
    return error("cannot write '" + path +
                 "': " + llvm::toString(std::move(written)));
  return true;
}

/// The graph function of a planned module (the pipeline checked that there
/// is one).
static mlir::func::FuncOp graphFunction(mlir::ModuleOp module) {
  auto graphs = module.getOps<mlir::func::FuncOp>();
  return graphs.empty() ? nullptr : *graphs.begin();
}

bool Compiler::symbolPrefix(mlir::ModuleOp module, std::string &prefix) {
  if (options.name.empty()) {
    mlir::func::FuncOp graph = graphFunction(module);
    prefix = cIdentifier(graph ? graph.getName().str() : "model");
    return true;
  }
  if (!isCIdentifier(options.name))
    return error("--name '" + options.name +
                 "' is not a C identifier (letters, digits and '_', not "
                 "starting with a digit)");
  prefix = options.name;
  return true;
}

ModelSignature Compiler::describeModel(mlir::ModuleOp module,
                                       const TargetInfo &target,
                                       const std::string &prefix) const {
  ModelSignature model;
  model.symbol = prefix;
  model.source = llvm::sys::path::filename(options.input).str();
  model.target = target.name;
  mlir::func::FuncOp graph = graphFunction(module);
  if (!graph)
    return model;
  model.name = graph.getName().str();
  if (auto arena =
          graph->getAttrOfType<mlir::IntegerAttr>(particle::kArenaSizeAttr))
    model.arenaBytes = arena.getInt();
  // With --max-batch the signature holds the largest batch: the graph's, or
  // that times the graph's one sample when it runs once per sample.
  model.maxBatch = options.maxBatch;
  model.maxSequence = options.maxSequence;
  auto tensor = [&](llvm::StringRef name, mlir::Value value) {
    auto type = llvm::cast<mlir::RankedTensorType>(value.getType());
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    if (model.maxBatch && !runTimeBatch)
      shape[0] *= model.maxBatch;
    return ModelSignature::Tensor{name.str(), particle::isTokenIds(type),
                                  shape};
  };
  graph.walk([&](particle::InputOp input) {
    model.inputs.push_back(tensor(input.getName(), input));
  });
  graph.walk([&](particle::OutputOp output) {
    model.outputs.push_back(tensor(output.getName(), output.getValue()));
  });
  return model;
}

std::string Compiler::libraryPath() const {
  return outputPath(options.emit == EmitKind::So       ? ".so"
                    : options.emit == EmitKind::Lib    ? ".a"
                    : options.emit == EmitKind::Header ? ".h"
                                                       : ".o");
}

std::string Compiler::companionPath(const char *extension) const {
  std::string output = libraryPath();
  llvm::SmallString<256> path(llvm::sys::path::parent_path(output));
  llvm::StringRef stem = llvm::sys::path::stem(output);
  if (options.emit == EmitKind::Lib)
    stem.consume_front("lib");
  llvm::sys::path::append(path, stem + extension);
  return std::string(path);
}

bool Compiler::link(const TargetInfo &target, const ModelObjects &model,
                    const std::string &header, const std::string &blob) {
  std::string linkError;
  std::string output = libraryPath();
  bool linked = options.emit == EmitKind::So
                    ? linkSharedLibrary(target, model, output, linkError)
                : options.emit == EmitKind::Lib
                    ? linkModelArchive(target, model, output, linkError)
                    : linkModelObject(target, model, output, linkError);
  if (!linked)
    return error(linkError);
  // Then what goes with it, each written whole or not at all: the external
  // weights, and the header of an object or archive. A failure takes back
  // what was written.
  std::vector<std::string> written{output};
  auto write = [&](const std::string &text, const std::string &path) {
    if (!writeText(text, path)) {
      for (const std::string &file : written)
        (void)llvm::sys::fs::remove(file);
      return false;
    }
    written.push_back(path);
    return true;
  };
  if (options.weightsExternal && !write(blob, companionPath(".weights")))
    return false;
  return options.emit == EmitKind::So || write(header, companionPath(".h"));
}

bool Compiler::checkParticleGraph(mlir::ModuleOp module) {
  auto graphs = module.getOps<mlir::func::FuncOp>();
  size_t count = std::distance(graphs.begin(), graphs.end());
  std::string why;
  if (count != 1)
    why = "it has " + std::to_string(count) + " functions, not one graph";
  else if ((*graphs.begin()).getNumArguments() ||
           (*graphs.begin()).getNumResults())
    why = "its function takes arguments or returns results; a graph's "
          "inputs and outputs are particle.input and particle.output";
  else if ((*graphs.begin()).getOps<particle::OutputOp>().empty())
    why = "its function has no particle.output";
  if (why.empty())
    return true;
  return error("'" + options.input +
               "' is not a particle graph (soracc compiles .json, .sora and "
               ".onnx models, or the particle dialect --emit=mlir writes): " +
               why);
}

/// Every `particle.weight` of an MLIR input in `weights` (generated when
/// they are random), each with its shape.
bool Compiler::requireWeights(mlir::ModuleOp module, WeightStore &weights) {
  bool ok = true;
  module.walk([&](particle::WeightOp weight) {
    auto type = llvm::cast<mlir::RankedTensorType>(weight.getType());
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    // Random values scaled as the frontends scale them: by the fan-in, the
    // extent of every dimension but the last (a vector's own extent).
    int64_t fanIn = shape.size() == 1 ? shape[0] : 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i)
      fanIn *= shape[i];
    SourceLoc where{options.input, 0, 0, ""};
    if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(weight.getLoc()))
      where = SourceLoc{file.getFilename().str(), file.getLine(),
                        file.getColumn(), ""};
    ok &= weights.require(weight.getName().str(), shape, fanIn, where,
                          "particle.weight", "", context);
  });
  return ok;
}

bool Compiler::load(mlir::OwningOpRef<mlir::ModuleOp> &module,
                    std::unique_ptr<WeightStore> &weights, bool &emitted) {
  emitted = false;
  auto buffer = llvm::MemoryBuffer::getFile(options.input, /*IsText=*/true);
  if (!buffer)
    return error("cannot read '" + options.input +
                 "': " + buffer.getError().message());
  std::string text = (*buffer)->getBuffer().str();
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());

  // Particle dialect as `--emit=mlir` or `--emit=mlir-fused` wrote it (or
  // sora-tune's single-kernel models): the pipeline continues from it.
  if (llvm::sys::path::extension(options.input) == ".mlir") {
    if (options.emit == EmitKind::Json || options.emit == EmitKind::Sora)
      return error("--emit=json and --emit=sora need a model file, not MLIR");
    if (options.maxBatch || options.maxSequence)
      return error(
          std::string(options.maxBatch ? "--max-batch" : "--max-sequence") +
          " needs a model file (.json, .sora or .onnx), not MLIR");
    weights = loadWeights(std::nullopt);
    if (!weights)
      return false;
    module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
    return module && mlir::succeeded(mlir::verify(*module)) &&
           checkParticleGraph(*module) && requireWeights(*module, *weights);
  }

  if (!isOnnxModelPath(options.input) && !options.inputShapes.empty())
    return error("--input-shape applies to ONNX models; '" + options.input +
                 "' declares its input shapes");
  if (options.maxSequence)
    return checkSequenceOptions() &&
           build(text, 0, options.maxSequence, module, weights, emitted) &&
           (emitted || loadShorter(text));
  if (!options.maxBatch)
    return build(text, 0, 0, module, weights, emitted);
  if (options.emit == EmitKind::Json || options.emit == EmitKind::Sora)
    return error("--max-batch applies to compiled models, not --emit=json "
                 "or --emit=sora");
  for (const auto &[name, dims] : options.inputShapes)
    if (dims.empty() || dims[0] != options.maxBatch)
      return error("--input-shape " + name + "=...: with --max-batch " +
                   std::to_string(options.maxBatch) +
                   " the first extent is the batch; give " +
                   std::to_string(options.maxBatch) + " (the largest)");
  // One sample is what gets compiled; two and four show where the batch is
  // and that no particle mixes samples (not one and two: at batch 1 the
  // frontends simplify what moves unit dimensions).
  if (!build(text, 1, 0, module, weights, emitted))
    return false;
  mlir::OwningOpRef<mlir::ModuleOp> two, four;
  std::unique_ptr<WeightStore> twoWeights, fourWeights;
  if (!build(text, 2, 0, two, twoWeights, emitted) ||
      !build(text, 4, 0, four, fourWeights, emitted))
    return error("--max-batch: the model builds for one sample but not for "
                 "2 or 4 (above): its shapes do not follow the batch");
  auto sameForEverySample = [&](llvm::StringRef name,
                                llvm::ArrayRef<int64_t> dims, int64_t axis) {
    std::optional<std::vector<float>> values = twoWeights->read(name);
    if (!values || dims[axis] % 2)
      return false;
    // [before, 2, half]: the two samples' blocks side by side.
    size_t half = values->size();
    for (int64_t d = 0; d < axis; ++d)
      half /= dims[d];
    half /= 2;
    for (size_t at = 0; at < values->size(); at += 2 * half)
      if (std::memcmp(&(*values)[at], &(*values)[at + half],
                      half * sizeof(float)) != 0)
        return false;
    return true;
  };
  bool batchOutermost = false;
  if (mlir::failed(checkSamplesIndependent(*two, *four, sameForEverySample,
                                           batchOutermost)))
    return false;
  // Where every tensor holds the batch outermost, the graph built for the
  // largest batch runs any smaller one in one call, its kernels taking the
  // batch at run time; recurrences (whose steps slice the batch inside) and
  // GPU kernels run one sample at a time.
  const TargetInfo *target = lookupTarget(options.target);
  bool recurrent = false;
  module->walk([&](mlir::Operation *op) {
    recurrent |=
        mlir::isa<particle::LstmOp, particle::GruOp, particle::RnnOp>(op);
  });
  if (!batchOutermost || recurrent || !target || target->isGpu())
    return true;
  runTimeBatch = true;
  return build(text, options.maxBatch, 0, module, weights, emitted);
}

bool Compiler::checkSequenceOptions() {
  if (options.maxBatch)
    return error("--max-sequence and --max-batch cannot be combined (yet): "
                 "compile the batch into the model's shape with "
                 "--input-shape");
  const TargetInfo *target = lookupTarget(options.target);
  if (target && target->isGpu())
    return error("--max-sequence compiles for CPU targets, not '" +
                 target->name + "'");
  if (options.maxSequence < 2)
    return error("--max-sequence needs a bound of 2 or more tokens");
  return true;
}

bool Compiler::loadShorter(const std::string &text) {
  bool emitted = false;
  if (!build(text, 0, options.maxSequence - 1, shorter, shorterWeights,
             emitted))
    return error("--max-sequence: the model builds for " +
                 std::to_string(options.maxSequence) + " tokens but not for " +
                 std::to_string(options.maxSequence - 1) +
                 " (above): its shapes do not follow the sequence length");
  return true;
}

bool Compiler::setSequence(ModelAST &model, int64_t tokens) {
  // A model file declares its sequence as dimension 1 of its first input
  // ([batch, tokens, ...]); every input declaring that extent there, the
  // model's and its composites', holds it.
  if (model.inputs.empty() || model.inputs[0].shape.size() < 2)
    return error("--max-sequence: the first input of a JSON or .sora model "
                 "holds the sequence as its dimension 1 ([batch, tokens, "
                 "...]); " +
                 (model.inputs.empty()
                      ? std::string("this model has no input")
                      : "input '" + model.inputs[0].name + "' has rank " +
                            std::to_string(model.inputs[0].shape.size())));
  int64_t declared = model.inputs[0].shape[1];
  auto replace = [&](std::vector<InputDecl> &inputs) {
    for (InputDecl &input : inputs)
      if (input.shape.size() >= 2 && input.shape[1] == declared)
        input.shape[1] = tokens;
  };
  replace(model.inputs);
  for (CompositeDecl &composite : model.composites)
    replace(composite.inputs);
  return true;
}

bool Compiler::build(const std::string &text, int64_t batch, int64_t tokens,
                     mlir::OwningOpRef<mlir::ModuleOp> &module,
                     std::unique_ptr<WeightStore> &weights, bool &emitted) {
  std::optional<OnnxImport> onnx;
  if (isOnnxModelPath(options.input)) {
    onnx = importOnnxModel(options.input, context, options.inputShapes, batch,
                           tokens);
    if (!onnx)
      return false;
  }
  std::optional<ModelAST> model =
      onnx ? std::optional<ModelAST>(std::move(onnx->model))
      : llvm::sys::path::extension(options.input) == ".sora"
          ? parseDslModel(options.input, text, context)
          : parseJsonModel(options.input, text, context);
  if (!model)
    return false;
  if (options.emit == EmitKind::Json || options.emit == EmitKind::Sora) {
    emitted = true;
    if (options.emit == EmitKind::Json)
      return writeText(writeJsonModel(*model));
    std::optional<std::string> sora = printDslModel(*model, context);
    return sora && writeText(*sora);
  }
  // A model file declares its (and its composites') inputs' batch;
  // --max-batch replaces it.
  auto setBatch = [&](std::vector<InputDecl> &inputs) {
    for (InputDecl &input : inputs) {
      if (input.shape.empty())
        return error("--max-batch: input '" + input.name +
                     "' is a scalar, with no batch dimension");
      input.shape[0] = batch;
    }
    return true;
  };
  if (batch && !onnx) {
    if (!setBatch(model->inputs))
      return false;
    for (CompositeDecl &composite : model->composites)
      if (!setBatch(composite.inputs))
        return false;
  }
  if (tokens && !onnx && !setSequence(*model, tokens))
    return false;
  weights = onnx ? loadOnnxWeights(*onnx) : loadWeights(model);
  if (!weights)
    return false;
  module = mlirGen(*model, *weights, context);
  return module && mlir::succeeded(mlir::verify(*module));
}

PipelineOptions Compiler::pipelineOptions(const TargetInfo &target,
                                          WeightStore &weights) const {
  PipelineOptions pipeline;
  pipeline.target = target.name;
  pipeline.weights = &weights; // lets batch_norm fold
  pipeline.tuningDb = options.tuningDb;
  pipeline.threads = options.threads;
  pipeline.explainSchedules = options.explainSchedules;
  pipeline.maxBatch = options.maxBatch;
  pipeline.runTimeBatch = runTimeBatch;
  pipeline.maxSequence = options.maxSequence;
  return pipeline;
}

bool Compiler::run(const std::function<bool(mlir::PassManager &)> &configure) {
  const TargetInfo *target = lookupTarget(options.target);
  if (!target)
    return error("unknown target '" + options.target +
                 "'; known targets: " + targetNames());
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<WeightStore> weights;
  bool emitted;
  bool loaded = load(module, weights, emitted);
  if (!loaded || emitted)
    return loaded;
  stats.phase("frontend");

  auto print = [&]() {
    std::string s;
    llvm::raw_string_ostream os(s);
    module->print(os);
    return s;
  };
  if (options.emit == EmitKind::Mlir)
    return writeText(print());

  PipelineOptions pipelineOptions = this->pipelineOptions(*target, *weights);
  mlir::PassManager pm(&context);
  if (!configure(pm))
    return false;
  buildSoraccPipeline(pm, pipelineOptions);
  if (mlir::failed(pm.run(*module)))
    return false;
  if (shorter) {
    // The same pipeline one token shorter shows which extents follow the
    // sequence, kernel by kernel (its schedules are not explained).
    PipelineOptions shorterOptions =
        this->pipelineOptions(*target, *shorterWeights);
    shorterOptions.explainSchedules = false;
    mlir::PassManager shorterPm(&context);
    if (!configure(shorterPm))
      return false;
    buildSoraccPipeline(shorterPm, shorterOptions);
    // A weight that follows the sequence must be a table read by position:
    // the shorter graph's values those of the bound's at the same indices.
    auto samePrefix = [&](llvm::StringRef boundName,
                          llvm::ArrayRef<int64_t> bound,
                          llvm::StringRef smallerName,
                          llvm::ArrayRef<int64_t> smaller) {
      std::optional<std::vector<float>> big = weights->read(boundName),
                                        small =
                                            shorterWeights->read(smallerName);
      if (!big || !small || bound.size() != smaller.size())
        return false;
      std::vector<int64_t> index(smaller.size(), 0);
      for (float value : *small) {
        int64_t at = 0;
        for (size_t d = 0; d < bound.size(); ++d)
          at = at * bound[d] + index[d];
        // Bit for bit (a NaN equals itself, -0 differs from 0).
        uint32_t want = 0, got = 0;
        std::memcpy(&want, &value, sizeof(want));
        std::memcpy(&got, &(*big)[at], sizeof(got));
        if (want != got)
          return false;
        for (size_t d = smaller.size(); d > 0; --d) {
          if (++index[d - 1] < smaller[d - 1])
            break;
          index[d - 1] = 0;
        }
      }
      return true;
    };
    if (mlir::failed(shorterPm.run(*shorter)) ||
        mlir::failed(markRunTimeSequence(*module, *shorter, options.maxSequence,
                                         samePrefix)))
      return false;
  }
  stats.phase("pipeline");
  if (options.emit == EmitKind::MlirFused)
    return writeText(print());
  if (options.emit == EmitKind::Dot)
    return writeText(graphToDot(*module));
  if (options.emit == EmitKind::Svg) {
    std::string svg, svgError;
    return renderSvg(graphToDot(*module), svg, svgError) ? writeText(svg)
                                                         : error(svgError);
  }
  std::string prefix;
  if (!symbolPrefix(*module, prefix))
    return false;
  if (options.weightsExternal)
    pipelineOptions.weightsFile =
        llvm::sys::path::filename(companionPath(".weights")).str();
  ModelSignature signature = describeModel(*module, *target, prefix);
  signature.weightsFile = pipelineOptions.weightsFile;
  std::string header = modelHeader(signature);
  if (options.emit == EmitKind::Header)
    return writeText(header, libraryPath());

  // Hand the kernels to Halide and keep the weight layout, then lower the
  // graph to the driver.
  std::vector<KernelSpec> kernels;
  std::map<std::string, mlir::Location> kernelLocations;
  mlir::FailureOr<std::vector<WeightSlot>> layout = weightLayout(*module);
  if (mlir::failed(layout))
    return false;
  if (!checkMemory(*layout, signature.arenaBytes))
    return false;
  if (target->isGpu() && !options.autoscheduler.empty())
    return error("--schedule-source=" + options.autoscheduler +
                 " schedules CPU kernels only, not target '" + target->name +
                 "'");
  bool described = true;
  module->walk([&](particle::KernelOp kernel) {
    mlir::FailureOr<KernelSpec> spec = buildKernelSpec(kernel);
    if (mlir::failed(spec)) {
      described = false;
      return;
    }
    kernelLocations.emplace(spec->name, kernel.getLoc());
    spec->autoscheduler = options.autoscheduler;
    kernels.push_back(std::move(*spec));
  });
  if (!described)
    return false;
  if (options.emit == EmitKind::Kernels) {
    std::string text;
    for (const KernelSpec &spec : kernels)
      text += printKernelSpec(spec);
    return writeText(text);
  }
  // A kernel's failure points at its particles in the model file.
  auto backendError = [&](const BackendError &e) {
    auto at = kernelLocations.find(e.kernel);
    mlir::emitError(at == kernelLocations.end()
                        ? mlir::Location(mlir::UnknownLoc::get(&context))
                        : at->second)
        << "Halide: " << e.message;
    return false;
  };
  BackendError halideError;
  if (options.emit == EmitKind::Halide) {
    std::string stmt;
    if (!printKernels(kernels, *target, stmt, halideError))
      return backendError(halideError);
    return writeText(stmt);
  }

  // The weight blob, whose checksum the descriptor records.
  std::string blob =
      weightBlob(*layout, [&](const std::string &name, char *dst) {
        weights->copyTo(name, dst);
      });
  pipelineOptions.weightsChecksum = sora_abi_checksum(
      reinterpret_cast<const uint8_t *>(blob.data()), blob.size());
  stats.phase("weights");
  stats.describe(*module, kernels, (int64_t)blob.size(),
                 (int64_t)layout->size());
  mlir::PassManager lowering(&context);
  if (!configure(lowering))
    return false;
  pipelineOptions.descriptorSymbol = prefix + "_model";
  buildDriverLoweringPipeline(lowering, pipelineOptions);
  if (mlir::failed(lowering.run(*module)))
    return false;

  ScratchFiles scratch;
  std::string scratchError;
  if (!scratch.create(scratchError))
    return error(scratchError);
  if (options.emit == EmitKind::Llvm) {
    std::string ll = scratch.file("driver.ll");
    if (mlir::failed(emitDriver(*module, *target, ll, "")))
      return false;
    auto irText = llvm::MemoryBuffer::getFile(ll);
    return irText && writeText((*irText)->getBuffer().str());
  }

  ModelObjects model;
  model.descriptorSymbol = pipelineOptions.descriptorSymbol;
  std::vector<std::string> &objects = model.objects;
  objects = {scratch.file("driver.o")};
  if (!options.weightsExternal)
    objects.push_back(scratch.file("weights.o"));
  // A kernel that repeats an earlier one's computation is compiled once:
  // the linker defines its name as the earlier kernel.
  std::vector<KernelAlias> repeats;
  std::vector<KernelSpec> unique = uniqueKernels(kernels, repeats);
  for (const KernelAlias &repeat : repeats)
    model.aliases.emplace_back(repeat.name, repeat.definedAs);
  std::vector<std::string> kernelObjects;
  for (size_t i = 0; i < unique.size(); ++i)
    kernelObjects.push_back(scratch.file("kernel" + std::to_string(i) + ".o"));
  if (mlir::failed(emitDriver(*module, *target, "", objects[0])))
    return false;
  stats.phase("driver");
  std::string weightsError;
  if (!options.weightsExternal &&
      !emitWeightsObject(blob, *target, objects[1], weightsError))
    return error(weightsError);
  stats.phase("weights object");
  showStatus("compiling " + std::to_string(unique.size()) + " kernels");
  auto progress = [](size_t done, size_t total) {
    showStatus("compiled " + std::to_string(done) + " of " +
               std::to_string(total) + " kernels");
  };
  bool compiled = compileKernelsToObjects(unique, *target, kernelObjects,
                                          options.jobs, halideError, progress);
  clearStatus();
  if (!compiled)
    return backendError(halideError);
  stats.phase("kernels");
  objects.insert(objects.end(), kernelObjects.begin(), kernelObjects.end());
  showStatus("linking");
  bool linked = link(*target, model, header, blob);
  clearStatus();
  if (!linked)
    return false;
  stats.phase("link");
  if (options.stats)
    stats.print(llvm::errs(), target->name);
  return true;
}

} // namespace

bool loadModel(const CompileOptions &options, mlir::MLIRContext &context,
               llvm::SourceMgr &sourceMgr,
               mlir::OwningOpRef<mlir::ModuleOp> &module,
               std::unique_ptr<WeightStore> &weights) {
  CompileOptions mlirOnly = options;
  mlirOnly.emit = EmitKind::Mlir;
  bool emitted;
  return Compiler(mlirOnly, context, sourceMgr).load(module, weights, emitted);
}

bool compileModel(const CompileOptions &options, mlir::MLIRContext &context,
                  llvm::SourceMgr &sourceMgr,
                  const std::function<bool(mlir::PassManager &)> &configure) {
  return Compiler(options, context, sourceMgr).run(configure);
}

} // namespace sora
