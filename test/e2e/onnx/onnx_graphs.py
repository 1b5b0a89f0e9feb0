#!/usr/bin/python3
"""Small hand-built ONNX graphs for the importer's layouts and patterns.

Each builder returns an onnx.ModelProto with one input "x" and one or more
float outputs. They exercise what exported models rarely show in one place:
PyTorch-style pads (pad particles), Conv + BatchNormalization folding, NCHW
outputs, Transpose composition, Flatten of NHWC values into a Gemm with
alpha/beta, scalar scales folded into weights (through slices of one
projection), the erf GELU, Clip, Concat on the channel axis, Split, Pow, PRelu
LayerNormalization over several axes with its statistics, Where masks and
Mod, outputs that fold to constants.
check_onnx_graphs.py compiles each and compares with ONNX Runtime.
"""

import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

OPSET = 13


def _model(name, nodes, x_shape, outputs, inits, opset=OPSET):
    """`outputs`: names, or (name, shape) where shape inference cannot tell."""
    def info(o):
        return h.make_tensor_value_info(*((o, T.FLOAT, None) if isinstance(o, str)
                                          else (o[0], T.FLOAT, o[1])))
    graph = h.make_graph(nodes, name, [h.make_tensor_value_info("x", T.FLOAT, x_shape)],
                         [info(o) for o in outputs], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])


def _f32(rng, name, shape, scale=1.0, offset=0.0):
    return nh.from_array((offset + scale * rng.standard_normal(shape)).astype(np.float32), name)


def _scalar(name, value, dtype=np.float32):
    return nh.from_array(np.array(value, dtype), name)


def _ints(name, values):
    return nh.from_array(np.array(values, np.int64), name)


def conv_bn_pads(rng):
    """Strided and depthwise convs with PyTorch pads, batch norm, pools with
    explicit, same and counted pads, NCHW outputs."""
    nodes = [
        h.make_node("Conv", ["x", "w", "b"], ["c"], "conv", strides=[2, 2], pads=[1, 1, 1, 1]),
        h.make_node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["bn"], "bn",
                    epsilon=1e-3),
        h.make_node("Relu", ["bn"], ["r"], "relu"),
        h.make_node("MaxPool", ["r"], ["m"], "maxpool", kernel_shape=[3, 3], strides=[2, 2],
                    pads=[1, 1, 1, 1]),
        h.make_node("AveragePool", ["m"], ["y"], "avgpool", kernel_shape=[2, 2],
                    pads=[1, 1, 0, 0], count_include_pad=1),
        h.make_node("AveragePool", ["r"], ["y2"], "avgpool_same", kernel_shape=[3, 3],
                    auto_pad="SAME_UPPER", strides=[2, 2]),
        h.make_node("Conv", ["r", "wd"], ["y3"], "depthwise", group=6, strides=[2, 2],
                    pads=[1, 1, 1, 1]),
        h.make_node("AveragePool", ["r"], ["y4"], "avgpool_explicit", kernel_shape=[3, 3],
                    pads=[1, 0, 0, 1]),
        h.make_node("GlobalMaxPool", ["r"], ["y5"], "gmp"),
    ]
    inits = [_f32(rng, "w", (6, 3, 3, 3), 0.3), _f32(rng, "b", (6,), 0.1),
             _f32(rng, "wd", (6, 1, 3, 3), 0.3),
             _f32(rng, "gamma", (6,), 0.2, 1.0), _f32(rng, "beta", (6,), 0.1),
             _f32(rng, "mean", (6,), 0.1), nh.from_array(
                 (0.5 + rng.random(6)).astype(np.float32), "var")]
    return _model("conv_bn_pads", nodes, [1, 3, 10, 10], ["y", "y2", "y3", "y4", "y5"],
                  inits)


