// RUN: sora-opt %s | sora-opt | FileCheck %s
// RUN: sora-opt %s --sora-fuse | FileCheck %s --check-prefix=FUSE
// The preprocessing particles and erf round-trip through their assembly
// format; normalize and erf fuse as elementwise ops, resize starts a kernel.

// CHECK-LABEL: func.func @preprocess
// FUSE-LABEL: func.func @preprocess
func.func @preprocess() {
  %x = particle.input "image" : tensor<1x6x8x3xf32>
  // CHECK: particle.normalize %{{.*}} {mean = array<f32: 4.850000e-01, 4.560000e-01, 4.060000e-01>, scale = 0.00392156886 : f32, std = array<f32: 2.290000e-01, 2.240000e-01, 2.250000e-01>} : tensor<1x6x8x3xf32>
  %n = particle.normalize %x {scale = 0.00392156886 : f32, mean = array<f32: 0.485, 0.456, 0.406>, std = array<f32: 0.229, 0.224, 0.225>} : tensor<1x6x8x3xf32>
  // CHECK: particle.resize %{{.*}} {mode = "bilinear", scale_factor = array<f64: 2.000000e+00, 1.500000e+00>} : tensor<1x6x8x3xf32> -> tensor<1x12x12x3xf32>
  %r = particle.resize %n {mode = "bilinear", scale_factor = array<f64: 2.0, 1.5>} : tensor<1x6x8x3xf32> -> tensor<1x12x12x3xf32>
  // CHECK: particle.resize %{{.*}} {align_corners = true, mode = "bilinear"} : tensor<1x12x12x3xf32> -> tensor<1x5x7x3xf32>
  %a = particle.resize %r {mode = "bilinear", align_corners = true} : tensor<1x12x12x3xf32> -> tensor<1x5x7x3xf32>
  // CHECK: particle.resize %{{.*}} : tensor<1x5x7x3xf32> -> tensor<1x10x3x3xf32>
  %s = particle.resize %a : tensor<1x5x7x3xf32> -> tensor<1x10x3x3xf32>
  // CHECK: particle.erf %{{.*}} : tensor<1x10x3x3xf32>
  %e = particle.erf %s : tensor<1x10x3x3xf32>
  particle.output "y" %e : tensor<1x10x3x3xf32>
  return
}
// FUSE: particle.kernel "{{.*}}"
// FUSE-NEXT: ^bb0
// FUSE-NEXT: particle.normalize
// FUSE-NEXT: particle.yield
// FUSE: particle.resize
// FUSE-NEXT: particle.yield
// FUSE: particle.resize
// FUSE-NEXT: particle.yield
// FUSE: particle.resize
// FUSE-NEXT: particle.erf
// FUSE-NEXT: particle.yield
