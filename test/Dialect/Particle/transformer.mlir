// RUN: sora-opt %s -split-input-file | sora-opt -split-input-file | FileCheck %s
// multi_head_attention, feed_forward and positional_encoding round-trip
// through their assembly formats.

// CHECK-LABEL: func.func @attention_separate_causal
func.func @attention_separate_causal() {
  %x = particle.input "x" : tensor<2x8x16xf32>
  %wq = particle.weight "a.q_kernel" : tensor<16x16xf32>
  %bq = particle.weight "a.q_bias" : tensor<16xf32>
  %wk = particle.weight "a.k_kernel" : tensor<16x16xf32>
  %bk = particle.weight "a.k_bias" : tensor<16xf32>
  %wv = particle.weight "a.v_kernel" : tensor<16x16xf32>
  %bv = particle.weight "a.v_bias" : tensor<16xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // CHECK: particle.multi_head_attention %{{.*}} q %{{.*}}, %{{.*}} k %{{.*}}, %{{.*}} v %{{.*}}, %{{.*}} out %{{.*}}, %{{.*}} {causal = true, heads = 4 : i64}
  %y = particle.multi_head_attention %x q %wq, %bq k %wk, %bk v %wv, %bv out %wo, %bo {heads = 4 : i64, causal = true} : (tensor<2x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  particle.output "y" %y : tensor<2x8x16xf32>
  return
}

// -----

// A fused qkv kernel and a padding mask; heads * head_dim (8 x 4) need not
// be the input width.
// CHECK-LABEL: func.func @attention_fused_masked
func.func @attention_fused_masked() {
  %x = particle.input "x" : tensor<2x8x16xf32>
  %m = particle.input "m" : tensor<2x8xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x96xf32>
  %b = particle.weight "a.qkv_bias" : tensor<96xf32>
  %wo = particle.weight "a.out_kernel" : tensor<32x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // CHECK: particle.multi_head_attention %{{.*}} mask %{{.*}} qkv %{{.*}}, %{{.*}} out %{{.*}}, %{{.*}} {heads = 8 : i64} : (tensor<2x8x16xf32>, tensor<2x8xf32>, tensor<16x96xf32>, tensor<96xf32>, tensor<32x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  %y = particle.multi_head_attention %x mask %m qkv %w, %b out %wo, %bo {heads = 8 : i64} : (tensor<2x8x16xf32>, tensor<2x8xf32>, tensor<16x96xf32>, tensor<96xf32>, tensor<32x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  particle.output "y" %y : tensor<2x8x16xf32>
  return
}

// -----

// CHECK-LABEL: func.func @feed_forward_and_positions
func.func @feed_forward_and_positions() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w1 = particle.weight "f.hidden_kernel" : tensor<16x64xf32>
  %b1 = particle.weight "f.hidden_bias" : tensor<64xf32>
  %w2 = particle.weight "f.out_kernel" : tensor<64x16xf32>
  %b2 = particle.weight "f.out_bias" : tensor<16xf32>
  %t = particle.weight "p.embeddings" : tensor<32x16xf32>
  // CHECK: particle.positional_encoding %{{.*}} : (tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  %s = particle.positional_encoding %x : (tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  // CHECK: particle.positional_encoding %{{.*}}, %{{.*}} : (tensor<1x8x16xf32>, tensor<32x16xf32>) -> tensor<1x8x16xf32>
  %l = particle.positional_encoding %s, %t : (tensor<1x8x16xf32>, tensor<32x16xf32>) -> tensor<1x8x16xf32>
  // CHECK: particle.feed_forward %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {activation = "gelu"}
  %f = particle.feed_forward %l, %w1, %b1, %w2, %b2 {activation = "gelu"} : (tensor<1x8x16xf32>, tensor<16x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  // The default activation, relu, is not printed.
  // CHECK: particle.feed_forward %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} :
  %g = particle.feed_forward %f, %w1, %b1, %w2, %b2 : (tensor<1x8x16xf32>, tensor<16x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  particle.output "y" %g : tensor<1x8x16xf32>
  return
}