def dense_patterns(rng):
    """One projection sliced in two, each slice scaled (folded), GELU, Clip."""
    nodes = [
        h.make_node("MatMul", ["x", "w"], ["mm"], "proj"),
        h.make_node("Add", ["mm", "b"], ["p"], "proj_bias"),
        h.make_node("Slice", ["p", "s0", "e0", "ax"], ["q"], "slice_q"),
        h.make_node("Slice", ["p", "s1", "e1", "ax"], ["k"], "slice_k"),
        h.make_node("Div", ["q", "two"], ["qs"], "scale_q"),
        h.make_node("Mul", ["half", "k"], ["ks"], "scale_k"),
        h.make_node("Concat", ["qs", "ks"], ["c"], "concat", axis=-1),
        h.make_node("Div", ["c", "sqrt2"], ["cd"], "gelu_div"),
        h.make_node("Erf", ["cd"], ["ce"], "gelu_erf"),
        h.make_node("Add", ["ce", "one"], ["c1"], "gelu_add"),
        h.make_node("Mul", ["c", "c1"], ["cm"], "gelu_mul"),
        h.make_node("Mul", ["cm", "half"], ["g"], "gelu_half"),
        h.make_node("Clip", ["g", "zero", "six"], ["r6"], "relu6"),
        h.make_node("Tanh", ["g"], ["t"], "tanh"),
        h.make_node("Sub", ["r6", "t"], ["y"], "sub"),
    ]
    inits = [_f32(rng, "w", (8, 12), 0.5), _f32(rng, "b", (12,), 0.5),
             _ints("s0", [0]), _ints("e0", [6]), _ints("s1", [6]), _ints("e1", [12]),
             _ints("ax", [-1]), _scalar("two", 2.0), _scalar("half", 0.5),
             _scalar("sqrt2", 1.4142135), _scalar("one", 1.0), _scalar("zero", 0.0),
             _scalar("six", 6.0)]
    return _model("dense_patterns", nodes, [2, 5, 8], ["y"], inits)


def nhwc_mix(rng):
    """Channel concat of NHWC values, NHWC flatten into a Gemm, transposes."""
    nodes = [
        h.make_node("Conv", ["x", "w1"], ["c1"], "conv1x1"),
        h.make_node("Concat", ["c1", "x"], ["cat"], "concat", axis=1),
        h.make_node("Conv", ["cat", "w2", "b2"], ["c2"], "conv3x3", pads=[1, 1, 1, 1]),
        h.make_node("Sigmoid", ["c2"], ["s"], "sigmoid"),
        h.make_node("Flatten", ["s"], ["f"], "flatten"),
        h.make_node("Gemm", ["f", "wf", "bf"], ["g"], "fc", alpha=0.5, beta=2.0),
        h.make_node("Mul", ["g", "three"], ["y1"], "scale"),
        h.make_node("Transpose", ["c2"], ["t"], "to_nhwc", perm=[0, 2, 3, 1]),
        h.make_node("Reshape", ["t", "shape"], ["rs"], "rows"),
        h.make_node("Softmax", ["rs"], ["y2"], "softmax", axis=-1),
        h.make_node("GlobalAveragePool", ["c2"], ["gap"], "gap"),
        h.make_node("Relu", ["gap"], ["y3"], "relu"),
    ]
    inits = [_f32(rng, "w1", (3, 4, 1, 1), 0.5), _f32(rng, "w2", (5, 7, 3, 3), 0.3),
             _f32(rng, "b2", (5,), 0.1), _f32(rng, "wf", (5 * 6 * 6, 4), 0.1),
             _f32(rng, "bf", (1, 4), 0.1), _scalar("three", 3.0),
             _ints("shape", [1, 36, 5])]
    return _model("nhwc_mix", nodes, [1, 4, 6, 6], ["y1", "y2", "y3"], inits)


