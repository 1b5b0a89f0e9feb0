"""Transformer particles for the PyTorch reference (see reference_ops.py).

multi_head_attention runs torch.nn.functional.multi_head_attention_forward
(the function behind nn.MultiheadAttention) on our weights: the kernels are
[in, out], PyTorch's projections [out, in]. With heads * head_dim != dim,
which nn.MultiheadAttention cannot express, it runs the same computation
written with torch ops per head (checked against the module in
test_transformer_ops.py). feed_forward is F.linear,
activation, F.linear; the sinusoidal positional_encoding is built like the
PyTorch tutorial's PositionalEncoding module, the learned one is an
nn.Embedding of the positions.
"""

import math

import torch
import torch.nn.functional as F

from reference_ops import Op, _fail

FFN_ACTIVATIONS = {
    "relu": F.relu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}


def _linear_init(fan_in):
    """nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / math.sqrt(fan_in)
    return lambda shape, g: torch.empty(shape).uniform_(-bound, bound, generator=g)


def _attention_sizes(p, shapes):
    x = shapes[0]
    if len(x) != 3:
        _fail(p, f"multi_head_attention expects [batch, seq, dim], got {list(x)}")
    dim, heads = x[2], p["heads"]
    head_dim = p.get("head_dim", dim // heads)
    return dim, heads, heads * head_dim


def _attention_params(p, shapes):
    dim, _, inner = _attention_sizes(p, shapes)
    init = _linear_init(dim)
    params = {}
    projections = ["qkv"] if p.get("fused_qkv", False) else ["q", "k", "v"]
    for name in projections:
        width = 3 * inner if name == "qkv" else inner
        params[f"{name}_kernel"] = ((dim, width), init)
        params[f"{name}_bias"] = ((width,), init)
    params["out_kernel"] = ((inner, dim), _linear_init(inner))
    params["out_bias"] = ((dim,), _linear_init(inner))
    return params


def _attention(p, xs, w):
    """Self-attention of [B, S, D] inputs through F.multi_head_attention_forward."""
    x = xs[0]
    if x.dim() != 3:
        _fail(p, f"multi_head_attention expects [batch, seq, dim], got {list(x.shape)}")
    batch, seq, dim = x.shape
    heads = p["heads"]
    inner = heads * p.get("head_dim", dim // heads)
    if x.device.type == "meta":
        return torch.empty(x.shape, device="meta")
    causal = None
    if p.get("causal", False):
        causal = torch.ones(seq, seq, dtype=torch.bool).triu(1)  # True: not attended
    padding = (xs[1] == 0) if len(xs) > 1 else None  # True: key ignored
    if inner != dim:  # no nn.MultiheadAttention for that: torch ops per head
        return attention_by_heads(x, w, heads, inner // heads, p.get("fused_qkv", False),
                                  causal, padding)
    if p.get("fused_qkv", False):
        proj = dict(in_proj_weight=w("qkv_kernel").t(), in_proj_bias=w("qkv_bias"))
    else:
        proj = dict(in_proj_weight=None,
                    in_proj_bias=torch.cat([w("q_bias"), w("k_bias"), w("v_bias")]),
                    use_separate_proj_weight=True, q_proj_weight=w("q_kernel").t(),
                    k_proj_weight=w("k_kernel").t(), v_proj_weight=w("v_kernel").t())
    seq_first = x.transpose(0, 1)  # [S, B, D]
    y, _ = F.multi_head_attention_forward(
        seq_first, seq_first, seq_first, dim, heads, bias_k=None, bias_v=None,
        add_zero_attn=False, dropout_p=0.0, out_proj_weight=w("out_kernel").t(),
        out_proj_bias=w("out_bias"), training=False, key_padding_mask=padding,
        need_weights=False, attn_mask=causal, **proj)
    return y.transpose(0, 1)


def attention_by_heads(x, w, heads, head_dim, fused, causal, padding):
    """Self-attention written with torch ops (for heads * head_dim != dim):
    softmax(q_h k_h^T / sqrt(head_dim), masked with -inf) v_h per head."""
    batch, seq, _ = x.shape
    if fused:
        q, k, v = F.linear(x, w("qkv_kernel").t(), w("qkv_bias")).chunk(3, dim=-1)
    else:
        q, k, v = (F.linear(x, w(f"{n}_kernel").t(), w(f"{n}_bias")) for n in "qkv")
    q, k, v = (t.reshape(batch, seq, heads, head_dim).transpose(1, 2) for t in (q, k, v))
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(head_dim)
    if causal is not None:
        scores = scores.masked_fill(causal, float("-inf"))
    if padding is not None:
        scores = scores.masked_fill(padding[:, None, None, :], float("-inf"))
    context = torch.matmul(F.softmax(scores, dim=-1), v)
    context = context.transpose(1, 2).reshape(batch, seq, heads * head_dim)
    return F.linear(context, w("out_kernel").t(), w("out_bias"))


def _feed_forward_params(p, shapes):
    dim, units = shapes[0][-1], p["units"]
    return {"hidden_kernel": ((dim, units), _linear_init(dim)),
            "hidden_bias": ((units,), _linear_init(dim)),
            "out_kernel": ((units, dim), _linear_init(units)),
            "out_bias": ((dim,), _linear_init(units))}


def _feed_forward(p, xs, w):
    activation = p.get("activation", "relu")
    if activation not in FFN_ACTIVATIONS:
        _fail(p, f"unknown activation {activation!r}")
    h = FFN_ACTIVATIONS[activation](F.linear(xs[0], w("hidden_kernel").t(), w("hidden_bias")))
    return F.linear(h, w("out_kernel").t(), w("out_bias"))


def sinusoid_table(seq, dim):
    """The PyTorch tutorial's PositionalEncoding buffer, [seq, dim]."""
    position = torch.arange(seq, dtype=torch.float64).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64)
                         * (-math.log(10000.0) / dim))
    pe = torch.zeros(seq, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)[:, : dim // 2]
    return pe


def _positional_params(p, shapes):
    if p.get("kind", "sinusoidal") != "learned":
        return {}
    x = shapes[0]
    # nn.Embedding draws N(0, 1).
    return {"embeddings": ((p.get("max_len", x[-2]), x[-1]),
                           lambda shape, g: torch.empty(shape).normal_(generator=g))}


def _positional_encoding(p, xs, w):
    x = xs[0]
    if x.dim() < 2:
        _fail(p, f"positional_encoding expects [..., seq, dim], got {list(x.shape)}")
    seq, dim = x.shape[-2], x.shape[-1]
    if p.get("kind", "sinusoidal") == "learned":
        table = w("embeddings")
        if table.shape[0] < seq:
            _fail(p, f"max_len {table.shape[0]} is shorter than the sequence {seq}")
        if x.device.type == "meta":
            return torch.empty(x.shape, device="meta")
        return x + F.embedding(torch.arange(seq), table)
    if x.device.type == "meta":
        return torch.empty(x.shape, device="meta")
    return x + sinusoid_table(seq, dim).to(x.dtype)


OPS = {
    "multi_head_attention": Op(_attention, arity="variadic", params=_attention_params),
    "feed_forward": Op(_feed_forward, params=_feed_forward_params),
    "positional_encoding": Op(_positional_encoding, params=_positional_params),
}


def mask_inputs(model):
    """Model inputs that a multi_head_attention reads as its padding mask:
    their values must be 0 (masked) or 1 (kept)."""
    inputs = {i["name"] for i in model["inputs"]}
    return {p["inputs"][1] for p in model["particles"]
            if p["op"] == "multi_head_attention" and len(p.get("inputs", [])) > 1
            and p["inputs"][1] in inputs}
