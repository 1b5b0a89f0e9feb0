// RUN: sora-opt %s -split-input-file -verify-diagnostics

func.func @dense_features() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<5x2xf32>
  // expected-error @+1 {{port 'kernel' expects 4 input features (the last dim of input [1, 4]), got kernel [5, 2]}}
  %y = particle.dense %x, %w : (tensor<1x4xf32>, tensor<5x2xf32>) -> tensor<1x2xf32>
  return
}

// -----

func.func @dense_bias() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x2xf32>
  %b = particle.weight "d.bias" : tensor<3xf32>
  // expected-error @+1 {{port 'bias' expects shape [2], got [3]}}
  %y = particle.dense %x, %w, %b : (tensor<1x4xf32>, tensor<4x2xf32>, tensor<3xf32>) -> tensor<1x2xf32>
  return
}

// -----

func.func @dense_result() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x2xf32>
  // expected-error @+1 {{result shape [1, 3] does not match the inferred shape [1, 2]}}
  %y = particle.dense %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @conv_channels() {
  %x = particle.input "x" : tensor<1x8x8x3xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x4x8xf32>
  // expected-error @+1 {{port 'kernel' expects 3 input channels}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

func.func @conv_rank() {
  %x = particle.input "x" : tensor<1x8x3xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{port 'input' expects rank 4 NHWC, got [1, 8, 3]}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

func.func @conv_window() {
  %x = particle.input "x" : tensor<1x2x2x1xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x1x1xf32>
  // expected-error @+1 {{window of 3 (height) does not fit the padded input of 2}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x1x1x1xf32>
  return
}

// -----

func.func @conv_strides() {
  %x = particle.input "x" : tensor<1x8x8x1xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x1x1xf32>
  // expected-error @+1 {{strides must be two positive integers, got [0, 1]}}
  %y = particle.conv2d %x, %k {strides = array<i64: 0, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x6x6x1xf32>
  return
}

// -----

func.func @pool_padding() {
  %x = particle.input "x" : tensor<1x8x8x1xf32>
  // expected-error @+1 {{padding [2, 0, 0, 0] must be smaller than the pool window [2, 2]}}
  %y = particle.max_pool2d %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>} : tensor<1x8x8x1xf32> -> tensor<1x5x4x1xf32>
  return
}

// -----

func.func @broadcast() {
  %a = particle.input "a" : tensor<2x3xf32>
  %b = particle.input "b" : tensor<4xf32>
  // expected-error @+1 {{operands [2, 3] and [4] do not broadcast (NumPy rules)}}
  %y = particle.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @softmax_axis() {
  %a = particle.input "a" : tensor<2x3xf32>
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = particle.softmax %a {axis = 2} : tensor<2x3xf32>
  return
}

// -----

func.func @reshape_count() {
  %a = particle.input "a" : tensor<2x3xf32>
  // expected-error @+1 {{cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)}}
  %y = particle.reshape %a : tensor<2x3xf32> -> tensor<4x2xf32>
  return
}

// -----

func.func @kernel_yield() {
  %x = particle.input "x" : tensor<1x4xf32>
  // expected-error @+1 {{yields 'tensor<1x4xf32>' but returns 'tensor<1x2xf32>'}}
  %y = particle.kernel "k0" (%x) : (tensor<1x4xf32>) -> tensor<1x2xf32> {
  ^bb0(%a: tensor<1x4xf32>):
    %0 = particle.relu %a : tensor<1x4xf32>
    particle.yield %0 : tensor<1x4xf32>
  }
  return
}

// -----

func.func @kernel_args() {
  %x = particle.input "x" : tensor<1x4xf32>
  // expected-error @+1 {{body argument #0 has type 'tensor<1x2xf32>' but input #0 has type 'tensor<1x4xf32>'}}
  %y = particle.kernel "k0" (%x) : (tensor<1x4xf32>) -> tensor<1x2xf32> {
  ^bb0(%a: tensor<1x2xf32>):
    particle.yield %a : tensor<1x2xf32>
  }
  return
}

// -----

func.func @input_dynamic() {
  // expected-error @+1 {{needs a static shape}}
  %x = particle.input "x" : tensor<?x4xf32>
  return
}

// -----

func.func @weight_dtype() {
  // expected-error @+1 {{must be ranked tensor of 32-bit float values}}
  %x = particle.weight "w" : tensor<4xi32>
  return
}
