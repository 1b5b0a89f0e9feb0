#!/usr/bin/python3
"""An independent PyTorch reference for soracc particle graphs.

It reads the same model JSON as soracc (docs/model-format.md) and computes
the graph with torch.nn.functional, sharing no code with the compiler, so
that end-to-end tests can compare a compiled model.so against it.

Activations are NHWC as in the model format; convolutions and pools permute
to PyTorch's NCHW around the call. Keras "same" padding is applied with an
explicit F.pad, because it is asymmetric (bottom/right get the extra cell).
The reference computes in float32 on the CPU by default, like the compiled
model; float64 is available to tell our rounding from PyTorch's.

Module use:
    model = load_model("examples/models/mlp_mnist.json")
    weights = init_weights(model, seed=0)
    outputs = run(model, weights, {"x": array})

Command line:
    torch_reference.py init MODEL.json --seed S -o W.safetensors
    torch_reference.py run MODEL.json [--weights W] -i NAME=X.npy ... -o OUTDIR
"""

import argparse
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from composites import ALIAS_OP, expand_composites
import reference_ops

ACTIVATIONS = {
    "none": lambda x: x,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda x: F.softmax(x, dim=-1),
    ALIAS_OP: lambda x: x,
}
UNARY_OPS = {"relu", "sigmoid", "tanh", "softmax", ALIAS_OP}
BINARY_OPS = {"add": torch.add, "mul": torch.mul}
POOL_OPS = {"max_pool2d", "avg_pool2d", "lp_pool2d"}
PARAMETRIC_OPS = {"dense", "conv2d"}
KNOWN_OPS = UNARY_OPS | set(BINARY_OPS) | POOL_OPS | PARAMETRIC_OPS | {"flatten", "reshape"}
# Particles defined in reference_ops.py (activations, tensor ops, norms ...).
EXTRA_OPS = reference_ops.OPS
ACTIVATIONS.update(reference_ops.UNARY)
KNOWN_OPS |= set(EXTRA_OPS)

SAFETENSORS_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16,
                      "I32": np.int32, "I64": np.int64}


class ModelError(Exception):
    """A model the reference cannot compute; the message names the particle."""


# --------------------------------------------------------------------------
# Model structure
# --------------------------------------------------------------------------

def load_model(path):
    """Reads a model JSON file; remembers its directory to resolve weights."""
    path = Path(path)
    model = json.loads(path.read_text())
    if model.get("sora") != 1:
        raise ModelError(f"{path}: expected \"sora\": 1")
    model = expand_composites(model)
    model["_dir"] = str(path.resolve().parent)
    return model


def particle_inputs(particle):
    """Names of the values a particle reads, in operand order."""
    extra = EXTRA_OPS.get(particle["op"])
    if extra and extra.arity == 0:
        return []
    if extra and extra.arity == "variadic" and "input" in particle:
        return [particle["input"]]
    if extra and extra.arity != 1:
        inputs = particle.get("inputs")
        if not isinstance(inputs, list) or not inputs or (
                extra.arity != "variadic" and len(inputs) != extra.arity):
            raise ModelError(f"particle '{particle['name']}': {particle['op']} needs "
                             f"\"inputs\": [...] ({extra.arity} names)")
        return inputs
    if particle["op"] in BINARY_OPS:
        inputs = particle.get("inputs")
        if not isinstance(inputs, list) or len(inputs) != 2:
            raise ModelError(f"particle '{particle['name']}': "
                             f"{particle['op']} needs \"inputs\": [a, b]")
        return inputs
    if "input" not in particle:
        raise ModelError(f"particle '{particle['name']}': missing \"input\"")
    return [particle["input"]]


def topological_order(model):
    """The particles ordered so that every value is defined before use.

    Names resolve across model inputs and particles regardless of the order
    in the file; unknown names, duplicates and cycles raise ModelError.
    """
    defined = {inp["name"] for inp in model["inputs"]}
    particles = {}
    for p in model["particles"]:
        if p["name"] in defined or p["name"] in particles:
            raise ModelError(f"particle '{p['name']}': name defined twice")
        if p.get("op") not in KNOWN_OPS:
            raise ModelError(f"particle '{p['name']}': unknown op {p.get('op')!r}")
        particles[p["name"]] = p
    order, state = [], {}  # state: 1 = on the current path, 2 = done

    def visit(name, user):
        if name in defined:
            return
        if name not in particles and "." in name:
            # `<name>.<k>`: result k of a particle with several results.
            name = name.rsplit(".", 1)[0]
        if name not in particles:
            raise ModelError(f"particle '{user}': unknown input '{name}'")
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ModelError(f"particle '{name}': cycle in the graph")
        state[name] = 1
        for operand in particle_inputs(particles[name]):
            visit(operand, name)
        state[name] = 2
        order.append(particles[name])

    for name in particles:
        visit(name, name)
    return order


