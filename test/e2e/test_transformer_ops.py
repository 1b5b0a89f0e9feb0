#!/usr/bin/python3
"""Self-checks of the Transformer particles of the reference (transformer_ops.py).

The reference is the oracle of the end-to-end tests: here its attention is
compared with torch.nn.MultiheadAttention modules loaded with the same
weights (our [in, out] layouts transposed into PyTorch's), its feed-forward
block with nn.Linear layers, and its sinusoid table with the formula of
docs/model-format.md evaluated in plain Python.
"""

import math
import sys
import unittest
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference_ops  # noqa: E402,F401  (registers transformer_ops)
import transformer_ops as tops  # noqa: E402


def random_weights(op, particle, shapes, seed=0):
    """{suffix: tensor} drawn with the op's own initialisers."""
    g = torch.Generator().manual_seed(seed)
    return {k: init(shape, g) for k, (shape, init) in op.parameters(particle, shapes).items()}


class AttentionMatchesModule(unittest.TestCase):
    def module_for(self, particle, w, dim):
        """nn.MultiheadAttention holding the reference's weights."""
        mha = torch.nn.MultiheadAttention(dim, particle["heads"], batch_first=True).eval()
        with torch.no_grad():
            if particle.get("fused_qkv"):
                mha.in_proj_weight.copy_(w["qkv_kernel"].t())
                mha.in_proj_bias.copy_(w["qkv_bias"])
            else:
                mha.in_proj_weight.copy_(torch.cat([w[f"{n}_kernel"].t() for n in "qkv"]))
                mha.in_proj_bias.copy_(torch.cat([w[f"{n}_bias"] for n in "qkv"]))
            mha.out_proj.weight.copy_(w["out_kernel"].t())
            mha.out_proj.bias.copy_(w["out_bias"])
        return mha

    def check(self, particle, with_mask):
        op = tops.OPS["multi_head_attention"]
        x = torch.randn(2, 5, 12, generator=torch.Generator().manual_seed(3))
        keep = torch.tensor([[1, 1, 0, 1, 0], [1, 0, 1, 1, 1]], dtype=torch.float32)
        shapes = [tuple(x.shape)] + ([tuple(keep.shape)] if with_mask else [])
        w = random_weights(op, particle, shapes)
        ours = op.run(particle, [x, keep] if with_mask else [x], w.__getitem__)
        seq = x.shape[1]
        causal = torch.ones(seq, seq, dtype=torch.bool).triu(1) if particle.get("causal") else None
        with torch.no_grad():
            want = self.module_for(particle, w, 12)(
                x, x, x, need_weights=False, attn_mask=causal,
                key_padding_mask=(keep == 0) if with_mask else None)[0]
        torch.testing.assert_close(ours, want, rtol=1e-5, atol=1e-6)

    def test_separate_causal(self):
        self.check({"name": "a", "heads": 3, "causal": True}, with_mask=False)

    def test_fused_masked(self):
        self.check({"name": "a", "heads": 2, "fused_qkv": True}, with_mask=True)

    def test_causal_and_mask(self):
        self.check({"name": "a", "heads": 4, "causal": True}, with_mask=True)

    def test_by_heads_matches_module(self):
        # The torch-ops form used when heads * head_dim != dim, on a case
        # the module can check.
        particle = {"name": "a", "heads": 3, "causal": True, "fused_qkv": True}
        op = tops.OPS["multi_head_attention"]
        x = torch.randn(2, 5, 12, generator=torch.Generator().manual_seed(4))
        keep = torch.tensor([[1, 0, 1, 1, 0], [1, 1, 1, 0, 1]], dtype=torch.float32)
        w = random_weights(op, particle, [tuple(x.shape), tuple(keep.shape)])
        causal = torch.ones(5, 5, dtype=torch.bool).triu(1)
        ours = tops.attention_by_heads(x, w.__getitem__, 3, 4, True, causal, keep == 0)
        want = op.run(particle, [x, keep], w.__getitem__)
        torch.testing.assert_close(ours, want, rtol=1e-5, atol=1e-6)

    def test_mask_inputs(self):
        model = {"inputs": [{"name": "x"}, {"name": "keep"}],
                 "particles": [{"name": "a", "op": "multi_head_attention",
                                "inputs": ["x", "keep"], "heads": 2}]}
        self.assertEqual(tops.mask_inputs(model), {"keep"})


class FeedForwardAndPositions(unittest.TestCase):
    def test_feed_forward_is_two_linears(self):
        op = tops.OPS["feed_forward"]
        particle = {"name": "f", "units": 7, "activation": "gelu_tanh"}
        x = torch.randn(3, 4, 5)
        w = random_weights(op, particle, [tuple(x.shape)])
        want = F.linear(F.gelu(F.linear(x, w["hidden_kernel"].t(), w["hidden_bias"]),
                               approximate="tanh"), w["out_kernel"].t(), w["out_bias"])
        torch.testing.assert_close(op.run(particle, [x], w.__getitem__), want)

    def test_sinusoid_formula(self):
        table = tops.sinusoid_table(6, 5)
        for s in range(6):
            for d in range(5):
                angle = s / 10000 ** ((d - d % 2) / 5)
                want = math.cos(angle) if d % 2 else math.sin(angle)
                self.assertAlmostEqual(float(table[s, d]), want, places=12)

    def test_learned_positions_take_the_first_rows(self):
        op = tops.OPS["positional_encoding"]
        particle = {"name": "p", "kind": "learned", "max_len": 9}
        x = torch.randn(2, 4, 3)
        table = torch.randn(9, 3)
        y = op.run(particle, [x], {"embeddings": table}.__getitem__)
        torch.testing.assert_close(y, x + table[:4])


if __name__ == "__main__":
    unittest.main()
