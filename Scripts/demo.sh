#!/usr/bin/env bash
# Sets up, builds ast in release mode and shows what it does: a stereo tone made by SoX
# is described, then converted to FLAC (48 kHz, 24-bit, -3 dB) and to MP3.
# The files land in .build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash Scripts/setup.sh
swift build -c release --product ast
ast="$(swift build -c release --show-bin-path)/ast"
out=.build/demo
mkdir -p "$out"

echo "\$ ast --version"
"$ast" --version

sox -D -n -r 44100 -c 2 -b 16 "$out/tone.wav" synth 3 sine 440 sine 660 vol 0.5 fade 0.1 3 0.1
echo "\$ ast info $out/tone.wav"
"$ast" info "$out/tone.wav"

echo "\$ ast convert $out/tone.wav $out/tone.flac --rate 48000 --encoding s24 --gain -3"
"$ast" convert "$out/tone.wav" "$out/tone.flac" --rate 48000 --encoding s24 --gain -3
echo "\$ ast convert $out/tone.wav $out/tone.mp3 --channels 1"
"$ast" convert "$out/tone.wav" "$out/tone.mp3" --channels 1
echo "\$ ast info $out/tone.flac $out/tone.mp3"
"$ast" info "$out/tone.flac" "$out/tone.mp3"
