#!/usr/bin/env bash
# Configures and builds soracc (Release, 2 jobs) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
