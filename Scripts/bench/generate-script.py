#!/usr/bin/env python3
"""Writes a generated .ast script of N lines (default 10000) to standard output.

The lines cycle through the language's constructs: bindings with arithmetic and units,
pipes, named arguments, lists, function definitions and calls, comments.
Used to measure how fast `ast check` reads long scripts."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
templates = [
    "lfo{i} = sine 5hz 2s  # slow modulation",
    "osc{i} = sine ({f}hz + 3 * lfo{i}) 2s",
    "tone{i} = saw 220hz 1.5s |> lowpass 1.2khz q:0.9 |> gain -6db",
    "fn voice{i} freq dur = saw freq dur |> lowpass (freq * 4) q:0.8",
    "mixed{i} = mix [osc{i}, tone{i}, square 110 1.0 width:0.25]",
    "out{i} = voice{i} {f} 0.5",
    "  |> adsr 10ms 200ms 0.6 500ms",
    "  |> delay 250ms feedback:0.35 mix:0.3",
    "write (gain mixed{i} 0.5) \"part{i}.wav\"",
    "level{i} = (peak mixed{i} - rms mixed{i}) / 2",
]
lines = []
i = 0
while len(lines) < n:
    for t in templates:
        if len(lines) >= n:
            break
        lines.append(t.format(i=i, f=200 + i % 800))
    i += 1
sys.stdout.write("\n".join(lines) + "\n")
