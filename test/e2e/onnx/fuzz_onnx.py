#!/usr/bin/python3
"""Mutated ONNX models never crash soracc.

Starts from the hand-built graphs (onnx_graphs.py) and a few exported models
(scripts/export_onnx.py), applies random mutations (op types, attribute
values, inputs dropped or rewired, initializer and input dimensions, flipped
bytes) and runs `soracc M.onnx --emit=mlir` on each. Every run must exit 0,
or 1 with an `error:` diagnostic; anything else (a signal, an abort) fails
and the model is kept as WORKDIR/crashK.onnx.

Usage: fuzz_onnx.py SORACC WORKDIR [--count N] [--seed S]
"""

import argparse
import copy
import random
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2] / "scripts"))
import export_onnx  # noqa: E402
import onnx_graphs  # noqa: E402

OPS = ["Conv", "Relu", "Add", "Mul", "MatMul", "Gemm", "Flatten", "Reshape", "Transpose",
       "Concat", "Slice", "Gather", "MaxPool", "AveragePool", "Softmax",
       "LayerNormalization", "LSTM", "Clip", "Identity", "Erf", "Squeeze", "Unsqueeze",
       "BatchNormalization", "GlobalAveragePool", "Dropout", "Resize"]


def mutate(model, rng):
    """A copy of `model` with one to three random changes."""
    m = copy.deepcopy(model)
    g = m.graph
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(7)
        node = rng.choice(g.node) if g.node else None
        if kind == 0 and node:
            node.op_type = rng.choice(OPS)
        elif kind == 1 and node and node.attribute:
            a = rng.choice(node.attribute)
            if a.type == onnx.AttributeProto.INT:
                a.i = rng.choice([-5, 0, 1, 2, 7, 1 << 40])
            elif a.type == onnx.AttributeProto.INTS:
                del a.ints[:]
                a.ints.extend(rng.choice([-3, 0, 1, 2, 5]) for _ in range(rng.randint(0, 5)))
            elif a.type == onnx.AttributeProto.FLOAT:
                a.f = rng.choice([0.0, -1.0, 1e30, float("nan")])
        elif kind == 2 and node and node.input:
            node.input[rng.randrange(len(node.input))] = rng.choice(
                ["", "nope", g.node[0].output[0], g.input[0].name])
        elif kind == 3 and g.initializer:
            t = rng.choice(g.initializer)
            if t.dims:
                t.dims[rng.randrange(len(t.dims))] = rng.choice([0, 1, 3, 1000])
        elif kind == 4:
            dims = g.input[0].type.tensor_type.shape.dim
            if dims:
                dims[rng.randrange(len(dims))].dim_value = rng.choice([0, 1, 2, 3, 100000])
        elif kind == 5 and node and node.input:
            del node.input[rng.randrange(len(node.input)):]
        elif kind == 6 and node:
            node.output[0] = rng.choice([g.node[-1].output[0], g.input[0].name, "z"])
    return m


def seeds(workdir):
    """The models mutations start from."""
    models = [build(np.random.default_rng(0)) for build in onnx_graphs.GRAPHS.values()]
    for name in ["mlp", "cnn", "encoder_layer", "bilstm"]:
        path = workdir / f"seed_{name}.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            export_onnx.export(name, path)
        models.append(onnx.load(path))
    return models


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("soracc")
    p.add_argument("workdir")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    models = seeds(workdir)
    crashes = 0
    for k in range(args.count):
        data = mutate(rng.choice(models), rng).SerializeToString()
        if rng.random() < 0.2:
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            data = bytes(flipped)
        path = workdir / "mutant.onnx"
        path.write_bytes(data)
        run = subprocess.run([args.soracc, path, "--emit=mlir", "-o", workdir / "out.mlir"],
                             capture_output=True, text=True, errors="replace", timeout=300)
        if run.returncode == 0 or (run.returncode == 1 and "error:" in run.stderr):
            continue
        crashes += 1
        kept = workdir / f"crash{k}.onnx"
        path.rename(kept)
        print(f"soracc {kept}: exit {run.returncode}\n{run.stderr[-2000:]}", file=sys.stderr)
    print(f"{args.count} mutated models, {crashes} crashes")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
