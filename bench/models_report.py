#!/usr/bin/python3
"""The model x frontend report: for every example model written in JSON and
in the .sora DSL, and every ONNX export of scripts/export_onnx.py, whether
soracc compiles it, its error against PyTorch (and ONNX Runtime for ONNX
models), soracc's wall time, and sora-run --bench medians at 1 and 2 threads
next to the peers measured in the same run: PyTorch eager (the reference
module for ONNX exports; bench/torch_peer.py's module for the examples) and
ONNX Runtime (npm onnxruntime-node) for the ONNX models.

The numerics come from the end-to-end checkers (test/e2e/check_model.py,
test/e2e/onnx/check_onnx_model.py), run as they are in CTest; this script
adds the timings and prints one Markdown table.

usage: bench/models_report.py [--build build] [--runs 200] [--models NAME ...]
       [--node node] [--out bench/results]
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
E2E = ROOT / "test" / "e2e"
sys.path.insert(0, str(E2E))
sys.path.insert(0, str(E2E / "onnx"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import check_onnx_model  # noqa: E402
import examples  # noqa: E402
import export_onnx  # noqa: E402
import torch_peer  # noqa: E402
import torch_reference  # noqa: E402

# (name, frontend, source): JSON and DSL examples, then ONNX exports.
EXAMPLES = ["perceptron", "mlp_mnist", "mnist_cnn", "resnet_block", "transformer_encoder",
            "bilstm_text"]
ONNX = [("mlp", 13), ("cnn", 17), ("resnet18", 13), ("mobilenet_v2", 17),
        ("encoder_layer", 13), ("encoder_layer_base", 17), ("bilstm", 13), ("upsample", 13),
        ("text_classifier", 13), ("text_classifier_base", 17)]
ERROR_LINE = re.compile(r"(?:vs (?P<oracle>PyTorch|ONNX Runtime) )?\S* ?\[.*\]: "
                        r"max relative error (?P<err>\S+)")


def entries(selected):
    for name in EXAMPLES:
        for ext, frontend in ((".json", "JSON"), (".sora", "DSL")):
            path = ROOT / "examples" / "models" / f"{name}{ext}"
            if path.is_file() and (not selected or name in selected):
                yield name, frontend, path
    for name, opset in ONNX:
        if not selected or name in selected:
            yield name, f"ONNX (opset {opset})", opset


def errors_from(output):
    """The worst error per oracle from a checker's output lines."""
    worst = {}
    for line in output.splitlines():
        m = ERROR_LINE.search(line)
        if m:
            oracle = m.group("oracle") or "PyTorch"
            worst[oracle] = max(worst.get(oracle, 0.0), float(m.group("err")))
    return worst


