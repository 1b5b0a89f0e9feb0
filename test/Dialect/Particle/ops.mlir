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
  // CHECK: particle.kernel "k0"(%{{.*}}, %{{.*}}) {schedule = {vector = 8 : i64}} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> {
  // CHECK: ^bb0(%[[A:.*]]: tensor<1x4xf32>, %[[B:.*]]: tensor<4x2xf32>):
  // CHECK:   particle.yield
  %y = particle.kernel "k0" (%x, %w) {schedule = {vector = 8}} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> {
  ^bb0(%a: tensor<1x4xf32>, %b: tensor<4x2xf32>):
    %0 = particle.dense %a, %b : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
    %1 = particle.relu %0 : tensor<1x2xf32>
    particle.yield %1 : tensor<1x2xf32>
  }
  particle.output "y" %y : tensor<1x2xf32>
  return
}
