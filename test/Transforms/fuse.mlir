// RUN: sora-opt %s -split-input-file -sora-fuse | FileCheck %s

// A compute particle takes its elementwise epilogue into one kernel.
// CHECK-LABEL: func.func @dense_relu
func.func @dense_relu() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x2xf32>
  %b = particle.weight "d.bias" : tensor<2xf32>
  // CHECK: %[[K:.*]] = particle.kernel "_sora_k0"(%{{.*}}, %{{.*}}, %{{.*}})
  // CHECK-NEXT: ^bb0
  // CHECK-NEXT:   particle.dense
  // CHECK-NEXT:   particle.relu
  // CHECK-NEXT:   particle.yield
  // CHECK: particle.output "y" %[[K]]
  %0 = particle.dense %x, %w, %b : (tensor<1x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %1 = particle.relu %0 : tensor<1x2xf32>
  particle.output "y" %1 : tensor<1x2xf32>
  return
}

// -----

// A residual add joins the kernel of the conv it follows; the other operand
// becomes a kernel input.
// CHECK-LABEL: func.func @conv_residual
func.func @conv_residual() {
  %x = particle.input "x" : tensor<1x4x4x2xf32>
  %k = particle.weight "c.kernel" : tensor<3x3x2x2xf32>
  // CHECK: particle.kernel "_sora_k0"(%{{.*}}, %{{.*}}) :
  // CHECK: particle.conv2d
  // CHECK-NEXT: particle.add
  // CHECK-NEXT: particle.tanh
  // CHECK-NEXT: particle.yield
  %0 = particle.conv2d %x, %k {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x3x2x2xf32>) -> tensor<1x4x4x2xf32>
  %1 = particle.add %0, %x : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %2 = particle.tanh %1 : tensor<1x4x4x2xf32>
  particle.output "y" %2 : tensor<1x4x4x2xf32>
  return
}

// -----

// A result used twice ends its kernel; each user starts a new one. Views
// stay outside kernels.
// CHECK-LABEL: func.func @multi_use
func.func @multi_use() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x4xf32>
  // CHECK: %[[D:.*]] = particle.kernel "_sora_k0"
  // CHECK-NOT: particle.sigmoid
  // CHECK: particle.yield
  // CHECK: %[[S:.*]] = particle.kernel "_sora_k1"(%[[D]])
  // CHECK: particle.sigmoid
  // CHECK: %[[R:.*]] = particle.reshape %[[D]]
  // CHECK: particle.output "d" %[[R]]
  // CHECK: particle.output "s" %[[S]]
  %0 = particle.dense %x, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %1 = particle.sigmoid %0 : tensor<1x4xf32>
  %2 = particle.reshape %0 : tensor<1x4xf32> -> tensor<2x2xf32>
  particle.output "d" %2 : tensor<2x2xf32>
  particle.output "s" %1 : tensor<1x4xf32>
  return
}

// -----

// Softmax is an anchor of its own: it does not join the dense before it.
// CHECK-LABEL: func.func @dense_softmax
func.func @dense_softmax() {
  %x = particle.input "x" : tensor<1x4xf32>
  %w = particle.weight "d.kernel" : tensor<4x3xf32>
  // CHECK: particle.kernel "_sora_k0"
  // CHECK-NEXT: ^bb0
  // CHECK-NEXT: particle.dense
  // CHECK-NEXT: particle.yield
  // CHECK: particle.kernel "_sora_k1"
  // CHECK-NEXT: ^bb0
  // CHECK-NEXT: particle.softmax
  %0 = particle.dense %x, %w : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  %1 = particle.softmax %0 {axis = 1} : tensor<1x3xf32>
  particle.output "p" %1 : tensor<1x3xf32>
  return
}

// -----

// Elementwise ops with no anchor form a kernel; a broadcast that grows the
// shape is not fused into the producer.
// CHECK-LABEL: func.func @elementwise_chain
func.func @elementwise_chain() {
  %a = particle.input "a" : tensor<4xf32>
  %b = particle.input "b" : tensor<3x4xf32>
  // CHECK: particle.kernel "_sora_k0"(%{{.*}}) {{.*}} {
  // CHECK: particle.relu
  // CHECK-NEXT: particle.sigmoid
  // CHECK-NEXT: particle.yield
  // CHECK: particle.kernel "_sora_k1"
  // CHECK: particle.mul
  %0 = particle.relu %a : tensor<4xf32>
  %1 = particle.sigmoid %0 : tensor<4xf32>
  %2 = particle.mul %1, %b : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  particle.output "y" %2 : tensor<3x4xf32>
  return
}

// -----

