#!/usr/bin/python3
"""e2e.cuda.compile: every example model and the ONNX exports of resnet18,
mobilenet_v2 and a BERT-base layer compile for `--target=cuda`, every PTX
module they embed assembles for Hopper (ptxas -arch=sm_90), and on a machine
without an NVIDIA driver a CUDA model fails to load with a clear status.

    check_cuda_compile.py --soracc S --sora-run R --workdir W [--target cuda]

The ONNX exports (scripts/export_onnx.py, opset 14 as bench/run.sh uses) are
cached in the work directory. Numerics on a GPU are bench/gpu.sh's.
"""

import argparse
import ctypes
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(REPO / "scripts"))
from check_model import CheckFailure, run_tool  # noqa: E402

EXAMPLES = REPO / "examples" / "models"
# (name in bench/run.sh, scripts/export_onnx.py model)
ONNX_MODELS = [("resnet18", "resnet18"), ("mobilenet_v2", "mobilenet_v2"),
               ("bert_layer", "encoder_layer_base")]
ONNX_OPSET = 14


def has_cuda_driver():
    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


def model_sources(workdir):
    """(name, path, soracc arguments) of every model to compile."""
    sources = [(p.name, p, ["--random-weights", "1"])
               for p in sorted(EXAMPLES.glob("*.json")) + sorted(EXAMPLES.glob("*.sora"))]
    for name, export_name in ONNX_MODELS:
        path = workdir / f"{name}.opset{ONNX_OPSET}.onnx"
        if not path.is_file():
            import export_onnx
            export_onnx.export(export_name, path, ONNX_OPSET)
        sources.append((name + ".onnx", path, []))
    return sources


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--soracc", required=True)
    p.add_argument("--sora-run", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--target", default="cuda")
    p.add_argument("--timeout", type=float, default=600)
    args = p.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    failures, libraries = [], []
    for name, source, extra in model_sources(workdir):
        library = workdir / f"{name}.{args.target}.so"
        library.unlink(missing_ok=True)
        try:
            run_tool([args.soracc, source, f"--target={args.target}", "-o", library] + extra,
                     "soracc", args.timeout)
        except CheckFailure as err:
            failures.append(f"{name}: {err}")
            print(f"FAILED: {name} does not compile for {args.target}")
            continue
        proc = subprocess.run([sys.executable, str(REPO / "scripts" / "check_ptx.py"),
                               str(library)], capture_output=True, text=True)
        print(proc.stdout.strip().replace(str(workdir) + "/", ""))
        if proc.returncode != 0:
            failures.append(f"{name}: PTX\n{proc.stdout}{proc.stderr}")
        libraries.append(library)

    if libraries and not has_cuda_driver():
        # No driver here: creating the model is a clear error, not a crash.
        proc = subprocess.run([args.sora_run, str(libraries[0])], capture_output=True,
                              text=True, timeout=args.timeout)
        message = proc.stderr.strip()
        print(f"sora-run {libraries[0].name} (exit {proc.returncode}): {message}")
        if proc.returncode != 1 or "no usable GPU" not in message or "cuda" not in message:
            failures.append(f"sora-run without a driver: exit {proc.returncode}, "
                            f"expected 1 and 'no usable GPU': {message}")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(f"PASSED: {len(libraries)} models compile for {args.target}; their PTX "
          f"assembles for sm_90")
    return 0


if __name__ == "__main__":
    sys.exit(main())
