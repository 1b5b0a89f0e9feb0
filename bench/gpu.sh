#!/usr/bin/env bash
# soracc's CUDA target on an NVIDIA GPU against PyTorch: numerics and
# latency of the reference and example models in one short run (see
# bench/gpu.py). Without a GPU it compiles and checks the PTX only.
# Arguments go to bench/gpu.py (--models, --rounds, --runs, --out).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/bin/soracc ] || bash scripts/build.sh
exec /usr/bin/python3 bench/gpu.py "$@"
