#!/usr/bin/python3
"""A stand-in for soracc and sora-run, to test check_model.py without them.

As soracc (first argument ends in .json):
    fake_toolchain.py MODEL.json -o OUT.so [--weights W] [--target=T]
writes OUT.so as a JSON note of the model and weights paths.
As sora-run:
    fake_toolchain.py OUT.so -i NAME=FILE.npy ... -o OUTDIR [--threads N]
evaluates the noted model with the PyTorch reference and writes
OUTDIR/<output>.npy.

The environment variable FAKE_SORA_FAULT injects one fault: compile-error,
run-error, missing (no output file), shape (an extra axis), float64 (wrong
dtype), skew (outputs scaled by 1 + 1e-3), nan.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch_reference as ref  # noqa: E402


def fake_soracc(argv, fault):
    """Writes the 'library': the model and weights paths as JSON."""
    p = argparse.ArgumentParser(prog="fake soracc")
    p.add_argument("model")
    p.add_argument("-o", required=True)
    p.add_argument("--weights")
    p.add_argument("--target")
    args = p.parse_args(argv)
    if fault == "compile-error":
        print(f"{args.model}:1:1: error: injected compile error", file=sys.stderr)
        return 1
    weights = str(Path(args.weights).resolve()) if args.weights else None
    Path(args.o).write_text(json.dumps({"model": str(Path(args.model).resolve()),
                                        "weights": weights}))
    return 0


def fake_sora_run(argv, fault):
    """Evaluates the noted model with the reference, then applies the fault."""
    p = argparse.ArgumentParser(prog="fake sora-run")
    p.add_argument("library")
    p.add_argument("-i", action="append", default=[])
    p.add_argument("-o", required=True)
    p.add_argument("--threads", type=int, choices=range(1, 65))
    args = p.parse_args(argv)
    if fault == "run-error":
        print("sora-run: error: injected run error", file=sys.stderr)
        return 1
    note = json.loads(Path(args.library).read_text())
    model = ref.load_model(note["model"])
    inputs = {}
    for item in args.i:
        name, _, path = item.partition("=")
        inputs[name] = np.load(path)
    outputs = ref.run(model, ref.load_weights(model, note["weights"]), inputs)
    Path(args.o).mkdir(parents=True, exist_ok=True)
    if fault == "missing":
        return 0
    for name, array in outputs.items():
        if fault == "shape":
            array = array[None]
        elif fault == "float64":
            array = array.astype(np.float64)
        elif fault == "skew":
            array = array * np.float32(1 + 1e-3)
        elif fault == "nan":
            array = np.full_like(array, np.nan)
        np.save(Path(args.o) / f"{name}.npy", array)
    return 0


def main():
    """Dispatches on the first argument: a .json model means soracc."""
    fault = os.environ.get("FAKE_SORA_FAULT", "")
    argv = sys.argv[1:]
    if argv and argv[0].endswith(".json"):
        return fake_soracc(argv, fault)
    return fake_sora_run(argv, fault)


if __name__ == "__main__":
    sys.exit(main())
