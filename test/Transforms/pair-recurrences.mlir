// RUN: sora-opt %s -split-input-file -sora-pair-recurrences | FileCheck %s
// RUN: sora-opt %s -split-input-file -sora-pair-recurrences -sora-plan-memory | FileCheck %s --check-prefix=PLAN

// A bidirectional layer: the backward direction's gates (and its weight)
// move before the forward recurrence, the backward recurrence right after
// it, marked to run concurrently; the rest keeps its order. The memory plan
// keeps the pair's operands live until both are done: the backward result
// may not take the forward gates' bytes (dead after the forward recurrence).
// CHECK-LABEL: func.func @bidirectional
// PLAN-LABEL: func.func @bidirectional
// PLAN-SAME: particle.arena_size = 512
func.func @bidirectional() {
  %x = particle.input "x" : tensor<2x1x16xf32>
  // CHECK: particle.weight "r"
  %r = particle.weight "r" : tensor<4x16xf32>
  // CHECK: particle.kernel "fwd_gates"(
  // PLAN: particle.kernel "fwd_gates"({{.*}}arena_offset = 0
  %0 = particle.kernel "fwd_gates" (%x) : (tensor<2x1x16xf32>) -> tensor<2x1x16xf32> {
  ^bb0(%a: tensor<2x1x16xf32>):
    %g = particle.relu %a : tensor<2x1x16xf32>
    particle.yield %g : tensor<2x1x16xf32>
  }
  // CHECK: particle.weight "rr"
  // CHECK: particle.kernel "bwd_gates"(
  // PLAN: particle.kernel "bwd_gates"({{.*}}arena_offset = 128
  // CHECK: particle.kernel "fwd"(
  // CHECK-NOT: concurrent_with_previous
  // CHECK-NEXT: ^bb0
  // CHECK-NEXT: particle.recurrence
  // CHECK-NEXT: particle.yield
  // CHECK-NEXT: }
  // CHECK-NEXT: particle.kernel "bwd"({{.*}}concurrent_with_previous
  // PLAN: particle.kernel "fwd"({{.*}}arena_offset = 256
  // PLAN: particle.kernel "bwd"({{.*}}arena_offset = 384
  %1 = particle.kernel "fwd" (%0, %r) : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32> {
  ^bb0(%a: tensor<2x1x16xf32>, %b: tensor<4x16xf32>):
    %s = particle.recurrence %a, %b : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32>
    particle.yield %s : tensor<3x2x1x4xf32>
  }
  // CHECK: particle.kernel "fwd_out"(
  // CHECK: particle.kernel "bwd_out"(
  // PLAN: particle.kernel "fwd_out"({{.*}}arena_offset = 0
  %2 = particle.kernel "fwd_out" (%1) : (tensor<3x2x1x4xf32>) -> tensor<3x2x1x4xf32> {
  ^bb0(%a: tensor<3x2x1x4xf32>):
    %y = particle.relu %a : tensor<3x2x1x4xf32>
    particle.yield %y : tensor<3x2x1x4xf32>
  }
  %rr = particle.weight "rr" : tensor<4x16xf32>
  %3 = particle.kernel "bwd_gates" (%x) : (tensor<2x1x16xf32>) -> tensor<2x1x16xf32> {
  ^bb0(%a: tensor<2x1x16xf32>):
    %g = particle.tanh %a : tensor<2x1x16xf32>
    particle.yield %g : tensor<2x1x16xf32>
  }
  %4 = particle.kernel "bwd" (%3, %rr) : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32> {
  ^bb0(%a: tensor<2x1x16xf32>, %b: tensor<4x16xf32>):
    %s = particle.recurrence %a, %b {reverse = true} : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32>
    particle.yield %s : tensor<3x2x1x4xf32>
  }
  %5 = particle.kernel "bwd_out" (%4) : (tensor<3x2x1x4xf32>) -> tensor<3x2x1x4xf32> {
  ^bb0(%a: tensor<3x2x1x4xf32>):
    %y = particle.relu %a : tensor<3x2x1x4xf32>
    particle.yield %y : tensor<3x2x1x4xf32>
  }
  particle.output "y1" %2 : tensor<3x2x1x4xf32>
  particle.output "y2" %5 : tensor<3x2x1x4xf32>
  return
}

// -----

// Stacked layers: the second recurrence reads the first's result, so they
// stay in order, one after the other.
// CHECK-LABEL: func.func @stacked
// CHECK-NOT: concurrent_with_previous
func.func @stacked() {
  %x = particle.input "x" : tensor<2x1x16xf32>
  %r = particle.weight "r" : tensor<4x16xf32>
  %0 = particle.kernel "first" (%x, %r) : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32> {
  ^bb0(%a: tensor<2x1x16xf32>, %b: tensor<4x16xf32>):
    %s = particle.recurrence %a, %b : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32>
    particle.yield %s : tensor<3x2x1x4xf32>
  }
  %1 = particle.kernel "gates" (%0) : (tensor<3x2x1x4xf32>) -> tensor<3x2x1x4xf32> {
  ^bb0(%a: tensor<3x2x1x4xf32>):
    %y = particle.relu %a : tensor<3x2x1x4xf32>
    particle.yield %y : tensor<3x2x1x4xf32>
  }
  %v = particle.reshape %1 : tensor<3x2x1x4xf32> -> tensor<24xf32>
  %2 = particle.kernel "second_gates" (%v) : (tensor<24xf32>) -> tensor<2x1x16xf32> {
  ^bb0(%a: tensor<24xf32>):
    %s = particle.slice %a {begin = array<i64: 0>, strides = array<i64: 1>} : tensor<24xf32> -> tensor<16xf32>
    %t = particle.concat %s, %s {axis = 0 : i64} : (tensor<16xf32>, tensor<16xf32>) -> tensor<32xf32>
    %u = particle.reshape %t : tensor<32xf32> -> tensor<2x1x16xf32>
    particle.yield %u : tensor<2x1x16xf32>
  }
  %3 = particle.kernel "second" (%2, %r) : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32> {
  ^bb0(%a: tensor<2x1x16xf32>, %b: tensor<4x16xf32>):
    %s = particle.recurrence %a, %b : (tensor<2x1x16xf32>, tensor<4x16xf32>) -> tensor<3x2x1x4xf32>
    particle.yield %s : tensor<3x2x1x4xf32>
  }
  particle.output "y" %3 : tensor<3x2x1x4xf32>
  return
}
