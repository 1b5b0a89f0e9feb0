//===- ParticleMathOps.td - Elementwise math particles ----*- tablegen -*-===//
//
// Activations and binary arithmetic beyond add/mul/relu/sigmoid/tanh. All are
// elementwise, so sora-fuse pulls them into the kernel of the op they follow.
// Semantics are PyTorch's (torch.nn.functional); differences from Keras are
// noted per op. Included from ParticleOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_PARTICLE_MATH_OPS
#define SORA_PARTICLE_MATH_OPS

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

def Particle_SubOp : Particle_BinaryOp<"sub", "Difference lhs - rhs", "Sub", []>;
def Particle_DivOp : Particle_BinaryOp<"div", "Quotient lhs / rhs (IEEE)", "Div", []>;
def Particle_MaximumOp : Particle_BinaryOp<"maximum", "Larger of the two", "Maximum">;
def Particle_MinimumOp : Particle_BinaryOp<"minimum", "Smaller of the two", "Minimum">;
def Particle_PowOp : Particle_BinaryOp<"pow", "lhs raised to the power rhs (C's powf)", "Pow", []>;
def Particle_PReluOp : Particle_BinaryOp<"prelu", "lhs if lhs > 0 else lhs * rhs (the slope)", "PRelu", []>;
def Particle_FmodOp : Particle_BinaryOp<"fmod", "Remainder of lhs / rhs with the sign of lhs (C's fmodf, torch.fmod)", "Fmod", []>;

