#!/usr/bin/python3
"""e2e.zoo: one model of every torchvision 0.14 classification family,
exported to ONNX (opset 14) with seeded random weights, compiled by soracc
and compared with PyTorch: max|ours - torch| / max(1, max|torch|) <= 1e-4.

Inputs are 64x64 rather than the 224x224 the models were designed for, to
keep the suite within CI's time budget (adaptive pools before the
classifiers take any size), except: AlexNet and VGG stay at 224 (their 6x6
and 7x7 adaptive pools export only when they divide the feature map),
inception_v3 needs 75x75, and ViT is built for 32x32 images (image_size=32:
4 patches and the class token).
Parameters torchvision initialises to zero (ViT's head, some biases) are
drawn too, so that every weight matters; batch-norm statistics are random.

Families soracc cannot compile yet are listed in UNSUPPORTED with the start
of the diagnostic they must give: a crash, a hang or a success there fails
the check too (a success means the list needs updating).

Exports are cached in --workdir (keyed by family, input size, seed and
torch version). Prints one table row per family: compile time, latency
at 1 thread (sora-run --bench), error. Exits 1 listing the failures.
"""

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torchvision

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from check_model import CheckFailure, compare_output, relative_error, run_tool  # noqa: E402

# (family, torchvision constructor, input size, constructor arguments)
FAMILIES = [
    ("alexnet", "alexnet", 224, {}),
    ("vgg", "vgg11_bn", 224, {}),
    ("googlenet", "googlenet", 64, {"aux_logits": False, "init_weights": True}),
    ("inception", "inception_v3", 75, {"aux_logits": False, "init_weights": True}),
    ("densenet", "densenet121", 64, {}),
    ("resnet", "resnet18", 64, {}),
    ("resnext", "resnext50_32x4d", 64, {}),
    ("wide_resnet", "wide_resnet50_2", 64, {}),
    ("regnet", "regnet_y_400mf", 64, {}),
    ("mnasnet", "mnasnet0_5", 64, {}),
    ("mobilenet_v2", "mobilenet_v2", 64, {}),
    ("mobilenet_v3", "mobilenet_v3_small", 64, {}),
    ("shufflenet", "shufflenet_v2_x0_5", 64, {}),
    ("squeezenet", "squeezenet1_0", 64, {}),
    ("efficientnet", "efficientnet_b0", 64, {}),
    ("efficientnet_v2", "efficientnet_v2_s", 64, {}),
    ("convnext", "convnext_tiny", 64, {}),
    ("swin", "swin_t", 64, {}),
    ("vit", "vit_b_16", 32, {"image_size": 32}),
]

# Family -> the start of the error soracc must report (not supported yet).
UNSUPPORTED = {}

TOLERANCE = 1e-4


def export(workdir, family, constructor, size, kwargs, seed):
    """Writes (cached) <family>.onnx, x.npy and torch.npy under workdir."""
    key = f"{constructor}-{size}-{seed}-{torch.__version__}-{json.dumps(kwargs, sort_keys=True)}"
    stamp = workdir / "export.key"
    files = [workdir / n for n in (f"{family}.onnx", "x.npy", "torch.npy")]
    if stamp.is_file() and stamp.read_text() == key and all(f.is_file() for f in files):
        return files
    torch.manual_seed(seed)
    model = getattr(torchvision.models, constructor)(**kwargs).eval()
    with torch.no_grad():
        for p in model.parameters():
            if not p.any():
                p.normal_(0.0, 0.02)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
        x = torch.randn(1, 3, size, size)
        np.save(files[1], x.numpy())
        np.save(files[2], model(x).numpy())
    # Outside no_grad: there, torch 1.13's transformer layers take a fused
    # fast path that does not export.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, str(files[0]), input_names=["x"],
                          output_names=["y"], opset_version=14)
    stamp.write_text(key)
    return files


def check_family(args, family, constructor, size, kwargs):
    """Returns (table row, failure message or None)."""
    workdir = Path(args.workdir) / family
    workdir.mkdir(parents=True, exist_ok=True)
    onnx_path, x_path, torch_path = export(workdir, family, constructor, size, kwargs,
                                           args.seed)
    so_path = workdir / f"{family}.so"
    so_path.unlink(missing_ok=True)
    cmd = [args.soracc, onnx_path, "-o", so_path]
    start = time.monotonic()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=args.timeout)
    compile_s = time.monotonic() - start
    row = f"| {family} ({constructor}, {size}x{size}) |"
    if family in UNSUPPORTED:
        want = UNSUPPORTED[family]
        first = proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else ""
        if proc.returncode == 1 and want in first and not so_path.exists():
            return f"{row} no: {first.split('error: ')[-1]} | | |", None
        return row, (f"{family}: expected exit 1 with '{want}', got exit "
                     f"{proc.returncode}: {first}")
    if proc.returncode != 0:
        return row, f"{family}: soracc exited with {proc.returncode}:\n{proc.stderr}"
    run_tool([args.sora_run, so_path, "-i", f"x={x_path}", "-o", workdir / "out",
              "--threads", "2"], "sora-run", args.timeout)
    failure = compare_output(f"{family} output 'y' vs PyTorch", workdir / "out" / "y.npy",
                             np.load(torch_path), TOLERANCE, " ".join(map(str, cmd)))
    bench = subprocess.run([str(args.sora_run), str(so_path), "-i", f"x={x_path}",
                            "--threads", "1", "--bench", "10", "--json"],
                           capture_output=True, text=True, timeout=args.timeout)
    latency = "?"
    if bench.returncode == 0:
        latency = f"{json.loads(bench.stdout.strip().splitlines()[-1])['median_us']:.0f}"
    err = relative_error(np.load(workdir / "out" / "y.npy"), np.load(torch_path))
    return f"{row} yes | {err:.1e} | {compile_s:.1f} s | {latency} µs |", failure


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--soracc", required=True)
    parser.add_argument("--sora-run", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("families", nargs="*", help="only these families")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    rows, failures = [], []
    for family, constructor, size, kwargs in FAMILIES:
        if args.families and family not in args.families:
            continue
        try:
            row, failure = check_family(args, family, constructor, size, kwargs)
        except (CheckFailure, subprocess.TimeoutExpired) as err:
            row, failure = f"| {family} | error | | | |", f"{family}: {err}"
        rows.append(row)
        print(row, flush=True)
        if failure:
            failures.append(failure)
    print("\n| model | compiles | error vs PyTorch | compile time | latency (1 thread) |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    if failures:
        print("\nFAILED:\n" + "\n".join(failures))
        return 1
    print(f"\nPASSED: {len(rows)} families")
    return 0


if __name__ == "__main__":
    sys.exit(main())