// A kernel holds at most 32 ops: a chain of 40 continues in a second kernel.
// CHECK-LABEL: func.func @long_chain
func.func @long_chain() {
  %x = particle.input "x" : tensor<1x4xf32>
  // CHECK: %[[K0:.*]] = particle.kernel "_sora_k0"(%{{.*}})
  // CHECK-COUNT-32: particle.relu
  // CHECK-NEXT: particle.yield
  // CHECK: %[[K1:.*]] = particle.kernel "_sora_k1"(%[[K0]])
  // CHECK-COUNT-8: particle.relu
  // CHECK-NEXT: particle.yield
  // CHECK: particle.output "y" %[[K1]]
  %0 = particle.relu %x : tensor<1x4xf32>
  %1 = particle.relu %0 : tensor<1x4xf32>
  %2 = particle.relu %1 : tensor<1x4xf32>
  %3 = particle.relu %2 : tensor<1x4xf32>
  %4 = particle.relu %3 : tensor<1x4xf32>
  %5 = particle.relu %4 : tensor<1x4xf32>
  %6 = particle.relu %5 : tensor<1x4xf32>
  %7 = particle.relu %6 : tensor<1x4xf32>
  %8 = particle.relu %7 : tensor<1x4xf32>
  %9 = particle.relu %8 : tensor<1x4xf32>
  %10 = particle.relu %9 : tensor<1x4xf32>
  %11 = particle.relu %10 : tensor<1x4xf32>
  %12 = particle.relu %11 : tensor<1x4xf32>
  %13 = particle.relu %12 : tensor<1x4xf32>
  %14 = particle.relu %13 : tensor<1x4xf32>
  %15 = particle.relu %14 : tensor<1x4xf32>
  %16 = particle.relu %15 : tensor<1x4xf32>
  %17 = particle.relu %16 : tensor<1x4xf32>
  %18 = particle.relu %17 : tensor<1x4xf32>
  %19 = particle.relu %18 : tensor<1x4xf32>
  %20 = particle.relu %19 : tensor<1x4xf32>
  %21 = particle.relu %20 : tensor<1x4xf32>
  %22 = particle.relu %21 : tensor<1x4xf32>
  %23 = particle.relu %22 : tensor<1x4xf32>
  %24 = particle.relu %23 : tensor<1x4xf32>
  %25 = particle.relu %24 : tensor<1x4xf32>
  %26 = particle.relu %25 : tensor<1x4xf32>
  %27 = particle.relu %26 : tensor<1x4xf32>
  %28 = particle.relu %27 : tensor<1x4xf32>
  %29 = particle.relu %28 : tensor<1x4xf32>
  %30 = particle.relu %29 : tensor<1x4xf32>
  %31 = particle.relu %30 : tensor<1x4xf32>
  %32 = particle.relu %31 : tensor<1x4xf32>
  %33 = particle.relu %32 : tensor<1x4xf32>
  %34 = particle.relu %33 : tensor<1x4xf32>
  %35 = particle.relu %34 : tensor<1x4xf32>
  %36 = particle.relu %35 : tensor<1x4xf32>
  %37 = particle.relu %36 : tensor<1x4xf32>
  %38 = particle.relu %37 : tensor<1x4xf32>
  %39 = particle.relu %38 : tensor<1x4xf32>
  particle.output "y" %39 : tensor<1x4xf32>
  return
}

// -----

// A pointwise conv whose result (after its epilogue) only a depthwise conv
// reads, and which exceeds 1 MiB (1x64x64x96 floats: 1.5 MiB), joins the
// depthwise conv's kernel: computed row by row there, never stored.
// CHECK-LABEL: func.func @expand_depthwise
func.func @expand_depthwise() {
  %x = particle.input "x" : tensor<1x64x64x16xf32>
  %e = particle.weight "e.kernel" : tensor<1x1x16x96xf32>
  %d = particle.weight "d.kernel" : tensor<3x3x1x96xf32>
  // CHECK: particle.kernel "_sora_k0"(%{{.*}}, %{{.*}}, %{{.*}}) :
  // CHECK-NEXT: ^bb0
  // CHECK-NEXT: particle.conv2d
  // CHECK-NEXT: particle.relu6
  // CHECK-NEXT: particle.conv2d {{.*}}groups = 96
  // CHECK-NEXT: particle.relu6
  // CHECK-NEXT: particle.yield
  // CHECK-NOT: particle.kernel
  %0 = particle.conv2d %x, %e {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x64x64x16xf32>, tensor<1x1x16x96xf32>) -> tensor<1x64x64x96xf32>
  %1 = particle.relu6 %0 : tensor<1x64x64x96xf32>
  %2 = particle.conv2d %1, %d {strides = array<i64: 2, 2>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 1, 1>, groups = 96 : i64} : (tensor<1x64x64x96xf32>, tensor<3x3x1x96xf32>) -> tensor<1x32x32x96xf32>
  %3 = particle.relu6 %2 : tensor<1x32x32x96xf32>
  particle.output "y" %3 : tensor<1x32x32x96xf32>
  return
}

// -----

