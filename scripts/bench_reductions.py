#!/usr/bin/env python3
"""The reductions at output rows against the number of samples M: time per output row and peak memory.

    bench_reductions.py [--ranks P] [--N N] [--d D] [--samples 64,256,...] [--repeat K]
                        [--extra "--reduction-form grid"] DFE_BENCH [DFE_BENCH ...]

Runs each dfe-bench binary (give two, before and after, to compare them side by side on the same
machine at the same time) on D-dimensional N^D grids (default 2D 32^2) with M random Gaussians, P
ranks (default 2, oversubscribed), 20 steps with an output row every 10 (3 rows), --gamma2-times
none, FFTW_ESTIMATE, and prints per M and binary the median over K runs (default 3) of the
reductions per output row (s) and the largest peak RSS over the ranks (MiB), and the ratios of the
first binary's figures to the others'. The figures come from dfe-bench's JSON line.
"""
import json
import os
import statistics
import subprocess
import sys

args = sys.argv[1:]
ranks, N, d, repeat, extra = 2, 32, 2, 3, []
samples = [64, 256, 1024, 2048, 4096, 8192]
while args and args[0].startswith("--"):
    key, value, args = args[0], args[1], args[2:]
    if key == "--ranks":
        ranks = int(value)
    elif key == "--N":
        N = int(value)
    elif key == "--d":
        d = int(value)
    elif key == "--samples":
        samples = [int(m) for m in value.split(",")]
    elif key == "--repeat":
        repeat = int(value)
    elif key == "--extra":
        extra = value.split()
    else:
        sys.exit(f"unknown option {key}")
if not args:
    sys.exit(__doc__)

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def once(binary, M):
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "--d", str(d), "--N", str(N), "--L", "16",
           "--count", str(M), "--steps", "20", "--output-every", "10", "--warmup", "0", "--repeat", "1",
           "--gamma2-times", "none", "--fftw-planner", "estimate", "--json"] + extra
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        sys.exit(f"{binary} M={M} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    r = json.loads(lines[-1])
    return r["reductions_s"] / r["rows"], r["peak_rss_mib"]


print(f"{d}D {N}^{d}, {ranks} ranks, 3 output rows, medians of {repeat}; extra options: {' '.join(extra) or 'none'}")
head = f"{'M':>6}"
for i, b in enumerate(args):
    head += f"  {'red/row s [' + str(i) + ']':>14} {'RSS MiB [' + str(i) + ']':>13}"
if len(args) > 1:
    head += "  " + "  ".join(f"time [0]/[{i}]  RSS [0]/[{i}]" for i in range(1, len(args)))
print(head, flush=True)
for M in samples:
    figures = []
    for b in args:
        runs = [once(b, M) for _ in range(repeat)]
        figures.append((statistics.median(r[0] for r in runs), max(r[1] for r in runs)))
    line = f"{M:>6}" + "".join(f"  {t:>14.4f} {m:>13.1f}" for t, m in figures)
    if len(args) > 1:
        line += "  " + "  ".join(f"{figures[0][0] / f[0]:>12.2f} {figures[0][1] / f[1]:>12.2f}" for f in figures[1:])
    print(line, flush=True)
