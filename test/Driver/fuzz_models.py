#!/usr/bin/python3
"""Mutates the example models at random and checks that soracc never
crashes: every run exits 0 or 1 (never a signal or another code), prints a
diagnostic when it fails, and leaves no output file behind on failure.

usage: fuzz_models.py SORACC OUTDIR [--count N] [--seed S]
"""

import argparse
import copy
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODELS = ["perceptron", "mlp_mnist", "mnist_cnn"]
VALUES = [0, -1, 1, 2, 3, 7, 2**31, 2**62, -2**63, 1.5, "", "x", "same", "valid",
          None, True, [], [0], [1, 1], [3, 3, 3], {}, {"a": 1}, "relu", "softmax"]
OPS = ["dense", "conv2d", "max_pool2d", "avg_pool2d", "flatten", "reshape",
       "add", "mul", "relu", "sigmoid", "tanh", "softmax", "conv3d",
       "sub", "gelu", "leaky_relu", "clip", "log_softmax", "dropout", "transpose",
       "concat", "split", "slice", "pad", "global_avg_pool2d", "batch_norm",
       "layer_norm", "matmul", "embedding", "one_hot", "lstm", "gru", "rnn", "erf", "normalize", "resize",
       "multi_head_attention", "feed_forward", "positional_encoding"]


def mutate(model, rng):
    """Applies one to three random edits to a copy of `model`."""
    m = copy.deepcopy(model)
    for _ in range(rng.randint(1, 3)):
        target = rng.choice(["particle", "particle", "input", "top", "text"])
        parts = m.get("particles")
        particles_ok = isinstance(parts, list) and parts and all(
            isinstance(q, dict) for q in parts)
        if target == "particle" and particles_ok:
            p = rng.choice(m["particles"])
            action = rng.choice(["set", "drop", "op", "input"])
            key = rng.choice(list(p) + ["units", "filters", "kernel", "strides",
                                        "pool", "padding", "shape", "axis",
                                        "activation", "dilation_rate", "use_bias",
                                        "perm", "sizes", "num", "begin", "end",
                                        "pads", "min", "alpha", "groups",
                                        "epsilon", "input_dim", "output_dim",
                                        "size", "scale_factor", "mode", "mean",
                                        "std", "scale", "align_corners",
                                        "heads", "head_dim", "causal", "fused_qkv",
                                        "kind", "max_len"])
            if action == "set":
                p[key] = rng.choice(VALUES)
            elif action == "drop":
                p.pop(key, None)
            elif action == "op":
                p["op"] = rng.choice(OPS)
            else:
                names = [str(q.get("name")) for q in parts] + ["image", "x", "nope"]
                p["input"] = rng.choice(names)
        elif target == "input" and isinstance(m.get("inputs"), list) and m["inputs"] \
                and isinstance(m["inputs"][0], dict):
            m["inputs"][0]["shape"] = rng.choice(
                [[1, 28, 28, 1], [1, 784], [2, 2], [1], [1, 1, 1, 1], [3, 9, 9, 2], [0, 4]])
        elif target == "top":
            key = rng.choice(["sora", "name", "inputs", "outputs", "weights", "particles"])
            m[key] = rng.choice(VALUES)
        else:
            return json.dumps(m)[: rng.randint(1, len(json.dumps(m)))]
    return json.dumps(m, indent=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("soracc")
    parser.add_argument("outdir")
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    models = [json.loads((ROOT / "examples" / "models" / f"{m}.json").read_text())
              for m in MODELS]
    failures, outcomes = [], {0: 0, 1: 0}
    for i in range(args.count):
        text = mutate(rng.choice(models), rng)
        src = out / f"case{i}.json"
        src.write_text(text)
        lib = out / f"case{i}.so"
        emit = ["--emit=mlir-fused"] if i % 4 else []
        run = subprocess.run([args.soracc, str(src), "-o", str(lib), "--random-weights", "1",
                              *emit], capture_output=True, text=True, timeout=120)
        if run.returncode in outcomes:
            outcomes[run.returncode] += 1
        if run.returncode not in (0, 1):
            failures.append(f"{src}: exit code {run.returncode}\n{run.stderr[-2000:]}")
        elif run.returncode == 1 and ("error:" not in run.stderr or lib.exists()):
            failures.append(f"{src}: failed without a diagnostic or left {lib}")
        elif run.returncode == 0:
            lib.unlink(missing_ok=True)
            src.unlink()
        else:
            src.unlink()
    print(f"{args.count} mutated models: {outcomes[0]} compiled, {outcomes[1]} rejected "
          f"with a diagnostic, {len(failures)} crashed or misbehaved")
    for f in failures:
        print(f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
