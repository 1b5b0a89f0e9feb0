#!/usr/bin/env bash
# The main job: compiles examples/models/mnist_cnn.json into a shared library
# and runs it on a drawn digit, printing the top classes and the latency.
# The weights are seeded random (no data set can be downloaded here), so the
# classes are not a real prediction; the numbers match PyTorch (see tests).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
out=build/demo
mkdir -p "$out"
weights=examples/models/mnist_cnn.safetensors
[ -f "$weights" ] || $PY test/e2e/torch_reference.py init examples/models/mnist_cnn.json --seed 1 -o "$weights"
$PY scripts/make_demo_input.py -o "$out/seven.npy"
echo "== soracc examples/models/mnist_cnn.json -o $out/mnist_cnn.so"
start=$(date +%s%N)
build/bin/soracc examples/models/mnist_cnn.json -o "$out/mnist_cnn.so"
echo "   compiled in $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "== sora-run $out/mnist_cnn.so -i image=$out/seven.npy --top 3"
build/bin/sora-run "$out/mnist_cnn.so" -i image="$out/seven.npy" --top 3
echo "== latency (1 thread, 1000 runs)"
build/bin/sora-run "$out/mnist_cnn.so" -i image="$out/seven.npy" --threads 1 --bench 1000
