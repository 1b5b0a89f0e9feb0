"""Analytic floating-point operation counts of a PyTorch module's forward pass
(Debian's torch 1.13 has no FlopCounterMode).

Counts the multiply-adds of the layers that hold nearly all the work, as 2
flops each: Conv2d, Linear, LSTM and MultiheadAttention (its projections and
both attention products). Activations, norms, pooling and softmax are not
counted, so GFLOP/s figures are slight underestimates.
"""

import torch


def _conv2d(m, inputs, out):
    return 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]


def _linear(m, inputs, out):
    return 2 * out.numel() * m.in_features


def _lstm(m, inputs, out):
    x = inputs[0]
    batch, steps = (x.shape[0], x.shape[1]) if m.batch_first else (x.shape[1], x.shape[0])
    gates = 4 * m.hidden_size
    per_step = 2 * gates * (m.input_size + m.hidden_size)
    return (2 if m.bidirectional else 1) * m.num_layers * batch * steps * per_step


def _attention(m, inputs, out):
    q = inputs[0]
    batch, tokens = (q.shape[0], q.shape[1]) if m.batch_first else (q.shape[1], q.shape[0])
    width = m.embed_dim
    projections = 2 * batch * tokens * width * 4 * width  # Q, K, V and the output
    products = 2 * 2 * batch * tokens * tokens * width  # Q·Kᵀ and attention·V
    return projections + products


COUNTERS = {torch.nn.Conv2d: _conv2d, torch.nn.Linear: _linear, torch.nn.LSTM: _lstm,
            torch.nn.MultiheadAttention: _attention}


def count(module, example):
    """Flops of one forward pass of `module` on `example`."""
    total = [0]
    hooks = []
    for m in module.modules():
        counter = COUNTERS.get(type(m))
        if counter is not None:
            hooks.append(m.register_forward_hook(
                lambda m, i, o, counter=counter: total.__setitem__(0, total[0] + counter(m, i, o))))
    try:
        # Gradients on: torch's fused inference fast paths (TransformerEncoderLayer)
        # skip the submodules' forward hooks.
        with torch.enable_grad():
            module(example)
    finally:
        for h in hooks:
            h.remove()
    return total[0]
