//===- ParticlePreprocessOps.td - Input preprocessing -----*- tablegen -*-===//
//
// Particles that prepare or resample images: normalize (per-channel scale,
// mean and std), resize (nearest or bilinear, PyTorch's F.interpolate) and
// grid_sample (F.grid_sample). Images are NHWC, channels last. Included
// from ParticleOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_PARTICLE_PREPROCESS_OPS
#define SORA_PARTICLE_PREPROCESS_OPS

def Particle_NormalizeOp
    : Particle_Op<"normalize", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "(x * scale - mean) / std per channel, elementwise";
  let description = [{
    `result[..., c] = (input[..., c] * scale - mean[c]) / std[c]` over the
    last (channel) dimension. `mean` and `std` hold one value per channel,
    or one value for all channels; every `std` is positive. With
    `scale = 1/255` this is torchvision's `ToTensor` followed by
    `Normalize(mean, std)` on channels-last data.

    ```mlir
    %y = particle.normalize %x {scale = 0.00392156886 : f32,
           mean = array<f32: 0.485, 0.456, 0.406>,
           std = array<f32: 0.229, 0.224, 0.225>} : tensor<1x224x224x3xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "1.0f">:$scale,
                       DenseF32ArrayAttr:$mean, DenseF32ArrayAttr:$std);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Particle_ResizeOp : Particle_Op<"resize", [Pure, Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Resizes the height and width of an NHWC image";
  let description = [{
    `torch.nn.functional.interpolate` on `[N, H, W, C]` data: `mode` is
    `"nearest"` (PyTorch's `'nearest'`: source index
    `min(floor(dst * scale), in - 1)`) or `"bilinear"` (half-pixel centres
    clamped at 0, or corner-aligned with `align_corners`). The output size is
    the result type's; `scale_factor = [sh, sw]`, when present, is the factor
    the size came from (`floor(in * s)`) and sets the coordinate scale to
    `1 / s` like PyTorch's, instead of `in / out`.

    ```mlir
    %y = particle.resize %x {mode = "bilinear",
           scale_factor = array<f64: 2.0, 2.0>}
        : tensor<1x7x7x32xf32> -> tensor<1x14x14x32xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners,
                       OptionalAttr<DenseF64ArrayAttr>:$scale_factor);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Particle_GridSampleOp : Particle_Op<"grid_sample", [Pure,
    Particle_ShapeRule, Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Samples an NHWC image at the points of a grid";
  let description = [{
    `torch.nn.functional.grid_sample` on `[N, H, W, C]` data: `grid` is
    `[N, OH, OW, 2]`, each point (x, y) with -1 and 1 at the image's
    borders (pixel centres of the border pixels with `align_corners`, else
    their outer edges); the result is `[N, OH, OW, C]`. `mode` is
    `"bilinear"` or `"nearest"` (ties to even); `padding_mode` says what a
    point outside the image reads: `"zeros"`, the `"border"` pixels, or the
    image `"reflection"` at its borders.

    ```mlir
    %y = particle.grid_sample %x, %grid {padding_mode = "border"}
        : (tensor<1x8x8x3xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x3xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$grid,
                       DefaultValuedStrAttr<StrAttr, "bilinear">:$mode,
                       DefaultValuedStrAttr<StrAttr, "zeros">:$padding_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $grid attr-dict `:` functional-type(operands, results)
  }];
}

#endif // SORA_PARTICLE_PREPROCESS_OPS
