#!/usr/bin/env bash
# Usage: check_exports.sh LLVM_NM EXPORTS_MAP MODEL.so...
# Checks that each model exports exactly the functions of the version script
# (the public sora_* API) and no other symbol.
set -euo pipefail
nm=$1 map=$2
shift 2
expected=$(sed -n 's/^ *\(sora_[a-z0-9_]*\);$/\1/p' "$map" | sort)
if [[ -z $expected ]]; then
  echo "error: no sora_* functions in $map" >&2
  exit 1
fi
status=0
for model in "$@"; do
  exported=$("$nm" -D --defined-only "$model" | awk '{print $NF}' | sort)
  if [[ $exported != "$expected" ]]; then
    echo "error: $model exports the wrong symbols:" >&2
    diff <(echo "$expected") <(echo "$exported") >&2 || true
    status=1
  else
    echo "$model: exports exactly $(echo "$expected" | wc -l) sora_* functions"
  fi
done
exit $status
