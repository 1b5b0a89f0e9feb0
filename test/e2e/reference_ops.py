"""More particles for the PyTorch reference (torch_reference.py).

Each particle here is an `Op`: how many inputs it reads, how it infers its
result shape(s), how it computes them with torch, and which weights it has.
torch_reference.py dispatches to the table `OPS` for these ops, so that the
reference stays one independent statement of docs/model-format.md.

A particle with several results (split) returns a list; its results are the
values `<name>.0`, `<name>.1`, ...
"""

import math

import numpy as np
import torch
import torch.nn.functional as F


class ReferenceOpError(Exception):
    """A particle the reference cannot compute; the message names it."""


def _fail(p, message):
    raise ReferenceOpError(f"particle '{p['name']}': {message}")


class Op:
    """One particle kind.

    run(p, xs, param) -> tensor or list of tensors; `param(suffix)` is the
        weight `<name>.<suffix>` as a tensor.
    arity: 0 to 3, or "variadic" (one or more, "inputs": [...]).
    params(p, shapes) -> {suffix: (shape, init)} for input shapes `shapes`;
        init(shape, generator) draws the tensor for init_weights.

    Shapes are inferred by running `run` on meta tensors (shapes only), so a
    particle's shape rule and its computation cannot disagree.
    """

    def __init__(self, run, arity=1, params=None):
        self.run, self.arity, self.params = run, arity, params

    def parameters(self, p, shapes):
        """{suffix: (shape, init)} of the particle's weights."""
        return self.params(p, shapes) if self.params else {}

    def infer(self, p, shapes):
        """The result shape (a list of shapes for several results)."""
        meta = [torch.empty(s, device="meta") for s in shapes]
        weights = {k: torch.empty(v[0], device="meta")
                   for k, v in self.parameters(p, shapes).items()}
        try:
            y = self.run(p, meta, weights.__getitem__)
        except (RuntimeError, IndexError, ValueError, TypeError) as err:
            _fail(p, f"{err}")
        results = y if isinstance(y, (list, tuple)) else [y]
        for r in results:
            if r.numel() == 0:
                _fail(p, f"empty result {list(r.shape)}")
        shapes = [tuple(r.shape) for r in results]
        return shapes if isinstance(y, (list, tuple)) else shapes[0]


# --------------------------------------------------------------------------
# Elementwise math
# --------------------------------------------------------------------------

def _leaky_relu(x, alpha=0.01):
    # PyTorch's default slope; Keras' LeakyReLU layer defaults to 0.3.
    return F.leaky_relu(x, alpha)


# Unary particles without attributes; also valid `activation` names where
# soracc allows them (gelu, silu, leaky_relu, hard_swish, relu6).
UNARY = {
    "exp": torch.exp,
    "sqrt": torch.sqrt,
    "gelu": F.gelu,
    "silu": F.silu,
    "leaky_relu": _leaky_relu,
    "hard_swish": F.hardswish,
    "relu6": F.relu6,
    "abs": torch.abs,
    "neg": torch.neg,
    "reciprocal": torch.reciprocal,
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "sign": torch.sign,
    "log": torch.log,
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "asinh": torch.asinh,
    "acosh": torch.acosh,
    "atanh": torch.atanh,
    "softplus": F.softplus,
    "softsign": F.softsign,
    "mish": F.mish,
}

BINARY = {
    "sub": torch.sub,
    "div": torch.div,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "pow": torch.pow,
    "prelu": lambda x, slope: torch.where(x > 0, x, x * slope),
    "fmod": torch.fmod,
}


def _selu(p, xs, param):
    if "alpha" not in p and "gamma" not in p:
        return F.selu(xs[0])  # PyTorch's constants
    alpha, gamma = p.get("alpha", 1.6732632423543772), p.get("gamma", 1.0507009873554805)
    return gamma * torch.where(xs[0] > 0, xs[0], alpha * torch.expm1(xs[0]))


def _shrink(p, xs, param):
    # ONNX's Shrink: NaN gives 0 (as torch's softshrink; hardshrink passes
    # NaN on, so it is not used for bias 0).
    x, lambd, bias = xs[0], p.get("lambd", 0.5), p.get("bias", 0.0)
    if bias == lambd:
        return F.softshrink(x, lambd)
    return torch.where(x < -lambd, x + bias,
                       torch.where(x > lambd, x - bias, torch.zeros_like(x)))


