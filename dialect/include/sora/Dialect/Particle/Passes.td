//===- Passes.td - Particle dialect passes ----------------*- tablegen -*-===//

#ifndef SORA_PARTICLE_PASSES
#define SORA_PARTICLE_PASSES

include "mlir/Pass/PassBase.td"

def SoraFuse : Pass<"sora-fuse", "::mlir::func::FuncOp"> {
  let summary = "Groups each compute particle with its elementwise epilogue "
                "into a particle.kernel";
  let description = [{
    Each op's role is its trait (ParticleInterfaces.td). Anchors (dense,
    conv2d, the pools, softmax, log_softmax, layer_norm, matmul) and copies
    (transpose, concat, slice, pad, embedding, resize) start kernels; an
    lstm_recurrence is a kernel alone. Elementwise ops (activations,
    arithmetic, clip, batch_norm, normalize) that are the sole use of the
    current kernel result are pulled into it, so bias, activation and
    residual additions run in the anchor's loop nest.
    Elementwise chains with no anchor form kernels of their own. Views
    (flatten, reshape) and graph boundary ops stay outside kernels.
  }];
  let dependentDialects = ["::sora::particle::ParticleDialect"];
}

def SoraFoldBatchNorm : Pass<"sora-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Folds batch_norm into the conv2d or dense it follows";
  let description = [{
    A batch_norm whose input is the sole use of a conv2d or dense result,
    where every parameter is a particle.weight, becomes part of that layer:
    with scale = gamma / sqrt(variance + epsilon) per output channel, the
    kernel's last dimension is multiplied by scale and the bias becomes
    (bias - mean) * scale + beta (bias 0 when the layer had none). The
    values come from the compiler's weight store (WeightValues.h); the
    folded tensors are new weights named `<kernel>+<batch_norm>` and
    `<bias or layer.bias>+<batch_norm>`. Without access to the values (as in
    sora-opt) the pass leaves the IR unchanged. Any other batch_norm stays
    and fuses as an elementwise epilogue.
  }];
  let constructor = "::sora::particle::createSoraFoldBatchNormPass()";
  let dependentDialects = ["::sora::particle::ParticleDialect"];
}

def SoraDecomposeRecurrent
    : Pass<"sora-decompose-recurrent", "::mlir::func::FuncOp"> {
  let summary = "Splits each lstm, gru and rnn into its input projection "
                "and recurrences";
  let description = [{
    Per direction, the input projection of every time step becomes one dense
    over the time-major rows ([T * B, F] x [F, G * H] + bias), and the time
    loop a particle.recurrence of the layer's cell over those gates. The
    sequences or the final h are sliced out of the recurrence states (the
    backward direction keeps time step t in slot t, so no reversal is
    needed), joined along the features, and put back batch first.
  }];
  let dependentDialects = ["::sora::particle::ParticleDialect"];
}

def SoraDecomposeTransformer
    : Pass<"sora-decompose-transformer", "::mlir::func::FuncOp"> {
  let summary = "Splits multi_head_attention, feed_forward and "
                "positional_encoding into basic particles";
  let description = [{
    multi_head_attention becomes dense projections (one fused dense and
    three slices for a qkv kernel), per-head layouts by reshape and
    transpose (k as [batch, heads, head_dim, seq]), a batched matmul for
    the scores scaled by 1/sqrt(head_dim) with the causal table and the
    padding bias added, softmax over the keys, a batched matmul with v and
    the output dense. feed_forward becomes dense, activation, dense;
    positional_encoding an add of its table (the learned table's first
    rows, or the sinusoid table). The constants are `particle.weight`s named
    `_sora.<what>`; with the weight values (WeightValues.h) the pass defines
    them, without (sora-opt) it only names them.
  }];
  let constructor = "::sora::particle::createSoraDecomposeTransformerPass()";
  let dependentDialects = ["::sora::particle::ParticleDialect"];
}