def resize_erf(rng):
    """Resize as PyTorch exports F.interpolate (nearest: asymmetric + floor;
    bilinear: half_pixel, pytorch_half_pixel, align_corners; by scales or
    sizes, up and down) and an Erf that is not part of a GELU."""
    empty = nh.from_array(np.zeros(0, np.float32), "empty")
    nodes = [
        h.make_node("Resize", ["x", "empty", "up2"], ["n"], "nearest_up",
                    mode="nearest", coordinate_transformation_mode="asymmetric",
                    nearest_mode="floor"),
        h.make_node("Resize", ["x", "", "", "size_down"], ["nd"], "nearest_down",
                    mode="nearest", coordinate_transformation_mode="asymmetric",
                    nearest_mode="floor"),
        h.make_node("Resize", ["x", "empty", "up2"], ["l"], "linear_up", mode="linear",
                    coordinate_transformation_mode="pytorch_half_pixel"),
        h.make_node("Resize", ["x", "empty", "", "size_odd"], ["ld"], "linear_sizes",
                    mode="linear", coordinate_transformation_mode="half_pixel"),
        h.make_node("Resize", ["x", "empty", "", "size_odd"], ["la"], "linear_corners",
                    mode="linear", coordinate_transformation_mode="align_corners"),
        h.make_node("Conv", ["l", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("Erf", ["c"], ["y"], "erf"),
    ]
    inits = [empty, nh.from_array(np.array([1, 1, 2, 2], np.float32), "up2"),
             _ints("size_down", [1, 3, 3, 4]), _ints("size_odd", [1, 3, 9, 5]),
             _f32(rng, "w", (4, 3, 3, 3), 0.3)]
    return _model("resize_erf", nodes, [1, 3, 6, 7], ["n", "nd", "ld", "la", "y"], inits)


def grid_samples(rng):
    """GridSample (opset 16) of a conv output held NHWC at a grid computed
    from the input (a conv to two channels, transposed to [N, H, W, 2] and
    scaled past [-1, 1]): bilinear with zeros padding, nearest with border
    padding and aligned corners, bilinear with reflection."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("Conv", ["x", "wg"], ["g"], "grid_conv", pads=[1, 1, 1, 1]),
        h.make_node("Transpose", ["g"], ["gt"], "grid_nhwc", perm=[0, 2, 3, 1]),
        h.make_node("Mul", ["gt", "spread"], ["grid"], "spread_grid"),
        h.make_node("GridSample", ["c", "grid"], ["zeros"], "sample_zeros"),
        h.make_node("GridSample", ["c", "grid"], ["border"], "sample_border",
                    mode="nearest", padding_mode="border", align_corners=1),
        h.make_node("GridSample", ["c", "grid"], ["reflection"], "sample_reflection",
                    padding_mode="reflection"),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.3), _f32(rng, "wg", (2, 3, 3, 3), 0.3),
             _scalar("spread", 1.6)]
    return _model("grid_samples", nodes, [1, 3, 6, 7], ["zeros", "border", "reflection"],
                  inits, opset=16)


def resize_modes(rng):
    """The Resize modes PyTorch does not export, as interpolation matrices:
    cubic (with exclude_outside and align_corners), nearest with the other
    roundings and transforms, linear asymmetric; on a conv output held NHWC,
    and one resizing the channels too."""
    def resize(out, source, size, **attrs):
        return h.make_node("Resize", [source, "", "", size], [out], out, **attrs)
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        resize("cubic", "c", "up", mode="cubic"),
        resize("cubic_ex", "c", "down", mode="cubic", cubic_coeff_a=-0.5,
               exclude_outside=1),
        resize("cubic_ac", "c", "up", mode="cubic",
               coordinate_transformation_mode="align_corners"),
        resize("near_ceil", "c", "up", mode="nearest", nearest_mode="round_prefer_ceil"),
        resize("near_floor", "c", "down", mode="nearest", nearest_mode="floor"),
        resize("lin_asym", "c", "up", mode="linear",
               coordinate_transformation_mode="asymmetric"),
        resize("channels", "x", "all", mode="nearest"),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.3), _ints("up", [1, 4, 9, 11]),
             _ints("down", [1, 4, 3, 4]), _ints("all", [1, 5, 4, 9])]
    return _model("resize_modes", nodes, [1, 3, 6, 7],
                  ["cubic", "cubic_ex", "cubic_ac", "near_ceil", "near_floor", "lin_asym",
                   "channels"], inits)


def gather_tile(rng):
    """Gather at constant indices in any order (runs, repeats, negative, 2-D),
    Compress with and without an axis, Expand of a computed value and Tile;
    on a conv output held NHWC."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("Gather", ["c", "picks"], ["g"], "gather", axis=1),
        h.make_node("Gather", ["c", "grid"], ["g2"], "gather_2d", axis=3),
        h.make_node("Compress", ["c", "keep"], ["k"], "compress", axis=2),
        h.make_node("Compress", ["x", "every_other"], ["kf"], "compress_flat"),
        h.make_node("ReduceMean", ["c"], ["m"], "mean", axes=[2, 3]),
        h.make_node("Expand", ["m", "wide"], ["e"], "expand"),
        h.make_node("Tile", ["c", "reps"], ["t"], "tile"),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.3), _ints("picks", [3, 0, 1, -1, 2]),
             _ints("grid", [[4, 0], [1, 2], [1, 1]]),
             nh.from_array(np.array([1, 0, 1, 1, 0], bool), "keep"),
             nh.from_array(np.arange(90) % 2 == 0, "every_other"),
             _ints("wide", [2, 4, 3, 2]),
             _ints("reps", [1, 2, 1, 3])]
    # Compress's output extent depends on the condition's values: given.
    return _model("gather_tile", nodes, [1, 3, 5, 6],
                  ["g", "g2", ("k", [1, 4, 3, 6]), ("kf", [45]), "e", "t"], inits)


