"""Run and compile soracc models from Python.

    import sora
    sora.compile("mlp_mnist.json", "mlp.so", weights="mlp.safetensors")
    model = sora.Model("mlp.so", threads=2)
    model.inputs            # [Tensor(name='image', shape=(1, 784), dtype=float32)]
    probs = model.run({"image": image})["probs"]   # or model.run(image=image)

A Model loads a model.so (each in its own namespace, so any number can be
loaded) through the C runtime API of sora/runtime.h. Inputs are NumPy arrays
of the signature's shape and dtype, passed to the runtime without a copy when
they are C-contiguous; outputs are new arrays. Every failure raises
sora.Error with the runtime's (or soracc's) message.
"""

import ctypes
import os
import struct
import subprocess
from pathlib import Path
from typing import NamedTuple, Tuple

import numpy as np

__all__ = ["Error", "KernelProfile", "Model", "Tensor", "compile"]


class Error(Exception):
    """A failure reported by the runtime or by soracc."""


class Tensor(NamedTuple):
    """One input or output of a model's signature."""
    name: str
    shape: Tuple[int, ...]
    dtype: np.dtype
    #: For a model compiled with max_sequence: the dimension a run's tokens
    #: choose, else -1.
    sequence_axis: int = -1


class KernelProfile(NamedTuple):
    """One kernel and what profiling measured of it (times in ns; FLOPs and
    bytes per call are the compiler's estimates)."""
    name: str
    particles: str
    flops: int
    bytes: int
    calls: int
    total_ns: int
    min_ns: int
    median_ns: int


# sora_dtype_t codes (runtime.h) and their NumPy dtypes.
_DTYPES = {1: np.dtype(np.float32), 2: np.dtype(np.int64)}
_CODES = {dtype: code for code, dtype in _DTYPES.items()}


class _TensorStruct(ctypes.Structure):  # sora_tensor_t
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("dims", ctypes.POINTER(ctypes.c_int64)),
                ("data", ctypes.c_void_p)]


class _TensorInfoStruct(ctypes.Structure):  # sora_tensor_info_t
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32),
                ("dims", ctypes.POINTER(ctypes.c_int64)),
                ("num_elements", ctypes.c_int64), ("byte_size", ctypes.c_size_t),
                ("sequence_axis", ctypes.c_int32)]


class _KernelProfileStruct(ctypes.Structure):  # sora_kernel_profile_t
    _fields_ = [("name", ctypes.c_char_p), ("particles", ctypes.c_char_p)] + [
        (field, ctypes.c_int64) for field in KernelProfile._fields[2:]]


class _OptionsStruct(ctypes.Structure):  # sora_model_options_t
    _fields_ = [("num_threads", ctypes.c_int32),
                ("error_buffer", ctypes.c_char_p),
                ("error_buffer_size", ctypes.c_size_t),
                ("weights_path", ctypes.c_char_p)]


