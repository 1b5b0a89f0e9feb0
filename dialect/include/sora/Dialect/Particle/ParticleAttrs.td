//===- ParticleAttrs.td - Particle dialect attributes ------*- tablegen -*-===//

#ifndef SORA_PARTICLE_ATTRS
#define SORA_PARTICLE_ATTRS

include "sora/Dialect/Particle/ParticleDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Particle_ScheduleAttr : AttrDef<Particle_Dialect, "Schedule"> {
  let mnemonic = "schedule";
  let summary = "A kernel's schedule record";
  let description = [{
    How a `particle.kernel` is scheduled: `key = integer` entries, each a
    field of sora/Core/ScheduleFields.def (docs/tuning.md says which kernel
    families read which). A field left out is chosen by the target's
    heuristics (`sora-assign-schedules`). Unknown keys, non-integers,
    repeated keys and values outside a field's range are errors.

    ```mlir
    #particle.schedule<vector = 16, tile_rows = 8, tile_cols = 32,
                       parallel = 1, grain = 8, pack_weights = 1>
    ```
  }];
  let parameters = (ins "::sora::PartialSchedule":$record);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The record with the fields it leaves out taken from `defaults`.
    ::sora::ScheduleRecord complete(const ::sora::ScheduleRecord &defaults) const {
      return getRecord().complete(defaults);
    }
  }];
}

#endif // SORA_PARTICLE_ATTRS
