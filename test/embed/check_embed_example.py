#!/usr/bin/python3
"""The embedding example built from an installed soracc, checked against PyTorch.

Steps (everything under WORKDIR, which is emptied first):
 1. `cmake --install BUILD --prefix WORKDIR/prefix`: the install tree.
 2. Seeded weights for the example's two models (torch_reference.py init),
    and the reference outputs PyTorch computes for the inputs that
    examples/embed/two_models.c uses, written as text files.
 3. Configure examples/embed against the prefix (CMAKE_PREFIX_PATH) with
    those weights and references, build it (sora_add_model runs the
    installed soracc), and run its CTest: the C and the C++ application each
    link both models and compare their outputs with the references. A
    rebuild compiles nothing; after the text model's weights change, it
    compiles that model again and only that one.
 4. The installed Python package: compile the digit model with the
    installed soracc through `sora.compile`, run it, and compare with the
    same reference.
Prints the install tree and the applications' output; exits 1 on failure.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TORCH_REFERENCE = ROOT / "test" / "e2e" / "torch_reference.py"
MODELS = ROOT / "examples" / "models"
# Model file, weights seed, input name and dtype, output name: as in
# examples/embed/CMakeLists.txt and two_models.c.
EXAMPLE_MODELS = {
    "digits": ("mlp_mnist.json", 1, "image", "probs"),
    "text": ("bilstm_text.json", 2, "tokens", "score"),
}


def example_input(target, shape):
    """The input two_models.c gives `target`, computed the same way."""
    count = int(np.prod(shape))
    index = np.arange(count)
    if target == "digits":
        values = np.float32(0.5) + np.float32(0.5) * np.sin(
            np.float32(0.05) * index.astype(np.float32))
        return values.astype(np.float32).reshape(shape)
    return (index.astype(np.int64) * 37 % 10000).reshape(shape)


# Step 4, run with only the install prefix's Python path.
INSTALLED_PYTHON = """
import sys, numpy as np, sora
work, models = sys.argv[1], sys.argv[2]
print("sora from", sora.__file__)
so = sora.compile(models + "/mlp_mnist.json", work + "/digits.so",
                  weights=work + "/digits.safetensors")
with sora.Model(so, threads=2) as model:
    print(model)
    probs = model.run(image=np.load(work + "/digits_input.npy"))["probs"]
want = np.loadtxt(work + "/reference/digits_probs.txt").reshape(probs.shape)
error = float(np.max(np.abs(probs - want))) / max(1.0, float(np.max(np.abs(want))))
print(f"installed sora: digits probs match PyTorch (relative error {error:.2g})")
sys.exit(0 if error <= 1e-4 else 1)
"""


def run(command, **kwargs):
    print("$", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, **kwargs)


def make_references(work):
    """Weights and PyTorch outputs for both models; returns their paths."""
    weights, references = {}, work / "reference"
    references.mkdir(parents=True)
    for target, (model_file, seed, input_name, output_name) in EXAMPLE_MODELS.items():
        model = MODELS / model_file
        weights[target] = work / f"{target}.safetensors"
        run([sys.executable, TORCH_REFERENCE, "init", model, "--seed", seed,
             "-o", weights[target]])
        spec = json.loads(model.read_text())["inputs"][0]
        array = example_input(target, spec["shape"])
        np.save(work / f"{target}_input.npy", array)
        outdir = work / f"{target}_torch"
        run([sys.executable, TORCH_REFERENCE, "run", model, "--weights",
             weights[target], "-i", f"{input_name}={work / f'{target}_input.npy'}",
             "-o", outdir])
        values = np.load(outdir / f"{output_name}.npy").reshape(-1)
        (references / f"{target}_{output_name}.txt").write_text(
            "\n".join(f"{v:.9g}" for v in values) + "\n")
    return weights, references


def check_rebuilds(build, text_weights):
    """sora_add_model reruns soracc exactly when its inputs change."""
    def rebuild():
        result = subprocess.run(["cmake", "--build", build], check=True,
                                capture_output=True, text=True)
        return [line for line in result.stdout.splitlines() if "soracc:" in line]
    if rebuild():
        raise RuntimeError("an unchanged build ran soracc again")
    os.utime(text_weights)
    compiled = rebuild()
    if len(compiled) != 1 or "libtext.a" not in compiled[0]:
        raise RuntimeError(f"after the text weights changed the build ran: {compiled}")
    print("rebuilds: none when nothing changed; the text model alone after its "
          "weights changed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True, help="soracc's build tree")
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    prefix = work / "prefix"
    try:
        run(["cmake", "--install", args.build, "--prefix", prefix],
            stdout=subprocess.DEVNULL)
        print("install tree:")
        for path in sorted(prefix.rglob("*")):
            if path.is_file():
                print("  ", path.relative_to(prefix))
        weights, references = make_references(work)
        build = work / "build"
        run(["cmake", "-S", ROOT / "examples" / "embed", "-B", build, "-G", "Ninja",
             f"-DCMAKE_PREFIX_PATH={prefix}",
             f"-DDIGITS_WEIGHTS={weights['digits']}",
             f"-DTEXT_WEIGHTS={weights['text']}",
             f"-DSORA_EMBED_REFERENCE_DIR={references}"],
            stdout=subprocess.DEVNULL)
        run(["cmake", "--build", build])
        run(["ctest", "--test-dir", build, "--output-on-failure", "-V"])
        check_rebuilds(build, weights["text"])
        run([sys.executable, "-c", INSTALLED_PYTHON, str(work), str(MODELS)],
            env=dict(os.environ, PYTHONPATH=str(prefix / "lib" / "python3" /
                                                "dist-packages")))
    except (subprocess.CalledProcessError, RuntimeError) as error:
        print(f"check_embed_example.py: failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
