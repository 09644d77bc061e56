"""The sampling error of a random draw (docs/physics.md section 12) is the spread it claims.

A random measure (random-gaussians, 1D, focusing, E < 0 so that glassey_T is finite) drawn with
M = 64 samples under 40 seeds, against one draw of M = 4096 (its own error is 8 times smaller, so it
stands in for the drawn-from measure's value). For every column with a standard error (the weighted
sums, glassey_T, the localized columns and margin_R, purity's U-statistic, lambda_max and
fact_defect) the value of each M = 64 run is compared with the M = 4096 value at every row:

- each column: at least 85 % of the 120 comparisons (40 seeds x 3 rows) within 2 standard errors,
  and the root mean square of z = (value - reference)/SE between 0.6 and 1.5 (for a correct SE its
  expectation is about 1, and with 40 independent seeds its spread is about 1/sqrt(80) = 0.11, the
  rows of one seed being correlated; the bounds are 4 such spreads and more away, loose enough for
  the O(1/M) bias of the plug-in lambda_max and fact_defect and the first-order SE of glassey_T);
- all columns together: the fraction within 2 SE between 85 % and 99 % (95 % expected).

Also: the files have timeseries.csv's header and rows; the linear columns' estimates are their
values; the SE of mass (every sample has mass 1) is round-off; a run without --random-draw writes no
sampling-error files; 1 and 2 ranks give the same errors to round-off; run.h5 and dfe_run.load hold
the same rows.
argv: DFE_RUN WORKDIR MPIEXEC [FLAGS...]
"""
import csv
import os

import h5py
import numpy as np

import dfe_checks as dc

MEASURE = ["--d", "1", "--N", "128", "--L", "30", "--lambda", "6", "--measure", "random-gaussians",
           "--center-spread", "1", "--kick-spread", "0.5", "--width-min", "0.8", "--width-max", "1.2",
           "--t-end", "0.2", "--output-dt", "0.1", "--R", "3"]
SEEDS = 40


