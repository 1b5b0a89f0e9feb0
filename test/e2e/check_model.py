#!/usr/bin/python3
"""End-to-end check: a model compiled by soracc against the PyTorch reference.

Steps:
 0. A `.sora` model is converted with `soracc --emit=json` for the
    reference; soracc compiles the `.sora` file itself.
 1. If the model's weights are a file name (or absent), generate them with
    torch_reference.init_weights(--seed) into WORKDIR/weights.safetensors and
    compile with `--weights`; inline weights are used as they are.
 2. Compile: soracc MODEL -o WORKDIR/model.so [--weights W] [--target=T]
    [--soracc-arg ARG]...
 3. For each trial (and with --max-sequence N, for each count of tokens in
    --sequences: the model's sequence dimensions, soracc's rule, given that
    count for the reference and the inputs): draw a standard-normal float32
    input per model input (np.random.default_rng(--seed)), run
    [EMULATOR] sora-run WORKDIR/model.so -i NAME=FILE ... -o WORKDIR/trialK/out
    and compare every output with the reference (written to
    WORKDIR/trialK/ref) by max|ours - torch| / max(1, max|torch|).

Prints one line per trial and output; exits 1 with the commands to reproduce
on any failure (a tool's non-zero exit, a missing output, a wrong shape or
dtype, an error above --tolerance).
"""

import argparse
import copy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch_reference as ref  # noqa: E402


class CheckFailure(Exception):
    """A failed check; the message says what and how to reproduce it."""


def relative_error(ours, expected):
    """max|ours - expected| / max(1, max|expected|), computed in float64."""
    ours, expected = ours.astype(np.float64), expected.astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return float(np.max(np.abs(ours - expected), initial=0.0)) / scale


def compare_output(where, ours_path, want, tolerance, context=""):
    """Compares the .npy sora-run wrote at `ours_path` with the reference
    `want`: prints one line and returns a failure message, or None when the
    relative error is within `tolerance`. `context` (the command to reproduce)
    is appended to a failure."""
    suffix = f"\n  {context}" if context else ""
    if not Path(ours_path).is_file():
        return f"{where}: sora-run wrote no {ours_path}{suffix}"
    ours = np.load(ours_path)
    if ours.shape != want.shape or ours.dtype != np.float32:
        return (f"{where}: got {ours.dtype} {list(ours.shape)}, "
                f"expected float32 {list(want.shape)}{suffix}")
    err = relative_error(ours, want)
    ok = err <= tolerance  # False for NaN too
    print(f"{where} {list(want.shape)}: max relative error {err:.3e} "
          f"(tolerance {tolerance:g}) {'ok' if ok else 'FAIL'}", flush=True)
    return None if ok else f"{where}: max relative error {err:.3e} > {tolerance:g}{suffix}"


def run_tool(cmd, what, timeout):
    """Runs a command; raises CheckFailure with its output if it fails."""
    printable = shlex.join(str(c) for c in cmd)
    try:
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CheckFailure(f"{what} timed out after {timeout} s:\n  {printable}") from None
    except OSError as err:
        raise CheckFailure(f"{what} could not start: {err}\n  {printable}") from None
    if proc.returncode != 0:
        streams = "".join(f"--- {name} ---\n{text.rstrip()}\n"
                          for name, text in [("stderr", proc.stderr), ("stdout", proc.stdout)]
                          if text.strip())
        raise CheckFailure(f"{what} exited with {proc.returncode}:\n  {printable}\n{streams}")
    return printable


def load_model(args, workdir):
    """The model as JSON for the reference; a .sora file goes through soracc."""
    path = Path(args.model)
    if path.suffix != ".sora":
        return ref.load_model(path)
    json_path = workdir / f"{path.stem}.json"
    run_tool([args.soracc, path.resolve(), "--emit=json", "-o", json_path], "soracc --emit=json",
             args.timeout)
    model = ref.load_model(json_path)
    model["_dir"] = str(path.resolve().parent)  # weights resolve beside the .sora file
    return model


def compile_model(args, model, workdir):
    """Compiles the model; returns (weights dict, path of model.so, command)."""
    cmd = [args.soracc, Path(args.model).resolve(), "-o", workdir / "model.so"]
    if isinstance(model.get("weights"), dict):
        weights = ref.load_weights(model)
    else:
        weights = ref.init_weights(model, args.seed)
        weights_path = workdir / "weights.safetensors"
        ref.write_safetensors(weights_path, weights, {"seed": args.seed})
        cmd += ["--weights", weights_path]
    if args.target:
        cmd.append(f"--target={args.target}")
    cmd += args.soracc_arg
    so_path = workdir / "model.so"
    so_path.unlink(missing_ok=True)
    printable = run_tool(cmd, "soracc", args.timeout)
    if not so_path.is_file():
        raise CheckFailure(f"soracc exited 0 but wrote no {so_path}:\n  {printable}")
    return weights, so_path, printable


