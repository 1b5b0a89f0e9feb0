//===- ParticleNNOps.td - Pools, norms, matmul, embedding -*- tablegen -*-===//
//
// Network layers added after the first particles: global pools (rewritten
// into windowed pools), normalization, matmul and embedding. Included from
// ParticleOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_PARTICLE_NN_OPS
#define SORA_PARTICLE_NN_OPS

class Particle_GlobalPool2DOp<string mnemonic, string what>
    : Particle_Op<mnemonic, [Pure, Particle_ShapeRule]> {
  let summary = what # " over all of height and width, NHWC";
  let description = [{
    `[N, H, W, C] -> [N, 1, 1, C]`, or `[N, C]` with `keepdims = false`.
    Canonicalization rewrites it into the windowed pool with an `H x W`
    window (and a reshape when `keepdims` is false).

    ```mlir
    %y = particle.}] # mnemonic # [{ %x {keepdims = false}
        : tensor<1x7x7x64xf32> -> tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasCanonicalizer = 1;
  let extraClassDefinition =
      Particle_ShapeRuleIs<"globalPoolShape">.definition;
}

def Particle_GlobalMaxPool2DOp
    : Particle_GlobalPool2DOp<"global_max_pool2d", "Maximum">;
def Particle_GlobalAvgPool2DOp
    : Particle_GlobalPool2DOp<"global_avg_pool2d", "Mean">;

def Particle_BatchNormOp
    : Particle_Op<"batch_norm", [Pure, AllTypesMatch<["input", "result"]>,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Batch normalization at inference, over the last axis";
  let description = [{
    `result = (input - mean) / sqrt(variance + epsilon) * gamma + beta`, the
    parameters being `[C]` tensors for the last (channel) dimension of
    `input` (`torch.nn.functional.batch_norm(training=False)` on NHWC).
    Elementwise: it fuses into the kernel it follows; when it directly
    follows a conv2d or dense whose weights are known, soracc folds it into
    their kernel and bias (sora-fold-batch-norm).

    ```mlir
    %y = particle.batch_norm %x, %gamma, %beta, %mean, %var
        {epsilon = 1.000000e-05 : f32}
        : (tensor<1x8x8x16xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>, tensor<16xf32>) -> tensor<1x8x8x16xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$gamma,
                       Particle_Tensor:$beta, Particle_Tensor:$mean,
                       Particle_Tensor:$variance,
                       DefaultValuedAttr<F32Attr, "::sora::particle::kDefaultNormEpsilon">:$epsilon);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Particle_LayerNormOp
    : Particle_Op<"layer_norm", [Pure, AllTypesMatch<["input", "result"]>,
        Particle_FusionAnchor, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Layer normalization along one axis";
  let description = [{
    `result = (input - mean) / sqrt(var + epsilon) * gamma + beta`, the mean
    and the (biased) variance taken along `axis`, and `gamma`, `beta` of
    shape `[extent of axis]` applied along it; without them (no `affine`
    operands) the normalized value itself. With the last axis this is
    `torch.nn.functional.layer_norm(x, [C], gamma, beta, epsilon)`.

    ```mlir
    %y = particle.layer_norm %x, %gamma, %beta {axis = 2 : i64,
           epsilon = 1.000000e-05 : f32}
        : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> tensor<1x16x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       Variadic<Particle_Tensor>:$affine, I64Attr:$axis,
                       DefaultValuedAttr<F32Attr, "::sora::particle::kDefaultNormEpsilon">:$epsilon);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $affine^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The shapes of gamma and beta, or none without them.
    std::vector<::sora::ShapeRef> affineShapes() {
      std::vector<::sora::ShapeRef> shapes;
      for (::mlir::Value v : getAffine())
        shapes.push_back(
            ::mlir::cast<::mlir::RankedTensorType>(v.getType()).getShape());
      return shapes;
    }
  }];
}

def Particle_ReduceOp : Particle_Op<"reduce", [Pure, Particle_ShapeRule,
    Particle_FusionAnchor,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Reduces the cells of a set of axes to one value";
  let description = [{
    `kind` is one of sum, mean, max, min, prod, l1 (sum of |x|), l2
    (sqrt of the sum of squares), sum_square and log_sum_exp (computed
    from the maximum, so it does not overflow); ONNX's Reduce* operators.
    `axes` are distinct and in [0, rank). The reduced axes stay as extent
    1 with `keepdims`, else they go; at least one axis must remain. NaN
    propagates, as in PyTorch.

    ```mlir
    %m = particle.reduce %x {kind = "mean", axes = array<i64: 1, 2>}
        : tensor<1x7x7x64xf32> -> tensor<1x1x1x64xf32>
    %s = particle.reduce %x {kind = "sum", axes = array<i64: 3>,
                             keepdims = false}
        : tensor<1x7x7x64xf32> -> tensor<1x7x7xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, StrAttr:$kind,
                       DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Particle_MatMulOp : Particle_Op<"matmul", [Pure, Particle_ShapeRule,
    Particle_FusionAnchor,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Matrix product with NumPy batch broadcasting";
  let description = [{
    `torch.matmul` of operands of rank >= 2: the last two dimensions are
    `[M, K]` and `[K, N]` (after swapping them when `transpose_a` /
    `transpose_b` is set) and the leading (batch) dimensions broadcast like
    NumPy. The result is `[batch..., M, N]`.

    ```mlir
    %y = particle.matmul %q, %k {transpose_b = true}
        : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$lhs, Particle_Tensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_a,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_b);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Particle_EmbeddingOp : Particle_Op<"embedding", [Pure, Particle_ShapeRule,
    Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Looks up rows of a table by index";
  let description = [{
    `result[i..., d] = table[ids[i...], d]` with `table : [input_dim,
    output_dim]`. The ids are i64 (a model input) or f32 holding integers;
    an id that is not an integer in `[0, input_dim)` makes the kernel fail
    at run time, it is never read out of bounds.

    ```mlir
    %e = particle.embedding %ids, %table
        : (tensor<2x7xi64>, tensor<1000x64xf32>) -> tensor<2x7x64xf32>
    ```
  }];
  let arguments = (ins Particle_TensorOrIds:$ids, Particle_Tensor:$table);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $ids `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDefinition = Particle_KernelKind<"Embedding">.definition;
}

def Particle_OneHotOp : Particle_Op<"one_hot", [Pure, Particle_ShapeRule,
    Particle_FusionCopy,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Marks the position of each id in a row of zeros";
  let description = [{
    `result[i..., c] = (ids[i...] == c) ? 1 : 0` for `c` in `[0, depth)`.
    The ids are i64 (a model input) or f32; an id outside `[0, depth)`
    (a negative one, or an ignored class label) gives a row of zeros.

    ```mlir
    %h = particle.one_hot %labels {depth = 10 : i64}
        : (tensor<8xi64>) -> tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Particle_TensorOrIds:$ids, I64Attr:$depth);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $ids attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDefinition = Particle_KernelKind<"OneHot">.definition;
}

#endif // SORA_PARTICLE_NN_OPS
