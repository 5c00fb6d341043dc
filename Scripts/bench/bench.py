#!/usr/bin/env python3
"""The side-by-side benchmark: each workload W1-W6 as an .ast script run by `ast run`
(release build), alternating with the reference tool in the same run (SoX for W1-W5,
numpy for W6, and the C yardstick for W4), several runs each; then the outputs are
compared with numpy's (the reference's verify.py) and one table is printed.

usage: python3 Scripts/bench/bench.py [-n RUNS] [--only W4,W2] [--reference DIR]

DIR is the reference benchmark (workloads/*.sh, *.py, verify.py, limit/); by default
../shared/bench beside the repository, or $AST_BENCH_REFERENCE. Outputs go to
$BENCH_OUT (default $TMPDIR/ast-bench). Not run by CI: it takes minutes."""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "Scripts", "bench", "workloads")
OUT = os.environ.get("BENCH_OUT", os.path.join(os.environ.get("TMPDIR", "/tmp"), "ast-bench"))
AUDIO_SECONDS = {"W1": 60, "W2": 600, "W3": 600, "W4": 3600, "W5": 600, "W6": 600}


def run_once(command, cwd=None):
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    errors = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{errors}")
    return wall, usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=5)
    parser.add_argument("--only", default="W1,W2,W3,W4,W5,W6")
    parser.add_argument("--reference", default=os.environ.get(
        "AST_BENCH_REFERENCE", os.path.join(os.path.dirname(ROOT), "shared", "bench")))
    args = parser.parse_args()
    reference = os.path.abspath(args.reference)
    if not os.path.isfile(os.path.join(reference, "verify.py")):
        sys.exit(f"no reference benchmark at {reference} (give --reference DIR)")
    os.makedirs(OUT, exist_ok=True)

    print("building ast (release)...", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "ast"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.strip() + "/ast"
    subprocess.run(["bash", os.path.join(reference, "workloads", "prep.sh")], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, BENCH_OUT=OUT))
    yardstick = os.path.join(OUT, "bin", "w4gen")
    subprocess.run(["bash", os.path.join(reference, "limit", "build.sh")], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, BENCH_BIN=os.path.join(OUT, "bin")))

    rows = []
    for workload in args.only.split(","):
        script = os.path.join(HERE, workload + ".ast")
        ast_command = [binary, "run", script] + ([] if workload == "W6" else ["-o", f"{workload}.ast.wav"])
        if workload == "W6":
            ref_name, ref_command = "numpy", [sys.executable, os.path.join(reference, "workloads", "W6.py")]
        else:
            ref_name, ref_command = "SoX", ["bash", os.path.join(reference, "workloads", workload + ".sh")]
        extra = None
        if workload == "W4":
            extra = ("C", [yardstick, os.path.join(OUT, "W4.c.wav")])
        print(f"{workload}...", file=sys.stderr)
        ours, theirs, third = [], [], []
        run_once(ast_command, cwd=OUT)  # warm-up
        for _ in range(args.n):
            ours.append(run_once(ast_command, cwd=OUT))
            theirs.append(run_once(ref_command, cwd=OUT))
            if extra:
                third.append(run_once(extra[1], cwd=OUT))
        ast_wall = statistics.median(w for w, _ in ours)
        ref_wall = statistics.median(w for w, _ in theirs)
        rss = max(r for _, r in ours)
        rows.append((workload, ast_wall, ref_name, ref_wall, ast_wall / ref_wall,
                     AUDIO_SECONDS[workload] / ast_wall, rss))
        if extra:
            c_wall = statistics.median(w for w, _ in third)
            rows.append((workload, ast_wall, "C yardstick", c_wall, ast_wall / c_wall,
                         AUDIO_SECONDS[workload] / ast_wall, rss))

    print(f"\n{'workload':8s} {'ast s':>8s} {'reference':>12s} {'ref s':>8s} {'ratio':>7s} {'RTF':>8s} {'peak RSS':>9s}")
    for workload, ast_wall, name, ref_wall, ratio, rtf, rss in rows:
        print(f"{workload:8s} {ast_wall:8.3f} {name:>12s} {ref_wall:8.3f} {ratio:6.2f}x {rtf:7.0f}x {rss:6.1f} MB")
    print("\noutputs compared with numpy's (frames, peak, RMS, max difference in LSB, SNR):")
    for workload in args.only.split(","):
        if workload not in ("W6",):
            numpy_out = os.path.join(OUT, f"{workload}.numpy.wav")
            if not os.path.exists(numpy_out):
                subprocess.run([sys.executable, os.path.join(reference, "workloads", workload + ".py")],
                               check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, BENCH_OUT=OUT))
    subprocess.run([sys.executable, os.path.join(reference, "verify.py")], check=True,
                   env=dict(os.environ, BENCH_OUT=OUT))


if __name__ == "__main__":
    main()
