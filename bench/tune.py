#!/usr/bin/python3
"""sora-tune on the reference models: heuristics vs tuned vs ONNX Runtime.

For each model (the exports bench/run.py makes and caches) and thread count:
tunes every kernel with `sora-tune --budget B --threads N` into
OUT/tuning/<model>.json (one database per model, both thread counts in it),
compiles the model with and without `--tuning-db` and with each of Halide's
autoschedulers (`soracc --schedule-source`), checks the tuned library against
PyTorch, then times the heuristics' library, the tuned one, the
autoscheduled ones and ONNX Runtime interleaved for several rounds (fresh processes on an idle machine,
as bench/run.py does). Prints one Markdown table and writes
OUT/tune-results.json and OUT/tune-results.md. A benchmark: nothing here
asserts a time. Exits non-zero when tuning, compiling or the check fails.

usage: bench/tune.py [--budget 10m] [--threads 1 2] [--rounds 3]
                     [--models resnet18 ...] [--out build/bench] [--reuse-tuning]
"""

import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

import run  # noqa: E402  (bench/run.py: exports, timers, idle wait)

MODELS = ["resnet18", "mobilenet_v2", "bert_layer", "cnn_mnist_b64"]
EXPORTS = dict(run.MODELS)
RUNNERS = ("heuristics", "tuned", "ORT")
AUTOSCHEDULERS = ("adams2019", "mullapudi2016", "li2018")


