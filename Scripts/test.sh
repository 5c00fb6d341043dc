#!/usr/bin/env bash
# Sets up what the project needs, builds the tests and the release binary, and runs
# every test. Fails on a compiler warning in the project's own code and on a
# formatting issue. The build's own output is shown only when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash Scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
build() {
  if ! swift build "$@" >>"$log" 2>&1; then
    cat "$log" >&2
    echo "test: the build failed (swift build $*)" >&2
    exit 1
  fi
}
echo "test: building the tests and the release binary" >&2
build --build-tests
# The release binary too: the interactive session's Ctrl-C is tested on it, since it
# is what the README tells people to build and install.
build -c release --product ast
# And the allocation probe, run with the allocator interposed: the render thread's
# steady state is tested on the release build, where it is what users run.
build -c release --product ast-allocations
if grep -E "^($PWD/)?(Sources|Tests)/.*: warning:" "$log" >&2; then
  echo "test: the build printed warnings in the project's code" >&2
  exit 1
fi

swift format lint --strict --recursive Package.swift Sources Tests

# Swift Testing only (there are no XCTest cases, whose empty run would print a second
# summary first), quiet: failures with their places, then one summary line.
swift test --skip-build --disable-xctest --quiet
