#!/usr/bin/python3
"""soracc against ONNX Runtime and PyTorch on the nine reference models.

For each model: exports the seeded PyTorch module to ONNX (opset 14, cached
under OUT/models), compiles it with soracc, checks soracc's output against
PyTorch's, then times soracc (sora-run --bench), ONNX Runtime (npm
onnxruntime-node, all graph optimizations, intra-op threads = N) and PyTorch
eager, interleaved, for several rounds at 1 and 2 threads. Every timing is a
fresh process started once the machine is idle; GNU time reads its peak
RSS. Prints one Markdown table and writes OUT/results.json and
OUT/results.md. A benchmark, not a test: nothing here asserts a time. Exits
non-zero when a model fails to compile or to match PyTorch.

usage: bench/run.py [--build build] [--out build/bench] [--rounds 3]
                    [--budget 1.0] [--models NAME ...]
"""

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "test" / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

# (row name, scripts/export_onnx.py model)
MODELS = [("perceptron", "perceptron"), ("mlp_mnist", "mlp_mnist"),
          ("mlp_mnist_b64", "mlp_mnist_b64"), ("cnn_mnist", "cnn_mnist"),
          ("cnn_mnist_b64", "cnn_mnist_b64"), ("resnet18", "resnet18"),
          ("mobilenet_v2", "mobilenet_v2"), ("bert_layer", "encoder_layer_base"),
          ("bilstm_text", "bilstm_text")]
OPSET = 14
TOLERANCE = 1e-4
COMPILES = 3  # compiles timed per model; the median is reported
RUNNERS = ("soracc", "ORT", "PyTorch")
ORT_RUN = ROOT / "test" / "e2e" / "onnx" / "ort_run.js"


def prepare(export_name, cache):
    """The ONNX export, input, PyTorch output and flop count of a model, made
    once per version of the exporter and cached in `cache`."""
    import export_onnx
    import flops
    import torch
    key = hashlib.sha256((ROOT / "scripts" / "export_onnx.py").read_bytes() +
                         (ROOT / "bench" / "flops.py").read_bytes() +
                         f"{export_name}.{OPSET}.{torch.__version__}".encode()).hexdigest()
    meta_path = cache / "meta.json"
    if meta_path.is_file() and json.loads(meta_path.read_text()).get("key") == key:
        return json.loads(meta_path.read_text())
    cache.mkdir(parents=True, exist_ok=True)
    module = export_onnx.export(export_name, cache / "model.onnx", OPSET)
    _, x = export_onnx.build(export_name)
    with torch.no_grad():
        y = module(x)
    np.save(cache / "x.npy", x.numpy())
    np.save(cache / "y.npy", y.numpy())
    meta = {"key": key, "flops": flops.count(module, x), "input_dtype": str(x.numpy().dtype),
            "input_shape": list(x.shape)}
    meta_path.write_text(json.dumps(meta))
    return meta


def compile_and_check(args, cache):
    """Compiles the export; returns (compile seconds, error vs PyTorch) or raises.
    The seconds are the median of COMPILES compiles: one compile of resnet18
    took 6.4 s in a run where three on the idle machine took 4.2-4.4 s."""
    import check_model
    times = []
    for _ in range(COMPILES):
        start = time.perf_counter()
        proc = subprocess.run([str(args.build / "bin" / "soracc"), str(cache / "model.onnx"),
                               "-o", str(cache / "model.so")], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise RuntimeError(f"soracc failed:\n{proc.stderr.strip()}")
    seconds = statistics.median(times)
    out = cache / "out"
    subprocess.run([str(args.build / "bin" / "sora-run"), str(cache / "model.so"),
                    "-i", f"x={cache / 'x.npy'}", "-o", str(out), "--threads", "1"],
                   check=True, capture_output=True)
    ours = np.load(out / "y.npy")
    want = np.load(cache / "y.npy")
    if ours.shape != want.shape:
        raise RuntimeError(f"output shape {list(ours.shape)}, PyTorch {list(want.shape)}")
    return seconds, check_model.relative_error(ours, want)


def wait_for_idle(limit_s=30.0, busy_fraction=0.1):
    """Waits until the CPUs were at least 90% idle for a quarter second (or
    `limit_s` passed); returns the seconds waited."""
    def ticks():
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        total0, idle0 = ticks()
        time.sleep(0.25)
        total1, idle1 = ticks()
        if total1 > total0 and 1 - (idle1 - idle0) / (total1 - total0) <= busy_fraction:
            break
    return time.monotonic() - start


def run_measured(cmd):
    """Runs `cmd` as a fresh process; returns (stdout, peak RSS in MiB).
    GNU time reads the peak: a child forked from this process would report
    this process's own peak (Linux keeps it across fork and exec)."""
    with tempfile.NamedTemporaryFile() as rss:
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name,
                               *[str(c) for c in cmd]], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return proc.stdout, int(Path(rss.name).read_text().split()[-1]) / 1024