def selections(rng):
    """GatherElements, GatherND (batch_dims 1), ScatterElements (add, with
    duplicate indices, of computed updates), ScatterND (constant updates)
    and ReverseSequence at constant indices, and Hardmax over channels and
    over rows of a ReLU output (ties: the first zero wins), and Slices that
    step down (torch.flip of H and W; every second channel from the last),
    on a conv output held NHWC."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("GatherElements", ["c", "rows"], ["ge"], "gather_elements", axis=2),
        h.make_node("GatherND", ["c", "pairs"], ["gnd"], "gather_nd", batch_dims=1),
        h.make_node("ScatterElements", ["c", "rows", "ge"], ["se"], "scatter_add",
                    axis=2, reduction="add"),
        h.make_node("ScatterND", ["c", "planes", "patch"], ["snd"], "scatter_nd"),
        h.make_node("ReverseSequence", ["c", "lens"], ["rs"], "reverse",
                    batch_axis=0, time_axis=1),
        h.make_node("Hardmax", ["c"], ["hc"], "hardmax_channels", axis=1),
        h.make_node("Relu", ["c"], ["r"], "relu"),
        h.make_node("Hardmax", ["r"], ["hr"], "hardmax_rows", axis=2),
        h.make_node("Slice", ["c", "flip_starts", "flip_ends", "flip_axes", "flip_steps"],
                    ["flipped"], "flip"),
        h.make_node("Slice", ["c", "ch_starts", "ch_ends", "ch_axes", "ch_steps"],
                    ["odd"], "odd_channels"),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.3),
             _ints("rows", rng.integers(-5, 5, (1, 4, 3, 6)).tolist()),
             _ints("pairs", [[[1, 4], [0, -1], [3, 2]]]),
             _ints("planes", [[0, 1], [0, 3]]),
             _f32(rng, "patch", (2, 5, 6), 1.0),
             _ints("lens", [3]),
             _ints("flip_starts", [-1, -1]), _ints("flip_ends", [-2**63, -2**63]),
             _ints("flip_axes", [2, 3]), _ints("flip_steps", [-1, -1]),
             _ints("ch_starts", [9]), _ints("ch_ends", [0]), _ints("ch_axes", [1]),
             _ints("ch_steps", [-2])]
    return _model("selections", nodes, [1, 3, 5, 6],
                  ["ge", "gnd", "se", "snd", "rs", "hc", "hr", "flipped", "odd"],
                  inits, opset=16)


def hard_activations(rng):
    """HardSigmoid with ONNX's defaults (alpha 0.2) and as PyTorch exports
    hardsigmoid (alpha 1/6), and HardSwish (opset 14), on a conv whose
    outputs reach past both clamps."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("HardSigmoid", ["c"], ["hs"], "hard_sigmoid"),
        h.make_node("HardSigmoid", ["c"], ["hs6"], "hard_sigmoid_torch",
                    alpha=1 / 6, beta=0.5),
        h.make_node("HardSwish", ["c"], ["hw"], "hard_swish"),
    ]
    inits = [_f32(rng, "w", (5, 3, 3, 3), 2.0)]
    return _model("hard_activations", nodes, [1, 3, 6, 7], ["hs", "hs6", "hw"], inits,
                  opset=14)


def lp_pools(rng):
    """LpPool: p = 2 with explicit pads, p = 3 strided, p = 1 with SAME_UPPER
    padding, after a conv whose outputs take both signs."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("LpPool", ["c"], ["l2"], "lp2", kernel_shape=[3, 2],
                    pads=[1, 0, 1, 1]),
        h.make_node("LpPool", ["c"], ["l3"], "lp3", kernel_shape=[2, 2], strides=[2, 2], p=3),
        h.make_node("LpPool", ["c"], ["l1"], "lp1", kernel_shape=[3, 3], p=1,
                    auto_pad="SAME_UPPER"),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.5)]
    return _model("lp_pools", nodes, [1, 3, 6, 7], ["l2", "l3", "l1"], inits)


def conv_transposes(rng):
    """ConvTranspose as a decoder uses it: stride 2 with pads and
    output_padding, grouped with output_shape (its total padding split as
    ONNX splits it), SAME_UPPER with dilations, and a relu after one."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("ConvTranspose", ["c", "wt", "bt"], ["u"], "up", strides=[2, 2],
                    pads=[1, 1, 1, 1], output_padding=[1, 1]),
        h.make_node("Relu", ["u"], ["ur"], "up_relu"),
        h.make_node("ConvTranspose", ["c", "wg"], ["g"], "grouped", group=2,
                    strides=[3, 2], output_shape=[16, 13], kernel_shape=[3, 2]),
        h.make_node("ConvTranspose", ["c", "wd", "bd"], ["d"], "dilated", dilations=[2, 1],
                    strides=[1, 2], auto_pad="SAME_UPPER"),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.5), _f32(rng, "wt", (4, 6, 3, 3), 0.5),
             _f32(rng, "bt", (6,), 0.5), _f32(rng, "wg", (4, 3, 3, 2), 0.5),
             _f32(rng, "wd", (4, 5, 2, 3), 0.5), _f32(rng, "bd", (5,), 0.5)]
    return _model("conv_transposes", nodes, [1, 3, 5, 6], ["ur", "g", "d"], inits)


