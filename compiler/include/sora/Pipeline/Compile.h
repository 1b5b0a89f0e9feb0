//===- Compile.h - A model file to a compiled library -----------*- C++ -*-===//
//
// The stages of soracc, from a model file to the chosen `--emit` form. The
// tool only parses flags into CompileOptions; everything else is here.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_PIPELINE_COMPILE_H
#define SORA_PIPELINE_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace llvm {
class SourceMgr;
}
namespace mlir {
class MLIRContext;
class PassManager;
} // namespace mlir

namespace sora {

class WeightStore;

/// What soracc produces, in pipeline order: each stops after its stage.
enum class EmitKind {
  Json,      ///< the model as canonical JSON, converted from the AST
  Sora,      ///< the model as canonical .sora text, converted from the AST
  Mlir,      ///< particle dialect straight from the frontend
  MlirFused, ///< after fusion, schedules and memory planning
  Dot,       ///< that graph as a Graphviz picture, kernels as clusters
  Svg,       ///< the picture rendered by Graphviz's dot
  Kernels,   ///< each kernel as the Halide backend receives it (KernelSpec)
  Halide,    ///< Halide's lowered statement of every kernel
  Llvm,      ///< the graph driver as LLVM IR
  Obj,       ///< one relocatable object exporting `<name>_model` only
  Lib,       ///< that object in a static archive
  So,        ///< a self-contained shared library
  Header,    ///< the C header of the model (also written beside Obj and Lib)
};

struct CompileOptions {
  std::string input;
  std::string output; ///< "" = default name (or stdout for text forms)
  std::string weightsFile;
  std::optional<uint64_t> randomWeightsSeed;
  /// Shapes pinned on an ONNX model's inputs (`--input-shape`), by name.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// `--max-batch`: compile once and accept 1 to maxBatch samples per run
  /// (the first dimension of every input and output; model-format.md says
  /// how); 0 = exact shapes.
  int64_t maxBatch = 0;
  /// `--max-sequence`: compile an ONNX token model once for 1 to this many
  /// tokens per run (its inputs' dynamic dimensions; model-format.md says
  /// how); 0 = exact shapes.
  int64_t maxSequence = 0;
  std::string target = "host";
  /// The C prefix of the model's symbols; "" = the model's name made a C
  /// identifier.
  std::string name;
  /// Write the weights beside the output (`<stem>.weights`, mapped by the
  /// runtime at model creation) instead of into it.
  bool weightsExternal = false;
  /// Bytes the compiled model may need when it runs (weights and arena);
  /// 0 = no limit.
  uint64_t maxMemory = 0;
  /// Print statistics (kernels, work, weights, arena, compile time per
  /// phase) to stderr after a successful compile to a library or object.
  bool stats = false;
  EmitKind emit = EmitKind::So;
  unsigned jobs = 0;    ///< kernels compiled at a time; 0 = one per hw thread
  std::string tuningDb; ///< sora-tune's database ("" = heuristics only)
  int threads = 0;      ///< selects database entries; 0 = this machine's CPUs
  bool explainSchedules = false; ///< a remark per kernel on its schedule
  /// A Halide autoscheduler ("Adams2019", "Mullapudi2016", "Li2018") that
  /// schedules every kernel instead of its record; "" = the records.
  std::string autoscheduler;
};

/// Runs soracc. Diagnostics go to the context's handler (set up by the
/// caller with `sourceMgr` holding the input). `configure` lets the caller
/// apply command-line pass-manager options (timing, IR printing).
/// Returns true on success; on failure no output file is left behind.
/// The front half of compileModel: `options.input` (a model file, or the
/// particle dialect in a `.mlir` file) as particle dialect IR, verified,
/// with its weights (`options.weightsFile` and `randomWeightsSeed` apply).
bool loadModel(const CompileOptions &options, mlir::MLIRContext &context,
               llvm::SourceMgr &sourceMgr,
               mlir::OwningOpRef<mlir::ModuleOp> &module,
               std::unique_ptr<WeightStore> &weights);

bool compileModel(const CompileOptions &options, mlir::MLIRContext &context,
                  llvm::SourceMgr &sourceMgr,
                  const std::function<bool(mlir::PassManager &)> &configure);

} // namespace sora

#endif
