// RUN: sora-opt %s -split-input-file -verify-diagnostics -sora-mark-run-time-batch=max-batch=4 | FileCheck %s

// What follows the model input holds the batch (a run of b samples shrinks
// its outermost extent to b / 4 of it); weights and what only they feed do
// not. Each input, view and kernel that holds it has its least extents
// (one sample's).
// CHECK-LABEL: func.func @follows
// CHECK-SAME: particle.run_time_units = 4 : i64
func.func @follows() {
  // CHECK: particle.input "x" {run_time_least = array<i64: 1, 6>}
  %x = particle.input "x" : tensor<4x6xf32>
  %w = particle.weight "w" : tensor<6xf32>
  // CHECK: particle.kernel "weights_only"
  // CHECK-NOT: run_time_least
  // CHECK: ^bb0
  %0 = particle.kernel "weights_only" (%w) : (tensor<6xf32>) -> tensor<6xf32> {
  ^bb0(%a: tensor<6xf32>):
    %r = particle.relu %a : tensor<6xf32>
    particle.yield %r : tensor<6xf32>
  }
  // CHECK: particle.kernel "sum"({{.*}}) {run_time_least = array<i64: 1, 6>}
  %1 = particle.kernel "sum" (%0, %x) : (tensor<6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32> {
  ^bb0(%a: tensor<6xf32>, %b: tensor<4x6xf32>):
    %r = particle.add %a, %b : (tensor<6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    particle.yield %r : tensor<4x6xf32>
  }
  // A view holds it too: [4, 6] as [8, 3] is two rows a sample.
  // CHECK: particle.reshape {{.*}} {run_time_least = array<i64: 2, 3>}
  %v = particle.reshape %1 : tensor<4x6xf32> -> tensor<8x3xf32>
  // CHECK: particle.kernel "after_view"({{.*}}) {run_time_least = array<i64: 2, 3>}
  %2 = particle.kernel "after_view" (%v) : (tensor<8x3xf32>) -> tensor<8x3xf32> {
  ^bb0(%a: tensor<8x3xf32>):
    %r = particle.relu %a : tensor<8x3xf32>
    particle.yield %r : tensor<8x3xf32>
  }
  particle.output "y" %2 : tensor<8x3xf32>
  return
}

// -----

// A tensor that follows the input but whose outermost extent is no multiple
// of the largest batch cannot hold it there.
func.func @not_outermost() {
  %x = particle.input "x" : tensor<4x6xf32>
  // expected-error @+1 {{--max-batch: this tensor follows the batch but its outermost extent is not a multiple of 4}}
  %v = particle.reshape %x : tensor<4x6xf32> -> tensor<6x4xf32>
  particle.output "y" %v : tensor<6x4xf32>
  return
}

// -----

// A recurrence's steps slice the batch inside: it runs a sample at a time.
func.func @recurrence() {
  %x = particle.input "x" : tensor<4x1x16xf32>
  %r = particle.weight "r" : tensor<4x16xf32>
  // expected-error @+1 {{--max-batch: a recurrence kernel cannot take its batch at run time}}
  %1 = particle.kernel "fwd" (%x, %r) : (tensor<4x1x16xf32>, tensor<4x16xf32>) -> tensor<5x2x1x4xf32> {
  ^bb0(%a: tensor<4x1x16xf32>, %b: tensor<4x16xf32>):
    %s = particle.recurrence %a, %b : (tensor<4x1x16xf32>, tensor<4x16xf32>) -> tensor<5x2x1x4xf32>
    particle.yield %s : tensor<5x2x1x4xf32>
  }
  particle.output "y" %1 : tensor<5x2x1x4xf32>
  return
}
