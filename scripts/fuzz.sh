#!/usr/bin/env bash
# Builds the libFuzzer harnesses under ASan and UBSan (CMakePresets.json
# "fuzz", into build-fuzz/) and runs each for N seconds (default 60), one
# after another, starting from its regression inputs (test/fuzz/corpus/) and
# seeds from the examples and, when present, the main build's test outputs.
# Prints one line per harness:
#   fuzz <name>: <executions> runs, <crashes> crashes
# A finding is written to build-fuzz/findings/<name>/; copy its reproducer
# into test/fuzz/corpus/<name>/ with the fix. Exits 1 if anything crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N]" >&2; exit 2 ;;
  esac
done
[ -f build-fuzz/CMakeCache.txt ] || cmake --preset fuzz >/dev/null
cmake --build build-fuzz --target sora-fuzzers -j2 >/dev/null

# seed_corpus NAME PATTERN...: small files matching the patterns.
seed_corpus() {
  local name="$1"; shift
  local dir="build-fuzz/corpus/$name"
  mkdir -p "$dir"
  local files
  for pattern in "$@"; do
    files=$(find examples test/e2e/models build/test -path "$pattern" \
      -size -1000k -type f 2>/dev/null | sort | head -40 || true)
    for file in $files; do
      cp "$file" "$dir/$(echo "$file" | tr '/' '_')"
    done
  done
}
seed_corpus fuzz_json_model '*.json'
seed_corpus fuzz_dsl_model '*.sora'
seed_corpus fuzz_onnx_model '*.onnx'
seed_corpus fuzz_safetensors '*.safetensors'
seed_corpus fuzz_npy '*.npy'

failed=0
for name in fuzz_json_model fuzz_dsl_model fuzz_onnx_model fuzz_safetensors fuzz_npy; do
  findings="build-fuzz/findings/$name"
  rm -rf "$findings"
  mkdir -p "$findings" "test/fuzz/corpus/$name"
  dict=()
  [ -f "test/fuzz/$name.dict" ] && dict=(-dict="test/fuzz/$name.dict")
  log="build-fuzz/findings/$name.log"
  # Regression inputs are read, never written: new corpus entries go to the
  # build tree.
  build-fuzz/bin/$name "build-fuzz/corpus/$name" "test/fuzz/corpus/$name" \
    "${dict[@]}" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" \
    >"$log" 2>&1 || true
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(find "$findings" -type f | wc -l)
  echo "fuzz $name: ${runs:-0} runs, $crashes crashes"
  [ "$crashes" -eq 0 ] || failed=1
done
exit $failed
