#!/usr/bin/env python3
"""The reductions through dfe-run (2 ranks). The cadence: with --reduce-every K, purity,
lambda_max, fact_defect and admissibility_residual are computed at every K-th output row and at the
--gamma2-times rows, NaN at the others, and where computed they are the values of a run that
reduces at every row, to the last bit (the reductions do not touch the fields, and the same rows
are reduced the same way). Every other column is the same at every row. The forms: --reduction-form
samples and grid give the same purity, lambda_max and fact_defect.

usage: check_reductions.py DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
"""
import numpy as np

from dfe_checks import check, finish, run, table
import dfe_checks

dfe_checks.setup()

expensive = ["purity", "lambda_max", "fact_defect", "admissibility_residual"]
# Six random Gaussians in 2D on 32^2 (coarse: the check is of bookkeeping, not of accuracy): 11 output
# rows, gamma^(2) formed at t = 0.005 (row 5).
base = ["--d", "2", "--N", "32", "--L", "16", "--measure", "random-gaussians", "--count", "6", "--dt", "1e-3",
        "--t-end", "0.01", "--output-dt", "0.001", "--gamma2-times", "0.005", "--allow-unresolved-initial"]
p, out = run("every_row", base)
check(p.returncode == 0, "reduce every row: exit code 0")
p3, out3 = run("every_third", base + ["--reduce-every", "3"])
check(p3.returncode == 0, "--reduce-every 3: exit code 0")
if p.returncode == 0 and p3.returncode == 0:
    a, b = table(out), table(out3)
    rows = np.arange(len(a["t"]))
    reduced = (rows % 3 == 0) | (rows == 5)
    check(len(rows) == 11, "11 output rows")
    for c in expensive:
        check(np.array_equal(a[c][reduced], b[c][reduced]), f"{c}: the same bits at rows 0, 3, 5, 6, 9")
        check(bool(np.all(np.isnan(b[c][~reduced]))), f"{c}: nan at the other rows")
        check(bool(np.all(np.isfinite(a[c]))), f"{c}: finite at every row without --reduce-every")
    others = [c for c in a if c not in expensive]
    same = all(np.array_equal(a[c], b[c], equal_nan=True) for c in others)
    check(same, "every other column: the same at every row")
    check(bool(np.isfinite(b["symmetry_residual"][5])) and int(np.isfinite(b["symmetry_residual"]).sum()) == 1,
          "symmetry_residual only at the gamma2 row")

# The two exact forms of purity, lambda_max and fact_defect (docs/physics.md §5) agree: the sample
# form sums M^2 squares, the grid form N^2d (and n^2d) squares, of entries each rounded a few times;
# the sums are compensated (core/compensated_sum.hpp), so they keep the entries' accuracy, ~1e-15
# (a plain loop over the 1024^2 squares lost 5e-13). lambda_max: SLEPc solves to a relative residual
# of 1e-13, and a symmetric eigenvalue's error is quadratic in it. Hence 1e-14.
forms = {}
for form in ["samples", "grid"]:
    p, out = run("form_" + form, base + ["--reduction-form", form, "--eigensolver", "iterative"])
    check(p.returncode == 0, f"--reduction-form {form}: exit code 0")
    check(f"gamma1 {form} form" in p.stdout and f"fact_defect {form} form" in p.stdout,
          f"--reduction-form {form}: the header names the form")
    forms[form] = table(out) if p.returncode == 0 else None
if forms["samples"] is not None and forms["grid"] is not None:
    for c in ["purity", "lambda_max", "fact_defect"]:
        x, y = forms["samples"][c], forms["grid"][c]
        rel = float(np.max(np.abs(x - y) / np.abs(x)))
        check(rel <= 1e-14, f"{c}: samples and grid forms agree to {rel:.1e} (<= 1e-14)")
    check(np.array_equal(forms["samples"]["admissibility_residual"], forms["grid"]["admissibility_residual"]),
          "admissibility_residual: the same in both forms (one computation)")
p, _ = run("grid_slabs", base + ["--reduction-form", "grid", "--ranks-per-sample", "2"], expect=(2,))
check(p.returncode == 2 and "--reduction-form grid" in p.stderr, "--reduction-form grid with --ranks-per-sample 2: refused")

# A bad cadence is refused with a one-line message naming the option.
p, _ = run("refused", base + ["--reduce-every", "0"], expect=(2,))
check(p.returncode == 2 and "--reduce-every must be a positive" in p.stderr, "--reduce-every 0: refused, exit 2")
finish()