def Particle_WhereOp : Particle_Op<"where", [Pure, Particle_ShapeRule,
    Particle_FusionEpilogue,
    DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "a where cond is nonzero, else b; NumPy broadcasting";
  let description = [{
    Selects per element, as torch.where: `cond` is a float mask (nonzero,
    NaN included, is true; ONNX's bool masks become 1/0).

    ```mlir
    %y = particle.where %mask, %a, %b
        : (tensor<4x4xf32>, tensor<1x4x4xf32>, tensor<f32>) -> tensor<1x4x4xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$cond, Particle_Tensor:$a,
                       Particle_Tensor:$b);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$cond `,` $a `,` $b attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = Particle_KernelKind<"Where">.definition #
                             Particle_ShapeRuleIs<"selectShape">.definition;
}

//===----------------------------------------------------------------------===//
// Unary without attributes
//===----------------------------------------------------------------------===//

def Particle_ExpOp : Particle_UnaryOp<"exp", "e^x", "Exp">;
def Particle_SqrtOp : Particle_UnaryOp<"sqrt", "Square root (NaN below 0)", "Sqrt">;
def Particle_ErfOp : Particle_UnaryOp<"erf", "Gauss error function", "Erf">;
def Particle_SiluOp : Particle_UnaryOp<"silu", "x * sigmoid(x) (swish)", "Silu">;
def Particle_HardSwishOp
    : Particle_UnaryOp<"hard_swish", "x * relu6(x + 3) / 6",
                       "HardSwish">;
def Particle_Relu6Op : Particle_UnaryOp<"relu6", "min(max(x, 0), 6)", "Relu6">;
def Particle_AbsOp : Particle_UnaryOp<"abs", "|x|", "Abs">;
def Particle_NegOp : Particle_UnaryOp<"neg", "-x", "Neg">;
def Particle_ReciprocalOp : Particle_UnaryOp<"reciprocal", "1 / x", "Reciprocal">;
def Particle_FloorOp : Particle_UnaryOp<"floor", "largest integer <= x", "Floor">;
def Particle_CeilOp : Particle_UnaryOp<"ceil", "smallest integer >= x", "Ceil">;
def Particle_RoundOp : Particle_UnaryOp<"round", "nearest integer, halves to even", "Round">;
def Particle_SignOp : Particle_UnaryOp<"sign", "-1, 0 or 1 (0 for NaN, as torch.sign)", "Sign">;
def Particle_LogOp : Particle_UnaryOp<"log", "natural logarithm (NaN below 0)", "Log">;
def Particle_SinOp : Particle_UnaryOp<"sin", "sine", "Sin">;
def Particle_CosOp : Particle_UnaryOp<"cos", "cosine", "Cos">;
def Particle_TanOp : Particle_UnaryOp<"tan", "tangent", "Tan">;
def Particle_AsinOp : Particle_UnaryOp<"asin", "arcsine", "Asin">;
def Particle_AcosOp : Particle_UnaryOp<"acos", "arccosine", "Acos">;
def Particle_AtanOp : Particle_UnaryOp<"atan", "arctangent", "Atan">;
def Particle_SinhOp : Particle_UnaryOp<"sinh", "hyperbolic sine", "Sinh">;
def Particle_CoshOp : Particle_UnaryOp<"cosh", "hyperbolic cosine", "Cosh">;
def Particle_AsinhOp : Particle_UnaryOp<"asinh", "inverse hyperbolic sine", "Asinh">;
def Particle_AcoshOp : Particle_UnaryOp<"acosh", "inverse hyperbolic cosine", "Acosh">;
def Particle_AtanhOp : Particle_UnaryOp<"atanh", "inverse hyperbolic tangent", "Atanh">;
def Particle_SoftplusOp : Particle_UnaryOp<"softplus", "log(1 + e^x) (x itself above 20, as torch)", "Softplus">;
def Particle_SoftsignOp : Particle_UnaryOp<"softsign", "x / (1 + |x|)", "Softsign">;
def Particle_MishOp : Particle_UnaryOp<"mish", "x · tanh(softplus(x))", "Mish">;

//===----------------------------------------------------------------------===//
// Unary with attributes
//===----------------------------------------------------------------------===//

def Particle_GeluOp : Particle_Op<"gelu", [Pure, SameOperandsAndResultType,
    Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Gaussian error linear unit, elementwise";
  let description = [{
    `approximate = "none"` (the default) is the exact form
    `x * 0.5 * (1 + erf(x / sqrt(2)))`; `"tanh"` is
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`, as in
    `torch.nn.functional.gelu`. (Keras' `approximate=True` is the tanh form.)

    ```mlir
    %y = particle.gelu %x {approximate = "tanh"} : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Particle_LeakyReluOp
    : Particle_Op<"leaky_relu", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "x for x >= 0, alpha * x below, elementwise";
  let description = [{
    `alpha` defaults to 0.01 like `torch.nn.LeakyReLU` (Keras' `LeakyReLU`
    defaults to 0.3).

    ```mlir
    %y = particle.leaky_relu %x {alpha = 2.000000e-01 : f32} : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Particle_EluOp
    : Particle_Op<"elu", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "x if x > 0 else alpha * (e^x - 1), elementwise";
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Particle_SeluOp
    : Particle_Op<"selu", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "gamma * (x if x > 0 else alpha * (e^x - 1)), elementwise";
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "1.6732632423543772f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0507009873554805f">:$gamma);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Particle_CeluOp
    : Particle_Op<"celu", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "x if x > 0 else alpha * (e^(x/alpha) - 1), elementwise";
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Particle_ThresholdedReluOp
    : Particle_Op<"thresholded_relu", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "x if x > alpha else 0, elementwise";
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Particle_ShrinkOp
    : Particle_Op<"shrink", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "x + bias below -lambd, x - bias above lambd, else 0 (also NaN), elementwise";
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.5f">:$lambd,
                       DefaultValuedAttr<F32Attr, "0.0f">:$bias);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Particle_HardSigmoidOp
    : Particle_Op<"hard_sigmoid", [Pure, SameOperandsAndResultType,
        Particle_FusionEpilogue,
        DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "clamp(alpha * x + beta, 0, 1), elementwise";
  let description = [{
    The defaults, `alpha = 1/6` and `beta = 0.5`, are
    `torch.nn.functional.hardsigmoid` (`relu6(x + 3) / 6`); ONNX's
    HardSigmoid defaults to `alpha = 0.2` (as Keras' `hard_sigmoid` did).

    ```mlir
    %y = particle.hard_sigmoid %x {alpha = 2.000000e-01 : f32} : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "1.0f / 6">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.5f">:$beta);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Particle_ClipOp : Particle_Op<"clip", [Pure, SameOperandsAndResultType,
    Particle_FusionEpilogue, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Clamps to [min, max], elementwise";
  let description = [{
    `torch.clamp(x, min, max)`; a missing bound does not clamp that side.
    `min` must not exceed `max`.

    ```mlir
    %y = particle.clip %x {min = 0.000000e+00 : f32, max = 1.000000e+00 : f32}
        : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, OptionalAttr<F32Attr>:$min,
                       OptionalAttr<F32Attr>:$max);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions along an axis
//===----------------------------------------------------------------------===//

def Particle_LogSoftmaxOp
    : Particle_Op<"log_softmax", [Pure, SameOperandsAndResultType,
        Particle_FusionAnchor, DeclareOpInterfaceMethods<Particle_KernelOpInterface>]> {
  let summary = "Logarithm of the softmax along one axis";
  let description = [{
    `x - max(x) - log(sum(exp(x - max(x))))` along `axis`, as
    `torch.nn.functional.log_softmax`; finite for any finite input, unlike
    `log(softmax(x))`.

    ```mlir
    %p = particle.log_softmax %x {axis = 1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Particle_Tensor:$input, I64Attr:$axis);
  let results = (outs Particle_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

#endif // SORA_PARTICLE_MATH_OPS
