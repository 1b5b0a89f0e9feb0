#!/usr/bin/python3
"""`import sora` against PyTorch: compile, load, run, and every error path.

Run with PYTHONPATH=<build>/python (CTest sets it): the package finds soracc
in <build>/bin.
"""

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

import sora

ROOT = Path(__file__).resolve().parents[2]
TORCH_REFERENCE = ROOT / "test" / "e2e" / "torch_reference.py"
sys.path.insert(0, str(TORCH_REFERENCE.parent))
from check_model import relative_error  # noqa: E402
MLP = ROOT / "examples" / "models" / "mlp_mnist.json"

# A small text model: i64 token ids through an embedding.
TEXT_MODEL = {
    "sora": 1, "name": "tiny_text",
    "inputs": [{"name": "tokens", "shape": [2, 5], "dtype": "i64"}],
    "outputs": ["score"],
    "particles": [
        {"name": "embed", "op": "embedding", "input": "tokens", "input_dim": 40,
         "output_dim": 6},
        {"name": "flat", "op": "flatten", "input": "embed"},
        {"name": "score", "op": "dense", "input": "flat", "units": 3},
    ],
}


def torch_outputs(model, weights, inputs, workdir):
    """The PyTorch reference (test/e2e/torch_reference.py) for `inputs`."""
    workdir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, str(TORCH_REFERENCE), "run", str(model), "--weights",
            str(weights), "-o", str(workdir / "ref")]
    for name, array in inputs.items():
        np.save(workdir / f"{name}.npy", array)
        args += ["-i", f"{name}={workdir / f'{name}.npy'}"]
    subprocess.run(args, check=True)
    return {p.stem: np.load(p) for p in (workdir / "ref").glob("*.npy")}


def init_weights(model, seed, path):
    subprocess.run([sys.executable, str(TORCH_REFERENCE), "init", str(model),
                    "--seed", str(seed), "-o", str(path)], check=True)
    return path


class SoraTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.mlp_weights = init_weights(MLP, 3, cls.dir / "mlp.safetensors")
        cls.mlp_so = sora.compile(MLP, cls.dir / "mlp.so", weights=cls.mlp_weights)
        cls.text_json = cls.dir / "text.json"
        cls.text_json.write_text(json.dumps(TEXT_MODEL))
        cls.text_weights = init_weights(cls.text_json, 4, cls.dir / "text.safetensors")
        cls.text_so = sora.compile(cls.text_json, cls.dir / "text.so",
                                   weights=cls.text_weights)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_signature(self):
        with sora.Model(self.mlp_so, threads=1) as model:
            self.assertEqual(model.name, "mlp_mnist")
            self.assertEqual(model.inputs, [sora.Tensor("image", (1, 784), np.dtype(np.float32))])
            self.assertEqual(model.outputs, [sora.Tensor("probs", (1, 10), np.dtype(np.float32))])
            self.assertEqual(model.threads, 1)
            model.threads = 2
            self.assertEqual(model.threads, 2)

    def test_f32_model_matches_pytorch(self):
        image = np.random.default_rng(0).standard_normal((1, 784), dtype=np.float32)
        want = torch_outputs(MLP, self.mlp_weights, {"image": image}, self.dir / "mlp")
        with sora.Model(self.mlp_so, threads=2) as model:
            probs = model.run({"image": image})["probs"]
            self.assertEqual((probs.shape, probs.dtype), ((1, 10), np.float32))
            self.assertLess(relative_error(probs, want["probs"]), 1e-4)
            # Keyword arguments, and a non-contiguous view (copied): the same.
            view = np.asfortranarray(image)
            np.testing.assert_array_equal(model.run(image=view)["probs"], probs)

    def test_max_batch(self):
        so = sora.compile(MLP, self.dir / "batch.so", weights=self.mlp_weights,
                          max_batch=4)
        images = np.random.default_rng(1).standard_normal((4, 784), dtype=np.float32)
        # The reference takes the model's declared batch of 1.
        want = {"probs": np.concatenate([
            torch_outputs(MLP, self.mlp_weights, {"image": images[i:i + 1]},
                          self.dir / f"batch{i}")["probs"] for i in range(4)])}
        with sora.Model(so) as model:
            self.assertEqual(model.max_batch, 4)
            self.assertEqual(model.inputs[0].shape, (4, 784))
            model.profiling = True
            flops = {}
            for samples in (1, 3, 4):
                probs = model.run(image=images[:samples])["probs"]
                self.assertEqual(probs.shape, (samples, 10))
                self.assertLess(relative_error(probs, want["probs"][:samples]), 1e-4)
                flops[samples] = sum(k.flops for k in model.profile())
            # Its kernels take the batch at run time: one call each per run,
            # the estimated work that of the run's batch.
            self.assertEqual({k.calls for k in model.profile()}, {3})
            self.assertEqual(flops[4], 4 * flops[1])
            self.assertEqual(flops[3], 3 * flops[1])
            with self.assertRaisesRegex(sora.Error, "^shape mismatch: input 'image': first "
                                        "extent 5 is not a batch of 1 to 4 samples"):
                model.run(image=np.zeros((5, 784), np.float32))
        with sora.Model(self.mlp_so) as model:
            self.assertEqual(model.max_batch, 0)

    def test_max_sequence(self):
        import torch
        sys.path.insert(0, str(ROOT / "scripts"))
        import export_onnx
        onnx_path = self.dir / "encoder.onnx"
        module = export_onnx.export("encoder_layer", onnx_path, dynamic_sequence=True)
        so = sora.compile(onnx_path, self.dir / "encoder.so", max_sequence=8)
        x = np.random.default_rng(2).standard_normal((1, 8, 64), dtype=np.float32)
        with sora.Model(so) as model:
            self.assertEqual((model.max_sequence, model.max_batch), (8, 0))
            self.assertEqual(model.inputs[0].shape, (1, 8, 64))
            self.assertEqual(model.inputs[0].sequence_axis, 1)
            self.assertEqual(model.outputs[0].sequence_axis, 1)
            for tokens in (1, 5, 8):
                y = model.run(x=x[:, :tokens])["y"]
                with torch.no_grad():
                    want = module(torch.from_numpy(x[:, :tokens])).numpy()
                self.assertEqual(y.shape, (1, tokens, 64))
                self.assertLess(relative_error(y, want), 1e-4)
            with self.assertRaisesRegex(sora.Error, "^shape mismatch: input 'x': extent 9 "
                                        "of dimension 1 is not 1 to 8 tokens"):
                model.run(x=np.zeros((1, 9, 64), np.float32))
        with sora.Model(self.mlp_so) as model:
            self.assertEqual(model.max_sequence, 0)
            self.assertEqual(model.inputs[0].sequence_axis, -1)

    def test_i64_model_matches_pytorch(self):
        tokens = (np.arange(10, dtype=np.int64) * 7 % 40).reshape(2, 5)
        want = torch_outputs(self.text_json, self.text_weights, {"tokens": tokens},
                             self.dir / "text")
        with sora.Model(self.text_so) as model:
            self.assertEqual(model.inputs[0].dtype, np.int64)
            score = model.run(tokens=tokens)["score"]
            self.assertLess(relative_error(score, want["score"]), 1e-4)
            with self.assertRaisesRegex(sora.Error, "token id 40 is not an integer in \\[0, 40 ?\\)"):
                model.run(tokens=np.full((2, 5), 40, np.int64))

    def test_external_weights(self):
        ext = sora.compile(MLP, self.dir / "ext.so", weights=self.mlp_weights,
                           weights_external=True)
        image = np.ones((1, 784), np.float32)
        with sora.Model(self.mlp_so) as embedded, sora.Model(ext) as external:
            np.testing.assert_array_equal(external.run(image=image)["probs"],
                                          embedded.run(image=image)["probs"])
        moved = self.dir / "moved.weights"
        (self.dir / "ext.weights").rename(moved)
        with self.assertRaisesRegex(sora.Error, "^bad weights file: cannot open the weights file"):
            sora.Model(ext)
        with sora.Model(ext, weights_path=moved) as external:
            self.assertEqual(external.run(image=image)["probs"].shape, (1, 10))

    def test_profile_and_trace(self):
        with sora.Model(self.mlp_so, threads=1) as model:
            image = np.zeros((1, 784), np.float32)
            self.assertEqual([k.calls for k in model.profile()], [0, 0, 0, 0])
            model.profiling = True
            for _ in range(4):
                model.run(image=image)
            kernels = model.profile()
            self.assertEqual([k.particles for k in kernels],
                             ["d1: dense, d1: relu", "d2: dense, d2: relu",
                              "probs: dense", "probs: softmax"])
            self.assertTrue(all(k.calls == 4 and k.median_ns > 0 and k.flops > 0
                                for k in kernels), kernels)
            trace = self.dir / "trace.json"
            model.write_trace(trace)
            events = json.loads(trace.read_text())["traceEvents"]
            self.assertEqual(len([e for e in events if e["cat"] == "kernel"]), 16)

    def test_two_models_at_once(self):
        with sora.Model(self.mlp_so) as mlp, sora.Model(self.text_so) as text:
            self.assertEqual(mlp.run(image=np.zeros((1, 784), np.float32))["probs"].shape, (1, 10))
            self.assertEqual(text.run(tokens=np.zeros((2, 5), np.int64))["score"].shape, (2, 3))

    def test_wrong_inputs_raise_the_runtime_message(self):
        with sora.Model(self.mlp_so) as model:
            with self.assertRaisesRegex(sora.Error, "^shape mismatch: .*image"):
                model.run(image=np.zeros((1, 783), np.float32))
            with self.assertRaisesRegex(sora.Error, "^dtype mismatch: .*image"):
                model.run(image=np.zeros((1, 784), np.int64))
            with self.assertRaisesRegex(sora.Error, "input 'image': a float64 array; the model takes float32"):
                model.run(image=np.zeros((1, 784)))
            with self.assertRaisesRegex(sora.Error, "missing input\\(s\\) 'image'"):
                model.run()
            with self.assertRaisesRegex(sora.Error, "unknown input\\(s\\) 'x'"):
                model.run(image=np.zeros((1, 784), np.float32), x=1)
        with self.assertRaisesRegex(sora.Error, "the model is closed"):
            model.run(image=np.zeros((1, 784), np.float32))

    def test_bad_files_raise(self):
        not_a_model = self.dir / "not_a_model.so"
        not_a_model.write_bytes(b"hello")
        with self.assertRaisesRegex(sora.Error, "not a 64-bit ELF shared library"):
            sora.Model(not_a_model)
        truncated = self.dir / "truncated.so"
        data = Path(self.mlp_so).read_bytes()
        truncated.write_bytes(data[:len(data) // 2])
        with self.assertRaisesRegex(sora.Error, "truncated or corrupt"):
            sora.Model(truncated)
        with self.assertRaisesRegex(sora.Error, "No such file or directory"):
            sora.Model(self.dir / "absent.so")
        with self.assertRaisesRegex(sora.Error, "cannot load .* as a soracc model"):
            sora.Model("/usr/lib/x86_64-linux-gnu/libm.so.6")
        with self.assertRaisesRegex(sora.Error, "invalid number of threads|num_threads must be"):
            sora.Model(self.mlp_so, threads=-1)
        broken = self.dir / "broken.json"
        broken.write_text('{"sora": 1, "name": "b", "inputs": [}')
        with self.assertRaisesRegex(sora.Error, "broken.json:1:.*error"):
            sora.compile(broken, self.dir / "broken.so")
        self.assertFalse((self.dir / "broken.so").exists())


if __name__ == "__main__":
    unittest.main(verbosity=2)