def tune(args, name, cache, threads):
    """Runs sora-tune; returns (wall seconds, trials, database). With
    --reuse-tuning, reads the database an earlier run left instead (no
    wall time; the trials it records)."""
    db = args.out / "tuning" / f"{name}.json"
    db.parent.mkdir(parents=True, exist_ok=True)
    if args.reuse_tuning:
        entries = [e for e in json.loads(db.read_text())["entries"] if e["threads"] == threads]
        if not entries:
            raise RuntimeError(f"{db} has no entries for {threads} thread(s)")
        return float("nan"), sum(e["trials"] for e in entries), db
    start = time.perf_counter()
    proc = subprocess.run([str(args.build / "bin" / "sora-tune"), str(cache / "model.onnx"),
                           "--threads", str(threads), "--budget", args.budget,
                           "--seed", "1", "-o", str(db)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"sora-tune failed:\n{proc.stderr.strip()[-3000:]}")
    print(proc.stdout, file=sys.stderr)
    trials = int(re.search(r"^(\d+) trials in", proc.stdout, re.M).group(1))
    return seconds, trials, db


def compile_tuned(args, cache, db, threads):
    """The model compiled with the database; its error vs PyTorch."""
    import check_model
    library = cache / f"model.tuned.t{threads}.so"
    subprocess.run([str(args.build / "bin" / "soracc"), str(cache / "model.onnx"),
                    "--tuning-db", str(db), "--tuning-threads", str(threads),
                    "-o", str(library)], check=True, capture_output=True)
    out = cache / f"out.tuned.t{threads}"
    subprocess.run([str(args.build / "bin" / "sora-run"), str(library),
                    "-i", f"x={cache / 'x.npy'}", "-o", str(out), "--threads", str(threads)],
                   check=True, capture_output=True)
    error = check_model.relative_error(np.load(out / "y.npy"), np.load(cache / "y.npy"))
    if not error <= run.TOLERANCE:
        raise RuntimeError(f"tuned library: max relative error vs PyTorch {error:.2e}")
    return library, error


def compile_autoscheduled(args, cache):
    """The model scheduled by each of Halide's autoschedulers: {name: library
    or the reason it failed}."""
    libraries = {}
    for name in AUTOSCHEDULERS:
        library = cache / f"model.{name}.so"
        proc = subprocess.run([str(args.build / "bin" / "soracc"), str(cache / "model.onnx"),
                               f"--schedule-source={name}", "-o", str(library)],
                              capture_output=True, text=True)
        errors = [line for line in proc.stderr.splitlines() if "error:" in line]
        libraries[name] = library if proc.returncode == 0 else (
            errors[0] if errors else f"soracc exit status {proc.returncode}")
    return libraries


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", type=Path, default=ROOT / "build")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    p.add_argument("--budget", default="10m", help="sora-tune --budget per model and "
                   "thread count (default 10m)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--models", nargs="+", choices=MODELS, default=MODELS)
    p.add_argument("--timing-budget", type=float, default=1.0,
                   help="seconds of soracc's time per timed process (default 1.0)")
    p.add_argument("--max-runs", type=int, default=2000)
    p.add_argument("--reuse-tuning", action="store_true",
                   help="time the databases an earlier run left in OUT/tuning")
    p.add_argument("--node", default="node")
    args = p.parse_args()
    args.build = args.build.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.models:
        cache = args.out / "models" / name
        meta = run.prepare(EXPORTS[name], cache)
        run.compile_and_check(args, cache)  # the heuristics' model.so
        ns = argparse.Namespace(**vars(args))
        ns.budget = args.timing_budget
        runs = run.runs_for(ns, cache)
        print(f"{name}: compiling with Halide's autoschedulers ...", file=sys.stderr, flush=True)
        baselines = compile_autoscheduled(args, cache)
        for threads in args.threads:
            print(f"{name}: tuning at {threads} thread(s), " +
                  ("reusing the database" if args.reuse_tuning else f"budget {args.budget}") +
                  " ...", file=sys.stderr, flush=True)
            seconds, trials, db = tune(args, name, cache, threads)
            library, error = compile_tuned(args, cache, db, threads)
            rows.append({"model": name, "threads": threads, "tune_s": seconds,
                         "trials": trials, "error_vs_pytorch": error, "library": library,
                         "cache": cache, "meta": meta, "runs": runs,
                         "baselines": baselines})
    measured = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(args.rounds):
            for row in rows:
                timers = {
                    "heuristics": lambda r: run.time_soracc(args, r["cache"], r["meta"],
                                                            r["threads"], r["runs"], Path(tmp)),
                    "tuned": lambda r: run.time_soracc(args, r["cache"], r["meta"], r["threads"],
                                                       r["runs"], Path(tmp), r["library"]),
                    "ORT": lambda r: run.time_ort(args, r["cache"], r["meta"], r["threads"],
                                                  r["runs"], Path(tmp)),
                }
                for name, library in row["baselines"].items():
                    if isinstance(library, Path):
                        timers[name] = (lambda lib: lambda r: run.time_soracc(
                            args, r["cache"], r["meta"], r["threads"], r["runs"], Path(tmp),
                            lib))(library)
                order = list(timers)
                order = order[rnd % len(order):] + order[:rnd % len(order)]
                for runner in order:
                    run.wait_for_idle()
                    stats, rss = timers[runner](row)
                    measured.setdefault((row["model"], row["threads"], runner), []).append(stats)
                print(f"round {rnd + 1}/{args.rounds}, {row['model']} t{row['threads']}: " +
                      ", ".join(f"{r} {run.us(measured[(row['model'], row['threads'], r)][-1]['median_us'])} µs"
                                for r in RUNNERS), file=sys.stderr, flush=True)
    lines = [f"sora-tune --budget {args.budget} per model and thread count; {args.rounds} "
             "rounds; µs: median of round medians (median p10–p90)", "",
             "| model | threads | heuristics µs | tuned µs | tuned speedup "
             "| best autoscheduler µs | ORT µs | ORT / tuned | tuning s | trials "
             "| rel. error vs PyTorch |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    speedups, results, notes = [], [], []
    for row in rows:
        key = (row["model"], row["threads"])
        timed = [r for r in RUNNERS + AUTOSCHEDULERS if key + (r,) in measured]
        s = {r: {"median_us": statistics.median(m["median_us"] for m in measured[key + (r,)]),
                 "p10_us": statistics.median(m["p10_us"] for m in measured[key + (r,)]),
                 "p90_us": statistics.median(m["p90_us"] for m in measured[key + (r,)]),
                 "round_medians_us": [m["median_us"] for m in measured[key + (r,)]],
                 "peak_rss_mib": 0}
             for r in timed}
        autoscheduled = [r for r in AUTOSCHEDULERS if r in s]
        if autoscheduled:
            best = min(autoscheduled, key=lambda r: s[r]["median_us"])
            best_cell = f"{run.cell(s[best])} {best}"
        else:
            best_cell = "none compiled"
        failed = [f"{n}: {lib}" for n, lib in row["baselines"].items()
                  if not isinstance(lib, Path)]
        speedup = s["heuristics"]["median_us"] / s["tuned"]["median_us"]
        speedups.append(speedup)
        lines.append(f"| {row['model']} | {row['threads']} | {run.cell(s['heuristics'])} "
                     f"| {run.cell(s['tuned'])} | {speedup:.2f} | {best_cell} "
                     f"| {run.cell(s['ORT'])} "
                     f"| {s['ORT']['median_us'] / s['tuned']['median_us']:.2f} "
                     f"| {row['tune_s']:.0f} | {row['trials']} "
                     f"| {row['error_vs_pytorch']:.1e} |")
        results.append({k: v for k, v in row.items()
                        if k not in ("cache", "meta", "library", "baselines")}
                       | {"timings": s, "speedup": speedup, "autoscheduler_failures": failed})
        notes += [f"{row['model']}: {f}" for f in failed if row["threads"] == args.threads[0]]
    geomean = math.exp(sum(math.log(v) for v in speedups) / len(speedups))
    lines += ["", f"geometric mean of tuned speedups: {geomean:.3f}"]
    if notes:
        lines += ["", "autoschedulers that failed to compile a model:"] + \
            [f"- {n}" for n in notes]
    text = "\n".join(lines)
    (args.out / "tune-results.json").write_text(json.dumps(results, indent=1, default=str))
    (args.out / "tune-results.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