def with_sequence(model, tokens):
    """`model` with its sequence dimensions `tokens`, as soracc --max-sequence
    reads them: dimension 1 of the first input, and of every input (the
    model's and its composites') declaring the same extent there."""
    model = copy.deepcopy(model)
    declared = model["inputs"][0]["shape"][1]
    for inp in model["inputs"] + [i for c in model.get("composites", []) for i in c["inputs"]]:
        if len(inp["shape"]) >= 2 and inp["shape"][1] == declared:
            inp["shape"][1] = tokens
    return model


def check_trial(args, model, weights, so_path, trial, rng):
    """Runs one trial; returns (failure messages, sora-run command)."""
    trial_dir = Path(args.workdir) / f"trial{trial}"
    shutil.rmtree(trial_dir, ignore_errors=True)
    (trial_dir / "in").mkdir(parents=True)
    shapes = ref.infer_shapes(model)
    cmd = shlex.split(args.emulator or "") + [args.sora_run, so_path]
    inputs = {}
    token_ids = ref.reference_ops.integer_inputs(model)
    masks = ref.reference_ops.mask_inputs(model)
    for k, inp in enumerate(model["inputs"]):
        name = inp["name"]
        if name in token_ids:  # ids read by an embedding or one_hot
            low, high = token_ids[name]
            inputs[name] = rng.integers(low, high, shapes[name]).astype(
                ref.reference_ops.input_dtype(inp))
        elif name in masks:  # an attention's padding mask: 0 or 1, key 0 kept
            inputs[name] = rng.integers(0, 2, shapes[name]).astype(np.float32)
            inputs[name][..., 0] = 1
        else:
            inputs[name] = rng.standard_normal(shapes[name], dtype=np.float32)
        path = trial_dir / "in" / f"input{k}.npy"
        np.save(path, inputs[name])
        cmd += ["-i", f"{name}={path}"]
    cmd += ["-o", trial_dir / "out"]
    if args.threads:
        cmd += ["--threads", args.threads]
    printable = run_tool(cmd, "sora-run", args.timeout)

    expected = ref.run(model, weights, inputs, getattr(torch, args.precision))
    (trial_dir / "ref").mkdir()
    failures = []
    for name, want in expected.items():
        np.save(trial_dir / "ref" / f"{name}.npy", want)
        failure = compare_output(f"trial {trial} output '{name}'",
                                 trial_dir / "out" / f"{name}.npy", want, args.tolerance)
        if failure:
            failures.append(failure)
    return failures, printable


def parse_args(argv):
    """The command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--soracc", required=True, help="path of the soracc compiler")
    p.add_argument("--sora-run", required=True, help="path of the sora-run runner")
    p.add_argument("--model", required=True, help="model file (.json or .sora)")
    p.add_argument("--workdir", required=True, help="directory for weights, model.so, trials")
    p.add_argument("--threads", type=int, help="passed to sora-run --threads")
    p.add_argument("--trials", type=int, default=3, help="random inputs to try (default 3)")
    p.add_argument("--target", help="passed to soracc --target=")
    p.add_argument("--soracc-arg", action="append", default=[],
                   help="another soracc argument (repeatable), e.g. --tuning-db=F")
    p.add_argument("--emulator", help="command prefix for sora-run, e.g. "
                   "\"qemu-aarch64 -L /usr/aarch64-linux-gnu\"")
    p.add_argument("--seed", type=int, default=0, help="seed of weights and inputs")
    p.add_argument("--tolerance", type=float, default=1e-5)
    p.add_argument("--precision", choices=["float32", "float64"], default="float32",
                   help="precision of the PyTorch reference (default float32)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per tool run")
    p.add_argument("--max-sequence", type=int,
                   help="compile with soracc --max-sequence N and run --sequences")
    p.add_argument("--sequences", type=lambda v: [int(t) for t in v.split(",")],
                   help="counts of tokens to run with --max-sequence, e.g. 1,5,8 (default N)")
    return p.parse_args(argv)


def main(argv=None):
    """Compiles, runs and compares; returns the exit status."""
    args = parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    commands = []
    try:
        model = load_model(args, workdir)
        if args.max_sequence:
            args.soracc_arg.append(f"--max-sequence={args.max_sequence}")
        weights, so_path, printable = compile_model(args, model, workdir)
        commands.append(printable)
        rng = np.random.default_rng(args.seed)
        failures = []
        runs = [(model, trial) for trial in range(args.trials)]
        if args.max_sequence:
            runs = [(with_sequence(model, tokens), f"{trial}-{tokens}tokens")
                    for tokens in args.sequences or [args.max_sequence]
                    for trial in range(args.trials)]
        for run_model, trial in runs:
            trial_failures, printable = check_trial(args, run_model, weights, so_path, trial,
                                                    rng)
            failures += trial_failures
            if trial_failures:
                commands.append(printable)
        if failures:
            raise CheckFailure("\n".join(failures))
    except (CheckFailure, ref.ModelError, OSError, ValueError) as err:
        print(f"FAILED: {args.model}\n{err}", file=sys.stderr)
        if commands:
            print("commands run:\n  " + "\n  ".join(commands), file=sys.stderr)
        print(f"inputs, outputs and reference outputs are under {workdir}", file=sys.stderr)
        return 1
    print(f"PASSED: {args.model} ({args.trials} trials)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
