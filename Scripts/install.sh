#!/usr/bin/env bash
# Installs ast: builds it in release mode and puts the binary in PREFIX/bin and its
# shell completions (bash, zsh, fish) under PREFIX/share. PREFIX is ~/.local unless
# given. AST_BINARY names an ast to install instead of building one.
#
#   bash Scripts/install.sh            # ~/.local/bin/ast
#   bash Scripts/install.sh /usr/local
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -gt 1 ]; then
  echo "usage: Scripts/install.sh [PREFIX]" >&2
  exit 2
fi
prefix="${1:-$HOME/.local}"

binary="${AST_BINARY:-}"
if [ -z "$binary" ]; then
  bash Scripts/setup.sh
  swift build -c release --product ast
  binary="$(swift build -c release --show-bin-path)/ast"
fi
if [ ! -x "$binary" ]; then
  echo "install: no ast binary at '$binary'" >&2
  exit 1
fi

bash_dir="$prefix/share/bash-completion/completions"
zsh_dir="$prefix/share/zsh/site-functions"
fish_dir="$prefix/share/fish/vendor_completions.d"
mkdir -p "$prefix/bin" "$bash_dir" "$zsh_dir" "$fish_dir"
# Copied beside its place and renamed into it, so a running ast is never overwritten.
install -m 755 "$binary" "$prefix/bin/.ast.new"
mv -f "$prefix/bin/.ast.new" "$prefix/bin/ast"
"$prefix/bin/ast" --generate-completion-script bash >"$bash_dir/ast"
"$prefix/bin/ast" --generate-completion-script zsh >"$zsh_dir/_ast"
"$prefix/bin/ast" --generate-completion-script fish >"$fish_dir/ast.fish"

echo "installed $("$prefix/bin/ast" --version | head -1) as $prefix/bin/ast"
echo "completions: $bash_dir/ast, $zsh_dir/_ast, $fish_dir/ast.fish"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "add $prefix/bin to your PATH to run 'ast'" ;;
esac
