// RUN: sora-opt %s -split-input-file -verify-diagnostics

func.func @lstm_rank() {
  %x = particle.input "x" : tensor<5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'input' expects rank 3 [batch, time, features], got [5, 3]}}
  %y = particle.lstm %x, %k, %r, %b : (tensor<5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<5x4xf32>
  return
}

// -----

func.func @lstm_kernel() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<4x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'kernel' expects [3, 16] ([features, 4 * units]), got [4, 16]}}
  %y = particle.lstm %x, %k, %r, %b : (tensor<2x5x3xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @lstm_recurrent_kernel() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x15xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'recurrent_kernel' expects [units, 4 * units], got [4, 15]}}
  %y = particle.lstm %x, %k, %r, %b : (tensor<2x5x3xf32>, tensor<3x16xf32>, tensor<4x15xf32>, tensor<16xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @lstm_reverse_bias() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  %bb = particle.weight "l.reverse_bias" : tensor<12xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'reverse_bias' expects [16] ([4 * units]), got [12]}}
  %y = particle.lstm %x, %k, %r, %b reverse %k, %r, %bb : (tensor<2x5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<12xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @lstm_result() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<2x5x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  %y = particle.lstm %x, %k, %r, %b {return_sequences = true} : (tensor<2x5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @recurrence_gates() {
  %g = particle.input "gates" : tensor<5x2x12xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'gates' expects [time, batch, 16] (4 * units), got [5, 2, 12]}}
  %s = particle.recurrence %g, %r : (tensor<5x2x12xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  return
}

// -----

func.func @recurrence_result() {
  %g = particle.input "gates" : tensor<5x2x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<6x2x2x4xf32>' are incompatible with return type(s) of operation 'tensor<5x2x2x4xf32>'}}
  %s = particle.recurrence %g, %r : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<5x2x2x4xf32>
  return
}

// -----

func.func @recurrence_cell() {
  %g = particle.input "gates" : tensor<5x2x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{cell 'peephole' is not one of lstm, gru, gru_reset_before, rnn_tanh, rnn_relu}}
  %s = particle.recurrence %g, %r {cell = "peephole"} : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  return
}

// -----

func.func @recurrence_gru_needs_bias() {
  %g = particle.input "gates" : tensor<5x2x12xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x12xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'recurrent_bias' is missing}}
  %s = particle.recurrence %g, %r {cell = "gru"} : (tensor<5x2x12xf32>, tensor<4x12xf32>) -> tensor<6x1x2x4xf32>
  return
}

// -----

func.func @recurrence_lstm_reads_no_bias() {
  %g = particle.input "gates" : tensor<5x2x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.recurrent_bias" : tensor<16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'recurrent_bias' is not read by the 'lstm' cell}}
  %s = particle.recurrence %g, %r, %b : (tensor<5x2x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<6x2x2x4xf32>
  return
}

// -----

func.func @rnn_activation() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "n.kernel" : tensor<3x4xf32>
  %r = particle.weight "n.recurrent_kernel" : tensor<4x4xf32>
  %b = particle.weight "n.bias" : tensor<4xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{activation 'gelu' is not one of tanh, relu}}
  %n = particle.rnn %x, %k, %r, %b {activation = "gelu"} : (tensor<2x5x3xf32>, tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gru_recurrent_bias() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "g.kernel" : tensor<3x12xf32>
  %r = particle.weight "g.recurrent_kernel" : tensor<4x12xf32>
  %b = particle.weight "g.bias" : tensor<12xf32>
  %rb = particle.weight "g.recurrent_bias" : tensor<16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'recurrent_bias' expects [12] ([3 * units]), got [16]}}
  %g = particle.gru %x, %k, %r, %b, %rb : (tensor<2x5x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<16xf32>) -> tensor<2x4xf32>
  return
}
