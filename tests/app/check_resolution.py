#!/usr/bin/env python3
"""The resolution monitor end to end (dfe-run, 2 ranks): --on-underresolved stop, freeze and continue,
and the blowup check of issue 7: whenever vterm <= 0 throughout, the first under-resolution time
does not exceed glassey_T.

usage: check_resolution.py DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
"""
import csv
import math
import os
import shutil

import h5py
import numpy as np

from dfe_checks import check, finish, run, setup, table
import dfe_checks

setup()
work = dfe_checks.work


# Two centred Gaussians in 2D, N = 32, L = 16: the narrow one (sigma = 0.35) has ~10% of its
# spectral weight beyond 2/3 of Nyquist at t = 0, the wide one (sigma = 1) about 1e-9; --tail-tol
# 1e-4 separates them, so exactly sample 1 is under-resolved from t = 0 (--allow-unresolved-initial:
# without it such a start is refused).
two_d = ["--d", "2", "--N", "32", "--L", "16", "--measure", "mixture", "--component", "weight=0.5,sigma=1.0",
         "--component", "weight=0.5,sigma=0.35", "--dt", "1e-3", "--t-end", "0.02", "--output-dt", "0.005",
         "--tail-tol", "1e-4", "--allow-unresolved-initial"]

p, out = run("freeze", two_d + ["--on-underresolved", "freeze"])
check(p.returncode == 0, "freeze: exit code 0")
ts = table(out)
check(np.all(ts["n_underresolved"] == 1), "freeze: n_underresolved = 1 at every row")
with h5py.File(os.path.join(out, "run.h5")) as f:
    under = f["samples/underresolved_time"][:]
    grad = f["samples/grad_norm"][:]
    tail = f["samples/tail_fraction"][:]
    mass = f["samples/mass"][:]
    energy = f["samples/energy"][:]
check(np.isnan(under[0]) and under[1] == 0.0, f"freeze: underresolved_time = {under} (NaN, 0)")
check(tail[0, 1] > 1e-4 and tail[0, 0] < 1e-4, f"freeze: tail fractions at t = 0 {tail[0]}")
# The frozen sample is not evolved: its values are the same bits at every row.
check(np.all(grad[:, 1] == grad[0, 1]) and np.all(energy[:, 1] == energy[0, 1]) and np.all(mass[:, 1] == mass[0, 1]),
      "freeze: sample 1's grad_norm, energy, mass unchanged after t = 0")
check(np.any(grad[:, 0] != grad[0, 0]), "freeze: sample 0 is evolved")
check(np.allclose(ts["max_grad_norm"], np.max(grad, axis=1), rtol=1e-14, atol=0), "freeze: max_grad_norm = max_j ||grad phi_j||")
check(np.all(ts["dt"] == 1e-3), "freeze: the dt column is --dt for a fixed step")

p, out = run("continue", two_d + ["--on-underresolved", "continue"])
check(p.returncode == 0, "continue: exit code 0")
ts = table(out)
with h5py.File(os.path.join(out, "run.h5")) as f:
    grad = f["samples/grad_norm"][:]
check(np.all(ts["n_underresolved"] == 1) and np.any(grad[:, 1] != grad[0, 1]),
      "continue: sample 1 marked and still evolved")

p, out = run("stop_at_start", two_d + ["--on-underresolved", "stop"], expect=(4,))
check(p.returncode == 4, f"stop: exit code 4 (got {p.returncode})")
ts = table(out)
check(len(ts["t"]) == 1, "stop at t = 0: one row in timeseries.csv")
with h5py.File(os.path.join(out, "run.h5")) as f:
    check(f["timeseries/t"].shape == (1,) and f["samples/mass"].shape == (1, 2) and f["gamma1"].shape[0] == 1,
          "stop at t = 0: run.h5 holds exactly the one row")