def time_soracc(args, cache, meta, threads, runs, scratch, library=None):
    out, rss = run_measured([args.build / "bin" / "sora-run", library or cache / "model.so",
                             "-i", f"x={cache / 'x.npy'}", "--threads", threads,
                             "--bench", runs, "--json"])
    return json.loads(out.strip().splitlines()[-1]), rss


def time_ort(args, cache, meta, threads, runs, scratch):
    x = np.load(cache / "x.npy")
    x.tofile(scratch / "x.bin")
    manifest = {"model": str(cache / "model.onnx"), "outdir": str(scratch / "ort"),
                "inputs": [{"name": "x", "file": str(scratch / "x.bin"), "shape": list(x.shape),
                            "dtype": "int64" if x.dtype == np.int64 else "float32"}],
                "threads": threads, "bench_runs": runs}
    (scratch / "ort.json").write_text(json.dumps(manifest))
    _, rss = run_measured([args.node, ORT_RUN, scratch / "ort.json"])
    return json.loads((scratch / "ort" / "bench.json").read_text()), rss


def time_pytorch(args, cache, meta, threads, runs, scratch):
    out, rss = run_measured([sys.executable, __file__, "--pytorch-worker", meta["export"],
                             "--threads", str(threads), "--runs", str(runs)])
    return json.loads(out.strip().splitlines()[-1]), rss


TIMERS = {"soracc": time_soracc, "ORT": time_ort, "PyTorch": time_pytorch}


