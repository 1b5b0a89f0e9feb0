// RUN: sora-opt %s -split-input-file -verify-diagnostics

func.func @dense_features() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<5x2xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'kernel' expects 4 input features (the last dim of input [1, 4]), got kernel [5, 2]}}
  %y = particle.dense %x, %w : (tensor<1x4xf32>, tensor<5x2xf32>) -> tensor<1x2xf32>
  return
}

// -----

func.func @dense_bias() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x2xf32>
  %b = particle.weight "d.bias" : tensor<3xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'bias' expects shape [2], got [3]}}
  %y = particle.dense %x, %w, %b : (tensor<1x4xf32>, tensor<4x2xf32>, tensor<3xf32>) -> tensor<1x2xf32>
  return
}

// -----

func.func @dense_result() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x2xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<1x2xf32>' are incompatible with return type(s) of operation 'tensor<1x3xf32>'}}
  %y = particle.dense %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @conv_channels() {
  %x = particle.input "x" : tensor<1x8x8x3xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x4x8xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'kernel' expects 3 input channels}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

func.func @conv_rank() {
  %x = particle.input "x" : tensor<1x8x3xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x3x8xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'input' expects rank 4 NHWC, got [1, 8, 3]}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

func.func @conv_window() {
  %x = particle.input "x" : tensor<1x2x2x1xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x1x1xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{window of 3 (height) does not fit the padded input of 2}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x1x1x1xf32>
  return
}

// -----

func.func @layer_norm_half_affine(%x: tensor<2x6xf32>, %g: tensor<6xf32>) {
  // expected-error @+1 {{expects gamma and beta, or neither; got 1 of them}}
  %y = particle.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x6xf32>, tensor<6xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @conv_transpose_channels() {
  %x = particle.input "x" : tensor<1x4x4x3xf32>
  %k = particle.weight "t.kernel" : tensor<3x3x8x4xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'kernel' expects 3 input channels (the last dim of input [1, 4, 4, 3]), got kernel [3, 3, 8, 4]}}
  %y = particle.conv_transpose2d %x, %k {strides = array<i64: 2, 2>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x4x4x3xf32>, tensor<3x3x8x4xf32>) -> tensor<1x9x9x8xf32>
  return
}

// -----

func.func @conv_transpose_crop() {
  %x = particle.input "x" : tensor<1x2x2x1xf32>
  %k = particle.weight "t.kernel" : tensor<1x1x1x1xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{padding [1, 0, 1, 0] leaves no output rows}}
  %y = particle.conv_transpose2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 1, 0, 1, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x1xf32>
  return
}

// -----

func.func @conv_transpose_output_padding() {
  %x = particle.input "x" : tensor<1x2x2x1xf32>
  %k = particle.weight "t.kernel" : tensor<2x2x1x1xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{output_padding must be two non-negative integers, got [-1, 0]}}
  %y = particle.conv_transpose2d %x, %k {strides = array<i64: 2, 2>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, output_padding = array<i64: -1, 0>} : (tensor<1x2x2x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x3x4x1xf32>
  return
}

// -----

func.func @conv_strides() {
  %x = particle.input "x" : tensor<1x8x8x1xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x1x1xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{strides must be two positive integers, got [0, 1]}}
  %y = particle.conv2d %x, %k {strides = array<i64: 0, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x6x6x1xf32>
  return
}

// -----

func.func @pool_padding() {
  %x = particle.input "x" : tensor<1x8x8x1xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{padding [2, 0, 0, 0] must be smaller than the pool window [2, 2]}}
  %y = particle.max_pool2d %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>} : tensor<1x8x8x1xf32> -> tensor<1x5x4x1xf32>
  return
}

// -----

