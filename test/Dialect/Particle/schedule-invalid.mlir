// RUN: sora-opt %s -split-input-file -verify-diagnostics

// #particle.schedule<...> accepts the fields of ScheduleFields.def only,
// each once, as integers within range.

// expected-error @+1 {{unknown schedule field 'vectr'; known: vector, tile_rows, tile_cols, parallel, grain, pack_weights}}
#bad = #particle.schedule<vectr = 4>

// -----

// expected-error @+1 {{expected integer value}}
#bad = #particle.schedule<tile_rows = 2.5 : f32>

// -----

// expected-error @+1 {{schedule field 'vector' is repeated}}
#bad = #particle.schedule<vector = 4, vector = 8>

// -----

// expected-error @+1 {{invalid schedule: parallel = 2 is outside [0, 1]}}
#bad = #particle.schedule<parallel = 2>

// -----

// expected-error @+1 {{invalid schedule: tile_cols (12) must be a multiple of vector (8)}}
#bad = #particle.schedule<vector = 8, tile_cols = 12>

// -----

// expected-error @+1 {{invalid schedule: the register tile (tile_rows x tile_cols / vector) exceeds 256 vectors}}
#bad = #particle.schedule<vector = 4, tile_cols = 512, tile_rows = 16>

// -----

func.func @not_a_record(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'schedule' failed to satisfy constraint}}
  %y = particle.kernel "k0" (%x) {schedule = {vector = 4}} : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %0 = particle.relu %a : tensor<4xf32>
    particle.yield %0 : tensor<4xf32>
  }
  return
}
