"""sora-check's ONNX side: every node output of a model exposed, and ONNX
Runtime's values of them.

An exposed value is a float32 node output that depends on a graph input
(values computed from initializers alone are folded at import and have no
kernel to check). Each becomes a graph output through an Identity node named
`sora_check_<k>`: names safe as file names, and the model's own values keep
their names and uses.

Values the importer fuses into one particle (the Sub, Pow and ReduceMean
inside a layer norm) are checked with it, by its output: a node is exposed
only if the import of the model itself has a particle of its name (or of
the model output it computes).
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import List, NamedTuple

import numpy as np
import onnx
from onnx import TensorProto, helper

REPO = Path(__file__).resolve().parents[2]
ORT_RUN = REPO / "test" / "e2e" / "onnx" / "ort_run.js"


class Exposed(NamedTuple):
    """One checked value: the node computing it (and the particle the node
    became), the value, and the variant's output carrying it."""
    node: str
    op: str
    particle: str
    value: str
    output: str


def _float_values(model):
    """Names of the float32 values of `model` (after ONNX shape inference)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    graph = inferred.graph
    infos = list(graph.value_info) + list(graph.output) + list(graph.input)
    return {info.name for info in infos
            if info.type.tensor_type.elem_type == TensorProto.FLOAT}


def safe_name(name):
    """The particle name the ONNX importer gives a node (safeName in
    compiler/lib/Frontend/Onnx/GraphBuilder.cpp)."""
    safe = ""
    for c in name:
        if (c.isascii() and c.isalnum()) or c == "_":
            safe += c
        elif safe and not safe.endswith("_"):
            safe += "_"
    safe = safe.rstrip("_") or "v"
    return "v" + safe if safe[0].isdigit() else safe


def exposed_values(model, particles) -> List[Exposed]:
    """The values sora-check compares, in node order; `particles` are the
    particle names of the model's import (soracc --emit=json)."""
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    varying = {i.name for i in graph.input if i.name not in initializers}
    floats = _float_values(model)
    model_outputs = {o.name for o in graph.output}
    exposed = []
    for index, node in enumerate(graph.node):
        # A shape is known at compile time: what is computed from it alone
        # is constant.
        if node.op_type in ("Shape", "Size") or not any(name in varying
                                                        for name in node.input):
            continue
        outputs = [name for name in node.output if name]
        varying.update(outputs)
        # The importer names a particle after the node, or after the model
        # output it computes.
        names = [safe_name(name) for name in outputs if name in model_outputs]
        particle = next((name for name in names + [safe_name(node.name or outputs[0])]
                         if name in particles), None)
        if particle is None:
            continue
        label = node.name or f"{node.op_type}_{index}"
        for position, value in enumerate(outputs):
            if value not in floats:
                continue
            suffix = f":{position}" if len(outputs) > 1 else ""
            exposed.append(Exposed(label + suffix, node.op_type, particle, value,
                                   f"sora_check_{len(exposed)}"))
    return exposed


def refused(stderr, exposed: List[Exposed]) -> List[Exposed]:
    """The exposed values soracc's diagnostic says it cannot output (an
    LSTM's final cell state, a value it folds to a constant)."""
    return [item for item in exposed
            if f"'{item.output}'" in stderr or f"output '{item.value}'" in stderr]


def expose(model, exposed: List[Exposed]):
    """A copy of `model` whose outputs are the exposed values."""
    variant = onnx.ModelProto()
    variant.CopyFrom(model)
    graph = variant.graph
    del graph.output[:]
    for item in exposed:
        graph.node.append(helper.make_node("Identity", [item.value], [item.output],
                                           name=item.output))
        graph.output.append(helper.make_tensor_value_info(item.output, TensorProto.FLOAT,
                                                          None))
    return variant


def token_rows(graph, name):
    """The valid ids of int64 input `name`: the rows of the smallest table a
    Gather reads at it."""
    tables = {t.name: t.dims[0] for t in graph.initializer if len(t.dims) == 2}
    rows = [tables[n.input[0]] for n in graph.node
            if n.op_type == "Gather" and n.input[1] == name and n.input[0] in tables]
    if not rows:
        sys.exit(f"sora-check: error: cannot tell which values int64 input '{name}' may "
                 "hold (no Gather reads a table at it): give it with -i")
    return min(rows)


def draw_inputs(model, given, seed):
    """The model's inputs: given .npy files, others seeded (float32 standard
    normal; int64 token ids in range)."""
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs, rng = {}, np.random.default_rng(seed)
    for info in graph.input:
        name = info.name
        if name in initializers:
            continue
        tensor = info.type.tensor_type
        shape = [d.dim_value for d in tensor.shape.dim]
        if name in given:
            inputs[name] = np.load(given.pop(name))
        elif tensor.elem_type == TensorProto.FLOAT:
            inputs[name] = rng.standard_normal(shape, dtype=np.float32)
        elif tensor.elem_type == TensorProto.INT64:
            inputs[name] = rng.integers(0, token_rows(graph, name), shape, dtype=np.int64)
        else:
            sys.exit(f"sora-check: error: input '{name}' has ONNX type {tensor.elem_type}; "
                     "give it with -i")
    return inputs


def run_onnxruntime(model_path, inputs, work, node="node"):
    """ONNX Runtime's outputs of the model at `model_path` (ort_run.js)."""
    entries = []
    for name, array in inputs.items():
        dtype = "int64" if array.dtype == np.int64 else "float32"
        path = work / f"ort_in_{len(entries)}.bin"
        array.astype("<i8" if dtype == "int64" else "<f4").tofile(path)
        entries.append({"name": name, "file": str(path), "shape": list(array.shape),
                        "dtype": dtype})
    manifest = work / "ort.json"
    # Unoptimized: the plain evaluation (and ORT's fusions fail on some
    # graphs whose intermediate values are outputs: DenseNet's Conv -> Pad).
    manifest.write_text(json.dumps({"model": str(model_path), "outdir": str(work / "ort"),
                                    "inputs": entries, "optimization": "disabled"}))
    result = subprocess.run([node, str(ORT_RUN), str(manifest)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        sys.exit("sora-check: error: ONNX Runtime failed (scripts/install-onnxruntime.sh "
                 f"installs it):\n{result.stderr.strip()}")
    outputs = json.loads((work / "ort" / "outputs.json").read_text())
    return {o["name"]: np.fromfile(o["file"], dtype="<f4").reshape(o["dims"])
            for o in outputs}
