#!/usr/bin/python3
"""Compile time and peak memory of soracc as models grow.

Generates particle chains of 100, 1,000 and 10,000 particles (seeded: a
dense layer of 8 to 64 units every tenth particle, the rest a random choice
of relu, sigmoid, tanh, gelu and silu, so that kernels differ and are not
deduplicated), compiles each with random weights, and prints one Markdown
row per model: particles, kernels, wall seconds and peak RSS (GNU time).
Also the example models, for scale.

    /usr/bin/python3 bench/compile_scale.py [--sizes 100,1000,10000] [--soracc build/bin/soracc]
"""

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTIVATIONS = ["relu", "sigmoid", "tanh", "gelu", "silu"]


def chain(n, seed=1):
    rng = random.Random(seed)
    particles, prev, width = [], "x", 16
    for i in range(n):
        if i % 10 == 9:
            width = rng.choice([8, 16, 32, 64])
            particles.append({"name": f"p{i}", "op": "dense", "input": prev, "units": width})
        else:
            particles.append({"name": f"p{i}", "op": rng.choice(ACTIVATIONS), "input": prev})
        prev = f"p{i}"
    return {"sora": 1, "name": f"chain{n}", "inputs": [{"name": "x", "shape": [1, 16]}],
            "outputs": [prev], "particles": particles}


def measure(soracc, model, work):
    out = work / (Path(model).stem + ".so")
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", soracc, str(model),
                           "--random-weights", "1", "-o", str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"soracc failed on {model}:\n{proc.stderr}")
    seconds, kib = proc.stderr.strip().splitlines()[-1].split()
    kernels = subprocess.run([soracc, str(model), "--random-weights", "1", "--emit=kernels"],
                             capture_output=True, text=True).stdout
    return float(seconds), int(kib) / 1024, len(re.findall(r"^kernel ", kernels, re.M))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--soracc", default=str(ROOT / "build/bin/soracc"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        models = []
        for n in map(int, args.sizes.split(",")):
            path = work / f"chain{n}.json"
            path.write_text(json.dumps(chain(n)))
            models.append((n, path))
        for name in ["mnist_cnn", "resnet_block", "transformer_encoder", "bilstm_text"]:
            path = ROOT / "examples/models" / f"{name}.json"
            models.append((len(json.loads(path.read_text())["particles"]), path))
        print("| model | particles (top level) | kernels | compile s | peak RSS MiB |")
        print("| --- | --- | --- | --- | --- |")
        for n, path in models:
            seconds, mib, kernels = measure(args.soracc, path, work)
            print(f"| {path.stem} | {n} | {kernels} | {seconds:.2f} | {mib:.0f} |", flush=True)


if __name__ == "__main__":
    main()
