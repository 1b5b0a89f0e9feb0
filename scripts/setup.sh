#!/usr/bin/env bash
# Fresh machine to a running model: installs Debian packages, builds soracc,
# then compiles and runs the MNIST CNN example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash scripts/demo.sh
