#!/usr/bin/python3
"""Tests of check_model.py against fake_toolchain.py (no compiler needed).

Each case runs the harness as CTest does and checks its verdict: it must
pass a correct toolchain and fail, with a useful message, on each fault.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE.parents[1] / "examples" / "models"
FAKE = HERE / "fake_toolchain.py"


def check(model, fault="", *extra):
    """Runs check_model.py on an example model; returns (exit code, output)."""
    with tempfile.TemporaryDirectory() as workdir:
        cmd = [sys.executable, str(HERE / "check_model.py"), "--soracc", str(FAKE),
               "--sora-run", str(FAKE), "--model", str(MODELS / f"{model}.json"),
               "--workdir", workdir, *extra]
        env = dict(os.environ, FAKE_SORA_FAULT=fault)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return proc.returncode, proc.stdout + proc.stderr


class CheckModelTest(unittest.TestCase):
    def test_passes_inline_weights(self):
        code, out = check("perceptron", "", "--trials", "2", "--threads", "2")
        self.assertEqual(code, 0, out)
        self.assertEqual(out.count("ok\n"), 2, out)
        self.assertIn("PASSED", out)

    def test_generates_file_weights_and_uses_emulator_prefix(self):
        # mnist_cnn names a weights file that does not exist: the fake only
        # finds weights if check_model generated them and passed --weights.
        code, out = check("mnist_cnn", "", "--trials", "1", "--emulator", "env")
        self.assertEqual(code, 0, out)
        self.assertIn("trial 0 output 'probs' [1, 10]", out)

    def test_compile_error_shows_command_and_stderr(self):
        code, out = check("perceptron", "compile-error")
        self.assertEqual(code, 1)
        self.assertIn("soracc exited with 1", out)
        self.assertIn("injected compile error", out)
        self.assertIn(str(FAKE), out)

    def test_run_error(self):
        code, out = check("perceptron", "run-error", "--trials", "1")
        self.assertEqual(code, 1)
        self.assertIn("sora-run exited with 1", out)

    def test_missing_output(self):
        code, out = check("perceptron", "missing", "--trials", "1")
        self.assertEqual(code, 1)
        self.assertIn("sora-run wrote no", out)
        self.assertIn("commands run:", out)

    def test_wrong_shape_and_dtype(self):
        for fault, message in [("shape", "got float32 [1, 1, 1], expected float32 [1, 1]"),
                               ("float64", "got float64 [1, 1], expected float32")]:
            code, out = check("perceptron", fault, "--trials", "1")
            self.assertEqual(code, 1, fault)
            self.assertIn(message, out)

    def test_error_above_tolerance(self):
        code, out = check("perceptron", "skew", "--trials", "1")
        self.assertEqual(code, 1)
        self.assertIn("FAIL", out)
        # 1e-3 relative skew of sigmoid(.) stays above 1e-5 but below the scale 1.
        self.assertRegex(out, r"max relative error [0-9.]+e-0[34] > 1e-05")
        code, out = check("perceptron", "skew", "--trials", "1", "--tolerance", "1e-2")
        self.assertEqual(code, 0, out)

    def test_nan_fails(self):
        code, out = check("perceptron", "nan", "--trials", "1")
        self.assertEqual(code, 1)
        self.assertIn("nan", out)


if __name__ == "__main__":
    unittest.main()
