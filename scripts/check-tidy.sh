#!/usr/bin/env bash
# Runs clang-tidy-22 (.clang-tidy: MLIR naming, bugprone checks, warnings
# as errors) on every C/C++ source in BUILD_DIR's compilation database.
# Usage: check-tidy.sh BUILD_DIR [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: check-tidy.sh BUILD_DIR [JOBS]}
# Compiler warnings are the build's business (-Werror there), not tidy's.
run-clang-tidy-22 -p "$build" -j "${2:-2}" -quiet \
  -clang-tidy-binary clang-tidy-22 -extra-arg=-Wno-error \
  "$(pwd)/(compiler|dialect|runtime|tools|test)/.*\.(c|cpp)$" > "$build/clang-tidy.log" 2>&1 || {
  grep -E "(error|warning):" "$build/clang-tidy.log" | sort -u
  echo "clang-tidy found problems (full log: $build/clang-tidy.log)"
  exit 1
}
echo "clang-tidy: no findings in $(grep -c '^\[' "$build/clang-tidy.log") files"
