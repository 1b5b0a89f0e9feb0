#!/usr/bin/env bash
# Regenerates the parts of docs/ that come from the code: the ONNX operator
# table in docs/onnx.md (from the importer's table, `soracc
# --list-onnx-operators`; the lit test Driver/onnx-docs.test fails when it
# is stale) and the example graph pictures in docs/images/.
# Usage: update-docs.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
table=$("$build/bin/soracc" --list-onnx-operators)
/usr/bin/python3 - "$table" <<'PY'
import re, sys
path = "docs/onnx.md"
doc = open(path).read()
begin, end = "<!-- onnx-operators: begin -->", "<!-- onnx-operators: end -->"
i, j = doc.index(begin) + len(begin), doc.index(end)
open(path, "w").write(doc[:i] + "\n" + sys.argv[1] + "\n" + doc[j:])
PY
echo "docs/onnx.md: operator table regenerated"

# Example pictures of fused graphs (README, docs/tutorial.md).
mkdir -p docs/images
for model in resnet_block mnist_cnn; do
  "$build/bin/soracc" examples/models/$model.json --random-weights 1 \
    --emit=svg -o docs/images/$model.svg
  echo "docs/images/$model.svg: regenerated"
done