def time_soracc(soracc, source, out, extra):
    """Median wall time of three compilations, in seconds."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([str(soracc), str(source), "-o", str(out), *extra], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def runs_within(seconds_per_run, args):
    """--runs, or fewer for slow peers: about --peer-budget seconds each."""
    return max(5, min(args.runs, int(args.peer_budget / max(seconds_per_run, 1e-9))))


def onnx_peers(args, name, work, threads):
    """PyTorch eager and ONNX Runtime medians for an ONNX export."""
    module, example = export_onnx.build(name)
    torch.set_num_threads(threads)
    with torch.no_grad():
        start = time.perf_counter()
        module(example)
        runs = runs_within(time.perf_counter() - start, args)
        eager = torch_peer.time_calls(lambda: module(example), runs, runs // 10)
    manifest = {"model": str(work / "model.onnx"), "outdir": str(work / f"ort_t{threads}"),
                "inputs": [check_onnx_model.ort_input("x", example.numpy(),
                                                      work / "bench_x.bin")],
                "threads": threads, "bench_runs": runs}
    (work / "bench_ort.json").write_text(json.dumps(manifest))
    subprocess.run([args.node, str(E2E / "onnx" / "ort_run.js"), str(work / "bench_ort.json")],
                   check=True)
    ort = json.loads((work / f"ort_t{threads}" / "bench.json").read_text())
    return {"PyTorch": eager, "ORT": ort}


def onnx_token_inputs(name, work):
    """`-i x=FILE` giving an export whose x is int64 token ids the example's
    valid ids (sora-run's own random inputs are normal floats)."""
    _, example = export_onnx.build(name)
    if example.dtype != torch.int64:
        return []
    path = work / "bench_x.npy"
    np.save(path, example.numpy())
    return ["-i", f"x={path}"]


def example_peers(args, source, threads):
    """PyTorch eager for an example model, where torch_peer can build it."""
    try:
        return {"PyTorch": torch_peer.bench(torch_reference.load_model(source), threads,
                                            args.runs)["eager"]}
    except (KeyError, NotImplementedError, RuntimeError, ValueError) as err:
        print(f"  no PyTorch peer for {source.name}: {err!r}", file=sys.stderr)
        return {}


def measure(args, name, frontend, source, work):
    """Runs the checker and the timings for one row."""
    soracc, sora_run = args.build / "bin" / "soracc", args.build / "bin" / "sora-run"
    row = {"model": name, "frontend": frontend}
    if frontend.startswith("ONNX"):
        cmd = [sys.executable, E2E / "onnx" / "check_onnx_model.py", "--model", name,
               "--opset", str(source), "--node", args.node]
    else:
        cmd = [sys.executable, E2E / "check_model.py", "--model", source,
               "--tolerance", "1e-4"]
    cmd += ["--soracc", soracc, "--sora-run", sora_run, "--workdir", work, "--threads", "2"]
    check = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    row["passed"] = check.returncode == 0
    row["errors"] = errors_from(check.stdout)
    lib = work / "model.so"
    row["compiles"] = lib.is_file()
    if not row["compiles"]:
        row["log"] = (check.stdout + check.stderr)[-2000:]
        return row
    if frontend.startswith("ONNX"):
        compile_source, extra = work / "model.onnx", []
    else:
        compile_source = source
        weights = work / "weights.safetensors"
        extra = ["--weights", str(weights)] if weights.is_file() else []
    row["soracc_s"] = time_soracc(soracc, compile_source, work / "timed.so", extra)
    if frontend.startswith("ONNX"):
        inputs = onnx_token_inputs(name, work)
    else:
        inputs = examples.token_inputs(
            torch_reference.load_model(ROOT / "examples" / "models" / f"{name}.json"), work)
    for threads in (1, 2):
        row[f"t{threads}"] = examples.sora_bench(args.build, lib, threads, args.runs, inputs)
        if frontend.startswith("ONNX"):
            row[f"peers_t{threads}"] = onnx_peers(args, name, work, threads)
        elif frontend == "JSON":
            row[f"peers_t{threads}"] = example_peers(args, source, threads)
    return row


def us(value):
    """Microseconds with three significant digits or so."""
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def print_table(rows):
    print("| model | frontend | compiles | max rel. error vs PyTorch | vs ONNX Runtime | "
          "soracc wall | threads | soracc median (p10-p90) µs | PyTorch eager µs | "
          "ONNX Runtime µs | speed-up vs PyTorch | vs ORT |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    peers = {}  # the JSON row's peers also stand for the DSL row
    for r in rows:
        err = r["errors"]
        head = [r["model"], r["frontend"], "yes" if r["compiles"] else "**no**",
                f"{err['PyTorch']:.2e}" if "PyTorch" in err else "-",
                f"{err['ONNX Runtime']:.2e}" if "ONNX Runtime" in err else "-",
                f"{r['soracc_s']:.2f} s" if r["compiles"] else "-"]
        if not r["passed"]:
            head[2] += " (check FAILED)"
        if not r["compiles"]:
            print("| " + " | ".join(head + ["-"] * 6) + " |")
            continue
        for t in (1, 2):
            ours = r[f"t{t}"]
            peer = r.get(f"peers_t{t}", peers.get((r["model"], t), {}))
            peers[(r["model"], t)] = peer
            cells = [str(t), f"{us(ours['median_us'])} ({us(ours['p10_us'])}-{us(ours['p90_us'])})"]
            cells += [us(peer[k]["median_us"]) if k in peer else "-" for k in ("PyTorch", "ORT")]
            cells += [f"{peer[k]['median_us'] / ours['median_us']:.1f}x" if k in peer else "-"
                      for k in ("PyTorch", "ORT")]
            print("| " + " | ".join((head if t == 1 else [""] * 6) + cells) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", type=Path, default=ROOT / "build")
    p.add_argument("--runs", type=int, default=200, help="sora-run --bench iterations")
    p.add_argument("--peer-budget", type=float, default=10.0,
                   help="seconds per ONNX peer measurement; slow peers run fewer times")
    p.add_argument("--models", nargs="*", help="only these models")
    p.add_argument("--node", default="node")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, frontend, source) in enumerate(entries(args.models)):
            print(f"[{k + 1}] {name} {frontend} ...", file=sys.stderr, flush=True)
            work = Path(tmp) / f"{k}"
            work.mkdir()
            rows.append(measure(args, name, frontend, source, work))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "models_report.json").write_text(json.dumps(rows, indent=1, default=str))
    print_table(rows)
    for r in rows:
        if "log" in r:
            print(f"\n{r['model']} {r['frontend']}:\n{r['log']}", file=sys.stderr)
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
