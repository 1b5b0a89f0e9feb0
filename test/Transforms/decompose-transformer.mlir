// RUN: sora-opt %s -split-input-file -sora-decompose-transformer | FileCheck %s

// Separate projections, causal: three denses over the rows, heads split by
// reshape + transpose (k as [B, H, d, S]), scores scaled by 1/sqrt(d) and
// masked by the causal table, softmax over the keys, heads joined back.
// CHECK-LABEL: func.func @attention_causal
func.func @attention_causal() {
  %x = particle.input "x" : tensor<2x8x16xf32>
  %wq = particle.weight "a.q_kernel" : tensor<16x16xf32>
  %bq = particle.weight "a.q_bias" : tensor<16xf32>
  %wk = particle.weight "a.k_kernel" : tensor<16x16xf32>
  %bk = particle.weight "a.k_bias" : tensor<16xf32>
  %wv = particle.weight "a.v_kernel" : tensor<16x16xf32>
  %bv = particle.weight "a.v_bias" : tensor<16xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // CHECK:      %[[ROWS:.*]] = particle.reshape %{{.*}} : tensor<2x8x16xf32> -> tensor<16x16xf32>
  // CHECK-NEXT: %[[Q:.*]] = particle.dense %[[ROWS]]
  // CHECK-NEXT: %[[K:.*]] = particle.dense %[[ROWS]]
  // CHECK-NEXT: %[[V:.*]] = particle.dense %[[ROWS]]
  // CHECK-NEXT: %[[Q4:.*]] = particle.reshape %[[Q]] : tensor<16x16xf32> -> tensor<2x8x4x4xf32>
  // CHECK-NEXT: %[[QH:.*]] = particle.transpose %[[Q4]] {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x4xf32> -> tensor<2x4x8x4xf32>
  // CHECK-NEXT: %[[K4:.*]] = particle.reshape %[[K]]
  // CHECK-NEXT: %[[KH:.*]] = particle.transpose %[[K4]] {perm = array<i64: 0, 2, 3, 1>} : tensor<2x8x4x4xf32> -> tensor<2x4x4x8xf32>
  // CHECK-NEXT: %[[V4:.*]] = particle.reshape %[[V]]
  // CHECK-NEXT: %[[VH:.*]] = particle.transpose %[[V4]] {perm = array<i64: 0, 2, 1, 3>}
  // CHECK-NEXT: %[[S:.*]] = particle.matmul %[[QH]], %[[KH]] : (tensor<2x4x8x4xf32>, tensor<2x4x4x8xf32>) -> tensor<2x4x8x8xf32>
  // CHECK-NEXT: %[[SCALE:.*]] = particle.weight "_sora.scale.0.5" : tensor<1xf32>
  // CHECK-NEXT: %[[SS:.*]] = particle.mul %[[S]], %[[SCALE]]
  // CHECK-NEXT: %[[CAUSAL:.*]] = particle.weight "_sora.causal_mask.8x8" : tensor<8x8xf32>
  // CHECK-NEXT: %[[SM:.*]] = particle.add %[[SS]], %[[CAUSAL]]
  // CHECK-NEXT: %[[P:.*]] = particle.softmax %[[SM]] {axis = 3 : i64} : tensor<2x4x8x8xf32>
  // CHECK-NEXT: %[[C:.*]] = particle.matmul %[[P]], %[[VH]] : (tensor<2x4x8x8xf32>, tensor<2x4x8x4xf32>) -> tensor<2x4x8x4xf32>
  // CHECK-NEXT: %[[CT:.*]] = particle.transpose %[[C]] {perm = array<i64: 0, 2, 1, 3>} : tensor<2x4x8x4xf32> -> tensor<2x8x4x4xf32>
  // CHECK-NEXT: %[[CR:.*]] = particle.reshape %[[CT]] : tensor<2x8x4x4xf32> -> tensor<16x16xf32>
  // CHECK-NEXT: %[[O:.*]] = particle.dense %[[CR]]
  // CHECK-NEXT: %[[Y:.*]] = particle.reshape %[[O]] : tensor<16x16xf32> -> tensor<2x8x16xf32>
  // CHECK-NEXT: particle.output "y" %[[Y]]
  // CHECK-NOT: particle.multi_head_attention
  %y = particle.multi_head_attention %x q %wq, %bq k %wk, %bk v %wv, %bv out %wo, %bo {heads = 4 : i64, causal = true} : (tensor<2x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  particle.output "y" %y : tensor<2x8x16xf32>
  return
}

// -----

// A fused qkv kernel: one dense, sliced in three. The padding mask becomes
// an additive bias mask * 1e30 - 1e30 over [B, 1, 1, S]. One head: the
// transposes of q and v only move a size-1 dim, so they are reshapes; k is
// still transposed to [B, 1, d, S].
// CHECK-LABEL: func.func @attention_fused_masked
func.func @attention_fused_masked() {
  %x = particle.input "x" : tensor<2x8x16xf32>
  %m = particle.input "m" : tensor<2x8xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x48xf32>
  %b = particle.weight "a.qkv_bias" : tensor<48xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // CHECK:      %[[QKV:.*]] = particle.dense %{{.*}} : (tensor<16x16xf32>, tensor<16x48xf32>, tensor<48xf32>) -> tensor<16x48xf32>
  // CHECK-NEXT: particle.slice %[[QKV]] {begin = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<16x48xf32> -> tensor<16x16xf32>
  // CHECK-NEXT: particle.slice %[[QKV]] {begin = array<i64: 0, 16>
  // CHECK-NEXT: particle.slice %[[QKV]] {begin = array<i64: 0, 32>
  // CHECK-NEXT: particle.reshape %{{.*}} : tensor<16x16xf32> -> tensor<2x1x8x16xf32>
  // CHECK-NEXT: particle.reshape %{{.*}} : tensor<16x16xf32> -> tensor<2x8x1x16xf32>
  // CHECK-NEXT: particle.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : tensor<2x8x1x16xf32> -> tensor<2x1x16x8xf32>
  // CHECK-NEXT: particle.reshape %{{.*}} : tensor<16x16xf32> -> tensor<2x1x8x16xf32>
  // CHECK-NEXT: %[[S:.*]] = particle.matmul
  // CHECK:      %[[SS:.*]] = particle.mul %[[S]], %{{.*}} : (tensor<2x1x8x8xf32>, tensor<1xf32>)
  // CHECK-NEXT: %[[BIG:.*]] = particle.weight "_sora.mask_scale.1.00000002e+30" : tensor<1xf32>
  // CHECK-NEXT: %[[M1:.*]] = particle.mul %{{.*}}, %[[BIG]] : (tensor<2x8xf32>, tensor<1xf32>) -> tensor<2x8xf32>
  // CHECK-NEXT: %[[M2:.*]] = particle.sub %[[M1]], %[[BIG]]
  // CHECK-NEXT: %[[M4:.*]] = particle.reshape %[[M2]] : tensor<2x8xf32> -> tensor<2x1x1x8xf32>
  // CHECK-NEXT: %[[SM:.*]] = particle.add %[[SS]], %[[M4]] : (tensor<2x1x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x1x8x8xf32>
  // CHECK-NEXT: particle.softmax %[[SM]] {axis = 3 : i64}
  // CHECK-NOT:  particle.transpose
  // CHECK:      particle.output
  %y = particle.multi_head_attention %x mask %m qkv %w, %b out %wo, %bo {heads = 1 : i64} : (tensor<2x8x16xf32>, tensor<2x8xf32>, tensor<16x48xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  particle.output "y" %y : tensor<2x8x16xf32>
  return
}

// -----

// feed_forward: dense, activation on the rows (so that it fuses into the
// dense's kernel), dense.
// CHECK-LABEL: func.func @feed_forward
func.func @feed_forward() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w1 = particle.weight "f.hidden_kernel" : tensor<16x64xf32>
  %b1 = particle.weight "f.hidden_bias" : tensor<64xf32>
  %w2 = particle.weight "f.out_kernel" : tensor<64x16xf32>
  %b2 = particle.weight "f.out_bias" : tensor<16xf32>
  // CHECK:      %[[R:.*]] = particle.reshape %{{.*}} : tensor<1x8x16xf32> -> tensor<8x16xf32>
  // CHECK-NEXT: %[[H:.*]] = particle.dense %[[R]], %{{.*}}, %{{.*}} : (tensor<8x16xf32>, tensor<16x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  // CHECK-NEXT: %[[A:.*]] = particle.gelu %[[H]] {approximate = "tanh"} : tensor<8x64xf32>
  // CHECK-NEXT: %[[O:.*]] = particle.dense %[[A]], %{{.*}}, %{{.*}} : (tensor<8x64xf32>, tensor<64x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  // CHECK-NEXT: %[[Y:.*]] = particle.reshape %[[O]] : tensor<8x16xf32> -> tensor<1x8x16xf32>
  // CHECK-NEXT: particle.output "y" %[[Y]]
  %y = particle.feed_forward %x, %w1, %b1, %w2, %b2 {activation = "gelu_tanh"} : (tensor<1x8x16xf32>, tensor<16x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  particle.output "y" %y : tensor<1x8x16xf32>
  return
}

// -----

// Sinusoidal positions add a compile-time table; learned ones the first
// rows of theirs.
// CHECK-LABEL: func.func @positions
func.func @positions() {
  %x = particle.input "x" : tensor<2x8x16xf32>
  %t = particle.weight "p.embeddings" : tensor<32x16xf32>
  // CHECK:      %[[PE:.*]] = particle.weight "_sora.sinusoid.8x16" : tensor<8x16xf32>
  // CHECK-NEXT: %[[S:.*]] = particle.add %{{.*}}, %[[PE]] : (tensor<2x8x16xf32>, tensor<8x16xf32>) -> tensor<2x8x16xf32>
  // CHECK-NEXT: %[[T:.*]] = particle.slice %{{.*}} {begin = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<32x16xf32> -> tensor<8x16xf32>
  // CHECK-NEXT: %[[L:.*]] = particle.add %[[S]], %[[T]]
  // CHECK-NEXT: particle.output "y" %[[L]]
  %s = particle.positional_encoding %x : (tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %l = particle.positional_encoding %s, %t : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x16xf32>
  particle.output "y" %l : tensor<2x8x16xf32>
  return
}
