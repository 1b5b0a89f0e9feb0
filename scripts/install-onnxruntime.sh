#!/usr/bin/env bash
# Installs ONNX Runtime for Node.js (npm onnxruntime-node, the second oracle
# of the ONNX end-to-end tests) into node_modules/ at the repository root,
# which git ignores. Does nothing when the pinned version is already there.
# Called by CTest (fixture e2e.onnx.install_onnxruntime) before those tests.
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.30.0
installed=node_modules/onnxruntime-node/package.json
if [ -f "$installed" ] &&
    grep -q "\"version\": \"$version\"" "$installed"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "install-onnxruntime.sh: npm not found (scripts/install-deps.sh installs nodejs)" >&2
  exit 1
fi
# --ignore-scripts: the package's install script downloads more binaries
# (blocked here); the CPU binaries are already in the package. --no-save and
# --no-package-lock leave no package.json or lock file behind.
npm install --prefix . --ignore-scripts --no-save --no-package-lock \
  --no-audit --no-fund "onnxruntime-node@$version"
