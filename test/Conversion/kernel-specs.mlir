// RUN: sora-opt %s -split-input-file -sora-print-kernel-specs -o /dev/null | FileCheck %s

// particle.kernel regions as the Halide backend receives them: arguments
// (f32 or i64 ids), one op per particle with the attributes that differ from
// their defaults, the particle and its place in the model, the schedule.

// CHECK-LABEL: kernel k0 schedule<vector = 16, tile_rows = 4, tile_cols = 32, parallel = 1, grain = 2, pack_weights = 1, panels_outer = 0, winograd = 0, gpu_threads = 128>
// CHECK-NEXT:   %0 = arg f32[1, 8, 8, 4]
// CHECK-NEXT:   %1 = arg f32[3, 3, 2, 8]
// CHECK-NEXT:   %2 = arg f32[8]
// CHECK-NEXT:   %3 = conv2d(%0, %1, %2) {window = [3, 3], strides = [2, 1], dilation = [1, 2], pad = [1, 1, 0, 0], groups = 2} : [1, 4, 5, 8]  // c1 at model.json:4:5
// CHECK-NEXT:   %4 = gelu_tanh(%3) : [1, 4, 5, 8]  // g at model.json:5:5
// CHECK-NEXT:   %5 = clip(%4) {scalars = [-1, inf]} : [1, 4, 5, 8]
// CHECK-NEXT:   return %5
func.func @conv(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x2x8xf32>, %b: tensor<8xf32>) {
  %y = particle.kernel "k0" (%x, %w, %b) {schedule = #particle.schedule<vector = 16, tile_rows = 4, tile_cols = 32, parallel = 1, grain = 2, pack_weights = 1>} : (tensor<1x8x8x4xf32>, tensor<3x3x2x8xf32>, tensor<8xf32>) -> tensor<1x4x5x8xf32> {
  ^bb0(%a: tensor<1x8x8x4xf32>, %k: tensor<3x3x2x8xf32>, %c: tensor<8xf32>):
    %0 = particle.conv2d %a, %k, %c {strides = array<i64: 2, 1>, dilation = array<i64: 1, 2>, padding = array<i64: 1, 1, 0, 0>, groups = 2 : i64} : (tensor<1x8x8x4xf32>, tensor<3x3x2x8xf32>, tensor<8xf32>) -> tensor<1x4x5x8xf32> loc(#c1)
    %1 = particle.gelu %0 {approximate = "tanh"} : tensor<1x4x5x8xf32> loc(#g)
    %2 = particle.clip %1 {min = -1.0 : f32} : tensor<1x4x5x8xf32>
    particle.yield %2 : tensor<1x4x5x8xf32>
  }
  return
}
#c1 = loc("c1"("model.json":4:5))
#g = loc("g"("model.json":5:5))

// -----

// CHECK-LABEL: kernel k1 schedule<vector = 8, tile_rows = 4, tile_cols = 16, parallel = 1, grain = 1, pack_weights = 1, panels_outer = 0, winograd = 0, gpu_threads = 128>
// CHECK-NEXT:   %0 = arg i64[2, 7]
// CHECK-NEXT:   %1 = arg f32[50, 6]
// CHECK-NEXT:   %2 = embedding(%0, %1) : [2, 7, 6]
// CHECK-LABEL: kernel k2
// CHECK:   %1 = transpose(%0) {perm = [0, 2, 1]} : [2, 6, 7]
// CHECK-LABEL: kernel k3
// CHECK:   %3 = layer_norm(%0, %1, %2) {axis = 2, scalars = [0.001, 0]} : [2, 7, 6]
// CHECK-LABEL: kernel k4
// CHECK:   %2 = matmul(%0, %1) {transpose_b = true} : [2, 7, 7]
// CHECK-NEXT:   %3 = softmax(%2) {axis = 2} : [2, 7, 7]
func.func @tokens(%ids: tensor<2x7xi64>, %t: tensor<50x6xf32>, %g: tensor<6xf32>) {
  %e = particle.kernel "k1" (%ids, %t) : (tensor<2x7xi64>, tensor<50x6xf32>) -> tensor<2x7x6xf32> {
  ^bb0(%a: tensor<2x7xi64>, %b: tensor<50x6xf32>):
    %0 = particle.embedding %a, %b : (tensor<2x7xi64>, tensor<50x6xf32>) -> tensor<2x7x6xf32>
    particle.yield %0 : tensor<2x7x6xf32>
  }
  %tr = particle.kernel "k2" (%e) : (tensor<2x7x6xf32>) -> tensor<2x6x7xf32> {
  ^bb0(%a: tensor<2x7x6xf32>):
    %0 = particle.transpose %a {perm = array<i64: 0, 2, 1>} : tensor<2x7x6xf32> -> tensor<2x6x7xf32>
    particle.yield %0 : tensor<2x6x7xf32>
  }
  %n = particle.kernel "k3" (%e, %g, %g) : (tensor<2x7x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x7x6xf32> {
  ^bb0(%a: tensor<2x7x6xf32>, %b: tensor<6xf32>, %c: tensor<6xf32>):
    %0 = particle.layer_norm %a, %b, %c {axis = 2 : i64, epsilon = 1.0e-3 : f32} : (tensor<2x7x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x7x6xf32>
    particle.yield %0 : tensor<2x7x6xf32>
  }
  %s = particle.kernel "k4" (%n, %n) : (tensor<2x7x6xf32>, tensor<2x7x6xf32>) -> tensor<2x7x7xf32> {
  ^bb0(%a: tensor<2x7x6xf32>, %b: tensor<2x7x6xf32>):
    %0 = particle.matmul %a, %b {transpose_a = false, transpose_b = true} : (tensor<2x7x6xf32>, tensor<2x7x6xf32>) -> tensor<2x7x7xf32>
    %1 = particle.softmax %0 {axis = 2 : i64} : tensor<2x7x7xf32>
    particle.yield %1 : tensor<2x7x7xf32>
  }
  return
}
