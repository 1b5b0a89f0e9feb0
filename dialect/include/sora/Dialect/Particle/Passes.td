//===- Passes.td - Particle dialect passes ----------------*- tablegen -*-===//

#ifndef SORA_PARTICLE_PASSES
#define SORA_PARTICLE_PASSES

include "mlir/Pass/PassBase.td"

def SoraFuse : Pass<"sora-fuse", "::mlir::func::FuncOp"> {
  let summary = "Groups each compute particle with its elementwise epilogue "
                "into a particle.kernel";
  let description = [{
    Anchors are dense, conv2d, the pools and softmax. Elementwise ops
    (relu, sigmoid, tanh, add, mul) whose first operand is the sole use of
    the current kernel result are pulled into it, so bias, activation and
    residual additions run in the anchor's loop nest. Elementwise chains with
    no anchor form kernels of their own. Views (flatten, reshape) and graph
    boundary ops stay outside kernels.
  }];
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