def windows_1d(rng):
    """1-D windows (widened to height-1 2-D ones): a strided dilated Conv with
    pads and groups, a standalone BatchNormalization, MaxPool with
    SAME_LOWER, LpPool and AveragePool counting pads, and a ConvTranspose
    with output_padding."""
    nodes = [
        h.make_node("Conv", ["x", "w", "b"], ["c"], "conv", pads=[2, 1], strides=[2],
                    dilations=[2], group=2),
        h.make_node("BatchNormalization", ["c", "g", "beta", "mean", "var"], ["n"], "bn"),
        h.make_node("MaxPool", ["n"], ["m"], "max", kernel_shape=[3], strides=[2],
                    auto_pad="SAME_LOWER"),
        h.make_node("LpPool", ["n"], ["l"], "lp", kernel_shape=[2], pads=[1, 0]),
        h.make_node("AveragePool", ["n"], ["a"], "avg", kernel_shape=[3], pads=[1, 1],
                    count_include_pad=1),
        h.make_node("ConvTranspose", ["m", "wt"], ["t"], "up", strides=[3], pads=[1, 0],
                    output_padding=[2]),
    ]
    inits = [_f32(rng, "w", (6, 2, 3), 0.5), _f32(rng, "b", (6,), 0.5),
             _f32(rng, "g", (6,), 0.5), _f32(rng, "beta", (6,), 0.5),
             _f32(rng, "mean", (6,), 0.5),
             nh.from_array(rng.uniform(0.5, 1.5, (6,)).astype(np.float32), "var"),
             _f32(rng, "wt", (6, 5, 4), 0.5)]
    return _model("windows_1d", nodes, [2, 4, 17], ["l", "a", "t"], inits)


def ceil_pools(rng):
    """ceil_mode=1 pools sized as PyTorch sizes them: a max pool whose last
    window hangs past the input, one whose ceil window would start in the
    bottom pad (dropped), and averages that count or skip their pads (never
    the ceil overhang)."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv"),
        h.make_node("MaxPool", ["c"], ["m"], "max_ceil", kernel_shape=[3, 3], strides=[2, 2],
                    ceil_mode=1),
        h.make_node("MaxPool", ["c"], ["m2"], "max_ceil_pads", kernel_shape=[2, 2],
                    strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
        h.make_node("AveragePool", ["c"], ["a"], "avg_ceil", kernel_shape=[3, 2],
                    strides=[2, 2], pads=[1, 0, 1, 0], ceil_mode=1),
        h.make_node("AveragePool", ["c"], ["a2"], "avg_ceil_counted", kernel_shape=[3, 3],
                    strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1),
    ]
    inits = [_f32(rng, "w", (4, 3, 2, 2), 0.5)]
    return _model("ceil_pools", nodes, [1, 3, 9, 8], ["m", "m2", "a", "a2"], inits)


def pads(rng):
    """Pad in its three modes on a conv output (held NHWC: the pads move
    with the layout), constant pads on the channels with a value, all-zero
    pads (an alias), and edge pads on the model input."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv"),
        h.make_node("Pad", ["c", "p_reflect"], ["r"], "reflect", mode="reflect"),
        h.make_node("Pad", ["c", "p_const", "v"], ["k"], "constant"),
        h.make_node("Pad", ["c", "p_zero"], ["z"], "zero"),
        h.make_node("Relu", ["z"], ["zr"], "relu"),
        h.make_node("Pad", ["x", "p_edge"], ["e"], "edge", mode="edge"),
    ]
    inits = [_f32(rng, "w", (4, 3, 2, 2), 0.5),
             _ints("p_reflect", [0, 0, 2, 1, 0, 0, 3, 5]),
             _ints("p_const", [0, 1, 1, 0, 0, 2, 0, 3]), _scalar("v", -0.75),
             _ints("p_zero", [0] * 8), _ints("p_edge", [1, 0, 4, 0, 0, 2, 1, 7])]
    return _model("pads", nodes, [1, 3, 7, 8], ["r", "k", "zr", "e"], inits)


