#!/usr/bin/env bash
# Sets up, builds ast in release mode and shows what it does: a patch of the gallery
# checked, rendered to FLAC and drawn, a mistake and its error message, and audio files
# described and converted. The files land in .build/demo/.
# AST_BINARY names an ast to use instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

ast="${AST_BINARY:-}"
if [ -z "$ast" ]; then
  bash Scripts/setup.sh
  swift build -c release --product ast
  ast="$(swift build -c release --show-bin-path)/ast"
fi
ast="$(cd "$(dirname "$ast")" && pwd)/$(basename "$ast")"
out=.build/demo
mkdir -p "$out"
show() {
  echo
  echo "\$ $*"
}

show ast --version
"$ast" --version

patch=Scripts/examples/02-fm-bell.ast
show cat "$patch"
cat "$patch"
show ast check --types "$patch"
"$ast" check --types "$patch"
show ast run "$patch"
"$ast" run "$patch"
show ast run "$patch" -o "$out/bell.flac" --plot "$out/bell-wave.png"
"$ast" run "$patch" -o "$out/bell.flac" --plot "$out/bell-wave.png"
cat >"$out/spectrum.ast" <<'SCRIPT'
out = read "bell.flac" |> spectrogram "bell-spectrogram.png"
SCRIPT
show cat "$out/spectrum.ast"
cat "$out/spectrum.ast"
show ast run "$out/spectrum.ast"
(cd "$out" && "$ast" run spectrum.ast)
show ast info "$out/bell.flac"
"$ast" info "$out/bell.flac"

# A mistake: the checker finds it before any audio is made.
cat >"$out/mistake.ast" <<'SCRIPT'
osc = saw 220 2s
out = osc |> lowpass 30khz |> gain -6db
SCRIPT
show cat "$out/mistake.ast"
cat "$out/mistake.ast"
show ast check "$out/mistake.ast"
"$ast" check "$out/mistake.ast" 2>&1 || echo "(exit status $?)"

sox -D -n -r 44100 -c 2 -b 16 "$out/tone.wav" synth 3 sine 440 sine 660 vol 0.5 fade 0.1 3 0.1
show ast convert "$out/tone.wav" "$out/tone.mp3" --channels 1
"$ast" convert "$out/tone.wav" "$out/tone.mp3" --channels 1
show ast info "$out/tone.wav" "$out/tone.mp3"
"$ast" info "$out/tone.wav" "$out/tone.mp3"

echo
echo "The pictures: $out/bell-wave.png and $out/bell-spectrogram.png"
