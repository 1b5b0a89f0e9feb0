// RUN: sora-opt %s -split-input-file -sora-plan-memory | FileCheck %s

// A chain reuses bytes once a tensor is dead: k2 can take k0's place, but
// never the place of its own input k1.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: particle.arena_size = 128
func.func @chain() {
  %x = particle.input "x" : tensor<16xf32>
  // CHECK: particle.kernel "k0"{{.*}}arena_offset = 0
  %0 = particle.kernel "k0" (%x) : (tensor<16xf32>) -> tensor<16xf32> {
  ^bb0(%a: tensor<16xf32>):
    %r = particle.relu %a : tensor<16xf32>
    particle.yield %r : tensor<16xf32>
  }
  // CHECK: particle.kernel "k1"{{.*}}arena_offset = 64
  %1 = particle.kernel "k1" (%0) : (tensor<16xf32>) -> tensor<16xf32> {
  ^bb0(%a: tensor<16xf32>):
    %r = particle.relu %a : tensor<16xf32>
    particle.yield %r : tensor<16xf32>
  }
  // CHECK: particle.kernel "k2"{{.*}}arena_offset = 0
  %2 = particle.kernel "k2" (%1) : (tensor<16xf32>) -> tensor<16xf32> {
  ^bb0(%a: tensor<16xf32>):
    %r = particle.relu %a : tensor<16xf32>
    particle.yield %r : tensor<16xf32>
  }
  particle.output "y" %2 : tensor<16xf32>
  return
}

// -----

// A model output stays live to the end, also through a view; nothing may
// overwrite it.
// CHECK-LABEL: func.func @output_live
// CHECK-SAME: particle.arena_size = 192
func.func @output_live() {
  %x = particle.input "x" : tensor<16xf32>
  // CHECK: particle.kernel "k0"{{.*}}arena_offset = 0
  %0 = particle.kernel "k0" (%x) : (tensor<16xf32>) -> tensor<16xf32> {
  ^bb0(%a: tensor<16xf32>):
    %r = particle.relu %a : tensor<16xf32>
    particle.yield %r : tensor<16xf32>
  }
  %v = particle.reshape %0 : tensor<16xf32> -> tensor<4x4xf32>
  // CHECK: particle.kernel "k1"{{.*}}arena_offset = 64
  %1 = particle.kernel "k1" (%0) : (tensor<16xf32>) -> tensor<16xf32> {
  ^bb0(%a: tensor<16xf32>):
    %r = particle.relu %a : tensor<16xf32>
    particle.yield %r : tensor<16xf32>
  }
  // CHECK: particle.kernel "k2"{{.*}}arena_offset = 128
  %2 = particle.kernel "k2" (%1) : (tensor<16xf32>) -> tensor<16xf32> {
  ^bb0(%a: tensor<16xf32>):
    %r = particle.relu %a : tensor<16xf32>
    particle.yield %r : tensor<16xf32>
  }
  particle.output "v" %v : tensor<4x4xf32>
  particle.output "y" %2 : tensor<16xf32>
  return
}
