#!/usr/bin/env python3
"""Defaults that do not surprise (2 ranks): --help prints defaults as a person types them; one sample
on several ranks runs without options (--ranks-per-sample auto shares it, and says so) and gives the
time series of the explicit layout bit for bit; many samples get one rank each; a bad value is
refused; and a default run forms no explicit gamma^(2).

usage: check_defaults.py DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
"""
import os
import re
import subprocess

import h5py
import numpy as np

from dfe_checks import check, finish, run, table
import dfe_checks

dfe_checks.setup()

p = subprocess.run([dfe_checks.dfe_run, "--help"], capture_output=True, text=True)
check(p.returncode == 0, "--help: exit code 0")
check("(=0.7)" in p.stdout and "(=0.1)" in p.stdout and "(=1e-06)" in p.stdout and "(=0.9)" in p.stdout,
      "--help: width-min 0.7, output-dt 0.1, boundary-tol 1e-06, cutoff-width 0.9")
long_digits = re.findall(r"\(=[-0-9.e+]*\d{12,}[-0-9.e+]*\)", p.stdout)
check(not long_digits, f"--help: no default printed with 12 or more digits ({long_digits[:3]})")

one = ["--measure", "gaussian", "--d", "2", "--N", "32", "--L", "12", "--t-end", "0.01", "--output-dt", "0.005"]
# run() adds --gamma2-grid 8 only: no --gamma2-times, no --ranks-per-sample.
p, out = run("one_sample_auto", one)
check(p.returncode == 0 and "--ranks-per-sample auto: 2 rank(s) per sample" in p.stdout,
      "one sample on 2 ranks, no options: auto shares it over both")
p2, out2 = run("one_sample_explicit", one + ["--ranks-per-sample", "2"])
check(p2.returncode == 0 and "--ranks-per-sample auto" not in p2.stdout, "--ranks-per-sample 2: taken as given")
if p.returncode == 0 and p2.returncode == 0:
    a, b = table(out), table(out2)
    check(all(np.array_equal(a[c], b[c], equal_nan=True) for c in a), "auto and explicit 2: the same time series, bit for bit")
    check(bool(np.all(np.isnan(a["symmetry_residual"]))), "default --gamma2-times: no explicit gamma^(2) (symmetry_residual nan)")
    with h5py.File(os.path.join(out, "run.h5")) as f:
        count = f["gamma2/times"].shape[0]
        check(count == 0 and f["gamma2/values"].shape[0] == 0, f"default --gamma2-times: no gamma2 snapshot in run.h5 ({count})")

p, _ = run("many_samples_auto", ["--measure", "random-gaussians", "--count", "4", "--d", "2", "--N", "32", "--L", "16",
                                 "--t-end", "0.005", "--output-dt", "0.005", "--allow-unresolved-initial"])
check(p.returncode == 0 and "--ranks-per-sample auto: 1 rank(s) per sample" in p.stdout and "2 group(s) of 1" in p.stdout,
      "4 samples on 2 ranks: auto gives one rank per group")
p, _ = run("refused", one + ["--ranks-per-sample", "0"], expect=(2,))
check(p.returncode == 2 and "--ranks-per-sample must be auto or a positive number" in p.stderr, "--ranks-per-sample 0: refused")
finish()
