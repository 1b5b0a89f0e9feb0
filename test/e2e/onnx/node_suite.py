#!/usr/bin/python3
"""e2e.onnx_node_suite: the ONNX project's backend node tests, as a report.

The cases come from Debian's python3-onnx (onnx.backend.test.case.node):
every node case (not the `_expanded` function expansions) whose outputs are
all float32. Each is one ONNX node with its inputs and expected outputs.
soracc compiles a model once, with constant weights, so:
  - integer and boolean inputs (shapes, axes, pads, indices) become
    initializers, as an exported model has them;
  - a float input that soracc reports "must be a constant" (Conv weights,
    Gemm's B, Clip's bounds, Resize's scales...) becomes one on a second
    attempt.
The other inputs are fed to sora-run, and every output must match as the
ONNX backend test checks it: |ours - expected| <= atol + rtol * |expected|
(rtol 1e-3, atol 1e-7), NaN where NaN is expected.

Prints pass/fail per operator and the reason of each failure (the first
line of soracc's diagnostic, or the mismatch). Fails only if a case listed
in node_suite_passes.txt (the cases that passed before) fails now; a case
that passes but is not listed is reported, and `--update` rewrites the list.

`--target T` compiles for T; for a GPU target every PTX module must also
assemble for sm_90 (scripts/check_ptx.py), and `--compile-only` stops there
(a machine without a GPU; the listed cases must all compile for it).
"""

import argparse
import collections
import multiprocessing
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

# onnx 1.12's test cases use aliases NumPy has since removed.
for _alias, _type in [("float", float), ("int", int), ("bool", bool), ("object", object)]:
    if _alias not in np.__dict__:
        setattr(np, _alias, _type)

import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSES = HERE / "node_suite_passes.txt"
CHECK_PTX = HERE.parent.parent.parent / "scripts" / "check_ptx.py"
CONSTANT_HINT = "must be a constant"


def collect():
    """The float32-output node cases, by name (first of duplicates)."""
    from onnx.backend.test.case.node import collect_testcases
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases("")
    chosen = {}
    for case in cases:
        outputs = case.model.graph.output
        if (case.kind == "node" and not case.name.endswith("_expanded")
                and all(o.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
                        for o in outputs)
                and case.name not in chosen):
            chosen[case.name] = case
    return chosen


