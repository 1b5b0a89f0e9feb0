// RUN: sora-opt %s -split-input-file -sora-layout-weights '-convert-particle-to-llvm=target=x86-64-avx2 max-batch=4' -verify-diagnostics | FileCheck %s

// Extents a run chooses (run_time_least): the descriptors of the input and
// the kernel result take units × least along the marked dimension (shape
// dimension 1 is Halide dimension 1, its extent the sixth i32 of the dims
// array), and each output copies units × 24 bytes (the result, read by two
// outputs, stays in the arena).
// CHECK-LABEL: llvm.func hidden @_sora_run
// CHECK-SAME: %[[UNITS:[a-z0-9]+]]: i64) -> i64
// CHECK: %[[DIMS:.*]] = llvm.alloca {{.*}} x !llvm.array<12 x i32>
// CHECK: "llvm.intr.memcpy"(%[[DIMS]]
// CHECK: %[[EXTENT:.*]] = llvm.getelementptr %[[DIMS]][5] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK: %[[LEAST:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: %[[SCALED:.*]] = llvm.mul %[[UNITS]], %[[LEAST]] : i64
// CHECK: %[[SCALED32:.*]] = llvm.trunc %[[SCALED]] : i64 to i32
// CHECK: llvm.store %[[SCALED32]], %[[EXTENT]] : i32, !llvm.ptr
// CHECK: llvm.call @k0
// CHECK: llvm.mlir.constant(96 : i64) : i64
// CHECK-NEXT: %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT: %[[ROWS:.*]] = llvm.mul %[[UNITS]], %[[ONE]] : i64
// CHECK-NEXT: %[[ROW:.*]] = llvm.mlir.constant(24 : i64) : i64
// CHECK-NEXT: %[[BYTES:.*]] = llvm.mul %[[ROWS]], %[[ROW]] : i64
// CHECK: "llvm.intr.memcpy"(%{{.*}}, %{{.*}}, %[[BYTES]])
module @m {
  func.func @m() attributes {particle.arena_size = 128 : i64, particle.run_time_units = 4 : i64} {
    %x = particle.input "x" {run_time_least = array<i64: 1, 1, 6>} : tensor<1x4x6xf32>
    %y = particle.kernel "k0" (%x) {arena_offset = 0 : i64, run_time_least = array<i64: 1, 1, 6>} : (tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
    ^bb0(%a: tensor<1x4x6xf32>):
      %0 = particle.relu %a : tensor<1x4x6xf32>
      particle.yield %0 : tensor<1x4x6xf32>
    }
    particle.output "y" %y : tensor<1x4x6xf32>
    particle.output "y2" %y : tensor<1x4x6xf32>
    return
  }
}

// -----

// A run's elements must come first in a model input or output (the caller's
// tensors are dense): no run-time extent after a dimension of more than one.
module @inner {
  func.func @inner() attributes {particle.arena_size = 128 : i64, particle.run_time_units = 4 : i64} {
    // expected-error @below {{has extents a run chooses after a dimension of more than one element}}
    %x = particle.input "x" {run_time_least = array<i64: 2, 1, 6>} : tensor<2x4x6xf32>
    particle.output "y" %x : tensor<2x4x6xf32>
    return
  }
}

// -----

module @output {
  func.func @output() attributes {particle.arena_size = 256 : i64, particle.run_time_units = 4 : i64} {
    %x = particle.input "x" {run_time_least = array<i64: 1, 6>} : tensor<4x6xf32>
    %v = particle.reshape %x {run_time_least = array<i64: 1, 1, 6>} : tensor<4x6xf32> -> tensor<1x4x6xf32>
    %y = particle.kernel "k0" (%v) {arena_offset = 0 : i64, run_time_least = array<i64: 1, 1, 6>} : (tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
    ^bb0(%a: tensor<1x4x6xf32>):
      %0 = particle.transpose %a {perm = array<i64: 0, 2, 1>} : tensor<1x4x6xf32> -> tensor<1x6x4xf32>
      %1 = particle.transpose %0 {perm = array<i64: 0, 2, 1>} : tensor<1x6x4xf32> -> tensor<1x4x6xf32>
      particle.yield %1 : tensor<1x4x6xf32>
    }
    %t = particle.kernel "k1" (%y) {arena_offset = 128 : i64, run_time_least = array<i64: 1, 6, 1>} : (tensor<1x4x6xf32>) -> tensor<1x6x4xf32> {
    ^bb0(%a: tensor<1x4x6xf32>):
      %0 = particle.transpose %a {perm = array<i64: 0, 2, 1>} : tensor<1x4x6xf32> -> tensor<1x6x4xf32>
      particle.yield %0 : tensor<1x6x4xf32>
    }
    // expected-error @below {{has extents a run chooses after a dimension of more than one element}}
    particle.output "y" %t : tensor<1x6x4xf32>
    return
  }
}
