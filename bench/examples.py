#!/usr/bin/python3
"""Benchmarks the example models: soracc compile time, library size, and
batch-1 latency of the compiled model next to PyTorch (eager and frozen
TorchScript) measured in the same run, at 1 and 2 threads.

usage: bench/examples.py [--build build] [--runs 2000] [--out bench/results]
                         [--models NAME ...]
Prints a Markdown table; writes the raw numbers as JSON under --out.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test" / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))

import torch_peer  # noqa: E402
import torch_reference  # noqa: E402

MODELS = ["perceptron", "mlp_mnist", "mnist_cnn", "bilstm_text", "resnet_block",
          "transformer_encoder"]
# Models that take milliseconds per run: fewer runs keep the bench short.
MAX_RUNS = {"transformer_encoder": 50}


def weight_bytes(model):
    """Bytes of all parameters the model needs (f32)."""
    total = 0
    for shape in torch_reference.parameter_shapes(model).values():
        n = 1
        for d in shape:
            n *= d
        total += 4 * n
    return total


def compile_model(build, model_path, out, extra):
    """Compiles three times; returns the median wall time in seconds."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([str(build / "bin" / "soracc"), str(model_path), "-o", str(out), *extra],
                       check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def token_inputs(model, tmp):
    """`-i NAME=FILE` arguments giving every input an embedding reads valid
    token ids (sora-run's own are uniform floats, or ids 0)."""
    args = []
    ops = torch_reference.reference_ops
    for name, (low, high) in ops.integer_inputs(model).items():
        inp = next(i for i in model["inputs"] if i["name"] == name)
        path = Path(tmp) / f"{model['name']}.{name}.npy"
        ids = np.random.default_rng(0).integers(low, high, inp["shape"])
        np.save(path, ids.astype(ops.input_dtype(inp)))
        args += ["-i", f"{name}={path}"]
    return args


def sora_bench(build, lib, threads, runs, inputs=()):
    out = subprocess.run([str(build / "bin" / "sora-run"), str(lib), *inputs,
                          "--threads", str(threads), "--bench", str(runs), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS,
                        help="models to run (default: all)")
    args = parser.parse_args()
    build = Path(args.build)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            path = ROOT / "examples" / "models" / f"{name}.json"
            model = torch_reference.load_model(path)
            extra = [] if isinstance(model.get("weights"), dict) else ["--random-weights", "1"]
            lib = Path(tmp) / f"{name}.so"
            row = {"model": name, "soracc_s": compile_model(build, path, lib, extra),
                   "so_bytes": lib.stat().st_size, "weight_bytes": weight_bytes(model)}
            for threads in (1, 2):
                runs = min(args.runs, MAX_RUNS.get(name, args.runs))
                row[f"sora_t{threads}"] = sora_bench(build, lib, threads, runs,
                                                     token_inputs(model, tmp))
                row[f"torch_t{threads}"] = torch_peer.bench(model, threads, runs)
            results.append(row)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "examples.json").write_text(json.dumps(results, indent=1))

    print("| model | soracc | .so | .so without weights | threads | soracc median (p10-p90) µs | "
          "PyTorch eager µs | TorchScript µs | speed-up vs eager | vs TorchScript |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for t in (1, 2):
            s, p = r[f"sora_t{t}"], r[f"torch_t{t}"]
            print(f"| {r['model']} | {r['soracc_s']:.2f} s | {r['so_bytes'] / 1024:.0f} KiB | "
                  f"{(r['so_bytes'] - r['weight_bytes']) / 1024:.0f} KiB | {t} | "
                  f"{s['median_us']:.2f} ({s['p10_us']:.2f}-{s['p90_us']:.2f}) | "
                  f"{p['eager']['median_us']:.1f} | {p['torchscript']['median_us']:.1f} | "
                  f"{p['eager']['median_us'] / s['median_us']:.1f}x | "
                  f"{p['torchscript']['median_us'] / s['median_us']:.1f}x |")


if __name__ == "__main__":
    main()
