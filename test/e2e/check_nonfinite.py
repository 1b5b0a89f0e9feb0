#!/usr/bin/python3
"""NaN and infinity go through every elementwise and pooling particle as
through PyTorch.

One model applies each unary particle (and each binary one, against a second
input holding the same special values in another order) to a row of special
values: NaN, +-inf, +-0, values where exp overflows or underflows, huge and
tiny magnitudes. It is compiled by soracc, run by sora-run, and compared with
torch_reference: NaN exactly where PyTorch has NaN, the same infinities, and
finite values within 1e-5 relative.

    check_nonfinite.py --soracc S --sora-run R --workdir W [--target T]
                       [--emulator "qemu-aarch64 -L /usr/aarch64-linux-gnu"]
"""

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch_reference as ref  # noqa: E402

# NaN of both signs: x86 makes the negative one (inf - inf, 0 * inf). The
# binary particles pair each value with its mirror image (w is x reversed);
# the middle four pair among themselves.
SPECIAL = [float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1.0, -1.0, 0.5,
           20.0, -20.0, 88.0, 89.0, -float("nan"), -3.0, 6.0, 7.0,
           -87.0, -104.0, 200.0, -200.0, 3e9, -3e9,
           1e30, -1e30, 1e-30, -1e-30, 1e-40, 3.0]

UNARY = [
    ("relu", {}), ("sigmoid", {}), ("tanh", {}), ("exp", {}), ("sqrt", {}), ("erf", {}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}),
    ("leaky_relu", {"alpha": 0.2}), ("hard_swish", {}), ("relu6", {}),
    ("hard_sigmoid", {}), ("clip", {"min": -1.0, "max": 2.0}),
    ("softmax", {}), ("log_softmax", {}),
    ("abs", {}),
    ("neg", {}),
    ("reciprocal", {}),
    ("floor", {}),
    ("ceil", {}),
    ("round", {}),
    ("sign", {}),
    ("log", {}),
    ("sin", {}),
    ("cos", {}),
    ("tan", {}),
    ("asin", {}),
    ("acos", {}),
    ("atan", {}),
    ("sinh", {}),
    ("cosh", {}),
    ("asinh", {}),
    ("acosh", {}),
    ("atanh", {}),
    ("softplus", {}),
    ("softsign", {}),
    ("mish", {}),
    ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {"alpha": 2.0}),
    ("thresholded_relu", {"alpha": 0.7}), ("shrink", {"lambd": 0.6, "bias": 0.6}),
    ("shrink", {"lambd": 0.5}),
]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "pow", "prelu", "fmod"]
# Max pooling over the values as a 4x6 image: NaN is the first cell of its
# window (x) and the last (w, the values reversed). (Average pooling sums,
# as add does; its windows here mix +-3e9 and +-1e30, whose float sums
# depend on the order, so they are not compared.)
POOLS = [("max_pool2d", {"pool": [2, 2]}), ("global_max_pool2d", {})]


def build_model():
    n = len(SPECIAL)
    particles, outputs = [], []
    for i, (op, attrs) in enumerate(UNARY):
        name = f"{op}{i}"
        particles.append({"name": name, "op": op, "input": "x", **attrs})
        outputs.append(name)
    for op in BINARY:
        particles.append({"name": op, "op": op, "inputs": ["x", "w"]})
        outputs.append(op)
    for source in ("x", "w"):
        particles.append({"name": f"{source}_image", "op": "reshape", "input": source,
                          "shape": [1, 4, n // 4, 1]})
        for op, attrs in POOLS:
            particles.append({"name": f"{op}_{source}", "op": op,
                              "input": f"{source}_image", **attrs})
            outputs.append(f"{op}_{source}")
    return {"sora": 1, "name": "nonfinite",
            "inputs": [{"name": "x", "shape": [1, n]}, {"name": "w", "shape": [1, n]}],
            "outputs": outputs, "particles": particles}


def mismatch(ours, want):
    """Where `ours` differs from PyTorch's `want`, or "" when it does not."""
    problems = []
    for j, (a, b) in enumerate(zip(ours.ravel(), want.ravel())):
        if np.isnan(b) != np.isnan(a):
            problems.append(f"[{j}] {a} (PyTorch {b})")
        elif np.isinf(b) or np.isinf(a):
            if a != b:
                problems.append(f"[{j}] {a} (PyTorch {b})")
        elif not np.isnan(b) and abs(float(a) - float(b)) > 1e-5 * max(1.0, abs(float(b))):
            problems.append(f"[{j}] {a} (PyTorch {b})")
    return ", ".join(problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soracc", required=True)
    parser.add_argument("--sora-run", required=True)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--target")
    parser.add_argument("--emulator", default="", help="runs sora-run (AArch64)")
    args = parser.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    model = build_model()
    (work / "model.json").write_text(json.dumps(model, indent=1))
    x = np.array([SPECIAL], np.float32)
    w = np.array([SPECIAL[::-1]], np.float32)
    np.save(work / "x.npy", x)
    np.save(work / "w.npy", w)
    compile_cmd = [args.soracc, str(work / "model.json"), "-o", str(work / "model.so")]
    if args.target:
        compile_cmd.append(f"--target={args.target}")
    run_cmd = shlex.split(args.emulator) + [args.sora_run, str(work / "model.so"), "-i", f"x={work / 'x.npy'}",
               "-i", f"w={work / 'w.npy'}", "-o", str(work / "out")]
    for cmd in (compile_cmd, run_cmd):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            print(f"FAIL: {' '.join(cmd)}\n{proc.stderr}{proc.stdout}")
            return 1
    expected = ref.run(model, {}, {"x": torch.from_numpy(x), "w": torch.from_numpy(w)})
    print("input:", " ".join(f"{v:g}" for v in SPECIAL))
    failed = 0
    for name in model["outputs"]:
        ours = np.load(work / "out" / f"{name}.npy")
        problem = mismatch(ours, np.asarray(expected[name]))
        print(f"{name}: {'FAIL ' + problem if problem else 'ok'}")
        failed += bool(problem)
    print(f"{failed} of {len(model['outputs'])} particles differ from PyTorch")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
