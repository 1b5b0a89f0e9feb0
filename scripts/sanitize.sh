#!/usr/bin/env bash
# The test suite under ASan and UBSan: builds soracc, its tools and tests
# with -fsanitize=address,undefined (CMakePresets.json "fuzz", build-fuzz/,
# the directory the fuzzers share) and runs CTest there. Any sanitizer
# report fails the test that triggered it (-fno-sanitize-recover=all).
#   scripts/sanitize.sh            every test (long: a full sanitized build,
#                                  then the suite at 2-3x its usual time)
#   scripts/sanitize.sh --subset   what CI runs (CTest's sanitize.subset):
#                                  soracc and sora-opt on the frontend,
#                                  dialect, transform and conversion lit
#                                  tests
# The fuzzers, the style checks and this script's own test are left out of
# the full run (they are not tests of soracc's behaviour). The kernels and
# the runtime objects soracc links into models are not instrumented (clang
# builds them per target); sora-run, the C API tests and everything in
# soracc are.
set -euo pipefail
cd "$(dirname "$0")/.."
subset=false
case "${1:-}" in
  --subset) subset=true ;;
  "") ;;
  *) echo "usage: scripts/sanitize.sh [--subset]" >&2; exit 2 ;;
esac
[ -f build-fuzz/CMakeCache.txt ] || cmake --preset fuzz >/dev/null
# LLVM's, MLIR's and Halide's process-lifetime objects are not freed at exit.
# LLVM's BumpPtrAllocator poisons a slab's free part in instrumented code
# and Debian's uninstrumented libMLIR allocates from the same slab without
# unpoisoning it: user poisoning off, or every MLIR attribute made in
# soracc's code is a false use-after-poison.
# Reports go to files, not into the output the tests check (ASan warns on
# stderr once per process when Halide compiles on its own stack through
# swapcontext); a report still fails its process, and the reports are
# printed at the end.
logs=$PWD/build-fuzz/sanitizer-logs
rm -rf "$logs" && mkdir -p "$logs"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:allow_user_poisoning=0:log_path=$logs/asan
export UBSAN_OPTIONS=print_stacktrace=1:log_path=$logs/ubsan
print_reports() {
  local found
  found=$(grep -l -E "ERROR: AddressSanitizer|CHECK failed|runtime error:" "$logs"/* 2>/dev/null || true)
  [ -z "$found" ] && return 0
  echo "sanitizer reports:"
  for f in $found; do echo "--- $f"; cat "$f"; done
  return 1
}
if $subset; then
  cmake --build build-fuzz --target soracc sora-opt sora_runtime_objects \
    sora_halide_runtimes -j2 >/dev/null
  status=0
  (cd build-fuzz/test && /usr/bin/python3 /usr/lib/llvm-22/bin/lit -sv \
    Frontend Dialect Transforms Conversion) || status=$?
  print_reports || status=1
  exit $status
fi
cmake --build build-fuzz -j2 >/dev/null
status=0
ctest --test-dir build-fuzz -j2 --output-on-failure \
  -E '^(fuzz\.replay|sanitize\.subset|style\.)' || status=$?
print_reports || status=1
exit $status