def _hard_sigmoid(p, xs, param):
    alpha, beta = p.get("alpha", 1 / 6), p.get("beta", 0.5)
    if (alpha, beta) == (1 / 6, 0.5):
        return F.hardsigmoid(xs[0])  # PyTorch's own kernel
    return torch.clamp(alpha * xs[0] + beta, 0, 1)  # ONNX HardSigmoid


def _clip_run(p, xs, param):
    lo, hi = p.get("min"), p.get("max")
    if lo is None and hi is None:
        _fail(p, "clip needs min, max or both")
    return torch.clamp(xs[0], lo, hi)


OPS = {
    "gelu": Op(lambda p, xs, w: F.gelu(xs[0], approximate=p.get("approximate", "none"))),
    "leaky_relu": Op(lambda p, xs, w: _leaky_relu(xs[0], p.get("alpha", 0.01))),
    "clip": Op(_clip_run),
    "hard_sigmoid": Op(_hard_sigmoid),
    "elu": Op(lambda p, xs, w: F.elu(xs[0], p.get("alpha", 1.0))),
    "selu": Op(_selu),
    "celu": Op(lambda p, xs, w: F.celu(xs[0], p.get("alpha", 1.0))),
    "thresholded_relu": Op(lambda p, xs, w: F.threshold(xs[0], p.get("alpha", 1.0), 0.0)),
    "shrink": Op(_shrink),
}
OPS.update({name: Op(lambda p, xs, w, f=f: f(xs[0])) for name, f in UNARY.items()
            if name not in OPS})
OPS.update({name: Op(lambda p, xs, w, f=f: f(xs[0], xs[1]), arity=2)
            for name, f in BINARY.items()})


# --------------------------------------------------------------------------
# Reductions over any axes (reduce_<kind>)
# --------------------------------------------------------------------------

def _prod(x, dims, keepdim):
    for d in sorted(dims, reverse=True):  # torch.prod takes one dim at a time
        x = torch.prod(x, d, keepdim=keepdim)
    return x


_REDUCTIONS = {
    "sum": lambda x, d, k: torch.sum(x, d, keepdim=k),
    "mean": lambda x, d, k: torch.mean(x, d, keepdim=k),
    "max": lambda x, d, k: torch.amax(x, d, keepdim=k),
    "min": lambda x, d, k: torch.amin(x, d, keepdim=k),
    "prod": _prod,
    "l1": lambda x, d, k: torch.sum(x.abs(), d, keepdim=k),
    "l2": lambda x, d, k: torch.linalg.vector_norm(x, 2, d, keepdim=k),
    "sum_square": lambda x, d, k: torch.sum(x * x, d, keepdim=k),
    "log_sum_exp": lambda x, d, k: torch.logsumexp(x, d, keepdim=k),
}


def _reduce(kind):
    def run(p, xs, w):
        x = xs[0]
        dims = [d % x.dim() for d in p.get("axes", range(x.dim()))]
        return _REDUCTIONS[kind](x, dims, bool(p.get("keepdims", False)))
    return Op(run)


OPS.update({f"reduce_{kind}": _reduce(kind) for kind in _REDUCTIONS})


# --------------------------------------------------------------------------
# log_softmax, dropout and data movement
# --------------------------------------------------------------------------

def _transpose(p, xs, w):
    x = xs[0]
    perm = p.get("perm", list(range(x.dim() - 1, -1, -1)))  # NumPy default
    if sorted(d % x.dim() for d in perm) != list(range(x.dim())):
        _fail(p, f"perm {perm} is not a permutation")
    return x.permute(*perm)


