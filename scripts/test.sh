#!/usr/bin/env bash
# Every test: installs what is missing, builds, then runs CTest (lit
# regression tests, GoogleTest unit tests, end-to-end numerics against
# PyTorch on x86-64 and on AArch64 under qemu). CTest's summary is the last
# thing printed; the exit code is non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build -j2 --output-on-failure --no-tests=error
