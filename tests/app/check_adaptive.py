#!/usr/bin/env python3
"""The adaptive integrators through dfe-run (2 ranks): --integrator petsc with -ts_* options passed
through, and --tol for strang and order4. Output rows land exactly on the output times (the values
there agree with a fixed-step order4 run to the tolerance), the dt column reports the steps, and a
run restarted from a mid-run checkpoint continues with the same steps, giving the same time series.

usage: check_adaptive.py DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
"""
import os
import shutil

import numpy as np

from dfe_checks import check, finish, run, setup, table
import dfe_checks

setup()
work = dfe_checks.work


# Two random Gaussians in 2D on 64^2 (L = 16), the focusing Gaussian potential of strength 5: smooth
# and resolved, with a nonlinear phase rate of order 1.
base = ["--d", "2", "--N", "64", "--L", "16", "--lambda", "5", "--measure", "random-gaussians", "--count", "2",
        "--t-end", "0.3", "--output-dt", "0.05"]
p, out = run("reference", base + ["--integrator", "order4", "--dt", "1e-3"])
ref = table(out)
times = 0.05 * np.arange(7)
# Row times are printed as (nominal step) x dt, so they equal k x output-dt to the last bit or two.
check(np.allclose(ref["t"], times, rtol=0, atol=1e-16), "fixed step: rows at k * output-dt")

cases = [
    ("petsc", ["--integrator", "petsc", "--tol", "1e-10", "--dt", "1e-2", "-ts_rk_type", "5bs"], "rk 5bs", 1e-8),
    ("order4_tol", ["--integrator", "order4", "--tol", "1e-9", "--dt", "1e-2"], "order4 with step doubling", 1e-8),
    ("strang_tol", ["--integrator", "strang", "--tol", "1e-6", "--dt", "1e-2"], "strang with step doubling", 1e-5),
]
for name, args, describes, tol in cases:
    p, out = run(name, base + args)
    check(p.returncode == 0, f"{name}: exit code 0")
    if p.returncode != 0:
        continue
    check(describes in p.stdout, f"{name}: the header names the method ({describes})")
    ts = table(out)
    check(np.allclose(ts["t"], times, rtol=0, atol=1e-16), f"{name}: rows at k * output-dt")
    # Landing on the output times: a row computed at another time would differ from the fixed-step
    # run by |d/dt| x (time offset); agreement to the tolerance bounds the offset.
    worst = max(np.max(np.abs(ts[c] - ref[c])) for c in ("kinetic", "interaction", "V1", "dV1", "d2V1"))
    print(f"{name}: largest difference from order4 dt = 1e-3 over kinetic, interaction, V1, dV1, d2V1: {worst:.3g}")
    check(worst <= tol, f"{name}: rows agree with the fixed-step run to {tol:g}")
    # The proposals are not clipped to the chunks, so they may exceed the output interval.
    check(ts["dt"][0] == 1e-2 and np.all((ts["dt"][1:] > 0) & np.isfinite(ts["dt"][1:])),
          f"{name}: dt column = first step at t = 0, then positive proposals")

# Restart: a checkpoint at t = 0.1 continued on 1 rank gives the uninterrupted time series exactly
# (the per-sample steps travel in the checkpoint).
for name, args in (("petsc", cases[0][1]), ("order4_tol", cases[1][1])):
    p, out = run(name + "_ckpt", base + args + ["--checkpoint-every", "0.1"])
    check(p.returncode == 0, f"{name}: run with --checkpoint-every: exit code 0")
    if p.returncode != 0:
        continue
    ckpt = os.path.join(work, name + "_ckpt.h5")
    shutil.copy(os.path.join(out, "checkpoint.h5"), ckpt)  # the last one written, t = 0.2
    p, out2 = run(name + "_restart", base + args + ["--restart", ckpt], ranks=1)
    check(p.returncode == 0, f"{name}: restart exit code 0")
    if p.returncode == 0:
        a, b = table(os.path.join(work, name)), table(out2)
        worst = max(np.max(np.abs(a[c] - b[c]) / np.maximum(np.abs(a[c]), 1e-300)) for c in ("kinetic", "energy", "V1", "dt"))
        print(f"{name}: restart vs uninterrupted, largest relative difference {worst:.3g}")
        # 1 rank against 2: the FFTs sum in another order, so round-off (1e-14) may change a step
        # choice slightly; the steps themselves are carried over exactly.
        check(worst <= 1e-10, f"{name}: restarted on 1 rank = uninterrupted on 2 ranks")

finish()