def with_initializers(model, values, names):
    """A copy of `model` whose inputs `names` are initializers of `values`."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    kept = [i for i in model.graph.input if i.name not in names]
    declared = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    for name in names:
        tensor = numpy_helper.from_array(values[name], name)
        # The cases hold bfloat16 data as uint16 bits: keep the input's type.
        if (declared[name] == onnx.TensorProto.BFLOAT16
                and values[name].dtype == np.uint16):
            tensor.data_type = onnx.TensorProto.BFLOAT16
        model.graph.initializer.append(tensor)
    del model.graph.input[:]
    model.graph.input.extend(kept)
    return model


def run_case(job):
    """Returns (name, op, None) on a pass, else (name, op, reason)."""
    name, model_bytes, inputs, outputs, soracc, sora_run, workdir, target, compile_only = job
    model = onnx.ModelProto.FromString(model_bytes)
    op = model.graph.node[0].op_type
    work = Path(workdir) / name
    work.mkdir(parents=True, exist_ok=True)
    in_names = [i.name for i in model.graph.input]
    values = dict(zip(in_names, inputs))
    constant = {n for n, v in values.items() if v.dtype != np.float32}
    for attempt in range(2):
        onnx_path, so_path = work / "model.onnx", work / "model.so"
        onnx.save(with_initializers(model, values, constant), onnx_path)
        so_path.unlink(missing_ok=True)
        try:
            proc = subprocess.run([soracc, str(onnx_path), "-o", str(so_path)] +
                                  ([f"--target={target}"] if target else []),
                                  capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return name, op, "soracc timed out"
        if proc.returncode == 0:
            break
        lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        wanted = {n for n in values if n not in constant and
                  any(CONSTANT_HINT in line and f"'{n}'" in line for line in lines)}
        if attempt == 0 and wanted:
            constant |= wanted
            continue
        detail = lines[1] if len(lines) > 1 and lines[0].endswith(":") else \
            (lines[0] if lines else f"exit {proc.returncode}")
        return name, op, "soracc: " + detail.split("error: ")[-1]
    if target and target.startswith("cuda"):
        proc = subprocess.run([sys.executable, str(CHECK_PTX), str(so_path)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            return name, op, "PTX: " + " ".join(proc.stdout.split())[:200]
    if compile_only:
        return name, op, None
    cmd = [sora_run, str(so_path), "-o", str(work / "out"), "--threads", "2"]
    for n, v in values.items():
        if n not in constant:
            np.save(work / f"in_{n}.npy", v)
            cmd += ["-i", f"{n}={work / f'in_{n}.npy'}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return name, op, "sora-run timed out"
    if proc.returncode != 0:
        return name, op, f"sora-run exit {proc.returncode}: {proc.stderr.strip()[:200]}"
    for out, want in zip(model.graph.output, outputs):
        path = work / "out" / f"{out.name}.npy"
        if not path.is_file():
            return name, op, f"no output '{out.name}'"
        ours = np.load(path)
        if ours.shape != want.shape:
            return name, op, f"output '{out.name}' has shape {list(ours.shape)}, " \
                             f"expected {list(want.shape)}"
        if not np.allclose(ours, want, rtol=1e-3, atol=1e-7, equal_nan=True):
            err = np.max(np.abs(ours.astype(np.float64) - want))
            return name, op, f"output '{out.name}' differs (max abs error {err:.3g})"
    return name, op, None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--soracc", required=True)
    parser.add_argument("--sora-run", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--update", action="store_true",
                        help="rewrite node_suite_passes.txt with today's passes")
    parser.add_argument("--target", help="soracc --target (default: the host)")
    parser.add_argument("--compile-only", action="store_true",
                        help="only compile (and check PTX): the listed cases")
    parser.add_argument("cases", nargs="*", help="only these cases")
    args = parser.parse_args(argv)
    cases = collect()
    expected = set(PASSES.read_text().split()) if PASSES.is_file() else set()
    names = sorted(n for n in cases if (not args.cases or n in args.cases)
                   and (not args.compile_only or n in expected))
    jobs = [(n, cases[n].model.SerializeToString(), list(cases[n].data_sets[0][0]),
             list(cases[n].data_sets[0][1]), args.soracc, args.sora_run, args.workdir,
             args.target, args.compile_only)
            for n in names]
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(run_case, jobs, chunksize=4)

    by_op = collections.defaultdict(list)
    for name, op, reason in results:
        by_op[op].append((name, reason))
    passed = {name for name, _, reason in results if reason is None}
    full = 0
    print("| operator | passed | failures |\n| --- | --- | --- |")
    for op in sorted(by_op):
        entries = by_op[op]
        ok = sum(reason is None for _, reason in entries)
        full += ok == len(entries)
        reasons = collections.Counter(r for _, r in entries if r is not None)
        why = "; ".join(f"{r} (×{k})" if k > 1 else r for r, k in reasons.most_common(2))
        print(f"| {op} | {ok}/{len(entries)} | {why} |")
    print(f"\n{len(passed)} of {len(results)} cases pass; {full} of {len(by_op)} "
          f"operators pass every case")

    if args.update and (args.target or args.compile_only):
        parser.error("--update records host runs only")
    if args.update:
        PASSES.write_text("".join(f"{n}\n" for n in sorted(passed)))
        print(f"wrote {PASSES} ({len(passed)} cases)")
        return 0
    regressed = sorted((expected & set(names)) - passed)
    new = sorted(passed - expected)
    if new:
        print(f"\n{len(new)} cases pass that {PASSES.name} does not list (run with "
              f"--update): {' '.join(new)}")
    if regressed:
        reasons = {name: reason for name, _, reason in results}
        print("\nREGRESSED (listed as passing):")
        for name in regressed:
            print(f"  {name}: {reasons[name]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
