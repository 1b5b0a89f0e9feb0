#!/usr/bin/env bash
# Configures and builds soracc (Release, 2 jobs) into build/, with Ninja.
# Usage: build.sh [--make]: --make builds into build-make/ with CMake's
# default generator (Unix Makefiles) instead; CI builds both ways.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=Ninja dir=build
if [ "${1:-}" = --make ]; then
  generator="Unix Makefiles" dir=build-make
fi
# SORA_WERROR=ON (as CI sets it) makes compiler warnings errors; unset, an
# existing build keeps its setting (changing it rebuilds everything).
cmake -G "$generator" -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release \
  ${SORA_WERROR:+-DSORA_WERROR="$SORA_WERROR"} >/dev/null
cmake --build "$dir" -j2
