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
            op = p["op"]
            name = p["name"].replace(".", "_")  # composite instances: b1.conv
            v = values[p["inputs"][0] if "inputs" in p else p["input"]]
            if op == "dense":
                if build:
                    self.layers[name] = torch.nn.Linear(
                        v.shape[-1], p["units"], bias=p.get("use_bias", True))
                v = self.layers[name](v)
            elif op == "conv2d":
                if build:
                    self.layers[name] = torch.nn.Conv2d(
                        v.shape[1], p["filters"], p["kernel"], stride=p.get("strides", 1),
                        padding=_conv_padding(p.get("padding", "valid"), p.get("strides", 1)),
                        bias=p.get("use_bias", True))
                v = self.layers[name](v)
            elif op == "batch_norm":
                if build:  # eval-mode BatchNorm2d with non-trivial statistics
                    bn = torch.nn.BatchNorm2d(v.shape[1], eps=p.get("epsilon", 1e-5))
                    bn.running_mean.uniform_(-0.5, 0.5)
                    bn.running_var.uniform_(0.5, 1.5)
                    self.layers[name] = bn.eval()
                v = self.layers[name](v)
            elif op == "add":
                v = v + values[p["inputs"][1]]
            elif op == "_alias":  # a composite's output (torch_reference)
                pass
            elif op in ("max_pool2d", "avg_pool2d"):
                v = getattr(F, op)(v, p["pool"], p.get("strides"))
            elif op == "flatten":
                v = torch.flatten(v, 1)
            elif op == "softmax":
                v = F.softmax(v, dim=-1)
            elif op in ("relu", "sigmoid", "tanh"):
                v = getattr(torch, op)(v)
            elif op == "embedding":
                if build:
                    self.layers[name] = torch.nn.Embedding(p["input_dim"], p["output_dim"])
                v = self.layers[name](v.long())
            elif op == "lstm":
                if build:
                    self.layers[name] = torch.nn.LSTM(
                        v.shape[-1], p["units"], batch_first=True,
                        bidirectional=p.get("bidirectional", False))
                y, (h_n, _) = self.layers[name](v)
                # The sequence, or the final h of each direction side by side.
                v = y if p.get("return_sequences", False) else torch.cat(list(h_n), dim=-1)
            elif op in TRANSFORMER_OPS:
                values[p["name"]] = self._transformer(p, name, v, values, build)
                continue
            else:
                raise ValueError(f"torch_peer does not time op '{op}'")
            act = p.get("activation", "none")
            if act != "none":
                v = F.softmax(v, dim=-1) if act == "softmax" else getattr(torch, act)(v)
            values[p["name"]] = v
        return tuple(values[o] for o in self.model["outputs"])


    def _transformer(self, p, name, v, values, build):
        """layer_norm and the Transformer particles as PyTorch modules."""
        op = p["op"]
        if op == "layer_norm":
            if build:
                self.layers[name] = torch.nn.LayerNorm(v.shape[-1], eps=p.get("epsilon", 1e-5))
            return self.layers[name](v)
        if op == "multi_head_attention":
            if build:
                self.layers[name] = torch.nn.MultiheadAttention(
                    v.shape[-1], p["heads"], batch_first=True)
            seq = v.shape[1]
            causal = (torch.ones(seq, seq, dtype=torch.bool).triu(1)
                      if p.get("causal", False) else None)
            return self.layers[name](v, v, v, need_weights=False, attn_mask=causal)[0]
        if op == "feed_forward":
            if build:
                act = {"relu": torch.nn.ReLU(), "gelu": torch.nn.GELU()}[p.get("activation", "relu")]
                self.layers[name] = torch.nn.Sequential(
                    torch.nn.Linear(v.shape[-1], p["units"]), act,
                    torch.nn.Linear(p["units"], v.shape[-1]))
            return self.layers[name](v)
        raise ValueError(f"torch_peer does not time op '{op}'")


# Particles timed by GraphModule._transformer.
TRANSFORMER_OPS = {"layer_norm", "multi_head_attention", "feed_forward"}


def _conv_padding(padding, strides):
    """nn.Conv2d's padding for a particle's: "same" (stride 1), symmetric
    [top, left, bottom, right] as (ph, pw), or 0 for "valid"."""
    if padding == "same" and strides in (1, [1, 1]):
        return "same"
    if isinstance(padding, list) and padding[:2] == padding[2:]:
        return tuple(padding[:2])
    if padding != "valid":
        raise ValueError(f"torch_peer does not time padding {padding!r}")
    return 0


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
    rng = np.random.default_rng(0)
    ids = [p["input_dim"] for p in model["particles"]
           if p["op"] == "embedding" and p["input"] == model["inputs"][0]["name"]]
    if ids:  # token ids for an embedding
        x = torch.from_numpy(rng.integers(0, min(ids), shape).astype(np.float32))
    else:
        x = torch.from_numpy(rng.standard_normal(nchw_shape(shape)).astype(np.float32))
    with torch.no_grad():
        module = GraphModule(model, x).eval()
        eager = time_calls(lambda: module(x), runs, runs // 10)
        scripted = torch.jit.optimize_for_inference(
            torch.jit.freeze(torch.jit.trace(module, (x,)).eval()))
        script = time_calls(lambda: scripted(x), runs, runs // 10)
    return {"eager": eager, "torchscript": script}
