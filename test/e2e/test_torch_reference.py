#!/usr/bin/python3
"""Self-checks of the PyTorch reference against hand-computed results.

The reference is the oracle of the end-to-end tests, so its Keras padding
rules, pooling semantics, layouts and weight files are checked here against
plain NumPy loops written from docs/model-format.md.
"""

import json
import math
import struct
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import torch_reference as ref  # noqa: E402

MODELS = HERE.parents[1] / "examples" / "models"


def one_particle_model(input_shape, **particle):
    """A model with one input 'x' and one particle 'p', its output."""
    return {"sora": 1, "name": "t", "outputs": ["p"],
            "inputs": [{"name": "x", "shape": list(input_shape), "dtype": "f32"}],
            "particles": [dict(name="p", input="x", **particle)]}


def keras_same(size, kernel, stride, dilation=1):
    """(out, pad_before) of Keras 'same' padding, written from the spec."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return out, total // 2


def numpy_conv2d(x, w, b, strides, dilation, geometry):
    """Direct NHWC convolution; geometry = ((oh, top), (ow, left))."""
    (oh, top), (ow, left) = geometry
    kh, kw, _, filters = w.shape
    y = np.zeros((x.shape[0], oh, ow, filters))
    for i in range(oh):
        for j in range(ow):
            for di in range(kh):
                for dj in range(kw):
                    r = i * strides[0] - top + di * dilation[0]
                    c = j * strides[1] - left + dj * dilation[1]
                    if 0 <= r < x.shape[1] and 0 <= c < x.shape[2]:
                        y[:, i, j, :] += x[:, r, c, :] @ w[di, dj]
    return y + b


def numpy_pool2d(x, pool, strides, geometry, reduce):
    """Direct NHWC pooling over the in-range cells of each window."""
    (oh, top), (ow, left) = geometry
    y = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            window = x[:, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1], :]
            y[:, i, j, :] = reduce(window, axis=(1, 2))
    return y


class TorchReferenceTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(7)

    def run_one(self, model, x, weights=None):
        """Output "p" of a one-particle model, computed in float64."""
        return ref.run(model, weights or {}, {"x": x.astype(np.float32)}, torch.float64)["p"]

    def test_perceptron_is_sigmoid_8(self):
        model = ref.load_model(MODELS / "perceptron.json")
        out = ref.run(model, ref.load_weights(model), {"x": np.array([[2, 3]], np.float32)})
        self.assertEqual(out["y"].shape, (1, 1))
        self.assertAlmostEqual(float(out["y"][0, 0]), 0.999665, places=6)
        self.assertAlmostEqual(float(out["y"][0, 0]), 1 / (1 + math.exp(-8)), places=7)

    def test_keras_same_geometry_is_asymmetric(self):
        # 7 rows, kernel 4, stride 2: out 4, total pad 3 -> 1 before, 2 after.
        self.assertEqual(ref.window_geometry(7, 4, 2, 1, "same"), (4, 1, 2))
        self.assertEqual(ref.window_geometry(6, 3, 2, 1, "same"), (3, 0, 1))
        self.assertEqual(ref.window_geometry(9, 3, 1, 2, "same"), (9, 2, 2))
        self.assertEqual(ref.window_geometry(7, 4, 2, 1, "valid"), (2, 0, 0))

    def test_conv2d_against_numpy_loops(self):
        cases = [  # (input HWC, kernel, strides, dilation, padding)
            ((7, 6, 3), (4, 3), (2, 2), (1, 1), "same"),
            ((9, 8, 2), (3, 3), (2, 1), (2, 2), "same"),
            ((8, 7, 2), (3, 2), (2, 3), (1, 1), "valid"),
        ]
        for hwc, kernel, strides, dilation, padding in cases:
            with self.subTest(hwc=hwc, kernel=kernel, strides=strides, padding=padding):
                x = self.rng.standard_normal((2, *hwc)).astype(np.float32)
                w = self.rng.standard_normal((*kernel, hwc[2], 5)).astype(np.float32)
                b = self.rng.standard_normal(5).astype(np.float32)
                model = one_particle_model(x.shape, op="conv2d", filters=5,
                                           kernel=list(kernel), strides=list(strides),
                                           dilation_rate=list(dilation), padding=padding)
                if padding == "same":
                    geometry = [keras_same(hwc[i], kernel[i], strides[i], dilation[i])
                                for i in range(2)]
                else:
                    geometry = [((hwc[i] - (kernel[i] - 1) * dilation[i] - 1) // strides[i] + 1,
                                 0) for i in range(2)]
                want = numpy_conv2d(x, w, b, strides, dilation, geometry)
                got = self.run_one(model, x, {"p.kernel": w, "p.bias": b})
                self.assertEqual(got.shape, want.shape)
                np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)

    def test_avg_pool_same_excludes_padding(self):
        for hw, pool, strides in [((5, 5), (2, 2), (2, 2)), ((6, 5), (3, 2), (2, 1))]:
            with self.subTest(hw=hw, pool=pool, strides=strides):
                model = one_particle_model((1, *hw, 2), op="avg_pool2d", pool=list(pool),
                                           strides=list(strides), padding="same")
                ones = self.run_one(model, np.ones((1, *hw, 2)))
                np.testing.assert_array_equal(ones, 1.0)  # 0.5 if padding counted
                x = self.rng.standard_normal((1, *hw, 2))
                geometry = [keras_same(hw[i], pool[i], strides[i]) for i in range(2)]
                want = numpy_pool2d(x.astype(np.float32), pool, strides, geometry, np.mean)
                np.testing.assert_allclose(self.run_one(model, x), want, rtol=0, atol=1e-6)

    def test_max_pool_same_ignores_padding(self):
        model = one_particle_model((1, 5, 5, 3), op="max_pool2d", pool=2, padding="same")
        x = -1 - np.abs(self.rng.standard_normal((1, 5, 5, 3)))  # all < 0: a 0 pad would win
        geometry = [keras_same(5, 2, 2)] * 2
        want = numpy_pool2d(x.astype(np.float32), (2, 2), (2, 2), geometry, np.max)
        got = self.run_one(model, x)
        self.assertTrue(np.all(got < 0))
        np.testing.assert_array_equal(got, want)

    def test_flatten_is_nhwc_row_major(self):
        model = one_particle_model((2, 3, 4, 5), op="flatten")
        x = np.arange(120.0).reshape(2, 3, 4, 5)
        np.testing.assert_array_equal(self.run_one(model, x), x.reshape(2, 60))

    def test_reshape_and_broadcasting(self):
        model = {"sora": 1, "name": "t", "outputs": ["s", "m"],
                 "inputs": [{"name": "a", "shape": [2, 6]}, {"name": "b", "shape": [1, 3]}],
                 "particles": [  # listed before their operands: resolved by name
                     {"name": "s", "op": "add", "inputs": ["r", "b"]},
                     {"name": "m", "op": "mul", "inputs": ["b", "r"]},
                     {"name": "r", "op": "reshape", "input": "a", "shape": [4, -1]}]}
        a = self.rng.standard_normal((2, 6)).astype(np.float32)
        b = self.rng.standard_normal((1, 3)).astype(np.float32)
        out = ref.run(model, {}, {"a": a, "b": b})
        np.testing.assert_allclose(out["s"], a.reshape(4, 3) + b, rtol=1e-6)
        np.testing.assert_allclose(out["m"], a.reshape(4, 3) * b, rtol=1e-6)

    def test_cycle_and_unknown_names_are_errors(self):
        model = one_particle_model((1, 2), op="relu")
        model["particles"] = [{"name": "p", "op": "relu", "input": "q"},
                              {"name": "q", "op": "tanh", "input": "p"}]
        with self.assertRaisesRegex(ref.ModelError, "cycle"):
            ref.topological_order(model)
        model["particles"][1]["input"] = "nowhere"
        with self.assertRaisesRegex(ref.ModelError, "unknown input 'nowhere'"):
            ref.topological_order(model)

    def test_init_weights_match_torch_default_init(self):
        model = ref.load_model(MODELS / "mnist_cnn.json")
        weights = ref.init_weights(model, seed=3)
        torch.manual_seed(3)  # nn modules draw from the global generator
        c1 = torch.nn.Conv2d(1, 32, 3)
        d1 = torch.nn.Linear(13 * 13 * 32, 64)
        np.testing.assert_array_equal(weights["c1.kernel"], c1.weight.detach().permute(2, 3, 1, 0))
        np.testing.assert_array_equal(weights["c1.bias"], c1.bias.detach())
        np.testing.assert_array_equal(weights["d1.kernel"], d1.weight.detach().t())
        np.testing.assert_array_equal(weights["d1.bias"], d1.bias.detach())
        self.assertEqual(weights["logits.kernel"].shape, (64, 10))
        self.assertTrue(all(w.dtype == np.float32 for w in weights.values()))
        self.assertFalse(np.array_equal(ref.init_weights(model, 4)["c1.kernel"],
                                        weights["c1.kernel"]))

    def test_safetensors_layout_and_round_trip(self):
        tensors = {"d.kernel": self.rng.standard_normal((3, 2)).astype(np.float32),
                   "d.bias": np.arange(3, dtype=np.float32)}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "w.safetensors"
            ref.write_safetensors(path, tensors, {"seed": 1})
            raw = path.read_bytes()
            (length,) = struct.unpack("<Q", raw[:8])
            self.assertEqual(length % 8, 0)
            header = json.loads(raw[8:8 + length])
            self.assertEqual(header["__metadata__"], {"seed": "1"})
            self.assertEqual(header["d.kernel"]["dtype"], "F32")
            self.assertEqual(header["d.kernel"]["shape"], [3, 2])
            begin, end = header["d.bias"]["data_offsets"]
            self.assertEqual(raw[8 + length + begin:8 + length + end],
                             struct.pack("<3f", 0, 1, 2))
            back = ref.read_safetensors(path)
        self.assertEqual(set(back), set(tensors))
        for name, array in tensors.items():
            np.testing.assert_array_equal(back[name], array)

    def test_wrong_weight_shape_is_an_error(self):
        model = ref.load_model(MODELS / "perceptron.json")
        message = r"'y.kernel' has shape \[2\], expected \[2, 1\]"
        with self.assertRaisesRegex(ref.ModelError, message):
            ref.run(model, {"y.kernel": np.ones(2, np.float32)}, {"x": np.ones((1, 2), np.float32)})

    def test_lstm_against_numpy_cell(self):
        # The cell of docs/model-format.md: gate blocks i, f, g, o; the
        # backward direction reads time steps last to first.
        units, rng = 3, np.random.default_rng(1)
        model = one_particle_model((2, 4, 5), op="lstm", units=units,
                                   bidirectional=True, return_sequences=True)
        weights = ref.init_weights(model, seed=0)
        x = rng.standard_normal((2, 4, 5)).astype(np.float32)
        got = ref.run(model, weights, {"x": x}, torch.float64)["p"]

        def sigmoid(v):
            return 1 / (1 + np.exp(-v))

        def direction(prefix, steps):
            k, r, b = (weights[f"p.{prefix}{n}"].astype(np.float64)
                       for n in ("kernel", "recurrent_kernel", "bias"))
            h, c = np.zeros((2, units)), np.zeros((2, units))
            out = np.zeros((2, 4, units))
            for t in steps:
                z = x[:, t] @ k + h @ r + b
                i, f, g, o = (z[:, j * units:(j + 1) * units] for j in range(4))
                c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                h = sigmoid(o) * np.tanh(c)
                out[:, t] = h
            return out

        want = np.concatenate([direction("", range(4)),
                               direction("reverse_", reversed(range(4)))], axis=-1)
        np.testing.assert_allclose(got, want, atol=1e-12)
        model["particles"][0]["return_sequences"] = False
        last = ref.run(model, weights, {"x": x}, torch.float64)["p"]
        np.testing.assert_allclose(last, np.concatenate([want[:, -1, :units],
                                                         want[:, 0, units:]], -1), atol=1e-12)


if __name__ == "__main__":
    unittest.main()
