//===- ParticleTransformerOps.td - Transformer particles -*- tablegen -*-===//
//
// multi_head_attention, feed_forward and positional_encoding: the layers of
// a Transformer, kept whole in the particle graph (so verifiers check them
// as one particle) and split into matmuls, softmax and elementwise ops by
// sora-decompose-transformer before fusion. Included from ParticleOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_PARTICLE_TRANSFORMER_OPS
#define SORA_PARTICLE_TRANSFORMER_OPS

def Particle_MultiHeadAttentionOp
    : Particle_Op<"multi_head_attention",
                  [Pure, AttrSizedOperandSegments,
                   AllTypesMatch<["input", "result"]>]> {
  let summary = "Multi-head scaled dot-product self-attention";
  let description = [{
    `input` is `[batch, seq, dim]`. The query, key and value projections
    are dense layers over the last axis, given either separately
    (`q_kernel`, `k_kernel`, `v_kernel : [dim, heads * head_dim]` with
    biases `[heads * head_dim]`) or fused (`qkv_kernel : [dim, 3 * heads *
    head_dim]`, columns q then k then v, and `qkv_bias`). Each of the
    `heads` heads attends with
    `softmax(q · kᵀ / sqrt(head_dim) + mask) · v`; the heads are joined
    (head-major, as `torch.nn.MultiheadAttention`) and projected by
    `out_kernel : [heads * head_dim, dim]` plus `out_bias : [dim]`.

    With `causal`, position i attends to positions <= i only. `mask`, when
    present, is `[batch, seq]`: 1 keeps a key position, 0 masks it out.
    Masked scores get -1e30 added, so a row whose keys are all masked
    averages all values instead of giving NaN.

    ```mlir
    %y = particle.multi_head_attention %x mask %m
           q %wq, %bq k %wk, %bk v %wv, %bv out %wo, %bo
           {heads = 4 : i64, causal = true}
        : (tensor<2x8x64xf32>, tensor<2x8xf32>, tensor<64x64xf32>,
           tensor<64xf32>, tensor<64x64xf32>, tensor<64xf32>,
           tensor<64x64xf32>, tensor<64xf32>, tensor<64x64xf32>,
           tensor<64xf32>) -> tensor<2x8x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       Optional<Particle_Tensor>:$mask,
                       Optional<Particle_Tensor>:$qkv_kernel,
                       Optional<Particle_Tensor>:$qkv_bias,
                       Optional<Particle_Tensor>:$q_kernel,
                       Optional<Particle_Tensor>:$q_bias,
                       Optional<Particle_Tensor>:$k_kernel,
                       Optional<Particle_Tensor>:$k_bias,
                       Optional<Particle_Tensor>:$v_kernel,
                       Optional<Particle_Tensor>:$v_bias,
                       Particle_Tensor:$out_kernel, Particle_Tensor:$out_bias,
                       I64Attr:$heads,
                       DefaultValuedAttr<BoolAttr, "false">:$causal);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input (`mask` $mask^)? (`qkv` $qkv_kernel^ `,` $qkv_bias)?
    (`q` $q_kernel^ `,` $q_bias `k` $k_kernel `,` $k_bias `v` $v_kernel `,`
     $v_bias)? `out` $out_kernel `,` $out_bias attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Whether the projections are one fused qkv kernel.
    bool isFusedQkv() { return getQkvKernel() != nullptr; }
  }];
  let hasVerifier = 1;
}

def Particle_FeedForwardOp
    : Particle_Op<"feed_forward", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Position-wise feed-forward block: dense, activation, dense";
  let description = [{
    `result = activation(input · hidden_kernel + hidden_bias) · out_kernel +
    out_bias` over the last axis: `hidden_kernel : [dim, units]`,
    `hidden_bias : [units]`, `out_kernel : [units, dim]`, `out_bias : [dim]`.
    `activation` is one of "relu", "gelu" (exact erf form), "gelu_tanh",
    "silu", "tanh", "sigmoid".

    ```mlir
    %y = particle.feed_forward %x, %w1, %b1, %w2, %b2 {activation = "gelu"}
        : (tensor<1x8x64xf32>, tensor<64x256xf32>, tensor<256xf32>,
           tensor<256x64xf32>, tensor<64xf32>) -> tensor<1x8x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$hidden_kernel,
                       Particle_Tensor:$hidden_bias, Particle_Tensor:$out_kernel,
                       Particle_Tensor:$out_bias,
                       DefaultValuedAttr<StrAttr, "\"relu\"">:$activation);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $hidden_kernel `,` $hidden_bias `,` $out_kernel `,` $out_bias
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Particle_PositionalEncodingOp
    : Particle_Op<"positional_encoding",
                  [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Adds a position encoding to a [..., seq, dim] sequence";
  let description = [{
    `result[..., s, d] = input[..., s, d] + pe[s, d]`. Without `table`, `pe`
    is the sinusoidal encoding of "Attention Is All You Need":
    `pe[s, 2i] = sin(s / 10000^(2i / dim))`,
    `pe[s, 2i + 1] = cos(s / 10000^(2i / dim))`, computed at compile time.
    With `table : [max_len, dim]` (learned positions, `max_len >= seq`),
    `pe` is its first `seq` rows.

    ```mlir
    %y = particle.positional_encoding %x
        : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
    %z = particle.positional_encoding %x, %table
        : (tensor<2x16x64xf32>, tensor<512x64xf32>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       Optional<Particle_Tensor>:$table);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $table^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // SORA_PARTICLE_TRANSFORMER_OPS
