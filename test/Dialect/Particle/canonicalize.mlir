// RUN: sora-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @flatten_becomes_reshape
func.func @flatten_becomes_reshape() {
  %x = particle.input "x" : tensor<1x2x2x3xf32>
  // CHECK: %[[R:.*]] = particle.reshape %{{.*}} : tensor<1x2x2x3xf32> -> tensor<1x12xf32>
  // CHECK-NOT: particle.flatten
  %f = particle.flatten %x : tensor<1x2x2x3xf32> -> tensor<1x12xf32>
  particle.output "f" %f : tensor<1x12xf32>
  return
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
func.func @reshape_of_reshape() {
  %x = particle.input "x" : tensor<2x6xf32>
  // CHECK: particle.reshape %{{.*}} : tensor<2x6xf32> -> tensor<3x4xf32>
  // CHECK-NOT: particle.reshape
  %a = particle.reshape %x : tensor<2x6xf32> -> tensor<12xf32>
  %b = particle.reshape %a : tensor<12xf32> -> tensor<3x4xf32>
  particle.output "b" %b : tensor<3x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @identity_reshape
func.func @identity_reshape() {
  // CHECK: %[[X:.*]] = particle.input
  %x = particle.input "x" : tensor<2x6xf32>
  // CHECK-NEXT: particle.output "b" %[[X]]
  %a = particle.reshape %x : tensor<2x6xf32> -> tensor<2x6xf32>
  particle.output "b" %a : tensor<2x6xf32>
  return
}

// -----

// CHECK-LABEL: func.func @relu_idempotent
func.func @relu_idempotent() {
  %x = particle.input "x" : tensor<4xf32>
  // CHECK: %[[R:.*]] = particle.relu
  // CHECK-NEXT: particle.output "r" %[[R]]
  %a = particle.relu %x : tensor<4xf32>
  %b = particle.relu %a : tensor<4xf32>
  particle.output "r" %b : tensor<4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @dead_particles
func.func @dead_particles() {
  %x = particle.input "x" : tensor<4xf32>
  // CHECK-NOT: particle.tanh
  %a = particle.tanh %x : tensor<4xf32>
  particle.output "x" %x : tensor<4xf32>
  return
}

// -----

// Dropout is the identity at inference.
// CHECK-LABEL: func.func @dropout_folds
func.func @dropout_folds() {
  // CHECK: %[[X:.*]] = particle.input "x"
  // CHECK-NOT: particle.dropout
  // CHECK: particle.output "y" %[[X]]
  %x = particle.input "x" : tensor<2x6xf32>
  %y = particle.dropout %x {rate = 0.5 : f32} : tensor<2x6xf32>
  particle.output "y" %y : tensor<2x6xf32>
  return
}

// -----

// A split becomes one slice per result.
// CHECK-LABEL: func.func @split_to_slices
func.func @split_to_slices() {
  // CHECK: %[[X:.*]] = particle.input "x"
  // CHECK: %[[A:.*]] = particle.slice %[[X]] {begin = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<2x6xf32> -> tensor<2x1xf32>
  // CHECK: %[[B:.*]] = particle.slice %[[X]] {begin = array<i64: 0, 1>, strides = array<i64: 1, 1>} : tensor<2x6xf32> -> tensor<2x5xf32>
  // CHECK-NOT: particle.split
  // CHECK: particle.output "a" %[[A]]
  // CHECK: particle.output "b" %[[B]]
  %x = particle.input "x" : tensor<2x6xf32>
  %a, %b = particle.split %x {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x1xf32>, tensor<2x5xf32>
  particle.output "a" %a : tensor<2x1xf32>
  particle.output "b" %b : tensor<2x5xf32>
  return
}

// -----

// Global pools become windowed pools over the whole image.
// CHECK-LABEL: func.func @global_pools
func.func @global_pools() {
  %x = particle.input "x" : tensor<1x5x7x8xf32>
  // CHECK: particle.avg_pool2d %{{.*}} {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, window = array<i64: 5, 7>} : tensor<1x5x7x8xf32> -> tensor<1x1x1x8xf32>
  // CHECK: %[[M:.*]] = particle.max_pool2d %{{.*}} {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, window = array<i64: 5, 7>} : tensor<1x5x7x8xf32> -> tensor<1x1x1x8xf32>
  // CHECK: particle.reshape %[[M]] : tensor<1x1x1x8xf32> -> tensor<1x8xf32>
  // CHECK-NOT: global
  %a = particle.global_avg_pool2d %x : tensor<1x5x7x8xf32> -> tensor<1x1x1x8xf32>
  %m = particle.global_max_pool2d %x {keepdims = false} : tensor<1x5x7x8xf32> -> tensor<1x8xf32>
  particle.output "a" %a : tensor<1x1x1x8xf32>
  particle.output "m" %m : tensor<1x8xf32>
  return
}

// -----

// An activation after a reshape that keeps the last dimension runs before it
// (so that it fuses into the kernel computing its input); the reshapes meet
// and fold away.
// CHECK-LABEL: func.func @elementwise_before_reshape
func.func @elementwise_before_reshape() {
  // CHECK: %[[X:.*]] = particle.input "x" : tensor<4x6xf32>
  %x = particle.input "x" : tensor<4x6xf32>
  // CHECK-NEXT: %[[G:.*]] = particle.gelu %[[X]] {approximate = "tanh"} : tensor<4x6xf32>
  // CHECK-NEXT: %[[S:.*]] = particle.sigmoid %[[G]] : tensor<4x6xf32>
  // CHECK-NEXT: particle.output "y" %[[S]] : tensor<4x6xf32>
  %a = particle.reshape %x : tensor<4x6xf32> -> tensor<4x1x6xf32>
  %b = particle.gelu %a {approximate = "tanh"} : tensor<4x1x6xf32>
  %c = particle.sigmoid %b : tensor<4x1x6xf32>
  %d = particle.reshape %c : tensor<4x1x6xf32> -> tensor<4x6xf32>
  particle.output "y" %d : tensor<4x6xf32>
  return
}

// -----

// A reshape that changes the last dimension keeps a per-channel op after it;
// an op of two operands stays too where the reshaped tensor is a model
// input (no kernel computes it).
// CHECK-LABEL: func.func @elementwise_stays_after_reshape
func.func @elementwise_stays_after_reshape() {
  %x = particle.input "x" : tensor<2x6xf32>
  // CHECK: particle.reshape %{{.*}} : tensor<2x6xf32> -> tensor<4x3xf32>
  // CHECK-NEXT: particle.normalize
  %a = particle.reshape %x : tensor<2x6xf32> -> tensor<4x3xf32>
  %b = particle.normalize %a {mean = array<f32: 0.0, 1.0, 2.0>, std = array<f32: 1.0, 2.0, 3.0>} : tensor<4x3xf32>
  particle.output "n" %b : tensor<4x3xf32>
  // CHECK: particle.reshape %{{.*}} : tensor<2x6xf32> -> tensor<2x1x6xf32>
  // CHECK-NEXT: particle.add
  %y = particle.input "y" : tensor<2x1x6xf32>
  %c = particle.reshape %x : tensor<2x6xf32> -> tensor<2x1x6xf32>
  %d = particle.add %c, %y : (tensor<2x1x6xf32>, tensor<2x1x6xf32>) -> tensor<2x1x6xf32>
  particle.output "s" %d : tensor<2x1x6xf32>
  return
}

// -----

// An op of two operands moves before the reshape of a dense layer's result
// (so that it fuses into the dense kernel as an epilogue); its other operand
// is reshaped to match.
// CHECK-LABEL: func.func @binary_before_reshape
func.func @binary_before_reshape() {
  %x = particle.input "x" : tensor<4x5xf32>
  %w = particle.weight "d.kernel" : tensor<5x6xf32>
  // CHECK: %[[R:.*]] = particle.input "r" : tensor<4x1x6xf32>
  %r = particle.input "r" : tensor<4x1x6xf32>
  // CHECK: %[[D:.*]] = particle.dense
  // CHECK-NEXT: %[[RR:.*]] = particle.reshape %[[R]] : tensor<4x1x6xf32> -> tensor<4x6xf32>
  // CHECK-NEXT: %[[S:.*]] = particle.add %[[D]], %[[RR]] : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  // CHECK-NEXT: %[[Y:.*]] = particle.reshape %[[S]] : tensor<4x6xf32> -> tensor<4x1x6xf32>
  // CHECK-NEXT: particle.output "y" %[[Y]]
  %d = particle.dense %x, %w : (tensor<4x5xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
  %a = particle.reshape %d : tensor<4x6xf32> -> tensor<4x1x6xf32>
  %s = particle.add %a, %r : (tensor<4x1x6xf32>, tensor<4x1x6xf32>) -> tensor<4x1x6xf32>
  particle.output "y" %s : tensor<4x1x6xf32>
  return
}

// -----

// Where the other operand's op would fuse it as it is, the op stays (and is
// not moved back and forth between the two shapes).
// CHECK-LABEL: func.func @binary_stays_with_a_fusing_operand
func.func @binary_stays_with_a_fusing_operand() {
  %x = particle.input "x" : tensor<4x5xf32>
  %w = particle.weight "d.kernel" : tensor<5x6xf32>
  %v = particle.input "v" : tensor<4x1x6xf32>
  // CHECK: particle.reshape %{{.*}} : tensor<4x6xf32> -> tensor<4x1x6xf32>
  // CHECK-NEXT: particle.relu
  // CHECK-NEXT: particle.add %{{.*}}, %{{.*}} : (tensor<4x1x6xf32>, tensor<4x1x6xf32>) -> tensor<4x1x6xf32>
  %d = particle.dense %x, %w : (tensor<4x5xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
  %a = particle.reshape %d : tensor<4x6xf32> -> tensor<4x1x6xf32>
  %b = particle.relu %v : tensor<4x1x6xf32>
  %s = particle.add %a, %b : (tensor<4x1x6xf32>, tensor<4x1x6xf32>) -> tensor<4x1x6xf32>
  particle.output "y" %s : tensor<4x1x6xf32>
  return
}
