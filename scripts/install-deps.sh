#!/usr/bin/env bash
# Installs the Debian packages soracc needs to build and test (run as root).
# Does nothing when they are all present.
set -euo pipefail
packages=(
  cmake ninja-build g++ git ca-certificates
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools lld-22 clang-22
  clang-format-22 clang-tidy-22 libclang-rt-22-dev  # libFuzzer, sanitizers
  libhalide14-0-dev nlohmann-json3-dev libgtest-dev
  python3 python3-numpy python3-torch
  libonnx-dev libprotobuf-dev python3-onnx python3-torchvision nodejs
  qemu-user libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
  time  # GNU time: peak RSS of each timed process in bench/run.py
  dataset-fashion-mnist  # the demo's data (scripts/demo.py)
  graphviz  # soracc --emit=svg
  valgrind  # test/Driver/valgrind.test
  slurm-wlm munge  # a one-node Slurm cluster for sora-tune --runner slurm
)
if dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null |
    grep -qv '^install ok installed$' ||
    [ "$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | wc -l)" -ne "${#packages[@]}" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
