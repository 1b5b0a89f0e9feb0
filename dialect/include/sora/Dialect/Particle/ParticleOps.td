//===- ParticleOps.td - Particle dialect operations -------*- tablegen -*-===//

#ifndef SORA_PARTICLE_OPS
#define SORA_PARTICLE_OPS

include "sora/Dialect/Particle/ParticleDialect.td"
include "sora/Dialect/Particle/ParticleAttrs.td"
include "sora/Dialect/Particle/ParticleInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

//===----------------------------------------------------------------------===//
// Graph boundary: inputs, weights, outputs
//===----------------------------------------------------------------------===//

def Particle_InputOp : Particle_Op<"input", []> {
  let summary = "A model input";
  let description = [{
    Reads the model input `name`. Inputs form the model signature in the
    order their ops appear. An i64 input holds token ids; only
    `particle.embedding` may read it. Not `Pure`: an input nothing reads
    stays part of the signature, as the model file declares it.

    ```mlir
    %image = particle.input "image" : tensor<1x28x28x1xf32>
    %tokens = particle.input "tokens" : tensor<1x100xi64>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Particle_TensorOrIds:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Particle_WeightOp : Particle_Op<"weight", [Pure]> {
  let summary = "A named parameter tensor";
  let description = [{
    Reads the parameter `name` (`<particle>.<param>`, e.g. `c1.kernel`) from
    the model's weight store; the values live outside the IR and are embedded
    in the compiled library.

    ```mlir
    %k = particle.weight "c1.kernel" : tensor<3x3x1x32xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Particle_OutputOp : Particle_Op<"output", [MemoryEffects<[MemWrite]>]> {
  let summary = "Names a model output";
  let description = [{
    Makes `value` the model output `name`. Outputs form the model signature
    in the order their ops appear; one value may be several outputs.

    ```mlir
    particle.output "probs" %p : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Particle_Tensor:$value);
  let assemblyFormat = "$name $value attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Compute particles
//===----------------------------------------------------------------------===//
//
// An op whose result follows from its operands and attributes declares
// Particle_ShapeRule (ParticleInterfaces.td).

def Particle_DenseOp : Particle_Op<"dense", [Pure, Particle_ShapeRule,
    Particle_FusionAnchor,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Fully connected layer (perceptron)";
  let description = [{
    `result[n, u] = sum_k input[n, k] * kernel[k, u] + bias[u]`, with
    `kernel : [in, units]` and an optional `bias : [units]`.

    ```mlir
    %y = particle.dense %x, %k, %b
        : (tensor<1x784xf32>, tensor<784x64xf32>, tensor<64xf32>) -> tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$kernel,
                       Optional<Particle_Tensor>:$bias);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDefinition = Particle_KernelKind<"Dense">.definition;
}

def Particle_Conv2DOp : Particle_Op<"conv2d", [Pure, Particle_ShapeRule,
    Particle_FusionAnchor,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "2-D convolution, NHWC";
  let description = [{
    `kernel : [kh, kw, in / groups, filters]`, optional `bias : [filters]`.
    `padding` is explicit: `[top, left, bottom, right]`; padded cells read
    zero. With `groups` > 1 (default 1) the input channels and the filters
    are cut into `groups` equal parts and filter part g sees only input part
    g (`groups == in` is a depthwise convolution).

    ```mlir
    %y = particle.conv2d %x, %k, %b {strides = array<i64: 1, 1>,
           dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>}
        : (tensor<1x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>)
        -> tensor<1x26x26x32xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$kernel,
                       Optional<Particle_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilation,
                       DenseI64ArrayAttr:$padding,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Particle_ConvTranspose2DOp : Particle_Op<"conv_transpose2d", [Pure,
    Particle_ShapeRule, Particle_FusionAnchor,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "2-D transposed convolution (fractionally strided), NHWC";
  let description = [{
    The gradient of conv2d with respect to its input, as
    `torch.nn.ConvTranspose2d` and ONNX's ConvTranspose: input pixel (i, j)
    adds `x[n, i, j, c] * kernel[a, b, f, c]` to output pixel
    (i * sh - top + a * dh, j * sw - left + b * dw).
    `kernel : [kh, kw, filters / groups, in]`, optional `bias : [filters]`.
    `padding = [top, left, bottom, right]` removes output rows and columns;
    `output_padding = [h, w]` adds them at the bottom and right. The output
    is `(in - 1) * stride - top - bottom + (k - 1) * dilation + 1 +
    output_padding` per spatial dimension.

    ```mlir
    %y = particle.conv_transpose2d %x, %k, %b {strides = array<i64: 2, 2>,
           dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>,
           output_padding = array<i64: 1, 1>}
        : (tensor<1x7x7x16xf32>, tensor<3x3x8x16xf32>, tensor<8xf32>)
        -> tensor<1x14x14x8xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, Particle_Tensor:$kernel,
                       Optional<Particle_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilation,
                       DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

class Particle_Pool2DOp<string mnemonic, string what>
    : Particle_Op<mnemonic, [Pure, Particle_ShapeRule, Particle_FusionAnchor,
                             DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = what # " pooling over a 2-D window, NHWC";
  let description = [{
    `window = [ph, pw]`, `strides`, explicit `padding = [top, left, bottom,
    right]`. Padded cells never take part: max pooling ignores them, average
    pooling does not count them.

    ```mlir
    %y = particle.}] # mnemonic # [{ %x {window = array<i64: 2, 2>,
           strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>}
        : tensor<1x26x26x32xf32> -> tensor<1x13x13x32xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, DenseI64ArrayAttr:$window,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let extraClassDefinition = Particle_ShapeRuleIs<"poolShape">.definition;
}

def Particle_MaxPool2DOp : Particle_Pool2DOp<"max_pool2d", "Max">;
def Particle_AvgPool2DOp : Particle_Pool2DOp<"avg_pool2d", "Average">;

def Particle_LpPool2DOp : Particle_Op<"lp_pool2d", [Pure, Particle_ShapeRule,
    Particle_FusionAnchor,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Lp-norm pooling over a 2-D window, NHWC";
  let description = [{
    `(sum over the window of |x|^p)^(1/p)` with `p > 0` (default 2), the
    window, strides and explicit padding of the other pools; padded cells
    add nothing. This is ONNX's LpPool, and `torch.nn.LPPool2d` for even `p`
    or non-negative inputs (PyTorch sums `x^p`, not `|x|^p`).

    ```mlir
    %y = particle.lp_pool2d %x {window = array<i64: 2, 2>,
           strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>,
           p = 3.000000e+00 : f32}
        : tensor<1x26x26x32xf32> -> tensor<1x13x13x32xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, DenseI64ArrayAttr:$window,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DefaultValuedAttr<F32Attr, "2.0f">:$p);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = Particle_ShapeRuleIs<"poolShape">.definition;
}

def Particle_SoftmaxOp : Particle_Op<"softmax", [Pure, SameOperandsAndResultType,
    Particle_FusionAnchor, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Softmax along one axis";
  let description = [{
    ```mlir
    %p = particle.softmax %x {axis = 1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, I64Attr:$axis);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise particles
//===----------------------------------------------------------------------===//

/// `kind` is the op's sora::KernelOpKind (sora/Core/KernelOps.def).
class Particle_UnaryOp<string mnemonic, string what, string kind>
    : Particle_Op<mnemonic, [Pure, SameOperandsAndResultType,
                             Particle_FusionEpilogue,
                             DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = what # ", elementwise";
  let description = [{
    ```mlir
    %y = particle.}] # mnemonic # [{ %x : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let extraClassDefinition = Particle_KernelKind<kind>.definition;
}

def Particle_ReluOp : Particle_UnaryOp<"relu", "max(x, 0)", "Relu"> {
  let hasFolder = 1;
}
def Particle_SigmoidOp : Particle_UnaryOp<"sigmoid", "1 / (1 + exp(-x))", "Sigmoid">;
def Particle_TanhOp : Particle_UnaryOp<"tanh", "Hyperbolic tangent", "Tanh">;

/// `kind` is the op's sora::KernelOpKind (sora/Core/KernelOps.def).
class Particle_BinaryOp<string mnemonic, string what, string kind,
                        list<Trait> traits = [Commutative]>
    : Particle_Op<mnemonic, !listconcat([Pure, Particle_ShapeRule,
    Particle_FusionEpilogue,
        DeclareOpInterfaceMethods<Particle_KernelOpInterface>], traits)> {
  let summary = what # ", elementwise with NumPy broadcasting";
  let description = [{
    ```mlir
    %y = particle.}] # mnemonic # [{ %a, %b
        : (tensor<1x4x4x8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$lhs, Particle_Tensor:$rhs);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = Particle_KernelKind<kind>.definition #
                             Particle_ShapeRuleIs<"broadcastShape">.definition;
}

def Particle_AddOp : Particle_BinaryOp<"add", "Sum", "Add">;
def Particle_MulOp : Particle_BinaryOp<"mul", "Product", "Mul">;

// More elementwise particles (activations, sub/div/maximum/minimum).
include "sora/Dialect/Particle/ParticleMathOps.td"
// Data movement: dropout, transpose, concat, split, slice, pad.
include "sora/Dialect/Particle/ParticleTensorOps.td"
// Global pools, normalization, matmul, embedding.
include "sora/Dialect/Particle/ParticleNNOps.td"
// LSTM and its recurrence.
include "sora/Dialect/Particle/ParticleRecurrentOps.td"
// multi_head_attention, feed_forward, positional_encoding.
include "sora/Dialect/Particle/ParticleTransformerOps.td"
// Preprocessing: normalize, resize.
include "sora/Dialect/Particle/ParticlePreprocessOps.td"

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

def Particle_FlattenOp : Particle_Op<"flatten", [Pure, Particle_ShapeRule]> {
  let summary = "Flattens all but the batch dimension";
  let description = [{
    `[N, d1, ..., dk] -> [N, d1 * ... * dk]` in row-major order.

    ```mlir
    %f = particle.flatten %x : tensor<1x13x13x32xf32> -> tensor<1x5408xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasCanonicalizer = 1;
}

def Particle_ReshapeOp : Particle_Op<"reshape", [Pure]> {
  let summary = "Reinterprets a tensor with another shape";
  let description = [{
    Row-major reinterpretation; the element count is unchanged.

    ```mlir
    %r = particle.reshape %x : tensor<1x784xf32> -> tensor<1x28x28x1xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Fused kernels
//===----------------------------------------------------------------------===//

def Particle_KernelOp : Particle_Op<"kernel", [
    IsolatedFromAbove, SingleBlock,
    RecursiveMemoryEffects]> {
  let summary = "A fused group of particles compiled as one kernel";
  let description = [{
    The body computes the result from the block arguments, which stand for
    `inputs` in order (f32, or the i64 ids of an embedding).
    `sym_name` is the kernel's symbol in the compiled library, unique in
    the module; `schedule` (when set) is the kernel's schedule record
    (`#particle.schedule<...>`).

    ```mlir
    %y = particle.kernel "k0" (%x, %k, %b) : (tensor<1x784xf32>,
        tensor<784x64xf32>, tensor<64xf32>) -> tensor<1x64xf32> {
    ^bb0(%a: tensor<1x784xf32>, %w: tensor<784x64xf32>, %c: tensor<64xf32>):
      %0 = particle.dense %a, %w, %c : (...) -> tensor<1x64xf32>
      %1 = particle.relu %0 : tensor<1x64xf32>
      particle.yield %1 : tensor<1x64xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$sym_name, Variadic<Particle_TensorOrIds>:$inputs,
                       OptionalAttr<Particle_ScheduleAttr>:$schedule);
  let results = (outs Particle_Tensor:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `(` $inputs `)` attr-dict `:` functional-type($inputs, results) $body
  }];
  let hasVerifier = 1;
}

def Particle_YieldOp : Particle_Op<"yield", [
    Pure, Terminator, ReturnLike, HasParent<"KernelOp">]> {
  let summary = "Returns the result of a kernel body";
  let arguments = (ins Particle_Tensor:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // SORA_PARTICLE_OPS
