// RUN: sora-opt %s -split-input-file -sora-layout-weights -convert-particle-to-llvm=target=x86-64-avx2 -verify-diagnostics | FileCheck %s
// RUN: sora-opt %s -split-input-file -sora-layout-weights '-convert-particle-to-llvm=target=x86-64-avx2 descriptor-symbol=m_model weights-file=m.weights weights-checksum=42' -verify-diagnostics | FileCheck %s --check-prefix=EXTERNAL

// Inputs come from the inputs array, weights from the blob the runtime
// passes; views reuse pointers. A kernel result that only a model output
// reads (here through a view) is written into the caller's output buffer,
// with no copy after the run.
// CHECK-LABEL: llvm.mlir.global external hidden constant @_sora_weights() {addr_space = 0 : i32, alignment = 64 : i64}
// CHECK: llvm.func hidden @_sora_run(%[[UC:.*]]: !llvm.ptr, %[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr, %[[ARENA:.*]]: !llvm.ptr, %[[BLOB:.*]]: !llvm.ptr, %[[SAMPLES:.*]]: i64) -> i64
// CHECK: %[[X:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[W:.*]] = llvm.getelementptr %[[BLOB]][0] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %[[OUT]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[R:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.store %[[X]]
// CHECK: llvm.store %[[W]]
// CHECK: llvm.store %[[R]]
// CHECK: %[[STATUS:.*]] = llvm.call @k0(%[[UC]], %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: llvm.cond_br %{{.*}}, ^[[FAIL:.*]](%{{.*}} : i64), ^[[NEXT:.*]]
// CHECK: ^[[FAIL]](%[[CODE:.*]]: i64):
// CHECK-NEXT: llvm.return %[[CODE]] : i64
// CHECK: ^[[NEXT]]:
// CHECK-NOT: llvm.intr.memcpy
// CHECK: llvm.return %{{.*}} : i64
// CHECK: llvm.func hidden @k0(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: llvm.mlir.global external hidden constant @sora_abi_model()
// CHECK: llvm.mlir.addressof @_sora_weights
// CHECK-NOT: func.func

// With external weights the descriptor names the file and its checksum and
// links no blob; the descriptor function returns the descriptor.
// EXTERNAL-NOT: @_sora_weights
// EXTERNAL: llvm.mlir.global internal constant @[[FILE:_sora_str[0-9]+]]("m.weights\00")
// EXTERNAL: llvm.mlir.global external hidden constant @sora_abi_model()
// EXTERNAL: llvm.mlir.zero : !llvm.ptr
// EXTERNAL: llvm.mlir.constant(32 : i64) : i64
// EXTERNAL: llvm.mlir.constant(42 : i64) : i64
// EXTERNAL: llvm.mlir.addressof @[[FILE]]
// EXTERNAL: llvm.func @m_model() -> !llvm.ptr
// EXTERNAL-NEXT: %[[D:.*]] = llvm.mlir.addressof @sora_abi_model : !llvm.ptr
// EXTERNAL-NEXT: llvm.return %[[D]] : !llvm.ptr
// EXTERNAL-NOT: @_sora_weights
module @m {
  func.func @m() attributes {particle.arena_size = 192 : i64} {
    %x = particle.input "x" : tensor<1x4xf32>
    %w = particle.weight "d.kernel" : tensor<4x2xf32>
    %y = particle.kernel "k0" (%x, %w) {arena_offset = 128 : i64} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> {
    ^bb0(%a: tensor<1x4xf32>, %b: tensor<4x2xf32>):
      %0 = particle.dense %a, %b : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
      particle.yield %0 : tensor<1x2xf32>
    }
    %v = particle.reshape %y : tensor<1x2xf32> -> tensor<2xf32>
    particle.output "v" %v : tensor<2xf32>
    return
  }
}

// -----

// Offsets past 2^28 bytes do not fit a GEP's 29-bit constant index (which
// wraps silently: vgg11_bn's classifier bias at 447923712 became -88947200);
// they are i64 operands. The second weight lies 2^29 + 64 bytes into the blob.
// The kernel's result, read by two outputs, stays in the arena and is copied
// out to each.
// CHECK: llvm.func hidden @_sora_run
// CHECK: llvm.getelementptr %{{.*}}[0] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: %[[FAR:.*]] = llvm.mlir.constant(536870976 : i64) : i64
// CHECK: llvm.getelementptr %{{.*}}[%[[FAR]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK: %[[SLOT:.*]] = llvm.mlir.constant(1073741824 : i64) : i64
// CHECK: %[[Y:.*]] = llvm.getelementptr %{{.*}}[%[[SLOT]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK: llvm.call @k0
// CHECK: "llvm.intr.memcpy"(%{{.*}}, %[[Y]], %{{.*}})
// CHECK: "llvm.intr.memcpy"(%{{.*}}, %[[Y]], %{{.*}})
module @far {
  func.func @far() attributes {particle.arena_size = 1073741832 : i64} {
    %x = particle.input "x" : tensor<2xf32>
    %big = particle.weight "big" : tensor<134217743xf32>
    %w = particle.weight "w" : tensor<2xf32>
    %y = particle.kernel "k0" (%x, %w) {arena_offset = 1073741824 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> {
    ^bb0(%a: tensor<2xf32>, %b: tensor<2xf32>):
      %0 = particle.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      particle.yield %0 : tensor<2xf32>
    }
    particle.output "y" %y : tensor<2xf32>
    particle.output "y2" %y : tensor<2xf32>
    return
  }
}

// -----

module @unplanned {
  // expected-error @below {{graph has no memory plan; run sora-plan-memory}}
  func.func @unplanned() {
    return
  }
}

// -----

module @unfused {
  func.func @unfused() attributes {particle.arena_size = 0 : i64} {
    %x = particle.input "x" : tensor<4xf32>
    // expected-error @below {{is not supported by the graph driver; every compute particle must be inside a kernel}}
    %y = particle.relu %x : tensor<4xf32>
    particle.output "y" %y : tensor<4xf32>
    return
  }
}