def constants(rng):
    """Constants read as run-time tensors (ConvNeXt's layer scale, ViT's
    class token and position table): a [C, 1, 1] scale on a conv output held
    NHWC, a constant on the left of a Sub, a class token expanded through
    the Equal/Where shape arithmetic of torch's expand(n, -1, -1) (folded at
    import), concatenated before the tokens, and a position table added."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("Mul", ["c", "scale"], ["m"], "layer_scale"),
        h.make_node("Sub", ["shift", "m"], ["s"], "shift_sub"),
        h.make_node("Transpose", ["s"], ["t"], "to_tokens", perm=[0, 2, 3, 1]),
        h.make_node("Reshape", ["t", "token_shape"], ["tokens"], "tokens"),
        h.make_node("Equal", ["expand_to", "minus_one"], ["is_any"], "equal"),
        h.make_node("Where", ["is_any", "ones", "expand_to"], ["target"], "where"),
        h.make_node("Expand", ["cls", "target"], ["cls_n"], "expand"),
        h.make_node("Concat", ["cls_n", "tokens"], ["seq"], "concat", axis=1),
        h.make_node("Add", ["seq", "pos"], ["y"], "add_pos"),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.5), _f32(rng, "scale", (4, 1, 1)),
             _f32(rng, "shift", (4, 1, 1)), _ints("token_shape", [1, 20, 4]),
             _ints("expand_to", [1, 1, -1]), _ints("minus_one", [-1]),
             _ints("ones", [1, 1, 1]), _f32(rng, "cls", (1, 1, 4)),
             _f32(rng, "pos", (1, 21, 4))]
    return _model("constants", nodes, [1, 3, 4, 5], ["y", "m"], inits)


def reductions(rng):
    """Every Reduce* operator on a conv output held NHWC (the axes move with
    the layout), kept and dropped axes, ReduceSum's axes input, all axes
    (kept, and dropped: a rank-0 output), and noop_with_empty_axes; a squeeze-excite style mean times the input."""
    def reduce(op, out, axes=None, keepdims=1, inputs=()):
        attrs = {"keepdims": keepdims}
        if axes is not None:
            attrs["axes"] = axes
        return h.make_node(op, ["c", *inputs], [out], out, **attrs)
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        reduce("ReduceMean", "se_mean", [2, 3]),
        h.make_node("Mul", ["c", "se_mean"], ["se"], "se"),
        reduce("ReduceMean", "head", [2, 3], keepdims=0),
        reduce("ReduceSum", "sum_c", keepdims=0, inputs=["axis_1"]),
        reduce("ReduceSum", "sum_all", keepdims=1),
        h.make_node("ReduceSum", ["c"], ["sum_none"], "sum_none", noop_with_empty_axes=1),
        reduce("ReduceMax", "max_w", [-1]),
        reduce("ReduceMin", "min_hw", [1, 3], keepdims=0),
        reduce("ReduceProd", "prod_h", [2]),
        reduce("ReduceL1", "l1", [1, 3]),
        reduce("ReduceL2", "l2", [2], keepdims=0),
        reduce("ReduceSumSquare", "sum_square", [0, 1]),
        reduce("ReduceLogSumExp", "lse", [1], keepdims=0),
        reduce("ReduceMean", "mean_scalar", keepdims=0),
        reduce("ReduceL2", "l2_scalar", keepdims=0),
    ]
    inits = [_f32(rng, "w", (6, 3, 3, 3), 0.4), _ints("axis_1", [1])]
    outs = ["se", "head", "sum_c", "sum_all", "sum_none", "max_w", "min_hw", "prod_h",
            "l1", "l2", "sum_square", "lse", "mean_scalar", "l2_scalar"]
    return _model("reductions", nodes, [2, 3, 5, 4], outs, inits)


def lstm_states(rng):
    """LSTM final hidden states Y_h next to Y: forward at batch 2, and
    bidirectional with only Y_h used (the reverse direction's state is its
    output at the first step)."""
    seq, batch, features = 5, 2, 3
    nodes = [
        h.make_node("LSTM", ["x", "w", "r", "b"], ["y", "yh"], "lstm", hidden_size=4),
        h.make_node("LSTM", ["x", "w2", "r2", "b2"], ["", "bh"], "bilstm",
                    hidden_size=3, direction="bidirectional"),
    ]
    inits = [_f32(rng, "w", (1, 16, features), 0.5), _f32(rng, "r", (1, 16, 4), 0.5),
             _f32(rng, "b", (1, 32), 0.2),
             _f32(rng, "w2", (2, 12, features), 0.5), _f32(rng, "r2", (2, 12, 3), 0.5),
             _f32(rng, "b2", (2, 24), 0.2)]
    return _model("lstm_states", nodes, [seq, batch, features], ["y", "yh", "bh"], inits)


def split_pow(rng):
    """Split of an NHWC conv output along channels into unequal parts (held
    in the conv's layout), of a plain tensor into equal parts, and Pow with a
    constant exponent (a layer norm's square) and a run-time one."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("Split", ["c", "sizes"], ["c0", "c1"], "split_channels", axis=1),
        h.make_node("Relu", ["c1"], ["r1"], "relu"),
        h.make_node("Flatten", ["c0"], ["f"], "flat"),
        h.make_node("Split", ["f"], ["f0", "f1", "f2"], "split_equal", axis=-1),
        h.make_node("Pow", ["f1", "two"], ["sq"], "square"),
        h.make_node("Abs", ["f2"], ["a"], "abs"),
        h.make_node("Pow", ["a", "f0"], ["pw"], "power"),
    ]
    inits = [_f32(rng, "w", (8, 3, 3, 3), 0.3), _ints("sizes", [3, 5]),
             _scalar("two", 2.0)]
    return _model("split_pow", nodes, [1, 3, 4, 4], ["c0", "r1", "f0", "sq", "pw"], inits)


def prelu(rng):
    """PRelu with a slope per channel after a conv (NHWC), and one slope
    for all (nn.PReLU()'s default) on a plain tensor."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("PRelu", ["c", "slopes"], ["p"], "prelu_channels"),
        h.make_node("Flatten", ["p"], ["f"], "flat"),
        h.make_node("PRelu", ["f", "slope"], ["y"], "prelu_one"),
    ]
    inits = [_f32(rng, "w", (6, 3, 3, 3), 0.3), _f32(rng, "slopes", (6, 1, 1), 0.2, 0.25),
             _f32(rng, "slope", (1,), 0.0, -0.5)]
    return _model("prelu", nodes, [1, 3, 4, 4], ["p", "y"], inits)


def masks_mod(rng):
    """Where with a constant bool mask (a causal mask over scores) and one
    that broadcasts against a conv output held NHWC, Mod with fmod=1 on
    mixed signs, a graph output that folds to a constant (a Hann window),
    an If whose condition is a constant (its taken branch inlined), OneHot
    of run-time indices (negative and out of range ones too) on axis 1, and
    LRN across the channels of a conv output."""
    causal = np.tril(np.ones((5, 5), bool))
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("Where", ["channel_mask", "c", "minus"], ["wc"], "where_channels"),
        h.make_node("ReduceMean", ["c"], ["scores"], "scores", axes=[1], keepdims=0),
        h.make_node("Where", ["causal", "scores", "neg_inf"], ["masked"], "causal"),
        h.make_node("Mod", ["scores", "divisor"], ["rem"], "fmod", fmod=1),
        h.make_node("HannWindow", ["size"], ["window"], "hann"),
        h.make_node("If", ["flag"], ["taken"], "if",
                    then_branch=h.make_graph(
                        [h.make_node("Neg", ["rem"], ["then_out"])], "then", [],
                        [h.make_tensor_value_info("then_out", T.FLOAT, None)]),
                    else_branch=h.make_graph(
                        [h.make_node("Abs", ["rem"], ["else_out"])], "else", [],
                        [h.make_tensor_value_info("else_out", T.FLOAT, None)])),
        h.make_node("Mul", ["x", "three"], ["x3"], "times_three"),
        h.make_node("Floor", ["x3"], ["indices"], "floor"),
        h.make_node("OneHot", ["indices", "depth", "values"], ["hot"], "one_hot", axis=1),
        h.make_node("LRN", ["c"], ["lrn"], "lrn", size=3, alpha=0.01, beta=0.6, bias=1.5),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.5),
             nh.from_array(np.array([True, False, True, False]).reshape(4, 1, 1),
                           "channel_mask"),
             _scalar("minus", -1.0), nh.from_array(causal, "causal"),
             _scalar("neg_inf", -1e4), _f32(rng, "divisor", (5,), 0.2, 0.5),
             _scalar("size", 6, np.int64), _scalar("flag", False, np.bool_),
             _scalar("three", 3.0), _scalar("depth", 4.0),
             _f32(rng, "values", (2,))]
    return _model("masks_mod", nodes, [1, 3, 5, 5],
                  ["wc", "masked", "rem", "window", "taken", ("hot", [1, 4, 3, 5, 5]), "lrn"], inits,
                  opset=17)


def layer_norms(rng):
    """LayerNormalization (opset 17) over several trailing axes of a conv's
    NCHW output, with a scale that broadcasts, and its Mean and InvStdDev
    outputs; and over the last axis of a plain tensor. MeanVarianceNormalization
    of the conv's output over N, H, W (its default) and over the channels."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("LayerNormalization", ["c", "scale", "bias"], ["n", "mean", "inv_std"],
                    "norm_chw", axis=1, epsilon=1e-3),
        h.make_node("Flatten", ["n"], ["f"], "flat"),
        h.make_node("LayerNormalization", ["f", "scale_last"], ["y"], "norm_last"),
        h.make_node("MeanVarianceNormalization", ["c"], ["mvn"], "mvn"),
        h.make_node("MeanVarianceNormalization", ["c"], ["mvn_c"], "mvn_c", axes=[1]),
    ]
    inits = [_f32(rng, "w", (4, 3, 3, 3), 0.3), _f32(rng, "scale", (1, 5, 5), 0.2, 1.0),
             _f32(rng, "bias", (4, 5, 5), 0.1), _f32(rng, "scale_last", (100,), 0.2, 1.0)]
    return _model("layer_norms", nodes, [2, 3, 5, 5], ["n", "mean", "inv_std", "y", "mvn", "mvn_c"], inits,
                  opset=17)


