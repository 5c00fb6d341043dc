#!/usr/bin/env python3
"""A NodeTool-style producer and consumer of AudioStream chunks talking to `ast`.

The producer makes a 440 Hz sine in 16-bit chunks of a quarter second and writes each
as one line of the AudioStream JSON form (`type: "audio_stream"`, `data` in base64,
`timestamp` as [start, end], `metadata`). `ast run halve.ast --emit jsonl` reads them
from standard input, filters and halves them, and writes its chunks back as JSON lines,
which the consumer decodes into numpy arrays while the producer is still sending.

    python3 Scripts/interchange/nodetool_pipe.py [--ast PATH] [--seconds N]

Prints what it received and exits with 1 when the result is not what it should be.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import threading

import numpy as np

RATE = 16000
CHUNK_SECONDS = 0.25


def audio_stream(samples, start, index):
    """One chunk of 16-bit mono samples in the AudioStream JSON form."""
    frames = len(samples)
    return {
        "type": "audio_stream",
        "data": base64.b64encode(samples.astype("<i2").tobytes()).decode("ascii"),
        "sample_rate": RATE,
        "channels": 1,
        "sample_width": 2,
        "format": "pcm_s16le",
        "timestamp": [start / RATE, (start + frames) / RATE],
        "metadata": {"chunk_index": index, "source": "nodetool_pipe.py"},
    }


def produce(pipe, seconds):
    """Writes the sine, chunk by chunk, then closes the pipe."""
    frames_per_chunk = int(RATE * CHUNK_SECONDS)
    total = int(RATE * seconds)
    n = np.arange(total)
    sine = np.trunc(np.clip(0.5 * np.sin(2 * np.pi * 440 * n / RATE) * 32768, -32768, 32767))
    for index, start in enumerate(range(0, total, frames_per_chunk)):
        chunk = sine[start:start + frames_per_chunk]
        pipe.write((json.dumps(audio_stream(chunk, start, index)) + "\n").encode("utf-8"))
        pipe.flush()
    pipe.close()


def decode(chunk):
    """The samples of a chunk as floats in [-1, 1]."""
    data = base64.b64decode(chunk["data"])
    if chunk["format"] == "pcm_s16le":
        return np.frombuffer(data, dtype="<i2").astype(np.float64) / 32768
    if chunk["format"] == "pcm_f32le":
        return np.frombuffer(data, dtype="<f4").astype(np.float64)
    raise ValueError("unexpected format " + chunk["format"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ast", default="ast", help="the ast executable")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "halve.ast")
    process = subprocess.Popen([args.ast, "run", script, "--emit", "jsonl"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    producer = threading.Thread(target=produce, args=(process.stdin, args.seconds))
    producer.start()

    received, times = [], []
    for line in process.stdout:
        chunk = json.loads(line)
        if chunk.get("type") != "audio_stream":
            sys.exit("not an audio_stream chunk: " + line.decode()[:80])
        received.append(decode(chunk))
        times.append(chunk["timestamp"])
    producer.join()
    status = process.wait()

    samples = np.concatenate(received) if received else np.zeros(0)
    steady = samples[len(samples) // 4:]
    peak = float(np.max(np.abs(steady))) if len(steady) else 0.0
    print(f"received {len(received)} chunks, {len(samples)} frames, "
          f"{times[-1][1] if times else 0:.2f} s, steady peak {peak:.4f}, ast status {status}")
    expected_frames = int(RATE * args.seconds)
    contiguous = all(abs(a[1] - b[0]) < 1e-9 for a, b in zip(times, times[1:]))
    # A 440 Hz sine at 0.5 through a 2 kHz low-pass (gain about 1) and halved: about 0.25.
    if status != 0 or len(samples) != expected_frames or not contiguous or abs(peak - 0.25) > 0.01:
        sys.exit("unexpected result")
    print("ok")


if __name__ == "__main__":
    main()
