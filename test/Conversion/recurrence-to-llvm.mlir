// RUN: sora-opt %s -sora-layout-weights -convert-particle-to-llvm=target=x86-64-avx2 | FileCheck %s

// A reverse recurrence over T = 5 steps (B = 1, H = 4): the driver zeroes the
// initial state slot T (5 * 32 bytes into the result), then calls the
// one-step kernel for s = 0 .. 4 on the gates of time 4 - s (64 bytes a
// step), the recurrent kernel, the state slot 5 - s and the state slot
// 4 - s, stopping at the first failure.
// CHECK-LABEL: llvm.func hidden @_sora_run(
// CHECK-SAME: %[[UC:[^:]*]]: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %[[ARENA:[^:]*]]: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: i64)
// CHECK: %[[STATES:.*]] = llvm.getelementptr %[[ARENA]][512]
// CHECK: %[[INIT:.*]] = llvm.getelementptr %[[STATES]][160]
// CHECK: "llvm.intr.memset"(%[[INIT]], %{{.*}}, %{{.*}}) <{isVolatile = false}>
// CHECK: llvm.br ^[[LOOP:.*]](%{{.*}} : i64)
// CHECK: ^[[LOOP]](%[[S:.*]]: i64):
// Gates of time 4 - s: (s * -1 + 4) * 64 bytes.
// CHECK: llvm.mul %[[S]], %{{.*}}
// CHECK: llvm.mlir.constant(4 : i64)
// CHECK: llvm.mlir.constant(64 : i64)
// Read slot 5 - s, write slot 4 - s, 32 bytes each.
// CHECK: llvm.mul %[[S]], %{{.*}}
// CHECK: llvm.mlir.constant(5 : i64)
// CHECK: llvm.mlir.constant(32 : i64)
// CHECK: llvm.mul %[[S]], %{{.*}}
// CHECK: llvm.mlir.constant(4 : i64)
// CHECK: llvm.mlir.constant(32 : i64)
// CHECK: llvm.call @rec(%[[UC]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: llvm.cond_br %{{.*}}, ^{{.*}}(%{{.*}} : i64), ^[[LATCH:.*]]
// CHECK: ^[[LATCH]]:
// CHECK: %[[NEXT:.*]] = llvm.add %[[S]], %{{.*}} : i64
// CHECK: %[[MORE:.*]] = llvm.icmp "slt" %[[NEXT]], %{{.*}} : i64
// CHECK: llvm.cond_br %[[MORE]], ^[[LOOP]](%[[NEXT]] : i64), ^{{.*}}
// CHECK: llvm.func hidden @rec(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
module @m {
  func.func @m() attributes {particle.arena_size = 1024 : i64} {
    %g = particle.input "gates" : tensor<5x1x16xf32>
    %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
    %s = particle.kernel "rec" (%g, %r) {arena_offset = 512 : i64} : (tensor<5x1x16xf32>, tensor<4x16xf32>) -> tensor<6x2x1x4xf32> {
    ^bb0(%a: tensor<5x1x16xf32>, %b: tensor<4x16xf32>):
      %0 = particle.recurrence %a, %b {reverse = true} : (tensor<5x1x16xf32>, tensor<4x16xf32>) -> tensor<6x2x1x4xf32>
      particle.yield %0 : tensor<6x2x1x4xf32>
    }
    particle.output "s" %s : tensor<6x2x1x4xf32>
    return
  }
}
