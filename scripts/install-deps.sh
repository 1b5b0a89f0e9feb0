#!/usr/bin/env bash
# Installs the Debian packages soracc needs to build and test (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  cmake ninja-build g++ git ca-certificates \
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools lld-22 clang-22 \
  libhalide14-0-dev nlohmann-json3-dev libgtest-dev \
  python3 python3-numpy python3-torch \
  qemu-user libc6-dev-arm64-cross libgcc-12-dev-arm64-cross \
  >/dev/null
