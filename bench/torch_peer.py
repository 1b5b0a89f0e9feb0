#!/usr/bin/python3
"""PyTorch as a benchmark peer: the same model, written the way a PyTorch user
would (NCHW modules), timed eagerly and as a frozen TorchScript module.

Only for timing: numerics are checked by test/e2e against torch_reference.py.
"""

import time

import numpy as np
import torch
import torch.nn.functional as F


class GraphModule(torch.nn.Module):
    """A particle graph as a torch Module, NCHW inside, PyTorch's default
    initialisation. Layers are sized by running an example input once."""

    def __init__(self, model, example):
        super().__init__()
        self.model = model
        self.layers = torch.nn.ModuleDict()
        with torch.no_grad():
            self._run(example, build=True)

    def forward(self, x):
        return self._run(x, build=False)

    def _run(self, x, build):
        values = {self.model["inputs"][0]["name"]: x}
        for p in self.model["particles"]:
            name, op = p["name"], p["op"]
            v = values[p["input"]]
            if op == "dense":
                if build:
                    self.layers[name] = torch.nn.Linear(
                        v.shape[-1], p["units"], bias=p.get("use_bias", True))
                v = self.layers[name](v)
            elif op == "conv2d":
                if build:
                    self.layers[name] = torch.nn.Conv2d(
                        v.shape[1], p["filters"], p["kernel"], stride=p.get("strides", 1),
                        padding="same" if p.get("padding") == "same" else 0,
                        bias=p.get("use_bias", True))
                v = self.layers[name](v)
            elif op in ("max_pool2d", "avg_pool2d"):
                v = getattr(F, op)(v, p["pool"], p.get("strides"))
            elif op == "flatten":
                v = torch.flatten(v, 1)
            elif op == "softmax":
                v = F.softmax(v, dim=-1)
            elif op in ("relu", "sigmoid", "tanh"):
                v = getattr(torch, op)(v)
            else:
                raise ValueError(f"torch_peer does not time op '{op}'")
            act = p.get("activation", "none")
            if act != "none":
                v = F.softmax(v, dim=-1) if act == "softmax" else getattr(torch, act)(v)
            values[name] = v
        return tuple(values[o] for o in self.model["outputs"])


def nchw_shape(shape):
    """The PyTorch-style input shape for an NHWC model input."""
    return [shape[0], shape[3], shape[1], shape[2]] if len(shape) == 4 else shape


def time_calls(fn, runs, warmup):
    """Median, p10 and p90 of `runs` calls in microseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1000.0)
    samples.sort()
    return {"median_us": samples[len(samples) // 2],
            "p10_us": samples[len(samples) // 10],
            "p90_us": samples[(len(samples) * 9) // 10], "n": runs}


def bench(model, threads, runs=2000):
    """Eager and TorchScript latency of `model` at `threads` threads."""
    torch.set_num_threads(threads)
    shape = model["inputs"][0]["shape"]
    x = torch.from_numpy(np.random.default_rng(0).standard_normal(
        nchw_shape(shape)).astype(np.float32))
    with torch.no_grad():
        module = GraphModule(model, x).eval()
        eager = time_calls(lambda: module(x), runs, runs // 10)
        scripted = torch.jit.optimize_for_inference(
            torch.jit.freeze(torch.jit.trace(module, (x,)).eval()))
        script = time_calls(lambda: scripted(x), runs, runs // 10)
    return {"eager": eager, "torchscript": script}
