#!/usr/bin/python3
"""End-to-end check of an ONNX model against PyTorch and ONNX Runtime.

Steps:
 1. Build MODEL with seeded random weights (scripts/export_onnx.py) and
    export it with torch.onnx.export at --opset into WORKDIR/model.onnx.
 2. Compile: soracc WORKDIR/model.onnx -o WORKDIR/model.so [--target=T].
    With --batches B1,B2,... the export's batch dimension is dynamic and the
    model is compiled once, with --max-batch (the largest of them), and run
    at each; with --pin-batches instead once per batch size, pinned with
    --input-shape x=B,... With --sequences S1,S2,... the export's second
    dimension (a batch-first token model's tokens) is dynamic and the model
    is compiled once, with --max-sequence (the largest), and run at each.
 3. For each trial, draw an input of exactly the ONNX input's shape: standard
    normal float32 (NCHW), or int64 token ids in [0, vocab) where the ONNX
    input is INT64 (vocab: the rows of the tables Gather reads at it). Run
    sora-run on it, PyTorch's module, and ONNX Runtime (node ort_run.js,
    onnxruntime-node), and compare ours with both by
    max|ours - ref| / max(1, max|ref|).

Prints one line per trial and oracle; exits 1 on any failure with the
commands to reproduce.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(REPO / "scripts"))
from check_model import CheckFailure, compare_output, run_tool  # noqa: E402
import export_onnx  # noqa: E402


def token_rows(onnx_path, name="x"):
    """The number of valid token ids of int64 input `name` (the rows of the
    smallest table a Gather reads at it), or None for a float input."""
    graph = onnx.load(str(onnx_path)).graph
    dtype = next(i for i in graph.input if i.name == name).type.tensor_type.elem_type
    if dtype != onnx.TensorProto.INT64:
        return None
    tables = {t.name: t.dims[0] for t in graph.initializer if len(t.dims) == 2}
    return min(tables[n.input[0]] for n in graph.node
               if n.op_type == "Gather" and n.input[1] == name and n.input[0] in tables)


def draw_input(shape, rows, rng):
    """Standard-normal float32, or int64 token ids in [0, rows)."""
    if rows is None:
        return rng.standard_normal(shape, dtype=np.float32)
    return rng.integers(0, rows, shape, dtype=np.int64)


def ort_input(name, x, path):
    """Writes x raw for ort_run.js; returns its manifest entry."""
    dtype = "int64" if x.dtype == np.int64 else "float32"
    x.astype("<i8" if dtype == "int64" else "<f4").tofile(path)
    return {"name": name, "file": str(path), "shape": list(x.shape), "dtype": dtype}


def run_onnxruntime(args, onnx_path, x, trial_dir):
    """Runs ONNX Runtime on input x; returns the output 'y'."""
    manifest = {"model": str(onnx_path), "outdir": str(trial_dir / "ort"),
                "inputs": [ort_input("x", x, trial_dir / "x.bin")]}
    manifest_path = trial_dir / "ort.json"
    manifest_path.write_text(json.dumps(manifest))
    run_tool([args.node, HERE / "ort_run.js", manifest_path], "ONNX Runtime", args.timeout)
    outputs = json.loads((trial_dir / "ort" / "outputs.json").read_text())
    out = next(o for o in outputs if o["name"] == "y")
    return np.fromfile(out["file"], dtype="<f4").reshape(out["dims"])


def check_trial(args, module, onnx_path, so_path, shape, rows, trial, rng):
    """One input through the three implementations; returns failure lines."""
    trial_dir = Path(args.workdir) / f"trial{trial}".replace(" ", "_")
    shutil.rmtree(trial_dir, ignore_errors=True)
    trial_dir.mkdir(parents=True)
    x = draw_input(shape, rows, rng)
    np.save(trial_dir / "x.npy", x)
    cmd = [args.sora_run, so_path, "-i", f"x={trial_dir / 'x.npy'}", "-o", trial_dir / "out"]
    if args.threads:
        cmd += ["--threads", args.threads]
    printable = run_tool(cmd, "sora-run", args.timeout)
    with torch.no_grad():
        expected = {"PyTorch": module(torch.from_numpy(x)).numpy(),
                    "ONNX Runtime": run_onnxruntime(args, onnx_path, x, trial_dir)}
    failures = [compare_output(f"trial {trial} vs {oracle}", trial_dir / "out" / "y.npy",
                               want, args.tolerance, printable)
                for oracle, want in expected.items()]
    return [f for f in failures if f]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--soracc", required=True)
    p.add_argument("--sora-run", required=True)
    p.add_argument("--model", required=True, choices=export_onnx.MODELS)
    p.add_argument("--workdir", required=True)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--node", default="node", help="the Node.js interpreter")
    p.add_argument("--target", help="passed to soracc --target=")
    p.add_argument("--threads", type=int, help="passed to sora-run --threads")
    p.add_argument("--trials", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--batches", help="export with a dynamic batch; compile and check "
                                     "at each of these batch sizes (comma-separated)")
    p.add_argument("--sequences", help="export with a dynamic sequence (dimension 1); "
                                       "compile once and check at each of these lengths")
    p.add_argument("--pin-batches", action="store_true",
                   help="with --batches: compile once per batch (--input-shape), "
                        "not once for all (--max-batch)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    onnx_path, so_path = workdir / "model.onnx", workdir / "model.so"
    try:
        dynamic = args.batches is not None
        sequences = args.sequences is not None
        module = export_onnx.export(args.model, onnx_path, args.opset, args.seed,
                                    dynamic_batch=dynamic, dynamic_sequence=sequences)
        _, example = export_onnx.build(args.model, args.seed)
        shapes = [tuple(example.shape)]
        if dynamic:
            shapes = [(int(b),) + tuple(example.shape[1:]) for b in args.batches.split(",")]
        if sequences:
            shapes = [example.shape[:1] + (int(s),) + tuple(example.shape[2:])
                      for s in args.sequences.split(",")]
        rng = np.random.default_rng(args.seed)
        rows = token_rows(onnx_path)
        failures = []
        for i, shape in enumerate(shapes):
            cmd = [args.soracc, onnx_path, "-o", so_path]
            if dynamic and args.pin_batches:
                cmd.append("--input-shape=x=" + ",".join(map(str, shape)))
            elif dynamic:
                cmd.append(f"--max-batch={max(s[0] for s in shapes)}")
            elif sequences:
                cmd.append(f"--max-sequence={max(s[1] for s in shapes)}")
            if args.target:
                cmd.append(f"--target={args.target}")
            if i == 0 or args.pin_batches:
                so_path.unlink(missing_ok=True)
                run_tool(cmd, "soracc", args.timeout)
            for trial in range(args.trials):
                name = (f"{trial} at batch {shape[0]}" if dynamic
                        else f"{trial} at {shape[1]} tokens" if sequences else trial)
                failures += check_trial(args, module, onnx_path, so_path,
                                        shape, rows, name, rng)
        if failures:
            raise CheckFailure("\n".join(failures))
    except (CheckFailure, OSError, ValueError) as err:
        print(f"FAILED: {args.model} (opset {args.opset})\n{err}", file=sys.stderr)
        print(f"the model, inputs and outputs are under {workdir}", file=sys.stderr)
        return 1
    print(f"PASSED: {args.model} (opset {args.opset}, {args.trials} trials)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
