#!/usr/bin/env bash
# The main job: trains examples/models/mnist_cnn.json's network on
# Fashion-MNIST in PyTorch (cached in build/demo after the first run),
# compiles it with soracc, classifies the test set with the compiled library
# next to PyTorch (scripts/demo.py), then times one image with sora-run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
PYTHONPATH=build/python /usr/bin/python3 scripts/demo.py --outdir "$out"
# The README's commands use the trained weights as the model's own.
cp "$out/fashion_mnist_cnn.safetensors" examples/models/mnist_cnn.safetensors
echo "== sora-run $out/mnist_cnn.so -i image=$out/sample0.npy --top 3"
build/bin/sora-run "$out/mnist_cnn.so" -i image="$out/sample0.npy" --top 3
echo "== latency (1 thread, 1000 runs)"
build/bin/sora-run "$out/mnist_cnn.so" -i image="$out/sample0.npy" --threads 1 --bench 1000
