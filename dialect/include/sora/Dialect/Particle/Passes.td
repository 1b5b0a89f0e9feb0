//===- Passes.td - Particle dialect passes ----------------*- tablegen -*-===//

#ifndef SORA_PARTICLE_PASSES
#define SORA_PARTICLE_PASSES

include "mlir/Pass/PassBase.td"

def SoraFuse : Pass<"sora-fuse", "::mlir::func::FuncOp"> {
  let summary = "Groups each compute particle with its elementwise epilogue "
                "into a particle.kernel";
  let description = [{
    Anchors are dense, conv2d, the pools, softmax, log_softmax, layer_norm
    and matmul; copies (transpose, concat, slice, pad, and the gather of
    embedding) start kernels the same way. Elementwise
    ops (activations, add, sub, mul, div, maximum, minimum, clip) that are
    the sole use of the current kernel result are pulled into it, so bias,
    activation and residual additions run in the anchor's loop nest.
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

def SoraPlanMemory : Pass<"sora-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Places every kernel result in one arena with static offsets";
  let description = [{
    Computes the live range of each kernel result (views extend the range of
    the tensor they alias), then assigns 64-byte aligned offsets first-fit so
    that tensors with disjoint live ranges share bytes. Sets
    `arena_offset` on each kernel and `particle.arena_size` on the function.
  }];
}

#endif // SORA_PARTICLE_PASSES
