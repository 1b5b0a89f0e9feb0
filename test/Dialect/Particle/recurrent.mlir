// RUN: sora-opt %s -split-input-file | sora-opt -split-input-file | FileCheck %s
// lstm, gru, rnn and recurrence round-trip through their assembly formats.

// CHECK-LABEL: func.func @bidirectional_last
func.func @bidirectional_last() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  %bk = particle.weight "l.reverse_kernel" : tensor<3x16xf32>
  %br = particle.weight "l.reverse_recurrent_kernel" : tensor<4x16xf32>
  %bb = particle.weight "l.reverse_bias" : tensor<16xf32>
  // CHECK: particle.lstm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} reverse %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x5x3xf32>, {{.*}}) -> tensor<2x8xf32>
  %y = particle.lstm %x, %k, %r, %b reverse %bk, %br, %bb : (tensor<2x5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<2x8xf32>
  particle.output "y" %y : tensor<2x8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @forward_sequences
func.func @forward_sequences() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "l.kernel" : tensor<3x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  %b = particle.weight "l.bias" : tensor<16xf32>
  // CHECK: particle.lstm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {return_sequences = true} : (tensor<2x5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<2x5x4xf32>
  %y = particle.lstm %x, %k, %r, %b {return_sequences = true} : (tensor<2x5x3xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<2x5x4xf32>
  particle.output "y" %y : tensor<2x5x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @recurrence
func.func @recurrence() {
  %g = particle.input "gates" : tensor<5x2x16xf32>
  %r = particle.weight "l.recurrent_kernel" : tensor<4x16xf32>
  // CHECK: particle.recurrence %{{.*}}, %{{.*}} {reverse = true} : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  %s = particle.recurrence %g, %r {reverse = true} : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  particle.output "s" %s : tensor<6x2x2x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @gru_and_rnn
func.func @gru_and_rnn() {
  %x = particle.input "x" : tensor<2x5x3xf32>
  %k = particle.weight "g.kernel" : tensor<3x12xf32>
  %r = particle.weight "g.recurrent_kernel" : tensor<4x12xf32>
  %b = particle.weight "g.bias" : tensor<12xf32>
  %rb = particle.weight "g.recurrent_bias" : tensor<12xf32>
  // CHECK: particle.gru %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} reverse %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {reset_after = false} : ({{.*}}) -> tensor<2x8xf32>
  %g = particle.gru %x, %k, %r, %b, %rb reverse %k, %r, %b, %rb {reset_after = false} : (tensor<2x5x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<12xf32>) -> tensor<2x8xf32>
  %nk = particle.weight "n.kernel" : tensor<3x4xf32>
  %nr = particle.weight "n.recurrent_kernel" : tensor<4x4xf32>
  %nb = particle.weight "n.bias" : tensor<4xf32>
  // CHECK: particle.rnn %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {activation = "relu", return_sequences = true} : ({{.*}}) -> tensor<2x5x4xf32>
  %n = particle.rnn %x, %nk, %nr, %nb {activation = "relu", return_sequences = true} : (tensor<2x5x3xf32>, tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<2x5x4xf32>
  // CHECK: particle.recurrence %{{.*}}, %{{.*}}, %{{.*}} {cell = "gru"} : (tensor<5x2x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> tensor<6x1x2x4xf32>
  %gates = particle.input "gates" : tensor<5x2x12xf32>
  %s = particle.recurrence %gates, %r, %rb {cell = "gru"} : (tensor<5x2x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> tensor<6x1x2x4xf32>
  particle.output "g" %g : tensor<2x8xf32>
  particle.output "n" %n : tensor<2x5x4xf32>
  particle.output "s" %s : tensor<6x1x2x4xf32>
  return
}
