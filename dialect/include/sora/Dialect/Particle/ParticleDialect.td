//===- ParticleDialect.td - The particle dialect ----------*- tablegen -*-===//
//
// Particle graphs: one op per neural-network particle, on ranked f32 tensors
// with static shapes (activations NHWC), plus `particle.kernel` regions that
// hold fused groups. Token ids may enter as i64 model inputs.
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
    tensor is a statically shaped `f32` tensor, except token ids, which a model
    input may take as `i64` and only `particle.embedding` reads. Shape rules live in one place
    (sora/Core/ParticleShapes.h) and are shared by the verifiers, the
    frontends and kernel validation.
  }];
  let hasCanonicalizer = 0;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Adds the attributes of ParticleAttrs.td (ParticleAttrs.cpp).
    void registerAttributes();
  }];
}

class Particle_Op<string mnemonic, list<Trait> traits = []>
    : Op<Particle_Dialect, mnemonic, traits>;

def Particle_Tensor : RankedTensorOf<[F32]>;
/// An f32 tensor, or i64 token ids (a model input read by embedding).
def Particle_TensorOrIds : RankedTensorOf<[F32, I64]>;

#endif // SORA_PARTICLE_DIALECT
