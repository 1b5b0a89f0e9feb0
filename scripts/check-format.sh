#!/usr/bin/env bash
# Fails, listing the files, if any tracked C/C++ file differs from what
# clang-format-22 makes of it (.clang-format: LLVM style). Fix with
#   git ls-files '*.c' '*.cpp' '*.h' | xargs clang-format-22 -i
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.cpp' '*.h')
bad=()
for f in "${files[@]}"; do
  clang-format-22 --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "not clang-formatted (${#bad[@]} of ${#files[@]} files):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "${#files[@]} files clang-formatted"