def pytorch_worker(export_name, threads, runs):
    """In a fresh process: PyTorch eager's timing of one model."""
    import export_onnx
    import torch
    import torch_peer
    torch.set_num_threads(threads)
    module, x = export_onnx.build(export_name)
    with torch.no_grad():
        print(json.dumps(torch_peer.time_calls(lambda: module(x), runs, max(3, runs // 10))))


def runs_for(args, cache):
    """Timed runs per process: about --budget seconds of soracc's time."""
    out, _ = run_measured([args.build / "bin" / "sora-run", cache / "model.so",
                           "-i", f"x={cache / 'x.npy'}", "--threads", "1", "--bench", "5",
                           "--json"])
    once_us = json.loads(out.strip().splitlines()[-1])["median_us"]
    return max(10, min(args.max_runs, int(args.budget * 1e6 / max(once_us, 0.01))))


def peak_gflops(out):
    """The fp32 peak measured by bench/peak_flops.c, at 1 and 2 threads."""
    binary = out / "peak_flops"
    subprocess.run(["cc", "-O2", "-pthread", str(ROOT / "bench" / "peak_flops.c"), "-o",
                    str(binary)], check=True)
    wait_for_idle()
    return json.loads(subprocess.run([str(binary)], check=True, capture_output=True,
                                     text=True).stdout)


def summarize(rounds):
    """One runner's figures from its per-round results: the median of the
    round medians, the median p10 and p90, each round's median, peak RSS."""
    return {"median_us": statistics.median(r["median_us"] for r in rounds),
            "p10_us": statistics.median(r["p10_us"] for r in rounds),
            "p90_us": statistics.median(r["p90_us"] for r in rounds),
            "round_medians_us": [r["median_us"] for r in rounds],
            "peak_rss_mib": max(r["peak_rss_mib"] for r in rounds)}


def us(value):
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def cell(s):
    text = f"{us(s['median_us'])} ({us(s['p10_us'])}–{us(s['p90_us'])})"
    lo, hi = min(s["round_medians_us"]), max(s["round_medians_us"])
    if hi > 1.5 * lo:  # rounds disagree: show them
        text += " rounds: " + ", ".join(us(v) for v in s["round_medians_us"])
    return text


def table(results):
    peak = results["peak"]
    lines = [f"{results['machine']}; fp32 peak measured {peak['gflops_t1']:.0f} GFLOP/s "
             f"(1 thread), {peak['gflops_t2']:.0f} GFLOP/s (2 threads), {peak['isa']}; "
             f"{results['rounds']} rounds; µs: median (p10–p90)", "",
             "| model | GFLOP | threads | soracc µs | ORT µs | PyTorch µs | ORT / soracc "
             "| soracc GFLOP/s (% peak) | peak RSS MiB soracc / ORT / PyTorch "
             "| rel. error vs PyTorch | compile s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in results["models"]:
        if "error" in row:
            lines.append(f"| {row['model']} | | | **{row['error'].splitlines()[0]}** "
                         "| | | | | | | |")
            continue
        for k, t in enumerate(results["threads"]):
            s = row[f"t{t}"]
            ours = s["soracc"]["median_us"]
            gflops = row["flops"] / ours / 1e3
            head = [row["model"], f"{row['flops'] / 1e9:.3g}"] if k == 0 else ["", ""]
            tail = ([f"{row['error_vs_pytorch']:.1e}", f"{row['compile_s']:.1f}"]
                    if k == 0 else ["", ""])
            lines.append("| " + " | ".join(head + [
                str(t), cell(s["soracc"]), cell(s["ORT"]), cell(s["PyTorch"]),
                f"{s['ORT']['median_us'] / ours:.2f}",
                f"{gflops:.3g} ({100 * gflops / peak[f'gflops_t{t}']:.0f}%)",
                " / ".join(f"{s[r]['peak_rss_mib']:.0f}" for r in RUNNERS)] + tail) + " |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", type=Path, default=ROOT / "build")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--budget", type=float, default=1.0,
                   help="seconds of soracc's time per timed process (default 1.0)")
    p.add_argument("--max-runs", type=int, default=2000)
    p.add_argument("--models", nargs="+", choices=[m for m, _ in MODELS])
    p.add_argument("--node", default="node")
    p.add_argument("--pytorch-worker", help=argparse.SUPPRESS)
    p.add_argument("--runs", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.pytorch_worker:
        pytorch_worker(args.pytorch_worker, args.threads[0], args.runs)
        return 0
    args.build = args.build.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    rows, failed = [], False
    for name, export_name in MODELS:
        if args.models and name not in args.models:
            continue
        print(f"{name}: export, compile, check ...", file=sys.stderr, flush=True)
        cache = args.out / "models" / name
        row = {"model": name}
        try:
            meta = prepare(export_name, cache)
            meta["export"] = export_name
            row["flops"] = meta["flops"]
            row["compile_s"], row["error_vs_pytorch"] = compile_and_check(args, cache)
            if not row["error_vs_pytorch"] <= TOLERANCE:
                raise RuntimeError(f"max relative error vs PyTorch "
                                   f"{row['error_vs_pytorch']:.2e} > {TOLERANCE:g}")
            row["runs"] = runs_for(args, cache)
        except (RuntimeError, subprocess.CalledProcessError) as err:
            row["error"] = str(err)
            failed = True
            print(f"{name}: {err}", file=sys.stderr)
        rows.append((row, locals().get("meta"), cache))
    peak = peak_gflops(args.out)
    measured = {}  # (model, threads, runner) -> per-round results
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(args.rounds):
            for threads in args.threads:
                for row, meta, cache in rows:
                    if "error" in row:
                        continue
                    order = RUNNERS[rnd % 3:] + RUNNERS[:rnd % 3]  # no runner always first
                    for runner in order:
                        waited = wait_for_idle()
                        stats, rss = TIMERS[runner](args, cache, meta, threads, row["runs"],
                                                    Path(tmp))
                        stats.update(peak_rss_mib=rss, waited_s=waited)
                        measured.setdefault((row["model"], threads, runner), []).append(stats)
                    print(f"round {rnd + 1}/{args.rounds}, {threads} thread(s), {row['model']}: "
                          + ", ".join(f"{r} {us(measured[(row['model'], threads, r)][-1]['median_us'])} µs"
                                      for r in RUNNERS), file=sys.stderr, flush=True)
    results = {"machine": f"{platform.processor() or platform.machine()}, "
                          f"{os.cpu_count()} CPUs, {cpu_name()}",
               "peak": peak, "rounds": args.rounds, "threads": args.threads, "models": []}
    for row, _, _ in rows:
        for t in args.threads:
            if "error" not in row:
                row[f"t{t}"] = {r: summarize(measured[(row["model"], t, r)]) for r in RUNNERS}
        results["models"].append(row)
    text = table(results)
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    (args.out / "results.md").write_text(text + "\n")
    print(text)
    return 1 if failed else 0


def cpu_name():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
