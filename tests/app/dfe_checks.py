"""What the Python end-to-end tests of dfe-run share: argv, a check list, running dfe-run under the
launcher, reading timeseries.csv.

A script calls `setup()` first; argv is DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...].
"""
import csv
import os
import shutil
import subprocess
import sys

import numpy as np

dfe_run = work = None
launcher = []
failures = []


def setup():
    global dfe_run, work, launcher
    dfe_run, work, launcher = sys.argv[1], sys.argv[2], sys.argv[3:]


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def run(name, args, ranks=2, expect=(0,)):
    """dfe-run into WORKDIR/name (removed first), planner estimate and an 8^d observation grid."""
    out = os.path.join(work, name)
    shutil.rmtree(out, ignore_errors=True)
    cmd = launcher + ["-n", str(ranks), dfe_run, "--out", out, "--fftw-planner", "estimate", "--gamma2-grid", "8"] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    print(f"--- {name}: exit {p.returncode}")
    print("\n".join(l for l in p.stdout.splitlines() if l.startswith(("  integrator", "resolution", "adaptive"))))
    if p.returncode not in expect:
        print(p.stdout[-3000:], p.stderr[-3000:])
    return p, out


def table(out):
    """timeseries.csv of a run as {column: array}."""
    with open(os.path.join(out, "timeseries.csv")) as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")
