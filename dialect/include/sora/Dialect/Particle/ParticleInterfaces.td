//===- ParticleInterfaces.td - Kernel ops and fusion roles -*- tablegen -*-===//
//
// What sora-fuse and the kernel boundary ask of a particle: its fusion role
// (a trait) and, for ops a kernel body may hold, its kernel form (an
// interface). The roles match the families of sora/Core/KernelOps.def; the
// kernel spec builder checks that they agree.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_PARTICLE_INTERFACES
#define SORA_PARTICLE_INTERFACES

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Particle_KernelOpInterface : OpInterface<"KernelOpInterface"> {
  let cppNamespace = "::sora::particle";
  let description = [{
    An op that a `particle.kernel` body may hold. It describes itself as a
    `sora::KernelOp` (sora/Core/KernelSpec.h): its kind and attributes; the
    caller fills in operands, shape and provenance.
  }];
  let methods = [
    InterfaceMethod<"This op's kind and attributes as a kernel op.",
                    "::sora::KernelOp", "describeKernelOp">,
  ];
}

class Particle_FusionRole<string name> : NativeOpTrait<name> {
  let cppNamespace = "::sora::particle";
}
/// Owns its kernel's loop nest; the elementwise ops after it fuse into it.
def Particle_FusionAnchor : Particle_FusionRole<"FusionAnchor">;
/// Fuses into the loop nest of the op it follows (or starts a kernel).
def Particle_FusionEpilogue : Particle_FusionRole<"FusionEpilogue">;
/// Starts a kernel of its own, with an elementwise loop nest.
def Particle_FusionCopy : Particle_FusionRole<"FusionCopy">;
/// A kernel alone: the graph driver calls it once per time step.
def Particle_FusionRecurrence : Particle_FusionRole<"FusionRecurrence">;

/// The result follows from the operands and attributes by a shape rule of
/// sora/Core/ParticleShapes.h: the op defines `inferShape`, which gives its
/// InferTypeOpInterface result type (an f32 tensor). Builders may omit the
/// result type, and the verifier compares the declared one with it.
def Particle_ShapeRuleTrait : NativeOpTrait<"ShapeRule", [],
  [{
    /// The result shape, or nullopt after a message to `emitError`.
    static std::optional<::sora::Shape>
    inferShape(Adaptor adaptor, const ::sora::ShapeError &emitError);
  }],
  [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      Adaptor adaptor(operands, attributes, properties, regions);
      return ::sora::particle::inferredTensor(
          context,
          inferShape(adaptor,
                     ::sora::particle::shapeErrorAt<$cppClass>(location)),
          types);
    }
  }]> {
  let cppNamespace = "::sora::particle";
}
def Particle_ShapeRule : TraitList<[
  DeclareOpInterfaceMethods<InferTypeOpInterface>, Particle_ShapeRuleTrait]>;

/// The definition of describeKernelOp for an op without attributes that
/// the kernel needs: just its kind.
class Particle_KernelKind<string kind> {
  code definition = [{
    ::sora::KernelOp $cppClass::describeKernelOp() {
      return ::sora::KernelOp::of(::sora::KernelOpKind::}] # kind # [{);
    }
  }];
}

/// The definition of inferShape for an op whose rule is the adaptor-level
/// helper `rule` of ParticleVerify.h (shared by a class of ops).
class Particle_ShapeRuleIs<string rule> {
  code definition = [{
    std::optional<::sora::Shape>
    $cppClass::inferShape(Adaptor adaptor, const ::sora::ShapeError &emitError) {
      return ::sora::particle::}] # rule # [{(adaptor, emitError);
    }
  }];
}

#endif // SORA_PARTICLE_INTERFACES
