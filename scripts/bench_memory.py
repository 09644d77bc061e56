#!/usr/bin/env python3
"""Peak resident memory per rank against the length of a run (the record is streamed, so it should not grow).

    bench_memory.py [--ranks R] [--rows A,B] [--ranks-per-sample G] DFE_RUN [DFE_RUN ...]

Runs each dfe-run binary on 2D 128^2 with 8 random Gaussians, one output row per step (A and B rows,
default 1000 and 10000), --gamma2-times none, under /usr/bin/time on every rank, and prints the peak
RSS of each rank (MiB) and the ratio B/A. Give two binaries (before, after) to compare them side by
side on the same machine at the same time.
"""
import os
import re
import subprocess
import sys
import tempfile

args = sys.argv[1:]
ranks, rows, group = 2, [1000, 10000], 1
while args and args[0].startswith("--"):
    if args[0] == "--ranks":
        ranks, args = int(args[1]), args[2:]
    elif args[0] == "--rows":
        rows, args = [int(r) for r in args[1].split(",")], args[2:]
    elif args[0] == "--ranks-per-sample":
        group, args = int(args[1]), args[2:]
    else:
        sys.exit(f"unknown option {args[0]}")
if not args:
    sys.exit(__doc__)

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
dt = 1e-4


def peak_rss(binary, n_rows):
    with tempfile.TemporaryDirectory() as out:
        cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), "/usr/bin/time", "-f", "peak_rss_kib %M", binary,
               "--d", "2", "--N", "128", "--L", "16", "--measure", "random-gaussians", "--count", "8",
               "--dt", str(dt), "--t-end", repr(dt * (n_rows - 1)), "--output-dt", str(dt),
               "--gamma2-times", "none", "--fftw-planner", "estimate", "--ranks-per-sample", str(group),
               "--out", out]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{binary}: exit {done.returncode}: {done.stderr[-2000:]}")
        peaks = sorted(int(k) / 1024 for k in re.findall(r"peak_rss_kib (\d+)", done.stderr))
        if len(peaks) < ranks:  # mpirun can drop a rank's last line of stderr
            print(f"  note: {binary}, {n_rows} rows: {len(peaks)} of {ranks} ranks reported", file=sys.stderr)
        return peaks


print(f"{ranks} rank(s), {group} rank(s) per sample, 2D 128^2, 8 samples: peak RSS per rank (MiB)")
for binary in args:
    peaks = {n: peak_rss(binary, n) for n in rows}
    cells = "  ".join(f"{n} rows: " + "/".join(f"{p:.0f}" for p in peaks[n]) for n in rows)
    ratio = max(peaks[rows[-1]]) / max(peaks[rows[0]])
    print(f"{binary}: {cells}  ratio {ratio:.3f}")
