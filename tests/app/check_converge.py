#!/usr/bin/env python3
"""dfe-converge end to end (docs/convergence.md): the two CSV files' headers and rows, each run's own
outputs, Richardson's err_time against the actual difference to a dt/4 run, and a samples file's
measure carried to 2N and to the larger box, which must give the study of the same built-in measure.

usage: check_converge.py DFE_CONVERGE WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
About 15 s on 2 cores.
"""
import csv
import math
import os

import h5py
import numpy as np

import dfe_checks
from dfe_checks import check, finish, run, setup

setup()
work = dfe_checks.work
os.makedirs(work, exist_ok=True)

TIMESERIES = ("t,mass,kinetic,interaction,energy,V1,dV1,d2V1,vterm,glassey_T,purity,lambda_max,fact_defect,"
              "admissibility_residual,symmetry_residual,gamma2_min,max_grad_norm,max_boundary_mass,n_underresolved,dt")
CHECKS = ("IIIa_le_4absE0", "IIIb_le_4absE0_plus_half_absII", "IV_le_4absE0", "d2loc_le_4E0")


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def header(path):
    with open(path) as f:
        return f.readline().strip()


def study(out):
    """convergence.csv as {(column, t): {value, err_space, err_time, err_box}}."""
    return {(r["column"], round(float(r["t"]), 9)): {k: float(v) for k, v in r.items() if k not in ("column", "t")}
            for r in rows(os.path.join(out, "convergence.csv"))}


def no_tmp(out):
    return not any(name.endswith(".tmp") for _, _, names in os.walk(out) for name in names)


# 1. The files, on 1 rank in 1D and on 2 ranks in 2D with two radii.
for name, ranks, args, radii in [
        ("d1", 1, ["--d", "1", "--N", "64", "--L", "16", "--t-end", "0.04", "--dt", "0.01", "--output-dt", "0.02"], []),
        ("d2", 2, ["--d", "2", "--N", "32", "--L", "12", "--t-end", "0.04", "--dt", "0.01", "--output-dt", "0.02",
                   "--R", "2,4", "--measure", "random-gaussians", "--count", "2", "--kick-spread", "0.3",
                   "--width-min", "0.9", "--width-max", "1.1", "--center-spread", "0.5"], [2, 4])]:
    p, out = run(name, args, ranks=ranks)
    check(p.returncode == 0, f"{name}: dfe-converge on {ranks} rank(s) exits 0")
    if p.returncode != 0:
        continue
    check("run 2/4: space: N = " in p.stdout and "run 4/4: box: N = " in p.stdout, f"{name}: progress lines name each run")
    for run_name in ("base", "space", "time", "box"):
        files = [os.path.join(out, run_name, f) for f in ("timeseries.csv", "run.h5")]
        check(all(os.path.exists(f) for f in files), f"{name}: {run_name}/ holds timeseries.csv and run.h5")
    expected = header(os.path.join(out, "base", "timeseries.csv")).split(",")
    check(radii or expected == TIMESERIES.split(","), f"{name}: base/timeseries.csv has dfe-run's columns")
    check(header(os.path.join(out, "convergence.csv")) == "column,t,value,err_space,err_time,err_box",
          f"{name}: convergence.csv's header")
    lines = rows(os.path.join(out, "convergence.csv"))
    times = [r["t"] for r in rows(os.path.join(out, "base", "timeseries.csv"))]
    check(len(lines) == (len(expected) - 1) * len(times) == (len(expected) - 1) * 3,
          f"{name}: one line per column but t and per output row ({len(lines)})")
    check([r["column"] for r in lines[::3]] == expected[1:], f"{name}: the columns in timeseries.csv's order")
    verdicts = rows(os.path.join(out, "convergence_verdicts.csv"))
    check(header(os.path.join(out, "convergence_verdicts.csv")) ==
          "R,check,verdict_base,verdict_space,verdict_time,verdict_box,same_in_all_runs,t,margin,slack,err_space,"
          "err_time,err_box,error,stderr,robust", f"{name}: convergence_verdicts.csv's header")
    check([(r["R"], r["check"]) for r in verdicts] ==
          [("nan", "vterm_le_0")] + [(f"{float(R):.16e}", c) for R in radii for c in CHECKS],
          f"{name}: convergence_verdicts.csv has vterm once and four checks per R")
    check(all(r["robust"] in ("true", "false") and r["same_in_all_runs"] in ("true", "false") for r in verdicts),
          f"{name}: robust and same_in_all_runs are true or false")
    check(no_tmp(out), f"{name}: no temporary file left")

