//===- SequenceBound.h - Which extents follow a sequence length -*- C++ -*-===//
//
// `soracc --max-sequence N` compiles a token model once for any sequence of
// 1 to N tokens. The frontend builds the graph for N and for N - 1 tokens,
// both go through the soracc pipeline (fusion, memory planning), and this
// check walks the two planned graphs in lockstep: every extent that differs
// must be k × tokens in both (k the same), and is then chosen at run time.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_PIPELINE_SEQUENCEBOUND_H
#define SORA_PIPELINE_SEQUENCEBOUND_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace sora {

/// Marks `bound` (the planned graph for `maxTokens` tokens) for runs of 1
/// to `maxTokens` tokens, given `shorter` (the same model planned for
/// `maxTokens` - 1): each input, view and kernel whose result has extents
/// that follow the sequence gets `run_time_least` (per dimension k for an
/// extent k × tokens, else the extent), and the graph
/// `particle.run_time_units` = maxTokens. Emits one error at the first
/// particle where the graphs part, an extent does not follow the sequence
/// in proportion, a weight's shape depends on it other than as a table read
/// by position, or a recurrence steps through it (its step count is fixed
/// when compiled). A weight whose shape follows the sequence is such a table
/// (a learned position embedding sliced to the sequence when imported) where
/// `samePrefix` says that the shorter graph's values are the bound's at the
/// same indices: a run reads the first rows of the bound's. A weight of the
/// same shape in both must hold the same values (not a constant folded from
/// the length, as a mean's 1 / tokens). The two graphs' weights at the same
/// place may be named differently (a table named after its length).
using SamePrefix = llvm::function_ref<bool(
    llvm::StringRef boundWeight, llvm::ArrayRef<int64_t> boundShape,
    llvm::StringRef shorterWeight, llvm::ArrayRef<int64_t> shorterShape)>;
mlir::LogicalResult markRunTimeSequence(mlir::ModuleOp bound,
                                        mlir::ModuleOp shorter,
                                        int64_t maxTokens,
                                        SamePrefix samePrefix);

} // namespace sora

#endif // SORA_PIPELINE_SEQUENCEBOUND_H