def _required(particle, key):
    """A required attribute of a particle; its absence is a ModelError."""
    if key not in particle:
        raise ModelError(f"particle '{particle['name']}': missing \"{key}\"")
    return particle[key]


def _pair(value, what, particle):
    """An int or a two-element list as a (h, w) tuple of positive ints."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v > 0 for v in pair):
        raise ModelError(f"particle '{particle['name']}': {what} must be a "
                         f"positive int or a pair, got {value!r}")
    return pair


def window_geometry(size, kernel, stride, dilation, padding):
    """Output size and (before, after) padding of one spatial axis.

    "valid": no padding; "same": Keras/TF, out = ceil(size / stride) and the
    smaller half of the total padding goes before; a (before, after) pair:
    explicit padding.
    """
    extent = (kernel - 1) * dilation + 1
    if isinstance(padding, tuple):
        before, after = padding
        return (size + before + after - extent) // stride + 1, before, after
    if padding == "valid":
        return (size - extent) // stride + 1, 0, 0
    if padding == "same":
        out = -(-size // stride)
        total = max((out - 1) * stride + extent - size, 0)
        return out, total // 2, total - total // 2
    raise ValueError(f"padding must be \"valid\" or \"same\", got {padding!r}")


def window_params(particle):
    """Kernel, strides, dilation and padding of a conv2d or pooling particle."""
    if particle["op"] == "conv2d":
        kernel = _pair(_required(particle, "kernel"), "kernel", particle)
        dilation = _pair(particle.get("dilation_rate", 1), "dilation_rate", particle)
        strides = _pair(particle.get("strides", 1), "strides", particle)
    else:
        kernel = _pair(_required(particle, "pool"), "pool", particle)
        dilation = (1, 1)
        strides = _pair(particle.get("strides", kernel), "strides", particle)
    padding = particle.get("padding", "valid")
    explicit = isinstance(padding, list) and len(padding) == 4 and all(
        isinstance(v, int) and v >= 0 for v in padding)
    if padding not in ("valid", "same") and not explicit:
        raise ModelError(f"particle '{particle['name']}': padding must be "
                         f"\"valid\", \"same\" or [top, left, bottom, right], "
                         f"got {padding!r}")
    return kernel, strides, dilation, padding


def _spatial_geometry(particle, shape):
    """Per spatial axis (out, pad_before, pad_after) of an NHWC input shape."""
    if len(shape) != 4:
        raise ModelError(f"particle '{particle['name']}': expects an NHWC "
                         f"input, got shape {list(shape)}")
    kernel, strides, dilation, padding = window_params(particle)
    if isinstance(padding, list):  # [top, left, bottom, right] per axis
        padding = [(padding[0], padding[2]), (padding[1], padding[3])]
    else:
        padding = [padding, padding]
    geometry = [window_geometry(shape[1 + i], kernel[i], strides[i], dilation[i],
                                padding[i]) for i in range(2)]
    if any(out < 1 for out, _, _ in geometry):
        raise ModelError(f"particle '{particle['name']}': window larger than "
                         f"the input {list(shape)}")
    return geometry


def infer_shapes(model):
    """Maps every value name (inputs and particles) to its shape tuple."""
    shapes = {}
    for inp in model["inputs"]:
        if inp.get("dtype", "f32") not in ("f32", "i64"):
            raise ModelError(f"input '{inp['name']}': only dtypes f32 and i64 are supported")
        shapes[inp["name"]] = tuple(inp["shape"])
    for p in topological_order(model):
        operands = [shapes[name] for name in particle_inputs(p)]
        x, op = (operands[0] if operands else None), p["op"]
        if op == "dense":
            shape = x[:-1] + (_required(p, "units"),)
        elif op == "conv2d":
            (oh, _, _), (ow, _, _) = _spatial_geometry(p, x)
            shape = (x[0], oh, ow, _required(p, "filters"))
        elif op in POOL_OPS:
            (oh, _, _), (ow, _, _) = _spatial_geometry(p, x)
            shape = (x[0], oh, ow, x[3])
        elif op == "flatten":
            shape = (x[0], math.prod(x[1:]))
        elif op == "reshape":
            shape = _reshape_target(p, x)
        elif op in BINARY_OPS:
            try:
                shape = tuple(np.broadcast_shapes(*operands))
            except ValueError:
                raise ModelError(f"particle '{p['name']}': shapes {operands} "
                                 f"do not broadcast") from None
        elif op in EXTRA_OPS:
            shape = _extra(EXTRA_OPS[op].infer, p, operands)
        else:
            shape = x
        if isinstance(shape, list):  # several results: <name>.0, <name>.1 ...
            for i, s in enumerate(shape):
                shapes[f"{p['name']}.{i}"] = tuple(s)
            continue
        shapes[p["name"]] = shape
    return shapes


def _extra(function, *args):
    """Calls a reference_ops function, turning its errors into ModelError."""
    try:
        return function(*args)
    except reference_ops.ReferenceOpError as err:
        raise ModelError(str(err)) from None


def _reshape_target(particle, shape):
    """The full target shape of a reshape particle, with -1 resolved."""
    target = list(_required(particle, "shape"))
    size = math.prod(shape)
    if target.count(-1) > 1:
        raise ModelError(f"particle '{particle['name']}': at most one -1 in shape")
    if -1 in target:
        known = math.prod(d for d in target if d != -1)
        target[target.index(-1)] = size // known if known and size % known == 0 else -1
    if math.prod(target) != size or min(target, default=1) < 1:
        raise ModelError(f"particle '{particle['name']}': cannot reshape "
                         f"{list(shape)} to {particle['shape']}")
    return tuple(target)


def parameter_shapes(model):
    """Maps each weight tensor name to its shape in the model format's layout.

    In file order: dense `<name>.kernel` [in, units], conv2d `<name>.kernel`
    [kh, kw, in, filters]; `<name>.bias` [units or filters] unless use_bias
    is false.
    """
    shapes = infer_shapes(model)
    params = {}
    for p in model["particles"]:
        if p["op"] in EXTRA_OPS:
            params.update({name: shape for name, (shape, _) in
                           _extra_parameters(p, shapes).items()})
            continue
        if p["op"] not in PARAMETRIC_OPS:
            continue
        x, out = shapes[p["input"]], shapes[p["name"]][-1]
        if p["op"] == "dense":
            params[p["name"] + ".kernel"] = (x[-1], out)
        else:
            groups = p.get("groups", 1)
            if x[3] % groups or out % groups:
                raise ModelError(f"particle '{p['name']}': groups {groups} must "
                                 f"divide the channels {x[3]} and filters {out}")
            params[p["name"] + ".kernel"] = (*window_params(p)[0], x[3] // groups, out)
        if p.get("use_bias", True):
            params[p["name"] + ".bias"] = (out,)
    return params


def _extra_parameters(particle, shapes):
    """{tensor name: (shape, init)} of a reference_ops particle's weights."""
    operands = [shapes[name] for name in particle_inputs(particle)]
    return {f"{particle['name']}.{suffix}": (tuple(shape), init) for suffix, (shape, init)
            in _extra(EXTRA_OPS[particle["op"]].parameters, particle, operands).items()}