def opset18(rng):
    """The forms opset 18 changed, read as their opset-17 equivalents: Reduce*
    axes as an input (an initializer and a Constant node; empty axes with
    noop_with_empty_axes: each element through the reduction's function, as
    ONNX Runtime does), Pad axes as an input (negative ones too; after a
    MatMul whose weights shape inference sees as a typed input), Split
    num_outputs into unequal parts, Resize and LpPool with opset 18's new
    attributes at their defaults, and the new Mish and GroupNormalization (a
    scale and bias per group)."""
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("GroupNormalization", ["c", "gn_scale", "gn_bias"], ["gn"], "group_norm",
                    num_groups=3, epsilon=1e-3),
        h.make_node("Mish", ["gn"], ["mish"], "mish"),
        h.make_node("ReduceMean", ["mish", "hw"], ["se_mean"], "se_mean", keepdims=1),
        h.make_node("Constant", [], ["axis_w"], "axis_w", value_ints=[-1]),
        h.make_node("ReduceMax", ["c", "axis_w"], ["max_w"], "max_w", keepdims=0),
        h.make_node("ReduceL2", ["c", "no_axes"], ["l2_none"], "l2_none",
                    noop_with_empty_axes=1),
        h.make_node("ReduceSumSquare", ["c"], ["square_none"], "square_none",
                    noop_with_empty_axes=1),
        h.make_node("ReduceMax", ["c", "no_axes"], ["max_none"], "max_none",
                    noop_with_empty_axes=1),
        h.make_node("ReduceLogSumExp", ["c"], ["lse_all"], "lse_all", keepdims=0),
        h.make_node("Pad", ["mish", "pads", "", "pad_axes"], ["padded"], "pad_hw",
                    mode="reflect"),
        h.make_node("Split", ["padded"], ["s0", "s1", "s2"], "split_rows", axis=2,
                    num_outputs=3),
        h.make_node("MatMul", ["c", "wide"], ["projected"], "project"),
        h.make_node("Pad", ["projected", "pads_last", "", "last"], ["projected_padded"],
                    "pad_last"),
        h.make_node("Resize", ["c", "", "scales"], ["up"], "resize", mode="nearest",
                    antialias=0, keep_aspect_ratio_policy="stretch"),
        h.make_node("LpPool", ["c"], ["lp"], "lp_pool", kernel_shape=[2, 2], strides=[2, 2],
                    p=2, ceil_mode=0),
    ]
    inits = [_f32(rng, "w", (6, 3, 3, 3), 0.4), _f32(rng, "gn_scale", (3,), 0.2, 1.0),
             _f32(rng, "gn_bias", (3,), 0.1), _ints("hw", [2, 3]), _ints("no_axes", []),
             _ints("pads", [1, 2, 1, 0]), _ints("pad_axes", [-2, 3]),
             nh.from_array(np.array([1, 1, 2, 2], np.float32), "scales"),
             _f32(rng, "wide", (6, 700), 0.3), _ints("pads_last", [2, 1]),
             _ints("last", [-1])]
    return _model("opset18", nodes, [2, 3, 5, 6],
                  ["gn", "se_mean", "max_w", "l2_none", "square_none", "max_none", "lse_all", "s0", "s1", "s2", "up", "lp",
                   "projected_padded"],
                  inits, opset=18)


GRAPHS = {"conv_bn_pads": conv_bn_pads, "dense_patterns": dense_patterns,
          "nhwc_mix": nhwc_mix, "resize_erf": resize_erf, "resize_modes": resize_modes,
          "gather_tile": gather_tile, "grid_samples": grid_samples,
          "selections": selections,
          "hard_activations": hard_activations, "lp_pools": lp_pools,
          "conv_transposes": conv_transposes, "windows_1d": windows_1d,
          "ceil_pools": ceil_pools, "pads": pads, "constants": constants,
          "reductions": reductions,
          "lstm_states": lstm_states, "split_pow": split_pow,
          "prelu": prelu, "masks_mod": masks_mod, "layer_norms": layer_norms,
          "opset18": opset18}
