#!/usr/bin/python3
"""Compiles the hand-built ONNX graphs of onnx_graphs.py and compares every
output with ONNX Runtime, max|ours - ort| / max(1, max|ort|) <= --tolerance.

Exits 1 with the commands to reproduce on any failure.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from check_model import CheckFailure, compare_output, run_tool  # noqa: E402
import onnx_graphs  # noqa: E402


def check_graph(args, name, rng):
    """Compiles and runs one graph; returns failure lines."""
    workdir = Path(args.workdir) / name
    workdir.mkdir(parents=True, exist_ok=True)
    model = onnx_graphs.GRAPHS[name](np.random.default_rng(args.seed))
    onnx_path, so_path = workdir / f"{name}.onnx", workdir / f"{name}.so"
    onnx.save(model, onnx_path)
    so_path.unlink(missing_ok=True)
    run_tool([args.soracc, onnx_path, "-o", so_path], "soracc", args.timeout)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = rng.standard_normal(shape, dtype=np.float32)
    np.save(workdir / "x.npy", x)
    x.astype("<f4").tofile(workdir / "x.bin")
    printable = run_tool([args.sora_run, so_path, "-i", f"x={workdir / 'x.npy'}",
                          "-o", workdir / "out", "--threads", "2"], "sora-run", args.timeout)
    manifest = {"model": str(onnx_path), "outdir": str(workdir / "ort"),
                "inputs": [{"name": "x", "file": str(workdir / "x.bin"), "shape": shape}]}
    (workdir / "ort.json").write_text(json.dumps(manifest))
    run_tool([args.node, HERE / "ort_run.js", workdir / "ort.json"], "ONNX Runtime",
             args.timeout)
    failures = []
    for out in json.loads((workdir / "ort" / "outputs.json").read_text()):
        want = np.fromfile(out["file"], dtype="<f4").reshape(out["dims"])
        failures.append(compare_output(f"{name} output '{out['name']}' vs ONNX Runtime",
                                       workdir / "out" / f"{out['name']}.npy", want,
                                       args.tolerance, printable))
    return [f for f in failures if f]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--soracc", required=True)
    p.add_argument("--sora-run", required=True)
    p.add_argument("--node", default="node")
    p.add_argument("--workdir", required=True)
    p.add_argument("--graphs", nargs="*", default=sorted(onnx_graphs.GRAPHS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--timeout", type=float, default=600)
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    failures = []
    for name in args.graphs:
        try:
            failures += check_graph(args, name, rng)
        except (CheckFailure, OSError, ValueError) as err:
            failures.append(f"{name}: {err}")
    if failures:
        print("FAILED:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    print(f"PASSED: {', '.join(args.graphs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
