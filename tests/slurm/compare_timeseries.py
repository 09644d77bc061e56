#!/usr/bin/python3
"""Compare two dfe-run time series numerically.

    compare_timeseries.py A.csv B.csv [RTOL]

Same header, same number of rows, and for every column c and row i
    |A[i,c] - B[i,c]| <= RTOL * max_i |A[i,c]|
(relative to the column's largest magnitude, so that entries that are zero up to round-off, such
as dV1 at t = 0, do not make the comparison meaningless). Non-finite entries (nan, inf) must be
the same in both. RTOL defaults to 1e-12. Prints the largest relative difference; exit 0 if
within RTOL, 1 if not, 2 on unreadable input.
"""
import csv
import math
import sys


def read(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        print(f"compare_timeseries: cannot read {path}: {e}", file=sys.stderr)
        sys.exit(2)
    if not rows:
        print(f"compare_timeseries: {path} is empty", file=sys.stderr)
        sys.exit(2)
    return rows[0], [[float(x) for x in r] for r in rows[1:]]


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    rtol = float(sys.argv[3]) if len(sys.argv) == 4 else 1e-12
    ha, a = read(sys.argv[1])
    hb, b = read(sys.argv[2])
    if ha != hb:
        print(f"FAIL: the headers differ:\n  {ha}\n  {hb}")
        sys.exit(1)
    if len(a) != len(b) or not a:
        print(f"FAIL: {len(a)} rows in {sys.argv[1]}, {len(b)} in {sys.argv[2]}")
        sys.exit(1)
    worst, where = 0.0, None
    for c, name in enumerate(ha):
        scale = max((abs(r[c]) for r in a if math.isfinite(r[c])), default=0.0)
        for i, (ra, rb) in enumerate(zip(a, b)):
            x, y = ra[c], rb[c]
            if not (math.isfinite(x) and math.isfinite(y)):
                if not (x == y or (math.isnan(x) and math.isnan(y))):
                    print(f"FAIL: row {i} column {name}: {x!r} vs {y!r}")
                    sys.exit(1)
                continue
            if x == y:
                continue
            rel = abs(x - y) / scale if scale > 0 else math.inf
            if rel > worst:
                worst, where = rel, (i, name, x, y)
    summary = f"{len(a)} rows x {len(ha)} columns, largest relative difference {worst:.3g}"
    if where:
        summary += f" (row {where[0]}, {where[1]}: {where[2]!r} vs {where[3]!r})"
    if worst > rtol:
        print(f"FAIL: {summary} > {rtol:g}")
        sys.exit(1)
    print(f"same to {rtol:g}: {summary}")


if __name__ == "__main__":
    main()
