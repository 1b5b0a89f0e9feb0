// RUN: sora-opt %s -split-input-file -sora-assign-schedules=target=x86-64-avx512 | FileCheck %s --check-prefix=AVX512
// RUN: sora-opt %s -split-input-file -sora-assign-schedules=target=aarch64-linux | FileCheck %s --check-prefix=NEON
// RUN: not sora-opt %s -split-input-file -sora-assign-schedules=target=riscv 2>&1 | FileCheck %s --check-prefix=BAD

// Every kernel leaves with a complete record. Vector widths follow the
// target; fields a record chooses are kept, the heuristics fill the rest
// (so a partial record gets the target's vector, not a fixed 8); a
// complete record is kept as it is.
// AVX512-LABEL: func.func @dense
// AVX512: particle.kernel "k0"{{.*}}schedule = #particle.schedule<vector = 16, tile_rows = 1, tile_cols = 32, parallel = 0, grain = 1, pack_weights = 0, panels_outer = 0, winograd = 0, gpu_threads = 128>
// AVX512: particle.kernel "k1"{{.*}}schedule = #particle.schedule<vector = 16, tile_rows = 2, tile_cols = 16, parallel = 0, grain = 1, pack_weights = 0, panels_outer = 0, winograd = 0, gpu_threads = 128>
// AVX512: particle.kernel "k2"{{.*}}schedule = #particle.schedule<vector = 4, tile_rows = 3, tile_cols = 8, parallel = 1, grain = 2, pack_weights = 1, panels_outer = 0, winograd = 0, gpu_threads = 128>
// NEON-LABEL: func.func @dense
// NEON: particle.kernel "k0"{{.*}}schedule = #particle.schedule<vector = 4,
// NEON: particle.kernel "k1"{{.*}}schedule = #particle.schedule<vector = 4, tile_rows = 2, tile_cols = 4,
// NEON: particle.kernel "k2"{{.*}}schedule = #particle.schedule<vector = 4, tile_rows = 3, tile_cols = 8, parallel = 1, grain = 2, pack_weights = 1, panels_outer = 0, winograd = 0, gpu_threads = 128>
// BAD: error: unknown target 'riscv'
func.func @dense() {
  %x = particle.input "x" : tensor<1x64xf32>
  %w = particle.weight "d.kernel" : tensor<64x32xf32>
  %y = particle.kernel "k0" (%x, %w) : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32> {
  ^bb0(%a: tensor<1x64xf32>, %b: tensor<64x32xf32>):
    %0 = particle.dense %a, %b : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32>
    particle.yield %0 : tensor<1x32xf32>
  }
  %z = particle.kernel "k1" (%y) {schedule = #particle.schedule<tile_rows = 2>} : (tensor<1x32xf32>) -> tensor<1x32xf32> {
  ^bb0(%a: tensor<1x32xf32>):
    %0 = particle.relu %a : tensor<1x32xf32>
    particle.yield %0 : tensor<1x32xf32>
  }
  %t = particle.kernel "k2" (%z) {schedule = #particle.schedule<pack_weights = 1, grain = 2, parallel = 1, tile_cols = 8, tile_rows = 3, vector = 4>} : (tensor<1x32xf32>) -> tensor<1x32xf32> {
  ^bb0(%a: tensor<1x32xf32>):
    %0 = particle.tanh %a : tensor<1x32xf32>
    particle.yield %0 : tensor<1x32xf32>
  }
  particle.output "z" %t : tensor<1x32xf32>
  return
}