def SoraPairRecurrences : Pass<"sora-pair-recurrences", "::mlir::func::FuncOp"> {
  let summary = "Moves independent recurrence kernels next to each other to "
                "run concurrently";
  let description = [{
    A recurrence kernel runs its time steps one after the other, each too
    short to share between threads, so a second core sits idle; two
    recurrences that do not depend on each other (the directions of a
    bidirectional layer) can run at the same time instead. For each
    recurrence kernel, the first earlier unpaired recurrence kernel it does
    not depend on becomes its partner: the ops between them that the later
    one depends on move before the earlier one, the later one right after
    it, and it gets the unit attribute `concurrent_with_previous`. The graph
    driver runs such a pair as two tasks of the model's thread pool;
    sora-plan-memory keeps both kernels' operands and results apart.
  }];
}

def SoraPlanMemory : Pass<"sora-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Places every kernel result in one arena with static offsets";
  let description = [{
    Computes the live range of each kernel result (views extend the range of
    the tensor they alias), then assigns 64-byte aligned offsets first-fit so
    that tensors with disjoint live ranges share bytes; a kernel
    `concurrent_with_previous` counts as starting with the kernel before it.
    Sets
    `arena_offset` on each kernel and `particle.arena_size` on the function.
  }];
}

def SoraMarkRunTimeBatch
    : Pass<"sora-mark-run-time-batch", "::mlir::func::FuncOp"> {
  let summary = "Marks the tensors whose batch a run chooses (--max-batch)";
  let description = [{
    For a graph built for the largest batch `max-batch` whose every tensor
    that follows the model inputs holds the batch as its outermost
    dimension (the check of SampleIndependence.h), marks what a run of fewer
    samples shrinks: each input, view and kernel that follows the batch gets
    `run_time_least`, its shape with the outermost extent one sample's, and
    the function's `particle.run_time_units` holds the bound. The Halide
    kernels then take those outermost extents at run time and the graph
    driver passes `samples` × least. Fails on a tensor whose outermost
    extent is not a multiple of the bound, and on recurrence kernels (their
    per-step slices hold the batch inside).
  }];
  let options = [
    Option<"maxBatch", "max-batch", "int64_t", /*default=*/"0",
           "The largest batch the graph is built for">,
  ];
}

def SoraPackWeights : Pass<"sora-pack-weights", "::mlir::func::FuncOp"> {
  let summary = "Packs contraction weights into panels at compile time";
  let description = [{
    For every kernel whose schedule sets `pack_weights` and whose dense or
    conv2d reads a `particle.weight`, the weight `[d..., F]` becomes a new
    weight `<name>.panels<P>` of shape `[G, d..., P]` (G panels of the
    kernel's register tile width P, columns past F zero), and the kernel
    body reads it through a `particle.unpack_panels`: the packing happens
    once, in the compiler, instead of at every run. Kernels sharing a weight
    share its panels. A conv2d whose schedule sets `winograd` (and that
    Winograd F(2x2, 3x3) applies to) gets its filters transformed instead,
    into `<name>.winograd` `[4, 4, C, F]`, read through a
    `particle.winograd_filter`. Weights computed by the graph are left to
    be packed (or transformed) per call. Without access to the values (as
    in sora-opt) the pass changes nothing.
  }];
  let constructor = "::sora::particle::createSoraPackWeightsPass()";
  let dependentDialects = ["::sora::particle::ParticleDialect"];
}

def SoraLayoutWeights : Pass<"sora-layout-weights", "::mlir::ModuleOp"> {
  let summary = "Places every weight tensor in the weight blob";
  let description = [{
    Gives each distinct weight name a 64-byte aligned offset in the blob
    that the compiled library embeds, in order of first appearance. Sets
    `blob_offset` on every `particle.weight` op (ops naming the same weight
    share it) and `particle.weights_size` on the module. The graph driver
    and the blob writer both read these attributes, so they agree by
    construction.
  }];
}

#endif // SORA_PARTICLE_PASSES
