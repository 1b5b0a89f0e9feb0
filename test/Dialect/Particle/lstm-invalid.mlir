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
  %s = particle.lstm_recurrence %g, %r : (tensor<5x2x12xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  return
}

// -----

func.func @recurrence_result() {
  %g = particle.input "gates" : tensor<5x2x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<6x2x2x4xf32>' are incompatible with return type(s) of operation 'tensor<5x2x2x4xf32>'}}
  %s = particle.lstm_recurrence %g, %r : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<5x2x2x4xf32>
  return
}