# --------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------

def init_weights(model, seed):
    """Deterministic weights with PyTorch's default nn.Linear/nn.Conv2d init.

    For each dense/conv2d particle in file order, the kernel is drawn in
    PyTorch's layout ([out, in] or [out, in, kh, kw]) from U(-b, b) with
    b = 1/sqrt(fan_in) (kaiming_uniform_ with a = sqrt(5)), then the bias
    from the same range, all from one torch.Generator seeded with `seed`.
    The kernels are then transposed to the model format's layouts. The
    particles of reference_ops.py (norms, embedding) draw theirs with their
    own init, in the same file order from the same generator.
    Returns {tensor name: float32 ndarray}.
    """
    generator = torch.Generator().manual_seed(seed)
    weights = {}
    shapes = infer_shapes(model)
    extra = {}  # reference_ops particles draw their own (see there)
    for p in model["particles"]:
        if p["op"] in EXTRA_OPS:
            extra.update(_extra_parameters(p, shapes))
    for name, shape in parameter_shapes(model).items():
        if name in extra:
            weights[name] = extra[name][1](shape, generator).numpy()
        elif name.endswith(".kernel"):
            if len(shape) == 2:  # dense [in, units]
                torch_shape, to_ours = (shape[1], shape[0]), (1, 0)
            else:  # conv2d [kh, kw, in, filters]
                torch_shape, to_ours = (shape[3], shape[2], shape[0], shape[1]), (2, 3, 1, 0)
            bound = 1.0 / math.sqrt(math.prod(torch_shape[1:]))
            tensor = torch.empty(torch_shape).uniform_(-bound, bound, generator=generator)
            weights[name] = tensor.permute(*to_ours).contiguous().numpy()
        else:  # bias, drawn right after its kernel with the same bound
            tensor = torch.empty(shape).uniform_(-bound, bound, generator=generator)
            weights[name] = tensor.numpy()
    return weights


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: ndarray} as a safetensors file (header padded to 8 bytes)."""
    codes = {np.dtype(v): k for k, v in SAFETENSORS_DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        if array.dtype not in codes:
            raise ValueError(f"{name}: dtype {array.dtype} has no safetensors code")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": codes[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """Reads a safetensors file into {name: ndarray} (metadata is dropped)."""
    raw = Path(path).read_bytes()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (length,) = struct.unpack("<Q", raw[:8])
    if 8 + length > len(raw):
        raise ValueError(f"{path}: header length {length} exceeds the file")
    header = json.loads(raw[8:8 + length])
    data = memoryview(raw)[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        begin, end = info["data_offsets"]
        if end - begin != math.prod(info["shape"]) * dtype.itemsize or end > len(data):
            raise ValueError(f"{path}: tensor '{name}' has bad data_offsets")
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
        tensors[name] = array.astype(dtype.newbyteorder("="))
    return tensors


def load_weights(model, weights_path=None):
    """The model's weights: `weights_path` if given, else the model's own.

    The model's "weights" is either a safetensors file name relative to the
    model file, or an object mapping tensor names to nested lists.
    """
    if weights_path is None:
        source = model.get("weights")
        if source is None:
            raise ModelError("the model names no weights; pass a weights file")
        if isinstance(source, dict):
            return {k: np.asarray(v, dtype=np.float32) for k, v in source.items()}
        weights_path = Path(model["_dir"]) / source
    return read_safetensors(weights_path)


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------

def _pad_nchw(x, particle, shape, value):
    """Pads an NCHW tensor for the particle's 'same' padding (no-op if valid)."""
    (_, top, bottom), (_, left, right) = _spatial_geometry(particle, shape)
    if top == bottom == left == right == 0:
        return x
    return F.pad(x, (left, right, top, bottom), value=value)


