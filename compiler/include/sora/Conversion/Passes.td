//===- Passes.td - soracc conversion passes ---------------*- tablegen -*-===//

#ifndef SORA_CONVERSION_PASSES
#define SORA_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def SoraAssignSchedules : Pass<"sora-assign-schedules", "::mlir::func::FuncOp"> {
  let summary = "Gives every kernel a complete schedule record";
  let description = [{
    The record comes from the tuning database when it has an entry for the
    kernel's signature, target and thread count, else from the schedule
    heuristics for the chosen target; the fields of a record already present
    (by hand) are kept and the heuristics fill in those it leaves out. Records are
    `#particle.schedule<vector = 16, tile_rows = 4, ...>` attributes.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "soracc target name">,
    Option<"tuningDb", "tuning-db", "std::string", /*default=*/"\"\"",
           "tuning database (sora-tune) whose entries replace the heuristics">,
    Option<"threads", "threads", "int", /*default=*/"0",
           "threads the model runs with, selecting database entries "
           "(0: this machine's CPUs)">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "a remark per kernel: its schedule and where it came from">,
  ];
}

def SoraPrintKernelSpecs
    : Pass<"sora-print-kernel-specs", "::mlir::func::FuncOp"> {
  let summary = "Prints each kernel as the Halide backend receives it";
  let description = [{
    Writes the text form of every kernel's KernelSpec
    (sora/Core/KernelSpecText.h) to standard output, leaving the IR as it
    is; `soracc --emit=kernels` prints the same. Tests check the translation
    from `particle.kernel` regions with it.
  }];
}

def ConvertParticleToLLVM : Pass<"convert-particle-to-llvm", "::mlir::ModuleOp"> {
  let summary = "Generates the graph driver and model descriptor in the LLVM "
                "dialect";
  let description = [{
    Replaces the planned graph function by `_sora_run(user_context, inputs,
    outputs, arena, weights)`, which binds every tensor to an input, an arena
    slice (kernels' `arena_offset`) or the weight blob it is given, calls
    each kernel with Halide buffer descriptors, and copies the model outputs
    out; and by the `sora_abi_model` descriptor of runtime/kernel_abi.h,
    with `descriptor-symbol()` returning its address when the option names
    one. Requires `sora-fuse` and `sora-plan-memory` to have run.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "soracc target name (recorded in the descriptor)">,
    Option<"descriptorSymbol", "descriptor-symbol", "std::string",
           /*default=*/"\"\"",
           "exported function returning the descriptor (<name>_model)">,
    Option<"weightsFile", "weights-file", "std::string", /*default=*/"\"\"",
           "the external weights file the runtime maps (\"\": the blob "
           "`_sora_weights` is linked in)">,
    Option<"weightsChecksum", "weights-checksum", "uint64_t",
           /*default=*/"0", "sora_abi_checksum of the weight blob">,
    Option<"maxBatch", "max-batch", "int64_t", /*default=*/"0",
           "the graph is one sample and a run may pass 1 to this many "
           "(the descriptor's max_batch; signature shapes hold this many); "
           "0: exact shapes">,
    Option<"maxSequence", "max-sequence", "int64_t", /*default=*/"0",
           "the graph is built for this many tokens and a run may pass 1 "
           "to this many (the descriptor's max_sequence); 0: none">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // SORA_CONVERSION_PASSES