def _split(p, xs, w):
    x, axis = xs[0], p.get("axis", 0)
    if ("sizes" in p) == ("num" in p):
        _fail(p, "split needs exactly one of sizes and num")
    if "num" in p:
        if x.shape[axis] % p["num"]:
            _fail(p, f"{x.shape[axis]} does not split into {p['num']} equal pieces")
        sizes = [x.shape[axis] // p["num"]] * p["num"]
    else:
        sizes = p["sizes"]
    if len(sizes) < 2 or sum(sizes) != x.shape[axis]:
        _fail(p, f"split sizes {sizes} do not cover {x.shape[axis]}")
    return list(torch.split(x, sizes, dim=axis))


def _slice(p, xs, w):
    """Python slicing: negative begin/end count from the end, end is clamped,
    size -1 runs to the end; negative strides count down (torch indexing
    has none: the indices Python's slicing of a range picks)."""
    x = xs[0]
    for d, extent in enumerate(x.shape):
        begin = p["begin"][d] + (extent if p["begin"][d] < 0 else 0)
        if not 0 <= begin < extent:
            _fail(p, f"begin {p['begin'][d]} is outside dimension {d}")
        stride = p.get("strides", [1] * x.dim())[d]
        end = None
        if "size" in p and p["size"][d] != -1:
            end = begin + p["size"][d] * (1 if stride > 0 else -1)
            if not -1 <= end <= extent:
                _fail(p, f"size {p['size'][d]} runs past dimension {d}")
            if end == -1:
                end = None
        elif "end" in p and "size" not in p:
            end = p["end"][d]
        picked = list(range(extent))[begin:end:stride]
        x = x.index_select(d, torch.tensor(picked, dtype=torch.long))
    return x


def _pad(p, xs, w):
    x, pads = xs[0], p["pads"]
    if any(before < 0 or after < 0 for before, after in pads):
        _fail(p, "negative padding")
    mode = {"constant": "constant", "reflect": "reflect", "edge": "replicate"}[
        p.get("mode", "constant")]
    if mode == "constant":
        flat = [v for pair in reversed(pads) for v in pair]  # last dim first
        return F.pad(x, tuple(flat), mode="constant", value=float(p.get("value", 0.0)))
    # F.pad reflects or replicates the last 1-2 (1-3) dims of [N, C, ...]:
    # move the padded dims last, the others into C.
    padded = [d for d, pair in enumerate(pads) if pair != [0, 0]]
    if len(padded) > (2 if mode == "reflect" else 3):
        _fail(p, f"F.pad {mode} pads at most {2 if mode == 'reflect' else 3} dims")
    others = [d for d in range(x.dim()) if d not in padded]
    moved = x.permute(others + padded)
    grouped = moved.reshape([1, -1] + [x.shape[d] for d in padded])
    flat = [v for d in reversed(padded) for v in pads[d]]
    out = F.pad(grouped, tuple(flat), mode=mode)
    out = out.reshape([x.shape[d] for d in others] + list(out.shape[2:]))
    order = others + padded
    return out.permute([order.index(d) for d in range(x.dim())])


OPS.update({
    "log_softmax": Op(lambda p, xs, w: F.log_softmax(xs[0], dim=p.get("axis", -1))),
    "dropout": Op(lambda p, xs, w: xs[0]),  # inference: the identity
    "transpose": Op(_transpose),
    # torch.cat's default dim is 0 (Keras' Concatenate uses -1).
    "concat": Op(lambda p, xs, w: torch.cat(xs, dim=p.get("axis", 0)), arity="variadic"),
    "split": Op(_split),
    "slice": Op(_slice),
    "pad": Op(_pad),
})


# --------------------------------------------------------------------------
# Network layers
# --------------------------------------------------------------------------

def _global_pool(reduce):
    def run(p, xs, w):
        if xs[0].dim() != 4:
            _fail(p, "expects an NHWC input")
        return reduce(xs[0], dim=(1, 2), keepdim=p.get("keepdims", True))
    return run


OPS.update({
    "global_avg_pool2d": Op(_global_pool(torch.mean)),
    "global_max_pool2d": Op(_global_pool(torch.amax)),
})


def _uniform(lo, hi):
    """An init drawing U(lo, hi) from the shared generator."""
    return lambda shape, generator: torch.empty(shape).uniform_(lo, hi, generator=generator)


# A weight-backed value read by other particles.
OPS["where"] = Op(lambda p, xs, w: torch.where(xs[0] != 0, xs[1], xs[2]), arity=3)
OPS["constant"] = Op(lambda p, xs, w: w("value"), arity=0,
                     params=lambda p, shapes: {"value": (tuple(p["shape"]),
                                                         _uniform(-1.0, 1.0))})


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _conv_transpose2d_geometry(p, shapes):
    """(kernel, strides, dilation, [top, left, bottom, right], output padding)
    of a conv_transpose2d on an NHWC input, as docs/model-format.md defines
    "valid", "same" and explicit padding."""
    kernel, strides = _pair(p["kernel"]), _pair(p.get("strides", 1))
    dilation = _pair(p.get("dilation_rate", 1))
    padding, output_padding = p.get("padding", "valid"), [0, 0]
    if padding == "valid":
        padding = [0, 0, 0, 0]
    elif padding == "same":
        padding = [0, 0, 0, 0]
        for d in range(2):
            span = (kernel[d] - 1) * dilation[d] + 1
            total = max(span - strides[d], 0)
            padding[d], padding[2 + d] = total // 2, total - total // 2
            output_padding[d] = max(strides[d] - span, 0)
    if "output_padding" in p:
        output_padding = list(_pair(p["output_padding"]))
    return kernel, strides, dilation, padding, output_padding


def _conv_transpose2d_params(p, shapes):
    """nn.ConvTranspose2d's init: U(-b, b), b = 1/sqrt(filters/groups*kh*kw),
    drawn in PyTorch's [in, filters/groups, kh, kw] and permuted to ours."""
    kh, kw = _pair(p["kernel"])
    groups, channels = p.get("groups", 1), shapes[0][3]
    group_filters = p["filters"] // groups
    bound = 1.0 / math.sqrt(group_filters * kh * kw)

    def kernel(shape, generator):
        torch_shape = (channels, group_filters, kh, kw)
        return _uniform(-bound, bound)(torch_shape, generator).permute(2, 3, 1, 0).contiguous()

    params = {"kernel": ((kh, kw, group_filters, channels), kernel)}
    if p.get("use_bias", True):
        params["bias"] = ((p["filters"],), _uniform(-bound, bound))
    return params


def _conv_transpose2d(p, xs, w):
    """F.conv_transpose2d without padding, then the padding cut and the output
    padding added (zeros before the bias: no input reaches those cells)."""
    kernel, strides, dilation, (top, left, bottom, right), (out_h, out_w) = \
        _conv_transpose2d_geometry(p, [tuple(xs[0].shape)])
    # Ours [kh, kw, filters/groups, in] -> PyTorch's [in, filters/groups, kh, kw].
    weight = w("kernel").permute(3, 2, 0, 1)
    full = F.conv_transpose2d(xs[0].permute(0, 3, 1, 2), weight, stride=strides,
                              dilation=dilation, groups=p.get("groups", 1))
    full = F.pad(full, (0, max(out_w - right, 0), 0, max(out_h - bottom, 0)))
    height, width = full.shape[2], full.shape[3]
    y = full[:, :, top:height - max(bottom - out_h, 0), left:width - max(right - out_w, 0)]
    if p.get("use_bias", True):
        y = y + w("bias").view(1, -1, 1, 1)
    return y.permute(0, 2, 3, 1)


OPS["conv_transpose2d"] = Op(_conv_transpose2d, params=_conv_transpose2d_params)


def _padding_1d(p, length, kernel, stride, dilation):
    """(left, right) of a 1-D window: "valid", "same" (Keras: out =
    ceil(length / stride), the smaller half left) or [left, right]."""
    padding = p.get("padding", "valid")
    if isinstance(padding, list):
        return tuple(padding)
    if padding == "valid":
        return 0, 0
    out = -(-length // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - length, 0)
    return total // 2, total - total // 2


def _conv1d_params(p, shapes):
    """nn.Conv1d's init: U(-b, b), b = 1/sqrt(in/groups * k), drawn in
    PyTorch's [filters, in/groups, k] and permuted to ours [k, in/groups,
    filters]."""
    k, groups, channels = p["kernel"], p.get("groups", 1), shapes[0][2]
    bound = 1.0 / math.sqrt(channels // groups * k)

    def kernel(shape, generator):
        torch_shape = (p["filters"], channels // groups, k)
        return _uniform(-bound, bound)(torch_shape, generator).permute(2, 1, 0).contiguous()

    params = {"kernel": ((k, channels // groups, p["filters"]), kernel)}
    if p.get("use_bias", True):
        params["bias"] = ((p["filters"],), _uniform(-bound, bound))
    return params


def _conv1d(p, xs, w):
    """F.conv1d on [N, L, C] with an [k, in/groups, filters] kernel."""
    k, stride, dilation = p["kernel"], p.get("strides", 1), p.get("dilation_rate", 1)
    left, right = _padding_1d(p, xs[0].shape[1], k, stride, dilation)
    x = F.pad(xs[0].permute(0, 2, 1), (left, right))
    bias = w("bias") if p.get("use_bias", True) else None
    y = F.conv1d(x, w("kernel").permute(2, 1, 0), bias, stride=stride, dilation=dilation,
                 groups=p.get("groups", 1))
    return y.permute(0, 2, 1)


def _pool1d(p, xs, w):
    """max/avg pool on [N, L, C]; padded cells never win a max nor count in
    a mean."""
    k = p["pool"]
    stride = p.get("strides", k)
    left, right = _padding_1d(p, xs[0].shape[1], k, stride, 1)
    x = xs[0].permute(0, 2, 1)
    if p["op"] == "max_pool1d":
        y = F.max_pool1d(F.pad(x, (left, right), value=-math.inf), k, stride)
    else:
        sums = F.avg_pool1d(F.pad(x, (left, right)), k, stride) * k
        ones = torch.ones_like(x[:1, :1])
        counts = F.avg_pool1d(F.pad(ones, (left, right)), k, stride) * k
        y = sums / counts
    return y.permute(0, 2, 1)


OPS["conv1d"] = Op(_conv1d, params=_conv1d_params)
OPS["max_pool1d"] = Op(_pool1d)
OPS["avg_pool1d"] = Op(_pool1d)


def _depth_to_space(p, xs, w):
    """F.pixel_shuffle (CRD channel order c * b^2 + i * b + j) on NCHW; DCR
    ((i * b + j) * C' + c, TF's and ONNX's default) is first reordered."""
    b, x = p["block_size"], xs[0]
    if p.get("mode", "DCR") == "DCR":
        n, h, wd, c = x.shape
        x = x.reshape(n, h, wd, b * b, c // (b * b)).transpose(3, 4).reshape(n, h, wd, c)
    return F.pixel_shuffle(x.permute(0, 3, 1, 2), b).permute(0, 2, 3, 1)


def _space_to_depth(p, xs, w):
    """F.pixel_unshuffle (CRD order) on NCHW, reordered to TF's DCR order."""
    b = p["block_size"]
    y = F.pixel_unshuffle(xs[0].permute(0, 3, 1, 2), b).permute(0, 2, 3, 1)
    n, h, wd, c = y.shape
    return y.reshape(n, h, wd, c // (b * b), b * b).transpose(3, 4).reshape(n, h, wd, c)


OPS["depth_to_space"] = Op(_depth_to_space)
OPS["space_to_depth"] = Op(_space_to_depth)


def _batch_norm_params(p, shapes):
    # PyTorch initialises gamma = 1, beta = mean = 0, var = 1 (an identity);
    # tests draw values around those so that every term matters.
    c = (shapes[0][-1],)
    return {"gamma": (c, _uniform(0.5, 1.5)), "beta": (c, _uniform(-0.5, 0.5)),
            "moving_mean": (c, _uniform(-0.5, 0.5)),
            "moving_variance": (c, _uniform(0.5, 1.5))}


def _batch_norm(p, xs, w):
    """F.batch_norm at inference over the last (channel) axis of NHWC."""
    x = xs[0]
    if p.get("axis", -1) not in (-1, x.dim() - 1):
        _fail(p, "batch_norm normalizes the last axis")
    channels_first = x.movedim(-1, 1)
    y = F.batch_norm(channels_first, w("moving_mean"), w("moving_variance"), w("gamma"),
                     w("beta"), training=False, eps=p.get("epsilon", 1e-5))
    return y.movedim(1, -1)


OPS["batch_norm"] = Op(_batch_norm, params=_batch_norm_params)


def _layer_norm_params(p, shapes):
    axis = p.get("axis", -1)
    c = (shapes[0][axis],)
    return {"gamma": (c, _uniform(0.5, 1.5)), "beta": (c, _uniform(-0.5, 0.5))}


def _layer_norm(p, xs, w):
    """F.layer_norm over one axis (moved last and back for another axis)."""
    x = xs[0].movedim(p.get("axis", -1), -1)
    y = F.layer_norm(x, (x.shape[-1],), w("gamma"), w("beta"), eps=p.get("epsilon", 1e-5))
    return y.movedim(-1, p.get("axis", -1))


def _group_norm_params(p, shapes):
    if not p.get("affine", True):
        return {}
    c = (shapes[0][-1],)
    return {"gamma": (c, _uniform(0.5, 1.5)), "beta": (c, _uniform(-0.5, 0.5))}


def _group_norm(p, xs, w):
    """F.group_norm / F.instance_norm on the channels-first form of [N, ..., C]."""
    x = xs[0].movedim(-1, 1)
    eps = p.get("epsilon", 1e-5)
    gamma, beta = (w("gamma"), w("beta")) if p.get("affine", True) else (None, None)
    if p["op"] == "instance_norm":
        y = F.instance_norm(x, weight=gamma, bias=beta, eps=eps)
    else:
        y = F.group_norm(x, p["groups"], gamma, beta, eps=eps)
    return y.movedim(1, -1)


def _matmul(p, xs, w):
    a, b = xs
    if a.dim() < 2 or b.dim() < 2:
        _fail(p, "matmul operands need rank >= 2")
    if p.get("transpose_a", False):
        a = a.transpose(-1, -2)
    if p.get("transpose_b", False):
        b = b.transpose(-1, -2)
    return torch.matmul(a, b)


def _embedding_params(p, shapes):
    # nn.Embedding draws N(0, 1).
    return {"embeddings": ((p["input_dim"], p["output_dim"]),
                           lambda shape, g: torch.empty(shape).normal_(generator=g))}


def _embedding(p, xs, w):
    """F.embedding on i64 ids, or f32 ids holding integers (checked here too)."""
    ids = xs[0]
    if ids.device.type != "meta":
        integral = ids == ids.floor() if ids.is_floating_point() else True
        if not bool(((ids >= 0) & (ids < p["input_dim"]) & integral).all()):
            _fail(p, f"token ids must be integers in [0, {p['input_dim']})")
    return F.embedding(ids.long(), w("embeddings"))


OPS.update({
    "layer_norm": Op(_layer_norm, params=_layer_norm_params),
    "group_norm": Op(_group_norm, params=_group_norm_params),
    "instance_norm": Op(_group_norm, params=_group_norm_params),
    "matmul": Op(_matmul, arity=2),
    "batch_matmul": Op(_matmul, arity=2),
    "embedding": Op(_embedding, params=_embedding_params),
})


def input_dtype(inp):
    """The NumPy dtype of a model input: int64 for i64 token ids, else float32."""
    return np.int64 if inp.get("dtype") == "i64" else np.float32


def integer_inputs(model):
    """{model input name: (low, high)} for inputs that an embedding or
    one_hot reads: their values are drawn as integers in [low, high) — an
    embedding's token ids in [0, input_dim), a one_hot's ids one past each
    end of [0, depth) (rows of zeros)."""
    inputs = {i["name"] for i in model["inputs"]}
    found = {}
    for p in model["particles"]:
        if p.get("input") not in inputs:
            continue
        if p["op"] == "embedding":
            bounds = (0, p["input_dim"])
        elif p["op"] == "one_hot":
            bounds = (-1, p["depth"] + 1)
        else:
            continue
        low, high = found.get(p["input"], bounds)
        found[p["input"]] = (max(low, bounds[0]), min(high, bounds[1]))
    return found


def _one_hot(p, xs, w):
    """1 where the last index equals the id; ids outside [0, depth) (and
    fractional ones) give rows of zeros, as tf.one_hot does."""
    ids = xs[0]
    classes = torch.arange(p["depth"], device=ids.device)
    return (ids.unsqueeze(-1) == classes.to(ids.dtype)).to(torch.float32)


OPS["one_hot"] = Op(_one_hot)


# --------------------------------------------------------------------------
# Recurrent layers
# --------------------------------------------------------------------------

DIRECTIONS = [("", "l0"), ("reverse_", "l0_reverse")]  # ours, torch's
GATE_BLOCKS = {"lstm": 4, "gru": 3, "rnn": 1}


def _recurrent_params(p, shapes):
    """Per direction kernel [F, G*H], recurrent_kernel [H, G*H], bias [G*H]
    (and a gru's recurrent_bias [G*H]), drawn like torch.nn.LSTM/GRU/RNN
    (every tensor from U(-1/sqrt(H), 1/sqrt(H))), with an lstm's or rnn's
    bias = b_ih + b_hh and the kernels transposed to our layout."""
    units, features = p["units"], shapes[0][-1]
    columns = GATE_BLOCKS[p["op"]] * units
    bound = units ** -0.5

    def transposed(shape, g):  # drawn in torch's [G*H, cols], stored [cols, G*H]
        return torch.empty(shape[::-1]).uniform_(-bound, bound, generator=g).t().contiguous()

    def summed_bias(shape, g):
        return _uniform(-bound, bound)(shape, g) + _uniform(-bound, bound)(shape, g)

    directions = DIRECTIONS if p.get("bidirectional", False) else DIRECTIONS[:1]
    params = {}
    for prefix, _ in directions:
        params[prefix + "kernel"] = ((features, columns), transposed)
        params[prefix + "recurrent_kernel"] = ((units, columns), transposed)
        if p["op"] == "gru":
            params[prefix + "bias"] = ((columns,), _uniform(-bound, bound))
            params[prefix + "recurrent_bias"] = ((columns,), _uniform(-bound, bound))
        else:
            params[prefix + "bias"] = ((columns,), summed_bias)
    return params


def _gru_reset_before(x, kernel, recurrent, bias, recurrent_bias, reverse):
    """ONNX's default GRU (linear_before_reset=0), which torch has no module
    for: n = tanh(W_n x + b_in + (r * h) R_n + b_hn). Returns [B, T, H] and
    the final h."""
    units = recurrent.shape[0]
    h = torch.zeros(x.shape[0], units, dtype=x.dtype)
    steps = range(x.shape[1] - 1, -1, -1) if reverse else range(x.shape[1])
    out = [None] * x.shape[1]
    for t in steps:
        a = x[:, t] @ kernel + bias
        u = h @ recurrent[:, :2 * units] + recurrent_bias[:2 * units]
        r = torch.sigmoid(a[:, :units] + u[:, :units])
        z = torch.sigmoid(a[:, units:2 * units] + u[:, units:])
        n = torch.tanh(a[:, 2 * units:] + (r * h) @ recurrent[:, 2 * units:]
                       + recurrent_bias[2 * units:])
        h = (1 - z) * n + z * h
        out[t] = h
    return torch.stack(out, dim=1), h


def _recurrent(p, xs, w):
    """torch.nn.LSTM/GRU/RNN(batch_first=True) holding our weights; the
    sequence [B, T, dirs * H], or h_n of the directions side by side
    [B, dirs * H]."""
    x, units, op = xs[0], p["units"], p["op"]
    bidirectional = p.get("bidirectional", False)
    sequences = p.get("return_sequences", False)
    if x.dim() != 3:
        _fail(p, f"{op} expects [batch, time, features], got {list(x.shape)}")
    dirs = 2 if bidirectional else 1
    if x.device.type == "meta":
        shape = (x.shape[0], x.shape[1], dirs * units) if sequences else (x.shape[0], dirs * units)
        return torch.empty(shape, device="meta")
    if op == "gru" and not p.get("reset_after", True):
        runs = [_gru_reset_before(x, w(prefix + "kernel"), w(prefix + "recurrent_kernel"),
                                  w(prefix + "bias"), w(prefix + "recurrent_bias"), bool(prefix))
                for prefix, _ in DIRECTIONS[:dirs]]
        y = torch.cat([run[0] for run in runs], dim=-1)
        return y if sequences else torch.cat([run[1] for run in runs], dim=-1)
    if op == "lstm":
        layer = torch.nn.LSTM(x.shape[2], units, batch_first=True, bidirectional=bidirectional)
    elif op == "gru":
        layer = torch.nn.GRU(x.shape[2], units, batch_first=True, bidirectional=bidirectional)
    else:
        layer = torch.nn.RNN(x.shape[2], units, batch_first=True, bidirectional=bidirectional,
                             nonlinearity=p.get("activation", "tanh"))
    layer = layer.to(x.dtype)
    with torch.no_grad():
        for prefix, suffix in DIRECTIONS[:dirs]:
            getattr(layer, "weight_ih_" + suffix).copy_(w(prefix + "kernel").t())
            getattr(layer, "weight_hh_" + suffix).copy_(w(prefix + "recurrent_kernel").t())
            getattr(layer, "bias_ih_" + suffix).copy_(w(prefix + "bias"))
            if op == "gru":
                getattr(layer, "bias_hh_" + suffix).copy_(w(prefix + "recurrent_bias"))
            else:
                getattr(layer, "bias_hh_" + suffix).zero_()
        y, state = layer(x)
    h_n = state[0] if op == "lstm" else state
    return y if sequences else torch.cat(list(h_n), dim=-1)


for _op in GATE_BLOCKS:
    OPS[_op] = Op(_recurrent, params=_recurrent_params)


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------

def _per_channel(p, key, default, channels):
    """normalize's mean/std: a number or one value per channel (last dim)."""
    value = p.get(key, default)
    values = [value] if isinstance(value, (int, float)) else list(value)
    if len(values) not in (1, channels):
        _fail(p, f"{key} needs 1 or {channels} values, got {len(values)}")
    return torch.tensor(values, dtype=torch.float32)


def _normalize(p, xs, w):
    """(x * scale - mean) / std over the last (channel) axis."""
    x = xs[0]
    mean = _per_channel(p, "mean", 0.0, x.shape[-1]).to(x.dtype)
    std = _per_channel(p, "std", 1.0, x.shape[-1]).to(x.dtype)
    if not bool((std > 0).all()):
        _fail(p, "std values must be positive")
    return (x * p.get("scale", 1.0) - mean.to(x.device)) / std.to(x.device)


def _resize(p, xs, w):
    """F.interpolate on NHWC data (permuted to NCHW around the call)."""
    x, mode = xs[0], p.get("mode", "nearest")
    if x.dim() != 4:
        _fail(p, "resize expects an NHWC input")
    if ("size" in p) == ("scale_factor" in p):
        _fail(p, "resize needs exactly one of size and scale_factor")
    size, scale = p.get("size"), p.get("scale_factor")
    if isinstance(size, int):
        size = [size, size]
    if isinstance(scale, (int, float)):
        scale = [scale, scale]
    kwargs = {"align_corners": p.get("align_corners", False)} if mode == "bilinear" else {}
    y = F.interpolate(x.permute(0, 3, 1, 2), size=size,
                      scale_factor=None if scale is None else [float(s) for s in scale],
                      mode=mode, **kwargs)
    return y.permute(0, 2, 3, 1)


def _grid_sample(p, xs, w):
    """F.grid_sample on NHWC data (permuted to NCHW around the call)."""
    x, grid = xs
    if x.dim() != 4 or grid.dim() != 4 or grid.shape[-1] != 2:
        _fail(p, "grid_sample expects an NHWC input and an [N, OH, OW, 2] grid")
    y = F.grid_sample(x.permute(0, 3, 1, 2), grid, mode=p.get("mode", "bilinear"),
                      padding_mode=p.get("padding_mode", "zeros"),
                      align_corners=p.get("align_corners", False))
    return y.permute(0, 2, 3, 1)


OPS.update({
    "erf": Op(lambda p, xs, w: torch.erf(xs[0])),
    "normalize": Op(_normalize),
    "resize": Op(_resize),
    "grid_sample": Op(_grid_sample, arity=2),
})


# Transformer particles (transformer_ops.py, which builds on Op above).
from transformer_ops import OPS as _TRANSFORMER_OPS, mask_inputs  # noqa: E402,F401
OPS.update(_TRANSFORMER_OPS)
