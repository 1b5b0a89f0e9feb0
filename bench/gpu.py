#!/usr/bin/python3
"""soracc's CUDA target against PyTorch on an NVIDIA GPU, in one short run.

For bench/run.py's nine reference models (the same seeded ONNX exports and
inputs, cached under OUT/models) and every example model:
  1. compile with `soracc --target=cuda` and check that every embedded PTX
     module assembles for sm_90 (scripts/check_ptx.py);
  2. on a GPU: run the model there and compare its output with PyTorch's on
     the CPU (and on the GPU where this Python's PyTorch has CUDA), by
     max|ours - ref| / max(1, max|ref|) <= 1e-4; the example models through
     test/e2e/check_model.py --target cuda (the PyTorch reference on the CPU);
  3. on a GPU: time soracc (sora-run --bench) and PyTorch CUDA (eager,
     synchronized) interleaved for --rounds rounds; medians and spreads.
Without a GPU (no NVIDIA driver) only step 1 runs, and the output says so.
Prints a Markdown table and writes OUT/gpu.md and OUT/gpu.json. Exits
non-zero when a model fails to compile, its PTX does not assemble, or an
output differs.

usage: bench/gpu.py [--build build] [--out build/bench] [--rounds 3]
                    [--models NAME ...] [--target cuda]
"""

import argparse
import ctypes
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "test" / "e2e"))

import numpy as np  # noqa: E402

import run as cpu_bench  # noqa: E402  (bench/run.py: models, exports, inputs)

TOLERANCE = 1e-4
EXAMPLES = sorted((ROOT / "examples" / "models").glob("*.json"))


def has_gpu():
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    return True


def tool(args, name):
    return str(args.build / "bin" / name)


def compile_cuda(args, source, library, extra=()):
    proc = subprocess.run([tool(args, "soracc"), str(source), f"--target={args.target}",
                           "-o", str(library), *extra], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"soracc failed:\n{proc.stderr.strip()}")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_ptx.py"),
                           str(library)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"PTX:\n{proc.stdout.strip()}")
    return proc.stdout.strip().split(": ", 1)[-1]


def relative_error(ours, want):
    import check_model
    return check_model.relative_error(ours, want)


def torch_cuda_worker(export_name, runs):
    """PyTorch on the GPU: its output and timing."""
    import export_onnx
    import torch
    import torch_peer
    module, x = export_onnx.build(export_name)
    module, x = module.cuda(), x.cuda()
    with torch.no_grad():
        y = module(x).cpu().numpy()

        def call():
            module(x)
            torch.cuda.synchronize()
        timing = torch_peer.time_calls(call, runs, max(3, runs // 10))
    return y, timing


def check_reference_model(args, row, export_name, gpu, torch_cuda):
    cache = args.out / "models" / row
    cpu_bench.prepare(export_name, cache)
    library = cache / f"model.{args.target}.so"
    result = {"model": row, "ptx": compile_cuda(args, cache / "model.onnx", library)}
    if not gpu:
        return result
    out = cache / f"out.{args.target}"
    subprocess.run([tool(args, "sora-run"), str(library), "-i", f"x={cache / 'x.npy'}",
                    "-o", str(out)], check=True, capture_output=True)
    ours = np.load(out / "y.npy")
    result["error_cpu"] = relative_error(ours, np.load(cache / "y.npy"))
    rounds = {"soracc": [], "PyTorch CUDA": []}
    for _ in range(args.rounds):
        proc = subprocess.run([tool(args, "sora-run"), str(library), "-i",
                               f"x={cache / 'x.npy'}", "--bench", str(args.runs), "--json"],
                              check=True, capture_output=True, text=True)
        rounds["soracc"].append(json.loads(proc.stdout.strip().splitlines()[-1])["median_us"])
        if torch_cuda:
            y, timing = torch_cuda_worker(export_name, args.runs)
            result["error_torch_cuda"] = relative_error(ours, y)
            rounds["PyTorch CUDA"].append(timing["median_us"])
    result["rounds_us"] = rounds
    return result


def check_example(args, model, gpu):
    library = args.out / "examples" / f"{model.stem}.{args.target}.so"
    library.parent.mkdir(parents=True, exist_ok=True)
    result = {"model": model.stem + ".json",
              "ptx": compile_cuda(args, model, library, ["--random-weights", "1"])}
    if gpu:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "test" / "e2e" / "check_model.py"),
             "--soracc", tool(args, "soracc"), "--sora-run", tool(args, "sora-run"),
             "--target", args.target, "--model", str(model),
             "--workdir", str(args.out / "examples" / f"{model.stem}.check")],
            capture_output=True, text=True)
        result["check_model"] = "matches" if proc.returncode == 0 else \
            "FAILED: " + (proc.stderr or proc.stdout).strip()[-300:]
    return result


def median_cell(values):
    if not values:
        return "–"
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def table(results, gpu):
    lines = ["| model | PTX (sm_90) | error vs PyTorch CPU | error vs PyTorch CUDA | "
             "soracc GPU µs | PyTorch CUDA µs | PyTorch / soracc |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['error']} | | | | | |")
            continue
        rounds = r.get("rounds_us", {})
        ours, theirs = rounds.get("soracc", []), rounds.get("PyTorch CUDA", [])
        ratio = f"{statistics.median(theirs) / statistics.median(ours):.2f}" \
            if ours and theirs else "–"
        error = r.get("check_model") or (f"{r['error_cpu']:.2e}" if "error_cpu" in r else "–")
        cuda_error = f"{r['error_torch_cuda']:.2e}" if "error_torch_cuda" in r else "–"
        lines.append(f"| {r['model']} | {r['ptx']} | {error} | {cuda_error} | "
                     f"{median_cell(ours)} | {median_cell(theirs)} | {ratio} |")
    if not gpu:
        lines.append("\nNo NVIDIA GPU (no libcuda.so.1) on this machine: compiled and "
                     "PTX-checked only; numerics and timings need a GPU.")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", type=Path, default=ROOT / "build")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=200, help="runs per timing")
    p.add_argument("--target", default="cuda")
    p.add_argument("--models", nargs="+",
                   help="reference models and example stems (default: all)")
    args = p.parse_args()
    gpu = has_gpu()
    torch_cuda = False
    if gpu:
        import torch
        torch_cuda = torch.cuda.is_available()
    results, failed = [], False
    for row, export_name in cpu_bench.MODELS:
        if args.models and row not in args.models:
            continue
        try:
            results.append(check_reference_model(args, row, export_name, gpu, torch_cuda))
        except (RuntimeError, subprocess.CalledProcessError) as e:
            results.append({"model": row, "error": str(e).splitlines()[0]})
            failed = True
    for model in EXAMPLES:
        if args.models and model.stem not in args.models:
            continue
        try:
            results.append(check_example(args, model, gpu))
        except RuntimeError as e:
            results.append({"model": model.name, "error": str(e).splitlines()[0]})
            failed = True
    for r in results:
        errors = [r.get("error_cpu", 0), r.get("error_torch_cuda", 0)]
        failed |= max(errors) > TOLERANCE or r.get("check_model", "").startswith("FAILED")
    text = table(results, gpu)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu.md").write_text(text + "\n")
    (args.out / "gpu.json").write_text(json.dumps(results, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
