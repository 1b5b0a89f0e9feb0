// RUN: sora-opt %s -split-input-file | sora-opt -split-input-file | FileCheck %s
// lstm and lstm_recurrence round-trip through their assembly formats.

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
  // CHECK: particle.lstm_recurrence %{{.*}}, %{{.*}} {reverse = true} : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  %s = particle.lstm_recurrence %g, %r {reverse = true} : (tensor<5x2x16xf32>, tensor<4x16xf32>) -> tensor<6x2x2x4xf32>
  particle.output "s" %s : tensor<6x2x2x4xf32>
  return
}
