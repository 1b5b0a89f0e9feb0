// RUN: sora-opt %s -split-input-file -verify-diagnostics
// The verifiers of multi_head_attention, feed_forward and
// positional_encoding name the port at fault.

func.func @attention_rank() {
  %x = particle.input "x" : tensor<8x16xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x48xf32>
  %b = particle.weight "a.qkv_bias" : tensor<48xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // expected-error @+1 {{port 'input' expects rank 3 [batch, seq, dim], got [8, 16]}}
  %y = particle.multi_head_attention %x qkv %w, %b out %wo, %bo {heads = 2 : i64} : (tensor<8x16xf32>, tensor<16x48xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  return
}

// -----

func.func @attention_no_projections() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // expected-error @+1 {{needs either 'qkv_kernel' and 'qkv_bias' or all of 'q_kernel', 'k_kernel', 'v_kernel' and their biases}}
  %y = particle.multi_head_attention %x out %wo, %bo {heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @attention_heads_do_not_divide() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x48xf32>
  %b = particle.weight "a.qkv_bias" : tensor<48xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // expected-error @+1 {{port 'qkv_kernel' has 48 columns, not 3 * heads (3) * head_dim}}
  %y = particle.multi_head_attention %x qkv %w, %b out %wo, %bo {heads = 3 : i64} : (tensor<1x8x16xf32>, tensor<16x48xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @attention_key_kernel() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %wq = particle.weight "a.q_kernel" : tensor<16x16xf32>
  %bq = particle.weight "a.q_bias" : tensor<16xf32>
  %wk = particle.weight "a.k_kernel" : tensor<16x8xf32>
  %bk = particle.weight "a.k_bias" : tensor<16xf32>
  %wv = particle.weight "a.v_kernel" : tensor<16x16xf32>
  %bv = particle.weight "a.v_bias" : tensor<16xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // expected-error @+1 {{port 'k_kernel' expects [16, 16] ([dim, heads * head_dim]), got [16, 8]}}
  %y = particle.multi_head_attention %x q %wq, %bq k %wk, %bk v %wv, %bv out %wo, %bo {heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @attention_mask_shape() {
  %x = particle.input "x" : tensor<2x8x16xf32>
  %m = particle.input "m" : tensor<2x7xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x48xf32>
  %b = particle.weight "a.qkv_bias" : tensor<48xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // expected-error @+1 {{port 'mask' expects [2, 8] ([batch, seq]), got [2, 7]}}
  %y = particle.multi_head_attention %x mask %m qkv %w, %b out %wo, %bo {heads = 2 : i64} : (tensor<2x8x16xf32>, tensor<2x7xf32>, tensor<16x48xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return
}

// -----

func.func @attention_out_bias() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x48xf32>
  %b = particle.weight "a.qkv_bias" : tensor<48xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<8xf32>
  // expected-error @+1 {{port 'out_bias' expects [16] ([dim]), got [8]}}
  %y = particle.multi_head_attention %x qkv %w, %b out %wo, %bo {heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<16x48xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<8xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @feed_forward_activation() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w1 = particle.weight "f.hidden_kernel" : tensor<16x64xf32>
  %b1 = particle.weight "f.hidden_bias" : tensor<64xf32>
  %w2 = particle.weight "f.out_kernel" : tensor<64x16xf32>
  %b2 = particle.weight "f.out_bias" : tensor<16xf32>
  // expected-error @+1 {{activation must be one of relu, gelu, gelu_tanh, silu, tanh, sigmoid; got 'softmax'}}
  %y = particle.feed_forward %x, %w1, %b1, %w2, %b2 {activation = "softmax"} : (tensor<1x8x16xf32>, tensor<16x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @feed_forward_out_kernel() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w1 = particle.weight "f.hidden_kernel" : tensor<16x64xf32>
  %b1 = particle.weight "f.hidden_bias" : tensor<64xf32>
  %w2 = particle.weight "f.out_kernel" : tensor<32x16xf32>
  %b2 = particle.weight "f.out_bias" : tensor<16xf32>
  // expected-error @+1 {{port 'out_kernel' expects [64, 16] ([units, dim]), got [32, 16]}}
  %y = particle.feed_forward %x, %w1, %b1, %w2, %b2 : (tensor<1x8x16xf32>, tensor<16x64xf32>, tensor<64xf32>, tensor<32x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @feed_forward_hidden_kernel() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w1 = particle.weight "f.hidden_kernel" : tensor<12x64xf32>
  %b1 = particle.weight "f.hidden_bias" : tensor<64xf32>
  %w2 = particle.weight "f.out_kernel" : tensor<64x16xf32>
  %b2 = particle.weight "f.out_bias" : tensor<16xf32>
  // expected-error @+1 {{port 'hidden_kernel' expects [16, units] ([dim, units]), got [12, 64]}}
  %y = particle.feed_forward %x, %w1, %b1, %w2, %b2 : (tensor<1x8x16xf32>, tensor<12x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @positions_table_too_short() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %t = particle.weight "p.embeddings" : tensor<4x16xf32>
  // expected-error @+1 {{port 'table' expects [max_len, 16] with max_len >= 8 (the sequence), got [4, 16]}}
  %y = particle.positional_encoding %x, %t : (tensor<1x8x16xf32>, tensor<4x16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @positions_rank() {
  %x = particle.input "x" : tensor<16xf32>
  // expected-error @+1 {{port 'input' expects [..., seq, dim], got [16]}}
  %y = particle.positional_encoding %x : (tensor<16xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @attention_no_heads() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x48xf32>
  %b = particle.weight "a.qkv_bias" : tensor<48xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // expected-error @+1 {{heads must be positive, got 0}}
  %y = particle.multi_head_attention %x qkv %w, %b out %wo, %bo {heads = 0 : i64} : (tensor<1x8x16xf32>, tensor<16x48xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @attention_result() {
  %x = particle.input "x" : tensor<1x8x16xf32>
  %w = particle.weight "a.qkv_kernel" : tensor<16x48xf32>
  %b = particle.weight "a.qkv_bias" : tensor<48xf32>
  %wo = particle.weight "a.out_kernel" : tensor<16x16xf32>
  %bo = particle.weight "a.out_bias" : tensor<16xf32>
  // expected-error @+1 {{'particle.multi_head_attention' op failed to verify that all of {input, result} have same type}}
  %y = particle.multi_head_attention %x qkv %w, %b out %wo, %bo {heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<16x48xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x8xf32>
  return
}
