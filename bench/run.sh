#!/usr/bin/env bash
# soracc against ONNX Runtime and PyTorch on the reference models (see
# bench/README.md). Builds soracc and installs ONNX Runtime first; arguments
# go to bench/run.py (--models, --rounds, --budget, --threads, --out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/install-onnxruntime.sh
exec /usr/bin/python3 bench/run.py "$@"
