// RUN: sora-opt %s -split-input-file -verify-diagnostics
// Verifier messages of normalize and resize.

func.func @normalize_mean_size() {
  %x = particle.input "x" : tensor<1x4x4x3xf32>
  // expected-error @+1 {{mean holds 2 values; expected 1 or 3 (the channels, the last dim of input [1, 4, 4, 3])}}
  %y = particle.normalize %x {mean = array<f32: 0.5, 0.5>, std = array<f32: 1.0>} : tensor<1x4x4x3xf32>
  return
}

// -----

func.func @normalize_std_positive() {
  %x = particle.input "x" : tensor<2x3xf32>
  // expected-error @+1 {{std values must be positive, got 0}}
  %y = particle.normalize %x {mean = array<f32: 0.0>, std = array<f32: 1.0, 0.0, 2.0>} : tensor<2x3xf32>
  return
}

// -----

func.func @resize_mode() {
  %x = particle.input "x" : tensor<1x4x4x3xf32>
  // expected-error @+1 {{mode must be "nearest" or "bilinear", got "bicubic"}}
  %y = particle.resize %x {mode = "bicubic"} : tensor<1x4x4x3xf32> -> tensor<1x8x8x3xf32>
  return
}

// -----

func.func @resize_align_corners_nearest() {
  %x = particle.input "x" : tensor<1x4x4x3xf32>
  // expected-error @+1 {{align_corners needs mode "bilinear" (as in PyTorch), got "nearest"}}
  %y = particle.resize %x {align_corners = true} : tensor<1x4x4x3xf32> -> tensor<1x8x8x3xf32>
  return
}

// -----

func.func @resize_rank() {
  %x = particle.input "x" : tensor<4x4x3xf32>
  // expected-error @+1 {{port 'input' expects rank 4 NHWC, got [4, 4, 3]}}
  %y = particle.resize %x : tensor<4x4x3xf32> -> tensor<1x8x8x3xf32>
  return
}

// -----

func.func @resize_channels() {
  %x = particle.input "x" : tensor<1x4x4x3xf32>
  // expected-error @+1 {{result shape [1, 8, 8, 4] does not match the inferred shape [1, 8, 8, 3]}}
  %y = particle.resize %x : tensor<1x4x4x3xf32> -> tensor<1x8x8x4xf32>
  return
}

// -----

func.func @resize_scale_factor_shape() {
  %x = particle.input "x" : tensor<1x5x4x3xf32>
  // expected-error @+1 {{result shape [1, 10, 8, 3] does not match the inferred shape [1, 7, 6, 3]}}
  %y = particle.resize %x {scale_factor = array<f64: 1.5, 1.5>} : tensor<1x5x4x3xf32> -> tensor<1x10x8x3xf32>
  return
}

// -----

func.func @resize_scale_factor_count() {
  %x = particle.input "x" : tensor<1x5x4x3xf32>
  // expected-error @+1 {{scale_factor must be two positive numbers}}
  %y = particle.resize %x {scale_factor = array<f64: 2.0>} : tensor<1x5x4x3xf32> -> tensor<1x10x8x3xf32>
  return
}

// -----

func.func @resize_scale_factor_empty() {
  %x = particle.input "x" : tensor<1x5x4x3xf32>
  // expected-error @+1 {{scale_factor 0.1 leaves no width of 4}}
  %y = particle.resize %x {scale_factor = array<f64: 1.0, 0.1>} : tensor<1x5x4x3xf32> -> tensor<1x5x1x3xf32>
  return
}
