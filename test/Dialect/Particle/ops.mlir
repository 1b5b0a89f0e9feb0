// RUN: sora-opt %s | sora-opt | FileCheck %s
// Every op round-trips through its assembly format.

// CHECK-LABEL: func.func @mnist_cnn
func.func @mnist_cnn() {
  // CHECK: %[[X:.*]] = particle.input "image" : tensor<1x28x28x1xf32>
  %x = particle.input "image" : tensor<1x28x28x1xf32>
  // CHECK: particle.weight "c1.kernel" : tensor<3x3x1x32xf32>
  %k = particle.weight "c1.kernel" : tensor<3x3x1x32xf32>
  %b = particle.weight "c1.bias" : tensor<32xf32>
  // CHECK: particle.conv2d %[[X]], %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
  %c = particle.conv2d %x, %k, %b {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<1x26x26x32xf32>
  // CHECK: particle.relu %{{.*}} : tensor<1x26x26x32xf32>
  %r = particle.relu %c : tensor<1x26x26x32xf32>
  // CHECK: particle.max_pool2d %{{.*}} {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : tensor<1x26x26x32xf32> -> tensor<1x13x13x32xf32>
  %p = particle.max_pool2d %r {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<1x26x26x32xf32> -> tensor<1x13x13x32xf32>
  // CHECK: particle.avg_pool2d
  %a = particle.avg_pool2d %p {window = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>} : tensor<1x13x13x32xf32> -> tensor<1x13x13x32xf32>
  // CHECK: particle.flatten %{{.*}} : tensor<1x13x13x32xf32> -> tensor<1x5408xf32>
  %f = particle.flatten %a : tensor<1x13x13x32xf32> -> tensor<1x5408xf32>
  %dk = particle.weight "d.kernel" : tensor<5408x10xf32>
  // CHECK: particle.dense %{{.*}}, %{{.*}} : (tensor<1x5408xf32>, tensor<5408x10xf32>) -> tensor<1x10xf32>
  %d = particle.dense %f, %dk : (tensor<1x5408xf32>, tensor<5408x10xf32>) -> tensor<1x10xf32>
  // CHECK: particle.sigmoid
  %s = particle.sigmoid %d : tensor<1x10xf32>
  // CHECK: particle.tanh
  %t = particle.tanh %s : tensor<1x10xf32>
  // CHECK: particle.add %{{.*}}, %{{.*}} : (tensor<1x10xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  %bias = particle.weight "bias" : tensor<10xf32>
  %sum = particle.add %t, %bias : (tensor<1x10xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  // CHECK: particle.mul
  %m = particle.mul %sum, %sum : (tensor<1x10xf32>, tensor<1x10xf32>) -> tensor<1x10xf32>
  // CHECK: particle.softmax %{{.*}} {axis = 1 : i64} : tensor<1x10xf32>
  %sm = particle.softmax %m {axis = 1} : tensor<1x10xf32>
  // CHECK: particle.reshape %{{.*}} : tensor<1x10xf32> -> tensor<2x5xf32>
  %rs = particle.reshape %sm : tensor<1x10xf32> -> tensor<2x5xf32>
  // CHECK: particle.output "probs" %{{.*}} : tensor<2x5xf32>
  particle.output "probs" %rs : tensor<2x5xf32>
  return
}

// CHECK-LABEL: func.func @kernel
func.func @kernel() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x2xf32>
  // CHECK: particle.kernel "k0"(%{{.*}}, %{{.*}}) {schedule = #particle.schedule<vector = 8, tile_cols = 16>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> {
  // CHECK: ^bb0(%[[A:.*]]: tensor<1x4xf32>, %[[B:.*]]: tensor<4x2xf32>):
  // CHECK:   particle.yield
  %y = particle.kernel "k0" (%x, %w) {schedule = #particle.schedule<tile_cols = 16, vector = 8>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> {
  ^bb0(%a: tensor<1x4xf32>, %b: tensor<4x2xf32>):
    %0 = particle.dense %a, %b : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
    %1 = particle.relu %0 : tensor<1x2xf32>
    particle.yield %1 : tensor<1x2xf32>
  }
  particle.output "y" %y : tensor<1x2xf32>
  return
}

// CHECK-LABEL: func.func @math
func.func @math() {
  %x = particle.input "x" : tensor<2x8xf32>
  %v = particle.input "v" : tensor<8xf32>
  // CHECK: particle.sub %{{.*}}, %{{.*}} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %0 = particle.sub %x, %v : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  // CHECK: particle.div %{{.*}}, %{{.*}} : (tensor<8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = particle.div %v, %0 : (tensor<8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: particle.maximum
  %2 = particle.maximum %1, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: particle.minimum
  %3 = particle.minimum %2, %v : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  // CHECK: particle.exp %{{.*}} : tensor<2x8xf32>
  %4 = particle.exp %3 : tensor<2x8xf32>
  // CHECK: particle.sqrt
  %5 = particle.sqrt %4 : tensor<2x8xf32>
  // CHECK: particle.gelu %{{.*}} : tensor<2x8xf32>
  %6 = particle.gelu %5 : tensor<2x8xf32>
  // CHECK: particle.gelu %{{.*}} {approximate = "tanh"} : tensor<2x8xf32>
  %7 = particle.gelu %6 {approximate = "tanh"} : tensor<2x8xf32>
  // CHECK: particle.silu
  %8 = particle.silu %7 : tensor<2x8xf32>
  // CHECK: particle.leaky_relu %{{.*}} {alpha = 3.000000e-01 : f32} : tensor<2x8xf32>
  %9 = particle.leaky_relu %8 {alpha = 0.3 : f32} : tensor<2x8xf32>
  // CHECK: particle.hard_swish
  %10 = particle.hard_swish %9 : tensor<2x8xf32>
  // CHECK: particle.relu6
  %11 = particle.relu6 %10 : tensor<2x8xf32>
  // CHECK: particle.clip %{{.*}} {max = 1.000000e+00 : f32, min = -1.000000e+00 : f32} : tensor<2x8xf32>
  %12 = particle.clip %11 {min = -1.0 : f32, max = 1.0 : f32} : tensor<2x8xf32>
  // CHECK: particle.clip %{{.*}} {max = 5.000000e-01 : f32} : tensor<2x8xf32>
  %13 = particle.clip %12 {max = 0.5 : f32} : tensor<2x8xf32>
  particle.output "y" %13 : tensor<2x8xf32>
  return
}

// CHECK-LABEL: func.func @tensor_ops
func.func @tensor_ops() {
  %x = particle.input "x" : tensor<2x6xf32>
  %y = particle.input "y" : tensor<2x3xf32>
  // CHECK: particle.log_softmax %{{.*}} {axis = 1 : i64} : tensor<2x6xf32>
  %0 = particle.log_softmax %x {axis = 1} : tensor<2x6xf32>
  // CHECK: particle.dropout %{{.*}} {rate = 5.000000e-01 : f32} : tensor<2x6xf32>
  %1 = particle.dropout %0 {rate = 0.5 : f32} : tensor<2x6xf32>
  // CHECK: particle.unpack_panels %{{.*}} {columns = 40 : i64} : tensor<3x64x16xf32> -> tensor<64x40xf32>
  %panels = particle.weight "w.panels16" : tensor<3x64x16xf32>
  %unpacked = particle.unpack_panels %panels {columns = 40 : i64} : tensor<3x64x16xf32> -> tensor<64x40xf32>
  // CHECK: particle.winograd_filter %{{.*}} : tensor<2x4x4x8x8xf32> -> tensor<3x3x8x16xf32>
  %transformed = particle.weight "w.winograd8" : tensor<2x4x4x8x8xf32>
  %filters = particle.winograd_filter %transformed : tensor<2x4x4x8x8xf32> -> tensor<3x3x8x16xf32>
  // CHECK: particle.transpose %{{.*}} {perm = array<i64: 1, 0>} : tensor<2x6xf32> -> tensor<6x2xf32>
  %2 = particle.transpose %1 {perm = array<i64: 1, 0>} : tensor<2x6xf32> -> tensor<6x2xf32>
  // CHECK: particle.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2x3xf32>, tensor<2x6xf32>) -> tensor<2x15xf32>
  %3 = particle.concat %x, %y, %1 {axis = 1} : (tensor<2x6xf32>, tensor<2x3xf32>, tensor<2x6xf32>) -> tensor<2x15xf32>
  // CHECK: %{{.*}}:2 = particle.split %{{.*}} {axis = 1 : i64} : tensor<2x15xf32> -> tensor<2x5xf32>, tensor<2x10xf32>
  %4:2 = particle.split %3 {axis = 1} : tensor<2x15xf32> -> tensor<2x5xf32>, tensor<2x10xf32>
  // CHECK: particle.slice %{{.*}} {begin = array<i64: 1, 2>, strides = array<i64: 1, 3>} : tensor<2x10xf32> -> tensor<1x3xf32>
  %5 = particle.slice %4#1 {begin = array<i64: 1, 2>, strides = array<i64: 1, 3>} : tensor<2x10xf32> -> tensor<1x3xf32>
  // CHECK: particle.pad %{{.*}} {high = array<i64: 2, 0>, low = array<i64: 0, 1>, value = -1.000000e+00 : f32} : tensor<1x3xf32> -> tensor<3x4xf32>
  %6 = particle.pad %5 {low = array<i64: 0, 1>, high = array<i64: 2, 0>, value = -1.0 : f32} : tensor<1x3xf32> -> tensor<3x4xf32>
  particle.output "y" %6 : tensor<3x4xf32>
  return
}

// CHECK-LABEL: func.func @nn_layers
func.func @nn_layers() {
  %x = particle.input "x" : tensor<1x8x8x16xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x4x32xf32>
  // CHECK: particle.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %c = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 4} : (tensor<1x8x8x16xf32>, tensor<3x3x4x32xf32>) -> tensor<1x8x8x32xf32>
  // CHECK: particle.global_avg_pool2d %{{.*}} : tensor<1x8x8x32xf32> -> tensor<1x1x1x32xf32>
  %a = particle.global_avg_pool2d %c : tensor<1x8x8x32xf32> -> tensor<1x1x1x32xf32>
  // CHECK: particle.global_max_pool2d %{{.*}} {keepdims = false} : tensor<1x8x8x32xf32> -> tensor<1x32xf32>
  %m = particle.global_max_pool2d %c {keepdims = false} : tensor<1x8x8x32xf32> -> tensor<1x32xf32>
  particle.output "a" %a : tensor<1x1x1x32xf32>
  particle.output "m" %m : tensor<1x32xf32>
  return
}

// CHECK-LABEL: func.func @batch_norm
func.func @batch_norm() {
  %x = particle.input "x" : tensor<1x4x4x8xf32>
  %g = particle.weight "bn.gamma" : tensor<8xf32>
  %b = particle.weight "bn.beta" : tensor<8xf32>
  %m = particle.weight "bn.moving_mean" : tensor<8xf32>
  %v = particle.weight "bn.moving_variance" : tensor<8xf32>
  // CHECK: particle.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<1x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
  %y = particle.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<1x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
  particle.output "y" %y : tensor<1x4x4x8xf32>
  return
}

// CHECK-LABEL: func.func @layers
func.func @layers() {
  %x = particle.input "x" : tensor<2x5x16xf32>
  %ids = particle.input "ids" : tensor<2x5xf32>
  %g = particle.weight "ln.gamma" : tensor<16xf32>
  %b = particle.weight "ln.beta" : tensor<16xf32>
  // CHECK: particle.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  %n = particle.layer_norm %x, %g, %b {axis = 2} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  // CHECK: particle.matmul %{{.*}}, %{{.*}} {transpose_b = true} : (tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x5xf32>
  %s = particle.matmul %n, %x {transpose_b = true} : (tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x5xf32>
  %t = particle.weight "e.embeddings" : tensor<100x8xf32>
  // CHECK: particle.embedding %{{.*}}, %{{.*}} : (tensor<2x5xf32>, tensor<100x8xf32>) -> tensor<2x5x8xf32>
  %e = particle.embedding %ids, %t : (tensor<2x5xf32>, tensor<100x8xf32>) -> tensor<2x5x8xf32>
  // CHECK: particle.input "tokens" : tensor<2x5xi64>
  %tokens = particle.input "tokens" : tensor<2x5xi64>
  // CHECK: particle.embedding %{{.*}}, %{{.*}} : (tensor<2x5xi64>, tensor<100x8xf32>) -> tensor<2x5x8xf32>
  %e64 = particle.embedding %tokens, %t : (tensor<2x5xi64>, tensor<100x8xf32>) -> tensor<2x5x8xf32>
  particle.output "e64" %e64 : tensor<2x5x8xf32>
  particle.output "s" %s : tensor<2x5x5xf32>
  particle.output "e" %e : tensor<2x5x8xf32>
  return
}
