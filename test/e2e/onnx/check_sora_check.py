#!/usr/bin/python3
"""sora-check on ONNX models: every node output against ONNX Runtime.

  1. A conv net whose BatchNormalization the importer folds into the conv:
     every other node is a row, in node order, and all match.
  2. A planted fault: soracc compiles the net with the Gemm's bias 0.01 off,
     ONNX Runtime runs the original (--reference-model). The Gemm is named
     the first divergence; the rows before it match.
  3. An LSTM whose final cell state Y_c soracc does not output: that value
     is reported as not checked, the others are compared.

Exits 1 with the transcript on any failure.
"""

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper as h, numpy_helper as nh

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE))
from onnx_graphs import _f32, _model  # noqa: E402


def conv_net(rng):
    nodes = [
        h.make_node("Conv", ["x", "w", "b"], ["c"], "conv", pads=[1, 1, 1, 1]),
        h.make_node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["bn"], "bn"),
        h.make_node("Relu", ["bn"], ["r"], "relu"),
        h.make_node("GlobalAveragePool", ["r"], ["g"], "gap"),
        h.make_node("Flatten", ["g"], ["f"], "flat"),
        h.make_node("Gemm", ["f", "wg", "bg"], ["logits"], "fc", transB=1),
        h.make_node("Softmax", ["logits"], ["y"], "probs"),
    ]
    inits = [_f32(rng, "w", [8, 3, 3, 3], 0.3), _f32(rng, "b", [8]),
             _f32(rng, "gamma", [8], 0.1, 1.0), _f32(rng, "beta", [8]),
             _f32(rng, "mean", [8]),
             nh.from_array(rng.uniform(0.5, 1.5, 8).astype(np.float32), "var"),
             _f32(rng, "wg", [5, 8]), _f32(rng, "bg", [5])]
    return _model("conv_net", nodes, [1, 3, 8, 8], ["y"], inits)


def lstm_net(rng):
    nodes = [
        h.make_node("LSTM", ["x", "w", "r", "b"], ["seq", "yh", "yc"], "lstm", hidden_size=4),
        h.make_node("Relu", ["yh"], ["y"], "relu"),
    ]
    inits = [_f32(rng, "w", [1, 16, 3], 0.5), _f32(rng, "r", [1, 16, 4], 0.5),
             _f32(rng, "b", [1, 32], 0.1)]
    return _model("lstm_net", nodes, [5, 1, 3], ["y"], inits)


def sora_check(args, *arguments):
    command = [sys.executable, str(REPO / "tools" / "sora-check" / "sora-check"),
               "--tools-dir", args.tools_dir, "--node", args.node, *map(str, arguments)]
    result = subprocess.run(command, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def rows(transcript):
    """The first column of the table's rows."""
    lines = transcript.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("particle "))
    return [line.split()[0] for line in lines[start + 1:]
            if line and not line.startswith(("every ", "first divergence"))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tools-dir", required=True)
    parser.add_argument("--node", default="node")
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    failures = []

    def expect(what, condition, transcript):
        print(f"{'ok  ' if condition else 'FAIL'} {what}")
        if not condition:
            failures.append(f"{what}:\n{transcript}")

    good = conv_net(rng)
    onnx.save(good, str(work / "conv_net.onnx"))
    code, out = sora_check(args, work / "conv_net.onnx")
    expect("conv net: every node output matches", code == 0 and
           "every particle matches ONNX Runtime within 0.0001" in out, out)
    expect("conv net: one row per node the importer keeps, in node order",
           code == 0 and rows(out) == ["conv", "relu", "gap", "flat", "fc", "probs"], out)

    bad = onnx.ModelProto()
    bad.CopyFrom(good)
    bias = next(t for t in bad.graph.initializer if t.name == "bg")
    bias.CopyFrom(nh.from_array(nh.to_array(bias) + np.float32(0.01), "bg"))
    onnx.save(bad, str(work / "conv_net_bad.onnx"))
    code, out = sora_check(args, work / "conv_net_bad.onnx",
                           "--reference-model", work / "conv_net.onnx")
    lines = out.splitlines()
    before = [line for line in lines if line.split()[:1] in (["conv"], ["relu"], ["gap"],
                                                             ["flat"])]
    expect("planted fault: the Gemm is the first divergence", code == 1 and any(
        line.startswith("fc ") and line.endswith("<-- first divergence") for line in lines)
        and "first divergence: particle 'fc' (Gemm (dense))" in out, out)
    expect("planted fault: the nodes before it match",
           len(before) == 4 and not any(line.endswith("!") for line in before), out)

    onnx.save(lstm_net(rng), str(work / "lstm_net.onnx"))
    code, out = sora_check(args, work / "lstm_net.onnx")
    expect("LSTM: Y_c is reported as not checked, the rest match", code == 0 and
           "not checked: lstm:2 (LSTM) output 'yc': soracc does not output it" in out and
           rows(out) == ["lstm:0", "lstm:1", "relu"], out)

    for failure in failures:
        print(f"\n--- {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
