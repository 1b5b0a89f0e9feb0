#!/usr/bin/env bash
# Configures and builds soracc (Release, 2 jobs) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
# SORA_WERROR=ON (as CI sets it) makes compiler warnings errors; unset, an
# existing build keeps its setting (changing it rebuilds everything).
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release \
  ${SORA_WERROR:+-DSORA_WERROR="$SORA_WERROR"} >/dev/null
cmake --build build -j2
