#!/usr/bin/env python3
"""The cost of the localized columns per sample and output, measured with dfe-bench.

    bench_localized.py [--repeat K] [--planner measure|estimate] DFE_BENCH [DFE_BENCH ...]

For every case, each binary is run K times (alternating, on 1 rank) with and without --R 1,4,9,16;
the cost of the localized columns is the difference of the per-sample observables time, per sample
and output row, and is printed in ms and as a multiple of one Strang step of the same run (medians).
Give two binaries (before, after) to compare them side by side on the same machine at the same time.
"""
import json
import statistics
import subprocess
import sys

args = sys.argv[1:]
repeat, planner = 3, "measure"
while args and args[0].startswith("--"):
    if args[0] == "--repeat":
        repeat, args = int(args[1]), args[2:]
    elif args[0] == "--planner":
        planner, args = args[1], args[2:]
    else:
        sys.exit(f"unknown option {args[0]}")
if not args:
    sys.exit(__doc__)
benches = args

cases = [
    ("2D 128^2, 64^2 obs. grid", ["--d", "2", "--N", "128", "--count", "4", "--steps", "100", "--gamma2-grid", "64"]),
    ("2D 256^2", ["--d", "2", "--N", "256", "--count", "2", "--steps", "60"]),
    ("3D 64^3", ["--d", "3", "--N", "64", "--L", "12", "--count", "2", "--steps", "20"]),
]
common = ["--output-every", "10", "--gamma2-times", "none", "--fftw-planner", planner, "--json"]


def run(bench, case, radii):
    cmd = [bench] + case + common + (["--R", "1,4,9,16"] if radii else [])
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


print(f"{'case':28s} {'binary':40s} {'Strang ms':>10s} {'localized ms':>13s} {'x Strang':>9s}")
for name, case in cases:
    results = {b: {"with": [], "without": []} for b in benches}
    for _ in range(repeat):
        for b in benches:
            for radii in (True, False):
                results[b]["with" if radii else "without"].append(run(b, case, radii))
    for b in benches:
        w, wo = results[b]["with"], results[b]["without"]
        per = [(x["observables_s"] - y["observables_s"]) / (x["rows"] * x["samples"]) * 1e3 for x, y in zip(w, wo)]
        step = [x["ms_per_strang_step_per_sample"] for x in w + wo]
        loc, st = statistics.median(per), statistics.median(step)
        print(f"{name:28s} {b:40s} {st:10.3f} {loc:13.3f} {loc / st:9.2f}")
