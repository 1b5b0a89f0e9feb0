//===- ParticleCanonicalize.td - Canonicalization patterns -*- tablegen -*-===//

#ifndef SORA_PARTICLE_CANONICALIZE
#define SORA_PARTICLE_CANONICALIZE

include "mlir/IR/PatternBase.td"
include "sora/Dialect/Particle/ParticleOps.td"

// flatten is a reshape with a derived shape; keep one view op downstream.
def FlattenToReshape : Pat<(Particle_FlattenOp $x), (Particle_ReshapeOp $x)>;

// A reshape of a reshape only needs the outer shape.
def ReshapeOfReshape
    : Pat<(Particle_ReshapeOp (Particle_ReshapeOp $x)), (Particle_ReshapeOp $x)>;

#endif // SORA_PARTICLE_CANONICALIZE