def _conv2d(p, x, w, b):
    """conv2d on NHWC x with an [kh, kw, in / groups, out] kernel."""
    _, strides, dilation, _ = window_params(p)
    nchw = _pad_nchw(x.permute(0, 3, 1, 2), p, tuple(x.shape), 0.0)
    # [kh, kw, in / groups, out] -> PyTorch's grouped [out, in / groups, kh, kw].
    y = F.conv2d(nchw, w.permute(3, 2, 0, 1), b, stride=strides, dilation=dilation,
                 groups=p.get("groups", 1))
    return y.permute(0, 2, 3, 1)


def _pool2d(p, x):
    """max/avg/lp pool on NHWC x; padded cells never win a max nor count in a
    mean, and add nothing to an Lp norm."""
    kernel, strides, _, _ = window_params(p)
    nchw = x.permute(0, 3, 1, 2)
    if p["op"] == "max_pool2d":
        padded = _pad_nchw(nchw, p, tuple(x.shape), -math.inf)
        y = F.max_pool2d(padded, kernel, strides)
    elif p["op"] == "lp_pool2d":
        # soracc's norm is of |x|: PyTorch's LPPool2d sums x^p as it is.
        padded = _pad_nchw(nchw.abs(), p, tuple(x.shape), 0.0)
        y = F.lp_pool2d(padded, p.get("p", 2), kernel, strides)
    else:
        sums = F.avg_pool2d(_pad_nchw(nchw, p, tuple(x.shape), 0.0), kernel, strides,
                            divisor_override=1)
        ones = torch.ones_like(nchw[:1, :1])
        counts = F.avg_pool2d(_pad_nchw(ones, p, tuple(x.shape), 0.0), kernel, strides,
                              divisor_override=1)
        y = sums / counts
    return y.permute(0, 2, 3, 1)


def _check_weights(model, weights):
    """Raises ModelError unless every parameter is present with its shape."""
    for name, shape in parameter_shapes(model).items():
        if name not in weights:
            raise ModelError(f"missing weight tensor '{name}'")
        if tuple(weights[name].shape) != shape:
            raise ModelError(f"weight tensor '{name}' has shape "
                             f"{list(weights[name].shape)}, expected {list(shape)}")


