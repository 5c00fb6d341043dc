#!/usr/bin/env bash
# Builds the DocC documentation of the core library into .build/docs/ASTCore.doccarchive
# with the toolchain's docc (no plugin needed). Open it with `docc preview` or serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
graphs=.build/symbol-graphs
rm -rf "$graphs" && mkdir -p "$graphs" .build/docs
swift build --target ASTCore -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir \
  -Xswiftc "$graphs"
docc convert Sources/ASTCore/ASTCore.docc --additional-symbol-graph-dir "$graphs" \
  --fallback-display-name ASTCore --fallback-bundle-identifier ast.ASTCore \
  --output-path .build/docs/ASTCore.doccarchive
echo "docs: .build/docs/ASTCore.doccarchive"
