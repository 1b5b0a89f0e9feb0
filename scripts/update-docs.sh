#!/usr/bin/env bash
# Regenerates the parts of docs/ that come from the code: the ONNX operator
# table in docs/onnx.md (from the importer's table, `soracc
# --list-onnx-operators`; the lit test Driver/onnx-docs.test fails when it
# is stale) and the example graph picture docs/images/resnet_block.svg.
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

# The example picture of a fused graph (README, docs/architecture.md).
mkdir -p docs/images
"$build/bin/soracc" examples/models/resnet_block.json --random-weights 1 \
  --emit=svg -o docs/images/resnet_block.svg
echo "docs/images/resnet_block.svg: regenerated"
