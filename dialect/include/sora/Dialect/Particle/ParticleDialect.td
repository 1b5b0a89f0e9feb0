//===- ParticleDialect.td - The particle dialect ----------*- tablegen -*-===//
//
// Particle graphs: one op per neural-network particle, on ranked f32 tensors
// with static shapes (activations NHWC), plus `particle.kernel` regions that
// hold fused groups.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_PARTICLE_DIALECT
#define SORA_PARTICLE_DIALECT

include "mlir/IR/OpBase.td"

def Particle_Dialect : Dialect {
  let name = "particle";
  let cppNamespace = "::sora::particle";
  let summary = "Neural-network particle graphs";
  let description = [{
    A model is a `func.func` whose body reads its inputs with `particle.input`,
    its parameters with `particle.weight`, applies one op per particle and
    names its results with `particle.output`. Activations are NHWC; every
    tensor is a statically shaped `f32` tensor. Shape rules live in one place
    (ParticleShapes.h) and are shared by the verifiers and the frontends.
  }];
  let hasCanonicalizer = 0;
}

class Particle_Op<string mnemonic, list<Trait> traits = []>
    : Op<Particle_Dialect, mnemonic, traits>;

def Particle_Tensor : RankedTensorOf<[F32]>;

#endif // SORA_PARTICLE_DIALECT