# 2. Richardson's err_time for strang (p = 2) against the actual difference to a dt/4 run. With
#    v(dt) = v* + C dt^2 + O(dt^3), err_time = (v(dt) - v(dt/2))·4/3 is C dt^2 and v(dt) - v(dt/4) is
#    C dt^2·15/16: their ratio is 16/15 = 1.067 up to the O(dt) relative share of the next order,
#    which at dt = 0.01 on this problem is a few per cent; [0.95, 1.2] allows it, and excludes both the
#    plain difference (ratio 0.8) and a wrong order (p = 4 would give 0.57·16/15·…: 0.76).
common = ["--d", "2", "--N", "32", "--L", "12", "--t-end", "0.2", "--output-dt", "0.1", "--lambda", "5"]
p, out = run("richardson", common + ["--dt", "0.01", "--variants", "time"], ranks=2)
p4, out4 = run("richardson_dt4", common + ["--dt", "0.0025", "--variants", "none"], ranks=2)
check(p.returncode == 0 and p4.returncode == 0, "richardson: both studies exit 0")
if p.returncode == 0 and p4.returncode == 0:
    a, b = study(out), study(out4)
    for column in ("kinetic", "interaction", "V1", "d2V1"):
        r = a[(column, 0.2)]
        actual = r["value"] - b[(column, 0.2)]["value"]
        ratio = r["err_time"] / actual
        check(0.95 <= ratio <= 1.2, f"richardson: {column}: err_time {r['err_time']:.4e} / (v(dt) - v(dt/4)) {actual:.4e} = {ratio:.4f}")
        check(math.isnan(r["err_space"]) and math.isnan(r["err_box"]), f"richardson: {column}: the runs not made give nan")

# 3. A samples file (one Gaussian of sigma = 1, L = 16, N = 48) carried to N = 96 by interpolation and to
#    N = 72, L = 24 by zero padding gives the study of --measure gaussian, which is evaluated on each
#    grid. The Gaussian is e^(-32) ~ 1e-14 at the old faces and its spectrum e^(-20) at Nyquist, so the
#    two measures agree to round-off (measured 4e-14 of each value, or absolute below 1); 1e-12 allows it.
#    (With L = 12 the Gaussian's 1.5e-8 at the faces, a jump across the periodic box, makes Gibbs ripples
#    in the interpolant: 1e-10 differences.)
N, L = 48, 16.0
x = -L / 2 + np.arange(N) * L / N
g = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / 2)
g /= math.sqrt((L / N) ** 2 * np.sum(g ** 2))
with h5py.File(os.path.join(work, "gaussian.h5"), "w") as f:
    f.attrs["d"], f.attrs["N"], f.attrs["L"] = 2, N, L
    f["weights"] = np.array([1.0])
    f["samples/real"] = g[None, :, :]
    f["samples/imag"] = np.zeros((1, N, N))
common = ["--t-end", "0.02", "--dt", "0.001", "--output-dt", "0.01", "--variants", "space,box"]
p, out = run("samples", common + ["--samples", os.path.join(work, "gaussian.h5")], ranks=2)
pb, outb = run("builtin", common + ["--d", "2", "--N", str(N), "--L", str(L)], ranks=2)
check(p.returncode == 0 and pb.returncode == 0, "samples: both studies exit 0")
if p.returncode == 0 and pb.returncode == 0:
    a, b = study(out), study(outb)
    worst, where = max((abs(a[k][e] - b[k][e]) / max(1.0, abs(b[k][e])), f"{k[0]} {e} at t = {k[1]}")
                       for k in a for e in ("value", "err_space", "err_box") if not math.isnan(b[k][e]))
    check(worst < 1e-12, f"samples: the carried measure's study is the built-in Gaussian's (largest difference {worst:.2e}, {where})")
    space = rows(os.path.join(out, "space", "timeseries.csv"))
    check(abs(float(space[0]["mass"]) - 1.0) < 1e-12, "samples: the interpolated sample has mass 1")

finish()
