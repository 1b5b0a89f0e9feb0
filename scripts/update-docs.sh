#!/usr/bin/env bash
# Regenerates the parts of docs/ that come from the code: the ONNX operator
# table in docs/onnx.md (from the importer's table, `soracc
# --list-onnx-operators`). The lit test Driver/onnx-docs.test fails when
# they are stale. Usage: update-docs.sh [BUILD_DIR]
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
