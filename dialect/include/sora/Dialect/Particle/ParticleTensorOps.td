//===- ParticleTensorOps.td - Data movement particles -----*- tablegen -*-===//
//
// Particles that move elements without arithmetic: transpose, concat, split,
// slice, pad, and dropout (the identity at inference). Each becomes a copy
// kernel of its own (split first becomes one slice per result), which
// elementwise epilogues may join. Included from ParticleOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_PARTICLE_TENSOR_OPS
#define SORA_PARTICLE_TENSOR_OPS

def Particle_DropoutOp : Particle_Op<"dropout", [Pure, SameOperandsAndResultType]> {
  let summary = "Dropout: the identity at inference";
  let description = [{
    `rate` is recorded for the reader and ignored: models are compiled for
    inference, where dropout passes its input through. The op folds away.

    ```mlir
    %y = particle.dropout %x {rate = 5.000000e-01 : f32} : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.0f">:$rate);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasFolder = 1;
}

def Particle_TransposeOp : Particle_Op<"transpose", [Pure, Particle_ShapeRule,
    Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Permutes the dimensions";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`, as
    `numpy.transpose(x, perm)`: `result[i0, ..., iR-1] = input[j]` with
    `j[perm[k]] = ik`.

    ```mlir
    %t = particle.transpose %x {perm = array<i64: 0, 2, 1>}
        : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Particle_ConcatOp : Particle_Op<"concat", [Pure, Particle_ShapeRule,
    Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Joins tensors along one axis";
  let description = [{
    All inputs have the rank and extents of the result except along `axis`,
    where the result extent is their sum; inputs follow each other in
    operand order (`torch.cat`).

    ```mlir
    %c = particle.concat %a, %b {axis = 1 : i64}
        : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Particle_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, $result)
  }];
}

def Particle_SplitOp : Particle_Op<"split", [Pure]> {
  let summary = "Cuts a tensor into consecutive pieces along one axis";
  let description = [{
    Result `k` holds the next `extent_k` elements along `axis`, where
    `extent_k` is that result's extent; the extents sum to the input's. In a
    model file the results are the values `<name>.0`, `<name>.1`, ...
    Canonicalization turns a split into one `particle.slice` per result.

    ```mlir
    %a, %b = particle.split %x {axis = 1 : i64}
        : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Particle_Tensor>:$results);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($results)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Particle_SliceOp : Particle_Op<"slice", [Pure, Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "A strided box of a tensor";
  let description = [{
    `result[i] = input[begin + i * strides]` per dimension, with the
    result's extents; `begin` is non-negative and every read is in range
    (the frontend resolves Python-style negative and `end` bounds).

    ```mlir
    %s = particle.slice %x {begin = array<i64: 0, 1>, strides = array<i64: 1, 2>}
        : tensor<2x7xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, DenseI64ArrayAttr:$begin,
                       DenseI64ArrayAttr:$strides);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Particle_WinogradFilterOp : Particle_Op<"winograd_filter", [Pure,
    Particle_ShapeRule, Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Reads filters transformed for Winograd as the layer's filters";
  let description = [{
    `input` is a conv2d's 3x3 filters `g` transformed at compile time for
    Winograd F(2x2, 3x3), `U = G g G^T` per input and output channel, in
    panels of P filters as wide as the conv's register tile, `[G, 4, 4, C,
    P]` (a panel's filters are contiguous, so that a register tile streams
    them); the result is `g` again (`G+ U G+^T`, G+ the left inverse of G),
    `[3, 3, C, G * P]`. sora-pack-weights puts one at the start of a kernel
    body whose schedule says `winograd = 1`: the conv then reads `U`
    directly, so that no filter is transformed when the model runs.

    ```mlir
    %w = particle.winograd_filter %u
        : tensor<2x4x4x64x32xf32> -> tensor<3x3x64x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Particle_UnpackPanelsOp : Particle_Op<"unpack_panels", [Pure,
    Particle_ShapeRule, Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Reads weights packed in column panels as the layer's layout";
  let description = [{
    `input` is a weight tensor packed at compile time into column panels,
    `[G, d..., P]`: panel `g` holds columns `g * P` to `g * P + P - 1` of the
    `[d..., columns]` tensor the result is (`result[..., f] =
    input[f / P, ..., f % P]`); the last panel's columns past `columns` are
    padding. sora-pack-weights puts one at the start of a kernel body, so
    that the contraction's register tiles load their weights contiguously;
    it moves no data itself.

    ```mlir
    %w = particle.unpack_panels %p {columns = 40 : i64}
        : tensor<3x64x16xf32> -> tensor<64x40xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, I64Attr:$columns);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Particle_PadOp : Particle_Op<"pad", [Pure, Particle_ShapeRule,
    Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Pads each dimension with a constant, a reflection or the edge";
  let description = [{
    Dimension `d` gets `low[d]` cells before and `high[d]` after. With
    `mode` "constant" (the default) they hold `value`; "reflect" mirrors
    the input without repeating its edge (each pad smaller than the
    extent); "edge" repeats the edge (`torch.nn.functional.pad` modes
    "constant", "reflect" and "replicate"; ONNX Pad's modes).

    ```mlir
    %p = particle.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 2>,
                          value = 0.000000e+00 : f32}
        : tensor<2x3xf32> -> tensor<2x6xf32>
    %r = particle.pad %x {low = array<i64: 0, 2>, high = array<i64: 0, 2>,
                          mode = "reflect"}
        : tensor<2x3xf32> -> tensor<2x7xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

#endif // SORA_PARTICLE_TENSOR_OPS
