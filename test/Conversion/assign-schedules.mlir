// RUN: sora-opt %s -split-input-file -sora-assign-schedules=target=x86-64-avx512 | FileCheck %s --check-prefix=AVX512
// RUN: sora-opt %s -split-input-file -sora-assign-schedules=target=aarch64-linux | FileCheck %s --check-prefix=NEON
// RUN: not sora-opt %s -split-input-file -sora-assign-schedules=target=riscv 2>&1 | FileCheck %s --check-prefix=BAD

// Vector widths follow the target; a schedule already present is kept.
// AVX512-LABEL: func.func @dense
// AVX512: particle.kernel "k0"{{.*}}schedule = {{{.*}}vector = 16 : i64}
// AVX512: particle.kernel "k1"{{.*}}schedule = {tile_rows = 2 : i64}
// NEON-LABEL: func.func @dense
// NEON: particle.kernel "k0"{{.*}}schedule = {{{.*}}vector = 4 : i64}
// NEON: particle.kernel "k1"{{.*}}schedule = {tile_rows = 2 : i64}
// BAD: error: unknown target 'riscv'
func.func @dense() {
  %x = particle.input "x" : tensor<1x64xf32>
  %w = particle.weight "d.kernel" : tensor<64x32xf32>
  %y = particle.kernel "k0" (%x, %w) : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32> {
  ^bb0(%a: tensor<1x64xf32>, %b: tensor<64x32xf32>):
    %0 = particle.dense %a, %b : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32>
    particle.yield %0 : tensor<1x32xf32>
  }
  %z = particle.kernel "k1" (%y) {schedule = {tile_rows = 2}} : (tensor<1x32xf32>) -> tensor<1x32xf32> {
  ^bb0(%a: tensor<1x32xf32>):
    %0 = particle.relu %a : tensor<1x32xf32>
    particle.yield %0 : tensor<1x32xf32>
  }
  particle.output "z" %z : tensor<1x32xf32>
  return
}