check(os.path.exists(os.path.join(out, "checkpoint.h5")), "stop: a checkpoint is written")
check(not any(n.endswith(".tmp") for n in os.listdir(out)), "stop: no temporary files left")
# Continuing from the stop's checkpoint with another --on-underresolved gives the uninterrupted run.
p, out = run("stop_restart", two_d + ["--on-underresolved", "continue", "--restart", os.path.join(work, "stop_at_start", "checkpoint.h5")])
check(p.returncode == 0, f"stop, then --restart with continue: exit code 0 (got {p.returncode})")
restarted, direct = table(out), table(os.path.join(work, "continue"))
check(all(np.array_equal(restarted[k], direct[k], equal_nan=True) for k in direct),
      "stop, then --restart with continue: the same time series as the continue run")

# The blowup check. 3D, lambda |x|^-2 (lambda = 6, focusing): V + x.grad(V)/2 = 0, so vterm = 0
# exactly, and two centred Gaussians (sigma 0.9, 0.7) give E(0) = -1.228 < 0 and glassey_T = 0.315.
# The variance identity then forbids a smooth solution beyond glassey_T: some sample must become
# under-resolved before. On 40^3 (L = 10) the narrow sample's tail passes 1e-4 at t ~ 0.085 and it
# collapses at t ~ 0.15; with a fixed grid any --tail-tol is eventually crossed.
p, out = run("blowup", ["--d", "3", "--N", "40", "--L", "10", "--potential", "power", "--gamma", "2", "--lambda", "6",
                        "--measure", "mixture", "--component", "weight=0.5,sigma=0.9", "--component", "weight=0.5,sigma=0.7",
                        "--dt", "5e-4", "--t-end", "0.5", "--output-dt", "0.01", "--check-steps", "10",
                        "--tail-tol", "1e-4", "--on-underresolved", "stop"], expect=(4,))
check(p.returncode == 4, f"blowup: stopped as under-resolved, exit code 4 (got {p.returncode})")
ts = table(out)
with h5py.File(os.path.join(out, "run.h5")) as f:
    under = f["samples/underresolved_time"][:]
    rows = f["timeseries/t"].shape[0]
glassey = ts["glassey_T"][0]
kinetic = ts["kinetic"]
# vterm <= 0 within round-off of the kinetic scale (it is 0 analytically for |x|^-2).
vterm_nonpositive = bool(np.all(ts["vterm"] <= 1e-9 * 16 * np.abs(kinetic)))
first = np.nanmin(under) if np.any(~np.isnan(under)) else math.inf
print(f"blowup: E(0) = {ts['energy'][0]:.6g}, glassey_T = {glassey:.6g}, first under-resolution t = {first:.6g}, "
      f"max vterm = {ts['vterm'].max():.3g}, rows = {rows}")
check(ts["energy"][0] < 0 and math.isfinite(glassey), "blowup: E(0) < 0, glassey_T finite")
check(vterm_nonpositive, "blowup: vterm <= 0 throughout")
check(not vterm_nonpositive or first <= glassey, "blowup: vterm <= 0 throughout => first under-resolution time <= glassey_T")
check(rows == len(ts["t"]) and ts["t"][-1] <= first + 1e-12, "blowup: run.h5 and timeseries.csv end at the stop")

# The verdicts of a collapse (docs/physics.md §9): the same problem run past the first under-resolution time
# with --on-underresolved freeze and R = 8.5 (a layer of 12.2 grid spacings on 64^3; psi_R is constant
# from |x| = 4.96 < L/2 on, as dfe-run requires): rows after the mark (t = 0.13) are not resolved, so no
# check may be `held`, and resolved_until is the last row before the mark.
p, out = run("blowup_verdicts", ["--d", "3", "--N", "64", "--L", "10", "--potential", "power", "--gamma", "2", "--lambda", "6",
                                 "--measure", "mixture", "--component", "weight=0.5,sigma=0.9", "--component", "weight=0.5,sigma=0.7",
                                 "--dt", "5e-4", "--t-end", "0.14", "--output-dt", "0.02", "--check-steps", "10",
                                 "--tail-tol", "1e-4", "--on-underresolved", "freeze", "--R", "8.5"])