def run(model, weights, inputs, dtype=torch.float32):
    """Evaluates the model; returns {output name: ndarray} in `dtype`.

    `weights` maps tensor names to arrays in the model format's layouts,
    `inputs` maps input names to arrays of the declared shapes.
    """
    _check_weights(model, weights)
    shapes = infer_shapes(model)
    values = {}
    for inp in model["inputs"]:
        name = inp["name"]
        if name not in inputs:
            raise ModelError(f"missing input '{name}'")
        array = np.asarray(inputs[name])
        if tuple(array.shape) != shapes[name]:
            raise ModelError(f"input '{name}' has shape {list(array.shape)}, "
                             f"expected {list(shapes[name])}")
        if reference_ops.input_dtype(inp) == np.int64:  # token ids stay int64
            if array.dtype != np.int64:
                raise ModelError(f"input '{name}' is i64, got {array.dtype} values")
            values[name] = torch.from_numpy(array)
        else:
            values[name] = torch.from_numpy(array).to(dtype)

    def param(name):
        return torch.from_numpy(np.asarray(weights[name])).to(dtype) if name in weights else None

    with torch.no_grad():
        for p in topological_order(model):
            x = [values[name] for name in particle_inputs(p)]
            op, name = p["op"], p["name"]
            if op == "dense":
                y = F.linear(x[0], param(name + ".kernel").t(), param(name + ".bias"))
            elif op == "conv2d":
                y = _conv2d(p, x[0], param(name + ".kernel"), param(name + ".bias"))
            elif op in POOL_OPS:
                y = _pool2d(p, x[0])
            elif op == "flatten":
                y = x[0].reshape(x[0].shape[0], -1)
            elif op == "reshape":
                y = x[0].reshape(shapes[name])
            elif op in BINARY_OPS:
                y = BINARY_OPS[op](x[0], x[1])
            elif op in EXTRA_OPS:
                y = _extra(EXTRA_OPS[op].run, p, x, lambda suffix: param(f"{name}.{suffix}"))
            else:
                y = ACTIVATIONS[op](x[0])
            if op in PARAMETRIC_OPS or op in ("conv1d", "conv_transpose2d"):
                activation = p.get("activation", "none")
                if activation not in ACTIVATIONS:
                    raise ModelError(f"particle '{name}': unknown activation {activation!r}")
                y = ACTIVATIONS[activation](y)
            if isinstance(y, list):  # several results: <name>.0, <name>.1 ...
                for i, result in enumerate(y):
                    assert tuple(result.shape) == shapes[f"{name}.{i}"], (name, i)
                    values[f"{name}.{i}"] = result
                continue
            assert tuple(y.shape) == shapes[name], (name, tuple(y.shape), shapes[name])
            values[name] = y
    missing = [o for o in model["outputs"] if o not in values]
    if missing:
        raise ModelError(f"unknown output(s) {missing}")
    return {o: values[o].contiguous().numpy() for o in model["outputs"]}


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def _parse_named_input(text):
    """'NAME=FILE.npy' → (NAME, array)."""
    name, sep, path = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=FILE.npy, got {text!r}")
    return name, np.load(path)


def main(argv=None):
    """Entry point of the `init` and `run` subcommands."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="write seeded default-init weights")
    init.add_argument("model")
    init.add_argument("--seed", type=int, default=0)
    init.add_argument("-o", "--output", required=True, help="safetensors file to write")
    runp = sub.add_parser("run", help="evaluate the model, write OUTDIR/<output>.npy")
    runp.add_argument("model")
    runp.add_argument("--weights", help="safetensors file (default: the model's own)")
    runp.add_argument("-i", "--input", action="append", default=[], type=_parse_named_input,
                      metavar="NAME=FILE.npy")
    runp.add_argument("-o", "--outdir", required=True)
    runp.add_argument("--precision", choices=["float32", "float64"], default="float32")
    args = parser.parse_args(argv)

    try:
        model = load_model(args.model)
        if args.command == "init":
            write_safetensors(args.output, init_weights(model, args.seed),
                              {"generator": "torch_reference.init_weights",
                               "seed": args.seed})
            return 0
        outputs = run(model, load_weights(model, args.weights), dict(args.input),
                      getattr(torch, args.precision))
    except (ModelError, OSError, ValueError, KeyError) as err:
        print(f"torch_reference.py: error: {err}", file=sys.stderr)
        return 1
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, array in outputs.items():
        np.save(outdir / f"{name}.npy", array)
    return 0


if __name__ == "__main__":
    sys.exit(main())