func.func @broadcast() {
  %a = particle.input "a" : tensor<2x3xf32>
  %b = particle.input "b" : tensor<4xf32>
  // expected-error @+2 {{failed to infer returned types}}
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

// -----

func.func @sub_broadcast() {
  %a = particle.input "a" : tensor<2x3xf32>
  %b = particle.input "b" : tensor<4xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{operands [2, 3] and [4] do not broadcast (NumPy rules)}}
  %y = particle.sub %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @maximum_result() {
  %a = particle.input "a" : tensor<2x3xf32>
  %b = particle.input "b" : tensor<3xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  %y = particle.maximum %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @gelu_approximate() {
  %x = particle.input "x" : tensor<4xf32>
  // expected-error @+1 {{approximate must be "none" or "tanh", got "erf"}}
  %y = particle.gelu %x {approximate = "erf"} : tensor<4xf32>
  return
}

// -----

func.func @clip_bounds() {
  %x = particle.input "x" : tensor<4xf32>
  // expected-error @+1 {{min 2.000000e+00 is greater than max 1.000000e+00}}
  %y = particle.clip %x {min = 2.0 : f32, max = 1.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @log_softmax_axis() {
  %x = particle.input "x" : tensor<2x3xf32>
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = particle.log_softmax %x {axis = 2} : tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm() {
  %x = particle.input "x" : tensor<2x3xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{perm [0, 0] is not a permutation of the 2 dimensions of [2, 3]}}
  %y = particle.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @unpack_panels_columns() {
  %p = particle.weight "w.panels16" : tensor<3x64x16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{3 panels of 16 columns do not hold 32 columns}}
  %w = particle.unpack_panels %p {columns = 32 : i64} : tensor<3x64x16xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @winograd_filter_shape() {
  %u = particle.weight "w.winograd" : tensor<3x3x8x16xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{Winograd filters [3, 3, 8, 16] are not [G, 4, 4, C, P]}}
  %w = particle.winograd_filter %u : tensor<3x3x8x16xf32> -> tensor<3x3x8x16xf32>
  return
}

// -----

func.func @transpose_result() {
  %x = particle.input "x" : tensor<2x3xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  %y = particle.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_mismatch() {
  %a = particle.input "a" : tensor<2x3xf32>
  %b = particle.input "b" : tensor<3x3xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{input #1 [3, 3] does not match input #0 [2, 3] outside axis 1}}
  %y = particle.concat %a, %b {axis = 1} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @split_sizes() {
  %x = particle.input "x" : tensor<2x6xf32>
  // expected-error @+1 {{split sizes [2, 3] add up to 5, but axis 1 of [2, 6] has 6}}
  %a, %b = particle.split %x {axis = 1} : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @slice_outside() {
  %x = particle.input "x" : tensor<2x6xf32>
  // expected-error @+1 {{slice [4, 8) by 3 of dimension 1 is empty or outside [2, 6]}}
  %y = particle.slice %x {begin = array<i64: 0, 4>, strides = array<i64: 1, 3>} : tensor<2x6xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @slice_before_first() {
  %x = particle.input "x" : tensor<2x6xf32>
  // expected-error @+1 {{slice [1, -2) by -1 of dimension 1 is empty or outside [2, 6]}}
  %y = particle.slice %x {begin = array<i64: 0, 1>, strides = array<i64: 1, -1>} : tensor<2x6xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_negative() {
  %x = particle.input "x" : tensor<2x6xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{padding must be non-negative, got [0, -1] before and [0, 0] after}}
  %y = particle.pad %x {low = array<i64: 0, -1>, high = array<i64: 0, 0>} : tensor<2x6xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @pad_unknown_mode() {
  %x = particle.input "x" : tensor<2x6xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{unknown pad mode 'wrap'; modes: constant, reflect, edge}}
  %y = particle.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 0>, mode = "wrap"} : tensor<2x6xf32> -> tensor<2x7xf32>
  return
}

// -----

func.func @pad_reflect_past_extent() {
  %x = particle.input "x" : tensor<2x6xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{a reflection pads each dimension by less than its extent, got [0, 6] before and [0, 0] after [2, 6]}}
  %y = particle.pad %x {low = array<i64: 0, 6>, high = array<i64: 0, 0>, mode = "reflect"} : tensor<2x6xf32> -> tensor<2x12xf32>
  return
}

// -----

func.func @conv_groups() {
  %x = particle.input "x" : tensor<1x8x8x6xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x2x8xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{groups 3 must divide the input channels (6) and the filters (8)}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, groups = 3} : (tensor<1x8x8x6xf32>, tensor<3x3x2x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

func.func @conv_group_channels() {
  %x = particle.input "x" : tensor<1x8x8x6xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x2x8xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'kernel' expects 3 input channels (the last dim of input [1, 8, 8, 6] / groups 2), got kernel [3, 3, 2, 8]}}
  %y = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, groups = 2} : (tensor<1x8x8x6xf32>, tensor<3x3x2x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

func.func @global_pool_rank() {
  %x = particle.input "x" : tensor<2x8xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'input' expects rank 4 NHWC, got [2, 8]}}
  %y = particle.global_avg_pool2d %x : tensor<2x8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @global_pool_keepdims() {
  %x = particle.input "x" : tensor<1x4x4x8xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<1x8xf32>' are incompatible with return type(s) of operation 'tensor<1x1x1x8xf32>'}}
  %y = particle.global_max_pool2d %x {keepdims = false} : tensor<1x4x4x8xf32> -> tensor<1x1x1x8xf32>
  return
}

// -----

func.func @batch_norm_params() {
  %x = particle.input "x" : tensor<1x4x4x8xf32>
  %g = particle.weight "bn.gamma" : tensor<8xf32>
  %v = particle.weight "bn.moving_variance" : tensor<4xf32>
  // expected-error @+1 {{port 'moving_variance' expects shape [8] (the last dim of input [1, 4, 4, 8]), got [4]}}
  %y = particle.batch_norm %x, %g, %g, %g, %v : (tensor<1x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<1x4x4x8xf32>
  return
}

// -----

func.func @batch_norm_epsilon() {
  %x = particle.input "x" : tensor<2x3xf32>
  %g = particle.weight "bn.gamma" : tensor<3xf32>
  // expected-error @+1 {{epsilon must be positive}}
  %y = particle.batch_norm %x, %g, %g, %g, %g {epsilon = 0.0 : f32} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_gamma() {
  %x = particle.input "x" : tensor<2x5x16xf32>
  %g = particle.weight "ln.gamma" : tensor<5xf32>
  // expected-error @+1 {{port 'gamma' expects shape [16] (axis 2 of input [2, 5, 16]), got [5]}}
  %n = particle.layer_norm %x, %g, %g {axis = 2} : (tensor<2x5x16xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x5x16xf32>
  return
}

// -----

func.func @matmul_depth() {
  %a = particle.input "a" : tensor<4x8xf32>
  %b = particle.input "b" : tensor<6x3xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{operands [4, 8] and [6, 3] disagree on the reduced dimension (8 vs 6)}}
  %y = particle.matmul %a, %b : (tensor<4x8xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @matmul_batch() {
  %a = particle.input "a" : tensor<2x4x8xf32>
  %b = particle.input "b" : tensor<3x8x3xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{operands [2] and [3] do not broadcast (NumPy rules)}}
  %y = particle.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x3xf32>) -> tensor<2x4x3xf32>
  return
}

// -----

func.func @token_ids_only_for_embedding() {
  %ids = particle.input "ids" : tensor<2x5xi64>
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %r = particle.relu %ids : tensor<2x5xi64>
  return
}

// -----

func.func @embedding_table() {
  %ids = particle.input "ids" : tensor<2x5xf32>
  %t = particle.weight "e.embeddings" : tensor<100xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{port 'table' expects [input_dim, output_dim], got [100]}}
  %e = particle.embedding %ids, %t : (tensor<2x5xf32>, tensor<100xf32>) -> tensor<2x5x8xf32>
  return
}

// -----

// A kernel's name is its symbol in the compiled library.
func.func @kernel_names(%x: tensor<4xf32>) {
  // expected-note @+1 {{first defined here}}
  %a = particle.kernel "k" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%v: tensor<4xf32>):
    %0 = particle.relu %v : tensor<4xf32>
    particle.yield %0 : tensor<4xf32>
  }
  // expected-error @+1 {{kernel 'k' is defined twice}}
  %b = particle.kernel "k" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%v: tensor<4xf32>):
    %0 = particle.tanh %v : tensor<4xf32>
    particle.yield %0 : tensor<4xf32>
  }
  return
}

// -----

func.func @lp_pool_norm(%x: tensor<1x4x4x2xf32>) {
  // expected-error @+1 {{p must be a positive number, got 0}}
  %y = particle.lp_pool2d %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, p = 0.0 : f32} : tensor<1x4x4x2xf32> -> tensor<1x2x2x2xf32>
  return
}

// -----

func.func @reduce_unknown_kind() {
  %x = particle.input "x" : tensor<2x6xf32>
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{unknown reduction 'median'; kinds: sum, mean, max, min, prod, l1, l2, sum_square, log_sum_exp}}
  %y = particle.reduce %x {kind = "median", axes = array<i64: 1>} : tensor<2x6xf32> -> tensor<2x1xf32>
  return
}
