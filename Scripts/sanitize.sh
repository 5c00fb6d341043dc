#!/usr/bin/env bash
# Runs tests under the sanitizers, each in a build folder of its own so that the normal
# build (.build/debug) is left alone:
#   - ThreadSanitizer (.build/tsan): the channel tests, the engine's tests, and the
#     language's stream tests, where channels and the engine run concurrently;
#   - AddressSanitizer (.build/asan): every test.
# Prints the time of each part. It is slow (both sanitized builds are made from
# scratch the first time), so it is not part of Scripts/test.sh.
#
# Usage: bash Scripts/sanitize.sh [thread|address]   (both when no argument is given)
# SANITIZE_JOBS sets the build's parallelism (default 1, for a machine shared with others).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${SANITIZE_JOBS:-1}
parts=("$@")
if [ ${#parts[@]} -eq 0 ]; then parts=(thread address); fi

thread_filter='ASTCoreTests\.Channel|ASTEngineTests\.|ASTRuntimeTests\.EvaluatorStreamTests'

# Under AddressSanitizer:
# - Leak detection is off. The toolchain's XCTest harness (libXCTest, XCTMainMisc and
#   XCTestSuiteRun) leaks its own objects at exit, which fails every run; the setting
#   reaches the `ast` processes the tests start as well.
# - One test is skipped: it checks expressions nested to the checker's limit of 400
#   levels through function calls. A debug build needs 4-6 MB of stack for it (a
#   release build under 1 MB); AddressSanitizer's larger frames overflow the 8 MB of a
#   test thread.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# Tests that compare peak memory skip that comparison under a sanitizer, whose
# allocator keeps freed memory in quarantine.
export AST_SANITIZER=1
address_skip='CheckerRegressionTests/deepFunctions'

run_part() {
  local sanitizer=$1
  local scratch
  local filter=()
  case "$sanitizer" in
    thread) scratch=.build/tsan; filter=(--filter "$thread_filter") ;;
    address) scratch=.build/asan; filter=(--skip "$address_skip") ;;
    *) echo "sanitize: unknown sanitizer '$sanitizer' (thread or address)" >&2; return 2 ;;
  esac
  local start=$SECONDS
  swift build --build-tests -j "$jobs" --sanitize="$sanitizer" --scratch-path "$scratch"
  local built=$SECONDS
  swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "${filter[@]}"
  echo "sanitize: $sanitizer: built in $((built - start)) s, tested in $((SECONDS - built)) s"
}

for part in "${parts[@]}"; do
  run_part "$part"
done
echo "sanitize: passed (${parts[*]}) in $SECONDS s"