check(p.returncode == 0, f"blowup verdicts: exit code 0 (got {p.returncode})")
ts = table(out)
with open(os.path.join(out, "verdicts.csv")) as f:
    verdicts = list(csv.DictReader(f))
with h5py.File(os.path.join(out, "run.h5")) as f:
    first = np.nanmin(f["samples/underresolved_time"][:])
    h5_words = [w.decode() for w in f["verdicts/d2loc_le_4E0"][:]]
checks = ["vterm_le_0", "IIIa_le_4absE0", "IIIb_le_4absE0_plus_half_absII", "IV_le_4absE0", "d2loc_le_4E0"]
words = [verdicts[0][c] for c in checks]
print(f"blowup verdicts: first under-resolution t = {first:.4g}, words {words}, resolved_until {verdicts[0]['resolved_until']}")
check(len(verdicts) == 1 and verdicts[0]["layer_resolved"] == "true", "blowup verdicts: R = 8.5's layer is resolved")
check(ts["n_underresolved"][-1] > 0 and first < ts["t"][-1], "blowup verdicts: a sample is under-resolved before the last row")
check(all(w in ("unresolved", "failed") for w in words), f"blowup verdicts: no check is held past the collapse ({words})")
resolved_rows = ts["t"][ts["n_underresolved"] == 0]
check(float(verdicts[0]["resolved_until"]) == resolved_rows[-1] and resolved_rows[-1] < first,
      "blowup verdicts: resolved_until is the last row before the first mark")
check(h5_words == [verdicts[0]["d2loc_le_4E0"]], "blowup verdicts: run.h5 /verdicts holds the same words")
p_text = p.stdout
check("every check held at every row" not in p_text and "not every check held" in p_text,
      "blowup verdicts: the summary does not say the checks held")

# The boundary monitor (docs/physics.md §9): in 2D (N = 96, L = 16) a centred Gaussian stays put while
# one kicked towards the face x = L/2 (k = 4: group velocity 8) reaches it; its mass within 4 grid
# spacings of the faces passes --boundary-tol (1e-6) at t ~ 0.15, while its spectral tail stays far
# below --tail-tol. With --on-underresolved stop the run stops there (exit code 4).
p, out = run("boundary_stop", ["--d", "2", "--N", "96", "--L", "16", "--measure", "mixture",
                               "--component", "weight=0.5,sigma=1", "--component", "weight=0.5,sigma=1,center=2:0,kick=4:0",
                               "--dt", "1e-3", "--t-end", "1", "--output-dt", "0.05", "--check-steps", "10",
                               "--on-underresolved", "stop"], expect=(4,))
check(p.returncode == 4, f"boundary: stopped as under-resolved, exit code 4 (got {p.returncode})")
ts = table(out)
with h5py.File(os.path.join(out, "run.h5")) as f:
    under = f["samples/underresolved_time"][:]
    tail = f["samples/tail_fraction"][:]
print(f"boundary: underresolved_time {under}, max_boundary_mass {ts['max_boundary_mass']}")
check(np.isnan(under[0]) and 0.05 < under[1] < 1.0, f"boundary: only the moving sample is marked ({under})")
check(ts["max_boundary_mass"][0] < 1e-12 and ts["n_underresolved"][0] == 0, "boundary: nothing at the faces at t = 0")
check(ts["max_boundary_mass"][-1] > 1e-6 or ts["t"][-1] < under[1], "boundary: the mark is the boundary mass's")
check(np.all(tail < 1e-10), "boundary: the spectral tail stays below --tail-tol: the mark is not the tail's")
check(os.path.exists(os.path.join(out, "checkpoint.h5")), "boundary: a checkpoint is written at the stop")

finish()