def read(out, name):
    with open(os.path.join(out, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


def main():
    dc.setup()
    p, ref_out = dc.run("reference", MEASURE + ["--count", "4096", "--seed", "1000"], ranks=2)
    dc.check(p.returncode == 0, "the M = 4096 reference run finished")
    header, ref = read(ref_out, "timeseries.csv")
    _, ref_est = read(ref_out, "timeseries_estimate.csv")
    values, errors = [], []
    for seed in range(SEEDS):
        p, out = dc.run(f"seed{seed}", MEASURE + ["--count", "64", "--seed", str(seed)], ranks=1)
        if p.returncode != 0:
            dc.check(False, f"seed {seed}: dfe-run exited {p.returncode}")
            continue
        h_v, v = read(out, "timeseries.csv")
        h_s, s = read(out, "timeseries_stderr.csv")
        h_e, e = read(out, "timeseries_estimate.csv")
        if seed == 0:
            dc.check(h_v == h_s == h_e and v.shape == s.shape == e.shape, "stderr and estimate files have timeseries.csv's header and rows")
            lin = [header.index(c) for c in ("kinetic", "energy", "V1", "d2loc_R3", "margin_R3")]
            dc.check(np.array_equal(e[:, lin], v[:, lin]), "the estimate of a weighted sum is its value")
            dc.check(np.all(s[:, header.index("mass")] < 1e-13), "the SE of mass (1 for every sample) is round-off")
            dc.check(np.all(np.isnan(s[:, header.index("n_underresolved")])), "monitor columns have no SE (NaN)")
            with h5py.File(os.path.join(out, "run.h5"), "r") as f:
                h5s = np.array([f["timeseries_stderr"][c][:] for c in header]).T
                h5e = np.array([f["timeseries_estimate"][c][:] for c in header]).T
            dc.check(np.array_equal(h5s, s, equal_nan=True) and np.array_equal(h5e, e, equal_nan=True),
                     "run.h5's /timeseries_stderr and /timeseries_estimate hold the CSV rows")
            # The Python reader (python/dfe_run) has them, from run.h5 and from the CSV files alone.
            import sys
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
            import dfe_run
            run = dfe_run.load(out)
            dc.check(all(np.array_equal(run.stderr[c], s[:, k], equal_nan=True) and
                         np.array_equal(run.estimate[c], e[:, k], equal_nan=True) for k, c in enumerate(header)),
                     "dfe_run.load(DIR).stderr and .estimate are the files' columns")
            # The same draw on 2 ranks: the same errors up to round-off (sums in another order).
            p2, out2 = dc.run("seed0-2ranks", MEASURE + ["--count", "64", "--seed", "0"], ranks=2)
            _, s2 = read(out2, "timeseries_stderr.csv")
            finite = np.isfinite(s) & (s > 1e-12)
            rel = np.max(np.abs(s2[finite] - s[finite]) / s[finite])
            dc.check(p2.returncode == 0 and np.array_equal(np.isfinite(s), np.isfinite(s2)) and rel < 1e-9,
                     f"1 and 2 ranks: the same standard errors (largest relative difference {rel:.1e}, round-off of sums "
                     "over 64 samples in another order)")
        est = e.copy()
        values.append(est)
        errors.append(s)
    values, errors = np.array(values), np.array(errors)  # seeds x rows x columns
    pooled_in = pooled_n = 0
    for c, name in enumerate(header):
        se = errors[:, :, c]
        if name == "t" or not np.all(np.isfinite(se)) or np.all(se < 1e-12):
            continue
        z = (values[:, :, c] - ref_est[None, :, c]) / se
        inside = np.mean(np.abs(z) <= 2.0)
        rms = np.sqrt(np.mean(z * z))
        pooled_in += np.sum(np.abs(z) <= 2.0)
        pooled_n += z.size
        dc.check(inside >= 0.85 and 0.6 <= rms <= 1.5,
                 f"{name:>18}: {100 * inside:5.1f} % within 2 SE of the M = 4096 value, rms z = {rms:.2f}")
    pooled = pooled_in / max(pooled_n, 1)
    dc.check(0.85 <= pooled <= 0.99, f"all columns: {100 * pooled:.1f} % within 2 SE ({pooled_n} comparisons)")
    p, out = dc.run("not-a-draw", ["--d", "1", "--N", "64", "--measure", "mixture", "--component", "weight=0.5",
                                   "--component", "weight=0.5,sigma=0.7", "--t-end", "0.1", "--output-dt", "0.1"], ranks=1)
    dc.check(p.returncode == 0 and not os.path.exists(os.path.join(out, "timeseries_stderr.csv")),
             "a mixture not declared a draw writes no sampling error")
    p, out = dc.run("declared", ["--d", "1", "--N", "64", "--measure", "mixture", "--component", "weight=0.5",
                                 "--component", "weight=0.5,sigma=0.7", "--t-end", "0.1", "--output-dt", "0.1",
                                 "--random-draw", "yes"], ranks=1)
    dc.check(p.returncode == 0 and os.path.exists(os.path.join(out, "timeseries_stderr.csv")),
             "--random-draw yes declares a mixture a draw: timeseries_stderr.csv is written")
    p, out = dc.run("not-declared", MEASURE + ["--count", "8", "--random-draw", "no"], ranks=1)
    dc.check(p.returncode == 0 and not os.path.exists(os.path.join(out, "timeseries_stderr.csv")),
             "--random-draw no: a random measure without its sampling error")
    p, out = dc.run("bad-word", MEASURE + ["--count", "8", "--random-draw", "maybe"], ranks=1, expect=(1, 2))
    lines = [l for l in p.stderr.splitlines() if "random-draw" in l]
    dc.check(p.returncode != 0 and len(lines) == 1 and not os.path.exists(out),
             "--random-draw maybe is refused with one line and no output: " + (lines[0] if lines else p.stderr[-200:]))
    dc.finish()


main()