// The same blocks stay two kernels when the expansion fits a core's cache
// (1x32x32x96 floats: 384 KiB), when another particle reads it too, or when
// the conv after it is not depthwise.
// CHECK-LABEL: func.func @expand_depthwise_apart
func.func @expand_depthwise_apart() {
  %x = particle.input "x" : tensor<1x32x32x16xf32>
  %big = particle.input "big" : tensor<1x64x64x16xf32>
  %e = particle.weight "e.kernel" : tensor<1x1x16x96xf32>
  %d = particle.weight "d.kernel" : tensor<3x3x1x96xf32>
  %g = particle.weight "g.kernel" : tensor<3x3x8x96xf32>
  // CHECK-COUNT-6: particle.kernel
  // CHECK-NOT: particle.kernel
  %0 = particle.conv2d %x, %e {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x32x32x16xf32>, tensor<1x1x16x96xf32>) -> tensor<1x32x32x96xf32>
  %1 = particle.conv2d %0, %d {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 96 : i64} : (tensor<1x32x32x96xf32>, tensor<3x3x1x96xf32>) -> tensor<1x32x32x96xf32>
  particle.output "small" %1 : tensor<1x32x32x96xf32>
  %2 = particle.conv2d %big, %e {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x64x64x16xf32>, tensor<1x1x16x96xf32>) -> tensor<1x64x64x96xf32>
  %3 = particle.conv2d %2, %d {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 96 : i64} : (tensor<1x64x64x96xf32>, tensor<3x3x1x96xf32>) -> tensor<1x64x64x96xf32>
  particle.output "shared" %2 : tensor<1x64x64x96xf32>
  particle.output "depthwise" %3 : tensor<1x64x64x96xf32>
  %4 = particle.conv2d %big, %e {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x64x64x16xf32>, tensor<1x1x16x96xf32>) -> tensor<1x64x64x96xf32>
  %5 = particle.conv2d %4, %g {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 12 : i64} : (tensor<1x64x64x96xf32>, tensor<3x3x8x96xf32>) -> tensor<1x64x64x96xf32>
  particle.output "grouped" %5 : tensor<1x64x64x96xf32>
  return
}

// -----

// A conv over a batch of images whose result (after its epilogue) only a
// pool reads, beyond a core's cache in all but within it per image, joins
// the pool's kernel: computed one image at a time there, pooled from cache.
// CHECK-LABEL: func.func @conv_pool
func.func @conv_pool() {
  %x = particle.input "x" : tensor<16x28x28x1xf32>
  %w = particle.weight "c.kernel" : tensor<3x3x1x32xf32>
  // CHECK: particle.kernel "_sora_k0"(%{{.*}}, %{{.*}}) :
  // CHECK-NEXT: ^bb0
  // CHECK-NEXT: particle.conv2d
  // CHECK-NEXT: particle.relu
  // CHECK-NEXT: particle.max_pool2d
  // CHECK-NEXT: particle.yield
  // CHECK-NOT: particle.kernel
  %0 = particle.conv2d %x, %w {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<16x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<16x26x26x32xf32>
  %1 = particle.relu %0 : tensor<16x26x26x32xf32>
  %2 = particle.max_pool2d %1 {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<16x26x26x32xf32> -> tensor<16x13x13x32xf32>
  particle.output "y" %2 : tensor<16x13x13x32xf32>
  return
}

// -----

// Apart: fewer than 8 images, an image beyond half a core's cache (256 x
// 256 x 8 floats: 2 MiB), and a result another particle reads too.
// CHECK-LABEL: func.func @conv_pool_apart
func.func @conv_pool_apart() {
  %few = particle.input "few" : tensor<4x58x58x1xf32>
  %big = particle.input "big" : tensor<8x258x258x1xf32>
  %x = particle.input "x" : tensor<16x28x28x1xf32>
  %w = particle.weight "c.kernel" : tensor<3x3x1x32xf32>
  %v = particle.weight "v.kernel" : tensor<3x3x1x8xf32>
  // CHECK-COUNT-6: particle.kernel
  // CHECK-NOT: particle.kernel
  %0 = particle.conv2d %few, %w {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<4x58x58x1xf32>, tensor<3x3x1x32xf32>) -> tensor<4x56x56x32xf32>
  %1 = particle.max_pool2d %0 {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<4x56x56x32xf32> -> tensor<4x28x28x32xf32>
  particle.output "few" %1 : tensor<4x28x28x32xf32>
  %2 = particle.conv2d %big, %v {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<8x258x258x1xf32>, tensor<3x3x1x8xf32>) -> tensor<8x256x256x8xf32>
  %3 = particle.max_pool2d %2 {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<8x256x256x8xf32> -> tensor<8x128x128x8xf32>
  particle.output "big" %3 : tensor<8x128x128x8xf32>
  %4 = particle.conv2d %x, %w {strides = array<i64: 1, 1>, dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<16x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<16x26x26x32xf32>
  %5 = particle.max_pool2d %4 {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<16x26x26x32xf32> -> tensor<16x13x13x32xf32>
  particle.output "conv" %4 : tensor<16x26x26x32xf32>
  particle.output "pooled" %5 : tensor<16x13x13x32xf32>
  return
}