def _check_elf(path):
    """Raises Error unless `path` is a whole 64-bit little-endian ELF file:
    dlopen() maps a truncated file and the process dies with SIGBUS touching
    the missing pages (sora-run checks the same, tools/sora-run/loader.c)."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise Error(f"cannot load '{path}': {error.strerror}") from None
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise Error(f"cannot load '{path}': not a 64-bit ELF shared library")
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x36)
    size = len(data)
    truncated = (phentsize != 56 or phoff + phnum * 56 > size
                 or shoff + shnum * shentsize > size)
    for i in range(0 if truncated else phnum):
        kind, _, offset, _, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * 56)
        truncated |= kind == 1 and offset + filesz > size  # PT_LOAD
    if truncated:
        raise Error(f"cannot load '{path}': truncated or corrupt (its headers or "
                    "segments lie beyond the file's end)")


def _bind(library):
    """Declares the runtime API functions of a loaded model.so."""
    pointer = ctypes.c_void_p
    signatures = {
        "sora_status_string": (ctypes.c_char_p, [ctypes.c_int]),
        "sora_model_options_initialize": (None, [ctypes.POINTER(_OptionsStruct)]),
        "sora_model_create": (ctypes.c_int, [ctypes.POINTER(_OptionsStruct),
                                             ctypes.POINTER(pointer)]),
        "sora_model_release": (None, [pointer]),
        "sora_model_name": (ctypes.c_char_p, [pointer]),
        "sora_model_target": (ctypes.c_char_p, [pointer]),
        "sora_model_num_inputs": (ctypes.c_int32, [pointer]),
        "sora_model_num_outputs": (ctypes.c_int32, [pointer]),
        "sora_model_input_info": (ctypes.c_int, [pointer, ctypes.c_int32,
                                                 ctypes.POINTER(_TensorInfoStruct)]),
        "sora_model_output_info": (ctypes.c_int, [pointer, ctypes.c_int32,
                                                  ctypes.POINTER(_TensorInfoStruct)]),
        "sora_model_num_threads": (ctypes.c_int32, [pointer]),
        "sora_model_max_batch": (ctypes.c_int64, [pointer]),
        "sora_model_max_sequence": (ctypes.c_int64, [pointer]),
        "sora_model_set_num_threads": (ctypes.c_int, [pointer, ctypes.c_int32]),
        "sora_model_run": (ctypes.c_int, [pointer, ctypes.POINTER(_TensorStruct),
                                          ctypes.c_int32, ctypes.POINTER(_TensorStruct),
                                          ctypes.c_int32]),
        "sora_model_last_error": (ctypes.c_char_p, [pointer]),
        "sora_model_set_profiling": (ctypes.c_int, [pointer, ctypes.c_int32]),
        "sora_model_num_kernels": (ctypes.c_int32, [pointer]),
        "sora_model_kernel_profile": (ctypes.c_int, [pointer, ctypes.c_int32,
                                                     ctypes.POINTER(_KernelProfileStruct)]),
        "sora_model_write_trace": (ctypes.c_int, [pointer, ctypes.c_char_p]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(library, name)
        function.restype, function.argtypes = restype, argtypes
    return library


class Model:
    """A compiled model.so, created with its own arena and thread pool.

    `threads`: threads the model's kernels use, the caller included
    (0 = every CPU this process may run on). `weights_path`: the weights file
    of a model compiled with weights_external=True, if not beside it. A Model
    is used by one thread at a time; different Models run concurrently.
    Release it with close() or a `with` block (or leave it to the garbage
    collector)."""

    def __init__(self, path, threads=0, weights_path=None):
        self._handle = None
        _check_elf(path)
        try:
            self._lib = _bind(ctypes.CDLL(os.fspath(Path(path).resolve()),
                                          mode=os.RTLD_LOCAL | os.RTLD_NOW))
        except (OSError, AttributeError) as error:
            raise Error(f"cannot load '{path}' as a soracc model: {error}") from None
        options = _OptionsStruct()
        self._lib.sora_model_options_initialize(ctypes.byref(options))
        buffer = ctypes.create_string_buffer(512)
        options.num_threads = threads
        options.error_buffer = ctypes.cast(buffer, ctypes.c_char_p)
        options.error_buffer_size = len(buffer)
        if weights_path is not None:
            options.weights_path = os.fsencode(weights_path)
        handle = ctypes.c_void_p()
        status = self._lib.sora_model_create(ctypes.byref(options), ctypes.byref(handle))
        if status != 0:
            raise Error(f"{self._status(status)}: {buffer.value.decode()}")
        self._handle = handle
        self.inputs = self._describe(self._lib.sora_model_num_inputs,
                                     self._lib.sora_model_input_info)
        self.outputs = self._describe(self._lib.sora_model_num_outputs,
                                      self._lib.sora_model_output_info)

    @property
    def name(self):
        return self._lib.sora_model_name(self._live()).decode()

    @property
    def target(self):
        return self._lib.sora_model_target(self._live()).decode()

    @property
    def max_batch(self):
        """N for a model compiled with max_batch=N (inputs and outputs then
        describe N samples and a run takes 1 to N), else 0."""
        return self._lib.sora_model_max_batch(self._live())

    @property
    def max_sequence(self):
        """N for a model compiled with max_sequence=N (inputs and outputs then
        describe N tokens along their sequence_axis and a run takes 1 to N),
        else 0."""
        return self._lib.sora_model_max_sequence(self._live())

    @property
    def threads(self):
        return self._lib.sora_model_num_threads(self._live())

    @threads.setter
    def threads(self, count):
        self._check(self._lib.sora_model_set_num_threads(self._live(), count))

    @property
    def profiling(self):
        """Whether runs record each kernel's time (off by default; turning it
        on forgets what was recorded)."""
        return getattr(self, "_profiling", False)

    @profiling.setter
    def profiling(self, enabled):
        self._check(self._lib.sora_model_set_profiling(self._live(), int(bool(enabled))))
        self._profiling = bool(enabled)

    def profile(self):
        """[KernelProfile] for every kernel, in run order."""
        kernels = []
        for i in range(self._lib.sora_model_num_kernels(self._live())):
            struct = _KernelProfileStruct()
            self._check(self._lib.sora_model_kernel_profile(self._handle, i,
                                                            ctypes.byref(struct)))
            kernels.append(KernelProfile(struct.name.decode(), struct.particles.decode(),
                                         *(getattr(struct, f) for f in KernelProfile._fields[2:])))
        return kernels

    def write_trace(self, path):
        """Writes the profiled runs as a Chrome/Perfetto trace (JSON)."""
        self._check(self._lib.sora_model_write_trace(self._live(), os.fsencode(path)))

    def run(self, inputs=None, **named):
        """Runs the model once. Inputs by name, as a dict and/or keyword
        arguments; returns {output name: ndarray}."""
        given = dict(inputs or {}, **named)
        unknown = sorted(set(given) - {t.name for t in self.inputs})
        missing = [t.name for t in self.inputs if t.name not in given]
        if unknown or missing:
            raise Error("; ".join(
                ([f"unknown input(s) {', '.join(map(repr, unknown))}"] if unknown else [])
                + ([f"missing input(s) {', '.join(map(repr, missing))}"] if missing else []))
                + f" (the model takes {', '.join(t.name for t in self.inputs)})")
        arrays = [np.ascontiguousarray(given[t.name]) for t in self.inputs]
        for t, array in zip(self.inputs, arrays):
            if array.dtype not in _CODES:
                raise Error(f"input '{t.name}': a {array.dtype} array; the model "
                            f"takes {t.dtype}")
        results = [np.empty(self._output_shape(t, arrays), t.dtype)
                   for t in self.outputs]
        structs_in = (_TensorStruct * max(1, len(arrays)))()
        structs_out = (_TensorStruct * max(1, len(results)))()
        keep = []  # the dims arrays must outlive the call
        for structs, group in ((structs_in, arrays), (structs_out, results)):
            for i, array in enumerate(group):
                dims = (ctypes.c_int64 * max(1, array.ndim))(*array.shape)
                keep.append(dims)
                structs[i] = _TensorStruct(_CODES[array.dtype], array.ndim, dims,
                                           array.ctypes.data)
        self._check(self._lib.sora_model_run(self._live(), structs_in, len(arrays),
                                             structs_out, len(results)))
        return {t.name: array for t, array in zip(self.outputs, results)}

    def _output_shape(self, output, arrays):
        """`output`'s shape for this run: as described, or for a model
        compiled with max_batch, with as many samples as the first input
        (the runtime checks that it holds whole samples); with max_sequence,
        as many tokens as the first input that has a sequence axis."""
        tokens = self.max_sequence
        if tokens:
            for given, arg in zip(self.inputs, arrays):
                axis = given.sequence_axis
                if axis >= 0 and arg.ndim == len(given.shape):
                    run = arg.shape[axis] // (given.shape[axis] // tokens)
                    if not 1 <= run <= tokens or output.sequence_axis < 0:
                        return output.shape  # the runtime reports it
                    shape = list(output.shape)
                    shape[output.sequence_axis] = shape[output.sequence_axis] // tokens * run
                    return tuple(shape)
            return output.shape
        batch = self.max_batch
        if not batch or not arrays or arrays[0].ndim == 0:
            return output.shape
        sample = self.inputs[0].shape[0] // batch
        samples = arrays[0].shape[0] // sample
        if not 1 <= samples <= batch:
            return output.shape  # the runtime reports the input's batch
        return (output.shape[0] // batch * samples,) + tuple(output.shape[1:])

    def close(self):
        """Releases the model (its arena and threads); idempotent."""
        if getattr(self, "_handle", None):
            self._lib.sora_model_release(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __repr__(self):
        if not self._handle:
            return "<sora.Model (closed)>"
        return f"<sora.Model '{self.name}' for {self.target}: {self.inputs} -> {self.outputs}>"

    def _live(self):
        if not self._handle:
            raise Error("the model is closed")
        return self._handle

    def _status(self, status):
        return self._lib.sora_status_string(status).decode()

    def _check(self, status):
        if status != 0:
            message = self._lib.sora_model_last_error(self._handle).decode()
            raise Error(f"{self._status(status)}: {message}")

    def _describe(self, count, info):
        tensors = []
        for i in range(count(self._handle)):
            struct = _TensorInfoStruct()
            self._check(info(self._handle, i, ctypes.byref(struct)))
            tensors.append(Tensor(struct.name.decode(),
                                  tuple(struct.dims[d] for d in range(struct.rank)),
                                  _DTYPES[struct.dtype], struct.sequence_axis))
        return tensors


def _soracc():
    """soracc: $SORACC, else bin/soracc above this package (an install
    prefix's lib/python3/dist-packages/sora, or a build tree's python/sora)."""
    if os.environ.get("SORACC"):
        return os.environ["SORACC"]
    here = Path(__file__).resolve().parent
    for parent in here.parents:
        candidate = parent / "bin" / "soracc"
        if candidate.is_file():
            return str(candidate)
    raise Error("cannot find soracc next to the sora package; set SORACC")


def compile(source, output, target=None, weights=None, random_weights=None,
            name=None, emit=None, weights_external=False, max_batch=None,
            max_sequence=None, args=()):
    """Compiles `source` (.json, .sora, .onnx) into `output` with soracc;
    keyword arguments are its options (--target, --weights, --random-weights,
    --name, --emit, --weights-external, --max-batch, --max-sequence). Returns `output`; raises
    Error with soracc's diagnostics."""
    command = [_soracc(), os.fspath(source), "-o", os.fspath(output)]
    if weights_external:
        command.append("--weights-external")
    for flag, value in (("--target", target), ("--weights", weights),
                        ("--random-weights", random_weights), ("--name", name),
                        ("--emit", emit), ("--max-batch", max_batch),
                        ("--max-sequence", max_sequence)):
        if value is not None:
            command += [f"{flag}={os.fspath(value) if isinstance(value, Path) else value}"]
    command += list(args)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise Error(result.stderr.strip() or f"soracc exited with {result.returncode}")
    return output
