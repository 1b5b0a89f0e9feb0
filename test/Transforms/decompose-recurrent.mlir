// RUN: sora-opt %s -split-input-file -sora-decompose-recurrent | FileCheck %s
// RUN: sora-opt %s -split-input-file -sora-decompose-recurrent -sora-fuse | FileCheck %s --check-prefix=FUSED

// Batch 2, both directions, every step: the input goes time major (a
// transpose), each direction projects all steps with one dense and runs one
// recurrence; the forward h of step t is slot t + 1, the backward one slot t.
// CHECK-LABEL: func.func @bidirectional_sequences
func.func @bidirectional_sequences() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  %bk = particle.weight "l.reverse_kernel" : tensor<3x16xf32>
  %br = particle.weight "l.reverse_recurrent_kernel" : tensor<4x16xf32>
  %bb = particle.weight "l.reverse_bias" : tensor<16xf32>
  // CHECK: %[[XT:.*]] = particle.transpose %{{.*}} {perm = array<i64: 1, 0, 2>} : tensor<2x5x3xf32> -> tensor<5x2x3xf32>
  // CHECK: %[[ROWS:.*]] = particle.reshape %[[XT]] : tensor<5x2x3xf32> -> tensor<10x3xf32>
  // CHECK: %[[P:.*]] = particle.dense %[[ROWS]], %{{.*}}, %{{.*}} : (tensor<10x3xf32>, tensor<3x16xf32>, tensor<16xf32>) -> tensor<10x16xf32>
  // CHECK: %[[G:.*]] = particle.reshape %[[P]] : tensor<10x16xf32> -> tensor<5x2x16xf32>
  // CHECK: %[[S:.*]] = particle.recurrence %[[G]], %{{.*}} : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  // CHECK: %[[H:.*]] = particle.slice %[[S]] {begin = array<i64: 1, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : tensor<6x2x2x4xf32> -> tensor<5x1x2x4xf32>
  // CHECK: %[[FWD:.*]] = particle.reshape %[[H]] : tensor<5x1x2x4xf32> -> tensor<5x2x4xf32>
  // CHECK: %[[BS:.*]] = particle.recurrence %{{.*}}, %{{.*}} {reverse = true} : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  // CHECK: %[[BH:.*]] = particle.slice %[[BS]] {begin = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : tensor<6x2x2x4xf32> -> tensor<5x1x2x4xf32>
  // CHECK: %[[BWD:.*]] = particle.reshape %[[BH]] : tensor<5x1x2x4xf32> -> tensor<5x2x4xf32>
  // CHECK: %[[J:.*]] = particle.concat %[[FWD]], %[[BWD]] {axis = 2 : i64} : (tensor<5x2x4xf32>, tensor<5x2x4xf32>) -> tensor<5x2x8xf32>
  // CHECK: %[[Y:.*]] = particle.transpose %[[J]] {perm = array<i64: 1, 0, 2>} : tensor<5x2x8xf32> -> tensor<2x5x8xf32>
  // CHECK: particle.output "y" %[[Y]]
  // CHECK-NOT: particle.lstm 
  %y = particle.lstm %x, %k, %r, %b reverse %bk, %br, %bb {return_sequences = true} : (tensor<2x5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<2x5x8xf32>
  particle.output "y" %y : tensor<2x5x8xf32>
  return
}

// -----

// Batch 1, forward, final state: time major is a free view, and the result
// is the state in slot T.
// CHECK-LABEL: func.func @forward_last
func.func @forward_last() {
  %x = particle.input "x" : tensor<1x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  // CHECK: %[[XT:.*]] = particle.reshape %{{.*}} : tensor<1x5x3xf32> -> tensor<5x1x3xf32>
  // CHECK: %[[S:.*]] = particle.recurrence %{{.*}}, %{{.*}} : (tensor<5x1x16xf32>, tensor<4x16xf32>) -> tensor<6x2x1x4xf32>
  // CHECK: %[[H:.*]] = particle.slice %[[S]] {begin = array<i64: 5, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : tensor<6x2x1x4xf32> -> tensor<1x1x1x4xf32>
  // CHECK: %[[Y:.*]] = particle.reshape %[[H]] : tensor<1x1x1x4xf32> -> tensor<1x4xf32>
  // CHECK: particle.output "y" %[[Y]]
  %y = particle.lstm %x, %k, %r, %b : (tensor<1x5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<1x4xf32>
  particle.output "y" %y : tensor<1x4xf32>
  return
}

// A recurrence is a kernel alone; the slice after it starts its own.
// FUSED-LABEL: func.func @forward_last
// FUSED: particle.kernel "{{.*}}"(%{{.*}}, %{{.*}}, %{{.*}})
// FUSED: particle.dense
// FUSED: %[[S:.*]] = particle.kernel "{{.*}}"(%{{.*}}, %{{.*}}) : (tensor<5x1x16xf32>, tensor<4x16xf32>) -> tensor<6x2x1x4xf32>
// FUSED-NEXT: ^bb0
// FUSED-NEXT: particle.recurrence
// FUSED-NEXT: particle.yield
// FUSED: particle.kernel "{{.*}}"(%[[S]])
// FUSED-NEXT: ^bb0
// FUSED-NEXT: particle.slice
