# -*- Python -*-
"""lit configuration for soracc's regression tests."""

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "soracc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "e2e", "Unit", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sora_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.sora_python))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root,
                                                     "Inputs")))
# What an application embedding models compiles and links against.
config.substitutions.append(("%sora_include",
                             os.path.join(config.sora_src_root, "runtime",
                                          "include")))
config.substitutions.append(("%sora_check",
                             config.sora_python + " " +
                             os.path.join(config.sora_src_root, "tools",
                                          "sora-check", "sora-check") +
                             " --tools-dir " + config.sora_tools_dir))
config.substitutions.append(("%sora_runtime_dir",
                             os.path.join(config.sora_obj_root, "lib")))

tool_dirs = [config.sora_tools_dir, config.llvm_tools_dir]
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["sora-opt", "soracc", "sora-run", "sora-tune",
                                    "split-file", "clang"],
                                   tool_dirs)

# Tools built with -fsanitize=address (scripts/sanitize.sh).
if "address" in config.sora_sanitize:
    config.available_features.add("asan")

# An NVIDIA driver on this machine (CI has none): CUDA models can run.
import ctypes  # noqa: E402
try:
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
