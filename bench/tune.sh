#!/usr/bin/env bash
# sora-tune on the reference models: the heuristics' schedules against the
# tuned ones and ONNX Runtime (see bench/README.md). Builds soracc and
# installs ONNX Runtime first; arguments go to bench/tune.py (--models,
# --threads, --budget, --rounds, --out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/install-onnxruntime.sh
exec /usr/bin/python3 bench/tune.py "$@"
