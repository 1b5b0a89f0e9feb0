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
