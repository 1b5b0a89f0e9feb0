#!/usr/bin/env python3
"""sora-run end to end on the fake model (inputs x: f32[2,3], bias: f32[3];
outputs y = 2 * x + bias, total = sum(y)).

Usage: test_sora_run.py --model M.so [--abi999-model M.so] -- COMMAND...
where COMMAND runs sora-run, e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu
sora-run-aarch64`.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np

MODEL = None
ABI999_MODEL = None
COLLIDING_MODEL = None
FOREIGN_MODEL = None  # built for the other architecture
COMMAND = None


def sora_run(*args):
    return subprocess.run(COMMAND + [str(a) for a in args], capture_output=True,
                          text=True, timeout=120)


class SoraRunTest(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = self._dir.name
        rng = np.random.default_rng(1234)
        self.x = rng.uniform(-5, 5, (2, 3)).astype(np.float32)
        self.bias = rng.uniform(-5, 5, (3,)).astype(np.float32)

    def tearDown(self):
        self._dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def save(self, name, array):
        np.save(self.path(name), array)
        return self.path(name)

    def run_ok(self, *args):
        result = sora_run(MODEL, *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def run_error(self, code, *args):
        result = sora_run(*args)
        self.assertEqual(result.returncode, code,
                         f"stdout: {result.stdout}\nstderr: {result.stderr}")
        self.assertTrue(result.stderr.startswith("sora-run: "), result.stderr)
        return result.stderr

    def outputs(self, out_dir):
        return (np.load(os.path.join(out_dir, "y.npy")),
                np.load(os.path.join(out_dir, "total.npy")))

    def test_npy_inputs_and_outputs(self):
        out_dir = self.path("new/nested/out")
        self.run_ok("-i", f"x={self.save('x.npy', self.x)}",
                    "-i", f"bias={self.save('bias.npy', self.bias)}",
                    "-o", out_dir, "--threads", 2)
        y, total = self.outputs(out_dir)
        self.assertEqual(y.dtype, np.float32)
        self.assertEqual(y.shape, (2, 3))
        self.assertEqual(total.shape, (1,))
        np.testing.assert_allclose(y, 2 * self.x + self.bias, rtol=1e-6)
        np.testing.assert_allclose(total, [y.sum()], rtol=1e-5)
        self.assertEqual(sorted(os.listdir(out_dir)), ["total.npy", "y.npy"])

    def test_summary_without_outputs_requested(self):
        self.save("x.npy", self.x)
        stdout = self.run_ok("-i", f"x={self.path('x.npy')}")
        lines = stdout.splitlines()
        self.assertEqual(len(lines), 2, stdout)
        self.assertRegex(lines[0], r"^y: f32\[2,3\] = ")
        self.assertRegex(lines[1], r"^total: f32\[1\] = ")
        values = [float(v) for v in lines[0].split("=", 1)[1].split(",")]
        self.assertEqual(len(values), 6)
        # bias is random in [-1, 1): y - 2x recovers it.
        bias = np.array(values, np.float32).reshape(2, 3) - 2 * self.x
        np.testing.assert_allclose(bias[0], bias[1], atol=1e-4)
        self.assertTrue(np.all(np.abs(bias) <= 1.0001), bias)

    def test_random_inputs_are_seeded(self):
        def run(seed, *extra):
            out_dir = self.path(f"seed{seed}_{len(extra)}")
            self.run_ok("--seed", seed, "-o", out_dir, *extra)
            return self.outputs(out_dir)[0]

        first, again, other = run(5), run(5), run(6)
        np.testing.assert_array_equal(first, again)
        self.assertFalse(np.array_equal(first, other))
        self.assertTrue(np.all(np.abs(first) < 3), first)  # |2x + b| < 3
        # Each input has its own stream: giving one input from a file leaves
        # the values generated for the other unchanged.
        x_generated = (run(5, "-i", f"bias={self.save('b.npy', self.bias)}")
                       - self.bias) / 2
        bias_generated = run(5, "-i", f"x={self.save('x.npy', self.x)}") \
            - 2 * self.x
        np.testing.assert_allclose(first, 2 * x_generated + bias_generated,
                                   atol=1e-5)

    def test_top_k(self):
        out_dir = self.path("out")
        stdout = self.run_ok("--seed", 3, "--top", 2, "-o", out_dir)
        y, total = self.outputs(out_dir)
        lines = dict(line.split(": ", 1) for line in stdout.splitlines())
        self.assertEqual(set(lines), {"y", "total"})
        order = sorted(range(3), key=lambda i: (-y[0, i], i))[:2]
        match = re.fullmatch(r"top-2 = (\d+) \((\S+)\), (\d+) \((\S+)\)",
                             lines["y"])
        self.assertIsNotNone(match, lines["y"])
        self.assertEqual([int(match[1]), int(match[3])], order)
        np.testing.assert_allclose([float(match[2]), float(match[4])],
                                   y[0, order], rtol=1e-5)
        # K is clamped to the length of the last axis.
        self.assertRegex(lines["total"], r"^top-1 = 0 \(\S+\)$")

    def test_bench_json(self):
        stdout = self.run_ok("--bench", 20, "--json", "--threads", 2)
        lines = stdout.splitlines()
        self.assertEqual(len(lines), 1, stdout)
        bench = json.loads(lines[0])
        self.assertEqual(set(bench),
                         {"median_us", "p10_us", "p90_us", "n", "threads"})
        self.assertEqual(bench["n"], 20)
        self.assertEqual(bench["threads"], 2)
        self.assertGreater(bench["p10_us"], 0)
        self.assertLessEqual(bench["p10_us"], bench["median_us"])
        self.assertLessEqual(bench["median_us"], bench["p90_us"])

    def test_bench_flush(self):
        # Each run first writes 2 MiB: still a timing, of the same runs.
        bench = json.loads(self.run_ok("--bench", 5, "--flush", 2, "--json"))
        self.assertEqual(bench["n"], 5)
        self.assertGreater(bench["median_us"], 0)

    def test_bench_text(self):
        stdout = self.run_ok("--bench", 5, "--threads", 1)
        self.assertRegex(stdout, r"^bench: n=5 threads=1 median_us=[0-9.]+ "
                                 r"p10_us=[0-9.]+ p90_us=[0-9.]+\n$")

    def check_bad_input(self, path, message):
        stderr = self.run_error(1, MODEL, "-i", f"x={path}")
        self.assertIn(path, stderr)
        self.assertIn(message, stderr)

    def test_bad_npy_files(self):
        self.check_bad_input(self.save("f8.npy", self.x.astype(np.float64)),
                             "dtype '<f8' is not supported")
        self.check_bad_input(self.save("be.npy", self.x.astype(">f4")),
                             "dtype '>f4' is not supported")
        self.check_bad_input(
            self.save("fortran.npy", np.asfortranarray(self.x)),
            "Fortran-order arrays are not supported")
        self.check_bad_input(self.save("t.npy", self.x.T.copy()),
                             "shape (3, 2) does not match input 'x' "
                             "shape (2, 3)")
        self.check_bad_input(self.save("flat.npy", self.x.ravel()),
                             "shape (6,) does not match input 'x' shape (2, 3)")
        data = open(self.save("cut.npy", self.x), "rb").read()
        for name, content, message in [
                ("truncated.npy", data[:-5], "data size does not match shape"),
                ("longer.npy", data + b"\0", "data size does not match shape"),
                ("header.npy", data[:20], "truncated .npy header"),
                ("junk.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': 1, }   \n",
                 "malformed .npy header"),
                ("shape.npy", data.replace(b"(2, 3)", b"(2, x)"),
                 "malformed .npy shape"),
                ("text.npy", b"hello", "not a .npy file"),
                ("nul.npy", data.replace(b"'fortran_order'", b"'fortran\0order'"),
                 "malformed .npy header (a NUL byte)"),
                ("nofortran.npy", data.replace(b"'fortran_order'", b"'fortran_orde '"),
                 "malformed .npy header (no 'fortran_order')"),
                ("empty.npy", b"", "not a .npy file")]:
            with open(self.path(name), "wb") as f:
                f.write(content)
            self.check_bad_input(self.path(name), message)
        self.check_bad_input(self.path("missing.npy"), "No such file")

    def test_huge_npy_shape_is_checked_before_allocating(self):
        # 10^16 elements declared, 12 bytes of data: a size mismatch, not
        # "out of memory" (nothing is allocated for it).
        path = self.path("huge.npy")
        with open(path, "wb") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f4", "fortran_order": False,
                    "shape": (10**8, 10**8)})
            f.write(b"\0" * 12)
        self.check_bad_input(path, "data size does not match shape "
                                   "(expected 40000000000000000 bytes)")

    def test_truncated_library(self):
        # dlopen() of a truncated file dies with SIGBUS; sora-run checks the
        # ELF headers against the file's size first.
        data = open(MODEL, "rb").read()
        for name, content in [("half.so", data[:len(data) // 2]),
                              ("headers.so", data[:64])]:
            with open(self.path(name), "wb") as f:
                f.write(content)
            stderr = self.run_error(1, self.path(name))
            self.assertIn("truncated or corrupt", stderr)

    def test_library_for_another_architecture(self):
        # dlopen() would say "cannot open shared object file".
        stderr = self.run_error(1, FOREIGN_MODEL)
        self.assertRegex(stderr, r"cannot load .*: built for (AArch64|x86-64), "
                                 r"not this machine")

    def test_colliding_output_names(self):
        if not COLLIDING_MODEL:
            self.skipTest("no --colliding-model given")
        out = self.path("out")
        stderr = self.run_error(1, COLLIDING_MODEL, "-i",
                                f"x={self.save('x.npy', self.x)}", "-o", out)
        self.assertIn("outputs 'a/b' and 'a_b' would both be written to "
                      f"{out}/a_b.npy", stderr)
        self.assertFalse(os.path.exists(out))

    def test_unknown_input_name(self):
        stderr = self.run_error(1, MODEL, "-i",
                                f"nope={self.save('x.npy', self.x)}")
        self.assertIn("model 'fake' has no input named 'nope'; inputs: x, bias",
                      stderr)

    def test_not_a_model(self):
        self.assertIn("cannot load", self.run_error(1, self.save("x.npy",
                                                                 self.x)))
        self.assertIn("cannot load", self.run_error(1, self.path("none.so")))

    def test_create_failure(self):
        if not ABI999_MODEL:
            self.skipTest("no --abi999-model given")
        stderr = self.run_error(1, ABI999_MODEL)
        self.assertIn(f"{ABI999_MODEL}: ABI mismatch: model was compiled for "
                      "runtime ABI version 999", stderr)

    def test_output_dir_is_a_file(self):
        path = self.save("x.npy", self.x)
        self.assertIn("is not a directory",
                      self.run_error(1, MODEL, "-o", path))

    def test_usage_errors(self):
        for args, message in [
                ([], "missing MODEL.so"),
                ([MODEL, MODEL], "expected exactly one MODEL.so"),
                ([MODEL, "--bench", 0], "--bench expects a positive count"),
                ([MODEL, "--threads", "two"], "--threads expects 0..1024"),
                ([MODEL, "--json"], "--json needs --bench"),
                ([MODEL, "--flush", 8], "--flush needs --bench"),
                ([MODEL, "--bench", 3, "--flush", 0], "--flush expects 1..4096 MiB"),
                ([MODEL, "-i", "x"], "-i expects NAME=FILE.npy"),
                ([MODEL, "-i", "x=a.npy", "-i", "x=b.npy"], "given twice"),
                ([MODEL, "--frobnicate"], "unknown option '--frobnicate'"),
                ([MODEL, "--top"], "needs a value")]:
            with self.subTest(args=args):
                stderr = self.run_error(2, *args)
                self.assertIn(message, stderr)
                self.assertIn("usage: sora-run", stderr)


def main():
    global MODEL, ABI999_MODEL, COLLIDING_MODEL, FOREIGN_MODEL, COMMAND
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--abi999-model")
    parser.add_argument("--colliding-model")
    parser.add_argument("--foreign-model", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    MODEL = args.model
    ABI999_MODEL = args.abi999_model
    COLLIDING_MODEL = args.colliding_model
    FOREIGN_MODEL = args.foreign_model
    COMMAND = args.command[1:] if args.command[:1] == ["--"] else args.command
    unittest.main(argv=[sys.argv[0], "-v"])


if __name__ == "__main__":
    main()
