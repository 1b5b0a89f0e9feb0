//===- ParticleRecurrentOps.td - LSTM, GRU, RNN ---------*- tablegen -*-===//
//
// The recurrent particles and the recurrence they decompose into
// (sora-decompose-recurrent). Included from ParticleOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_PARTICLE_RECURRENT_OPS
#define SORA_PARTICLE_RECURRENT_OPS

def Particle_LstmOp : Particle_Op<"lstm", [Pure, Particle_ShapeRule,
    AttrSizedOperandSegments]> {
  let summary = "Long short-term memory layer, uni- or bidirectional";
  let description = [{
    `input` is `[batch, time, features]` (batch first). Per direction, with
    `kernel : [features, 4H]`, `recurrent_kernel : [H, 4H]` and
    `bias : [4H]`, starting from zero states:

    ```
    z = x_t · kernel + h_prev · recurrent_kernel + bias
    i, f, g, o = sigmoid(z[0:H]), sigmoid(z[H:2H]), tanh(z[2H:3H]),
                 sigmoid(z[3H:4H])
    c = f * c_prev + i * g;   h = o * tanh(c)
    ```

    The gate blocks are in PyTorch's order (i, f, g, o), which is also
    Keras' (i, f, c, o). The `reverse_*` operands, when present, run a
    second direction from the last time step to the first
    (`bidirectional`). With `return_sequences` the result is
    `[batch, time, dirs * H]` (h at every step, forward features first, as
    `torch.nn.LSTM(batch_first=True)` returns); without, `[batch, dirs * H]`:
    the final h of each direction (`h_n` of both directions concatenated).

    ```mlir
    %y = particle.lstm %x, %k, %rk, %b reverse %bk, %brk, %bb
        {return_sequences = false}
        : (tensor<1x100x128xf32>, tensor<128x512xf32>, tensor<128x512xf32>,
           tensor<512xf32>, tensor<128x512xf32>, tensor<128x512xf32>,
           tensor<512xf32>) -> tensor<1x256xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$kernel,
                       Particle_Tensor:$recurrent_kernel, Particle_Tensor:$bias,
                       Optional<Particle_Tensor>:$reverse_kernel,
                       Optional<Particle_Tensor>:$reverse_recurrent_kernel,
                       Optional<Particle_Tensor>:$reverse_bias,
                       DefaultValuedAttr<BoolAttr, "false">:$return_sequences);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel `,` $recurrent_kernel `,` $bias
    (`reverse` $reverse_kernel^ `,` $reverse_recurrent_kernel `,`
     $reverse_bias)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Whether the op has the backward direction.
    bool isBidirectional() { return getReverseKernel() != nullptr; }
  }];
}

def Particle_GruOp : Particle_Op<"gru", [Pure, Particle_ShapeRule,
    AttrSizedOperandSegments]> {
  let summary = "Gated recurrent unit layer, uni- or bidirectional";
  let description = [{
    `input` is `[batch, time, features]` (batch first). Per direction, with
    `kernel : [features, 3H]`, `recurrent_kernel : [H, 3H]`, `bias : [3H]`
    and `recurrent_bias : [3H]` (PyTorch's `b_ih` and `b_hh`), gate blocks
    in PyTorch's order r, z, n, starting from a zero state:

    ```
    a = x_t · kernel + bias;   u = h_prev · recurrent_kernel + recurrent_bias
    r, z = sigmoid(a_r + u_r), sigmoid(a_z + u_z)
    n = tanh(a_n + r * u_n)                          (reset_after, PyTorch)
    n = tanh(a_n + (r * h_prev) · recurrent_kernel_n + recurrent_bias_n)
                                                     (!reset_after, ONNX's default)
    h = (1 - z) * n + z * h_prev
    ```

    `reverse_*`, `return_sequences` and the result are as for
    `particle.lstm`.
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$kernel,
                       Particle_Tensor:$recurrent_kernel, Particle_Tensor:$bias,
                       Particle_Tensor:$recurrent_bias,
                       Optional<Particle_Tensor>:$reverse_kernel,
                       Optional<Particle_Tensor>:$reverse_recurrent_kernel,
                       Optional<Particle_Tensor>:$reverse_bias,
                       Optional<Particle_Tensor>:$reverse_recurrent_bias,
                       DefaultValuedAttr<BoolAttr, "true">:$reset_after,
                       DefaultValuedAttr<BoolAttr, "false">:$return_sequences);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel `,` $recurrent_kernel `,` $bias `,` $recurrent_bias
    (`reverse` $reverse_kernel^ `,` $reverse_recurrent_kernel `,`
     $reverse_bias `,` $reverse_recurrent_bias)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Particle_RnnOp : Particle_Op<"rnn", [Pure, Particle_ShapeRule,
    AttrSizedOperandSegments]> {
  let summary = "Elman recurrent layer, uni- or bidirectional";
  let description = [{
    `input` is `[batch, time, features]` (batch first). Per direction, with
    `kernel : [features, H]`, `recurrent_kernel : [H, H]` and `bias : [H]`
    (PyTorch's `b_ih + b_hh`), starting from a zero state:
    `h = activation(x_t · kernel + h_prev · recurrent_kernel + bias)`,
    `activation` "tanh" or "relu". `reverse_*`, `return_sequences` and the
    result are as for `particle.lstm`.
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$kernel,
                       Particle_Tensor:$recurrent_kernel, Particle_Tensor:$bias,
                       Optional<Particle_Tensor>:$reverse_kernel,
                       Optional<Particle_Tensor>:$reverse_recurrent_kernel,
                       Optional<Particle_Tensor>:$reverse_bias,
                       DefaultValuedStrAttr<StrAttr, "tanh">:$activation,
                       DefaultValuedAttr<BoolAttr, "false">:$return_sequences);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel `,` $recurrent_kernel `,` $bias
    (`reverse` $reverse_kernel^ `,` $reverse_recurrent_kernel `,`
     $reverse_bias)? attr-dict `:` functional-type(operands, results)
  }];
}

def Particle_RecurrenceOp : Particle_Op<"recurrence", [Pure,
    Particle_ShapeRule, Particle_FusionRecurrence]> {
  let summary = "The time loop of one direction of a recurrent layer";
  let description = [{
    `cell` names the step (sora/Core/ParticleShapes.h RecurrentCell):
    "lstm", "gru", "gru_reset_before", "rnn_tanh" or "rnn_relu", with G gate
    blocks and S state slots (lstm 4 and 2: h, c; gru 3 and 1; rnn 1 and 1).
    `gates : [T, B, G * H]` holds `x_t · kernel + bias` for every time step
    (time major); `recurrent_kernel` is `[H, G * H]`; a gru cell also reads
    `recurrent_bias : [G * H]`. The result `[T + 1, S, B, H]` holds the
    states: `result[s, 0]` is h (and `result[s, 1]` the LSTM's c). A forward
    recurrence starts from zeros in slot 0 and leaves the state after time
    step t in slot t + 1; a `reverse` one starts from zeros in slot T and
    leaves the state after time step t (run from T - 1 down to 0) in slot t.
    Each step is the cell of `particle.lstm`, `particle.gru` or
    `particle.rnn`.

    It is a kernel of its own: the graph driver calls its one-step Halide
    kernel T times, on the slots of the result.

    ```mlir
    %s = particle.recurrence %gates, %rk {cell = "lstm", reverse = true}
        : (tensor<100x1x512xf32>, tensor<128x512xf32>) -> tensor<101x2x1x128xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$gates,
                       Particle_Tensor:$recurrent_kernel,
                       Optional<Particle_Tensor>:$recurrent_bias,
                       DefaultValuedStrAttr<StrAttr, "lstm">:$cell,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $gates `,` $recurrent_kernel (`,` $recurrent_bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // SORA_PARTICLE_RECURRENT_OPS
