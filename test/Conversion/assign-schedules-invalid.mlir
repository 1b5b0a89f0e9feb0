// RUN: not sora-opt %s -sora-assign-schedules=target=x86-64-avx512 2>&1 | FileCheck %s

// A partial record whose completion is inconsistent is an error on the
// kernel: tile_cols 24 is no multiple of AVX-512's 16 lanes.
// CHECK: error: 'particle.kernel' op invalid schedule: tile_cols (24) must be a multiple of vector (16)
func.func @inconsistent() {
  %x = particle.input "x" : tensor<1x48xf32>
  %z = particle.kernel "k0" (%x) {schedule = #particle.schedule<tile_cols = 24>} : (tensor<1x48xf32>) -> tensor<1x48xf32> {
  ^bb0(%a: tensor<1x48xf32>):
    %0 = particle.relu %a : tensor<1x48xf32>
    particle.yield %0 : tensor<1x48xf32>
  }
  particle.output "z" %z : tensor<1x48xf32>
  return
}
