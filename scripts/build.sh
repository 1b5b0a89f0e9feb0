#!/usr/bin/env bash
# Configures and builds soracc (Release, 2 jobs) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
# SORA_WERROR=ON (as CI sets it) makes compiler warnings errors.
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release \
  -DSORA_WERROR="${SORA_WERROR:-OFF}" >/dev/null
cmake --build build -j2
