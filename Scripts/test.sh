#!/usr/bin/env bash
# Sets up what the project needs, then builds and runs every test.
# Fails on a compiler warning in the project's own code and on a formatting issue.
set -euo pipefail
cd "$(dirname "$0")/.."

bash Scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^($PWD/)?(Sources|Tests)/.*: warning:" "$log" >/dev/null; then
  echo "test: the build printed warnings in the project's code" >&2
  exit 1
fi

swift format lint --strict --recursive Package.swift Sources Tests

swift test --skip-build
