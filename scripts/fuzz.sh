#!/usr/bin/env bash
# Builds the libFuzzer harnesses under ASan and UBSan (CMakePresets.json
# "fuzz", into build-fuzz/) and runs each for N seconds (default 60), one
# after another, starting from its regression inputs (test/fuzz/corpus/) and
# seeds from the examples and, when present, the main build's test outputs.
# --runs N instead runs N inputs per harness from a fixed seed and only the
# checked-in seeds: the same inputs on one machine (coverage that depends on
# addresses can steer the mutations elsewhere on another; CTest's fuzz.replay).
# Prints one line per harness:
#   fuzz <name>: <executions> runs, <crashes> crashes
# A finding is written to build-fuzz/findings/<name>/; copy its reproducer
# into test/fuzz/corpus/<name>/ with the fix. Exits 1 if anything crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=(-max_total_time=60)
seed_dirs=(examples test/e2e/models build/test)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2" -seed=1); seed_dirs=(examples test/e2e/models)
      shift 2 ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N | --runs N]" >&2; exit 2 ;;
  esac
done
[ -f build-fuzz/CMakeCache.txt ] || cmake --preset fuzz >/dev/null
cmake --build build-fuzz --target sora-fuzzers -j2 >/dev/null

# seed_corpus NAME PATTERN...: small files matching the patterns.
seed_corpus() {
  local name="$1"; shift
  local dir="build-fuzz/corpus/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  local files
  for pattern in "$@"; do
    files=$(find "${seed_dirs[@]}" -path "$pattern" \
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
# Model libraries: the runtime tests' small fake models (built the same way
# every time), when the main build has them.
seed_corpus fuzz_model_file '*.so'
find build/runtime/tests/models -name '*.so' -size -1000k -type f 2>/dev/null |
  sort | while read -r file; do
    cp "$file" "build-fuzz/corpus/fuzz_model_file/$(basename "$file")"
  done

# report_finding LOG DIR: what the sanitizer or libFuzzer said, and each
# reproducer in base64 (a CI log is often all there is of a finding).
report_finding() {
  grep -m1 -A24 -E '^==[0-9]+==ERROR|deadly signal|ALARM|out-of-memory' "$1" \
    | grep -v '^INFO' || true
  grep -m1 '^SUMMARY' "$1" || true
  for file in "$2"/*; do
    echo "reproducer $(basename "$file") ($(stat -c %s "$file") bytes, base64):"
    head -c 16384 "$file" | base64 -w 100
  done
}

failed=0
for name in fuzz_json_model fuzz_dsl_model fuzz_onnx_model fuzz_safetensors \
    fuzz_npy fuzz_model_file; do
  findings="build-fuzz/findings/$name"
  rm -rf "$findings"
  mkdir -p "$findings" "test/fuzz/corpus/$name"
  dict=()
  [ -f "test/fuzz/$name.dict" ] && dict=(-dict="test/fuzz/$name.dict")
  log="build-fuzz/findings/$name.log"
  # Regression inputs are read, never written: new corpus entries go to the
  # build tree.
  build-fuzz/bin/$name "build-fuzz/corpus/$name" "test/fuzz/corpus/$name" \
    "${dict[@]}" "${limit[@]}" -timeout=30 -rss_limit_mb=4096 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" \
    >"$log" 2>&1 || true
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(find "$findings" -type f | wc -l)
  echo "fuzz $name: ${runs:-0} runs, $crashes crashes"
  if [ "$crashes" -ne 0 ]; then
    failed=1
    report_finding "$log" "$findings"
  fi
done
exit $failed
