"""The Python package python/dfe_run against the files of a real run (2 ranks).

A 2D run on 64^2 with --R 4,22 (R = 4's layer spans 5.2 grid spacings, R = 22's 12.3: one
unresolved radius, one resolved), 6 output rows, --gamma2-times first,last (symmetry_residual and
gamma2_min NaN at rows 1-4) and --reduce-every 2 (purity, lambda_max, fact_defect and
admissibility_residual NaN at rows 1 and 3), is loaded with dfe_run.load and checked against the
files themselves, read here with csv and h5py:
- the time-series columns, names and order, equal timeseries.csv's, NaN exactly where it says nan;
  the same from timeseries.csv alone (a directory without run.h5);
- γ^(1): its last row is run.h5's /gamma1[-1], and every row integrates (sum × dx^d) to the mass
  column; the axes are x_n = -L/2 + n L/N, and the observation grid is every (N/n)-th of them;
- γ^(2): as many snapshots as run.h5 has, at the first and last row's times; a snapshot is run.h5's,
  and its minimum, symmetry and admissibility (∫γ^(2)(x,y)dy against γ^(1) at the observation
  points) give that row's gamma2_min, symmetry_residual and admissibility_residual;
- per-sample values: Σ_j w_j of the samples' mass and energy give the mass and energy columns;
- the options, the hypothesis report, and the verdicts: every column equal to verdicts.csv's, in its
  order, and the same table recomputed row by row from the time series (dfe_run.verdict_table);
- plot_verdicts writes a non-empty PNG with matplotlib's Agg backend.

usage: check_python.py DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
"""
import csv
import os
import shutil
import sys

import h5py
import numpy as np

from dfe_checks import check, finish, run
import dfe_checks

try:
    import dfe_run
except ImportError:  # run by hand without PYTHONPATH: the repository's copy
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    import dfe_run

dfe_checks.setup()
print(f"dfe_run from {os.path.dirname(dfe_run.__file__)}")

args = ["--d", "2", "--N", "64", "--L", "16", "--measure", "random-gaussians", "--count", "4", "--seed", "5",
        "--center-spread", "1", "--dt", "1e-3", "--t-end", "0.01", "--output-dt", "0.002", "--R", "4,22",
        "--gamma2-times", "first,last", "--reduce-every", "2"]
p, out = run("python", args)
check(p.returncode == 0, "dfe-run: exit code 0")
if p.returncode != 0:
    finish()

r = dfe_run.load(out)
print(r)

# --- the time series ---------------------------------------------------------------------------
with open(os.path.join(out, "timeseries.csv"), newline="") as f:
    header, *cells = list(csv.reader(f))
raw = {name: [row[i] for row in cells] for i, name in enumerate(header)}
check(r.columns == header, f"columns: the {len(header)} of timeseries.csv, in its order")
check(len(r) == len(cells) == 6, f"6 rows ({len(r)})")
same = [c for c in header if np.array_equal(r[c], np.array([float(v) for v in raw[c]]), equal_nan=True)]
check(same == header, f"every column equals timeseries.csv's ({len(same)} of {len(header)})")
nan_where = all(np.array_equal(np.isnan(r[c]), np.array([v == "nan" for v in raw[c]])) for c in header)
check(nan_where, "NaN exactly where timeseries.csv says nan")
check(bool(np.isnan(r["symmetry_residual"][1:-1]).all()) and bool(np.isfinite(r["symmetry_residual"][[0, -1]]).all()),
      "symmetry_residual: NaN at rows 1-4, a number at the --gamma2-times rows")
check(bool(np.isnan(r["purity"][[1, 3]]).all()) and bool(np.isfinite(r["purity"][[0, 2, 4, 5]]).all()),
      "purity (--reduce-every 2): NaN at rows 1 and 3")
table = r.timeseries
check(list(table.keys()) == header and all(np.array_equal(np.asarray(table[c]), r[c], equal_nan=True) for c in header),
      f"run.timeseries ({type(table).__module__}.{type(table).__name__}) holds the same columns")
if dfe_run.loader._pandas is not None:
    import pandas
    check(isinstance(table, pandas.DataFrame), "pandas is installed: run.timeseries is a DataFrame")
else:
    check(isinstance(table, dict), "pandas is not installed: run.timeseries is a dict of numpy arrays")
check(isinstance(dfe_run.load(out, pandas=False).timeseries, dict), "load(pandas=False): a dict")

csv_only = os.path.join(dfe_checks.work, "python_csv_only")
shutil.rmtree(csv_only, ignore_errors=True)
os.makedirs(csv_only)
shutil.copy(os.path.join(out, "timeseries.csv"), csv_only)
c = dfe_run.load(csv_only, pandas=False)
check(c.columns == header and all(np.array_equal(c[k], r[k], equal_nan=True) for k in header),
      "timeseries.csv alone (no run.h5) loads the same columns")

# --- γ^(1) and the grid ------------------------------------------------------------------------
h5 = h5py.File(os.path.join(out, "run.h5"), "r")
N, L, d = int(h5.attrs["N"]), float(h5.attrs["L"]), int(h5.attrs["d"])
check((r.N, r.L, r.d) == (N, L, d) == (64, 16.0, 2), f"N, L, d = {r.N}, {r.L:g}, {r.d}")
check(r.gamma1.shape == (6, 64, 64), f"gamma1: shape {r.gamma1.shape} = (rows, N, N)")
check(np.array_equal(r.gamma1[-1], h5["gamma1"][-1]), "gamma1's last row equals run.h5 /gamma1[-1]")
check(np.array_equal(r.gamma1_at(2), h5["gamma1"][2]), "gamma1_at(2) equals run.h5 /gamma1[2]")
check(np.array_equal(r.x, -L / 2 + np.arange(N) * (L / N)) and len(r.axes()) == 2 and r.mesh()[0].shape == (N, N),
      "x = -L/2 + n L/N; two axes; mesh shaped like a gamma1 row")
integral = r.gamma1.sum(axis=(1, 2)) * r.dx ** 2
err = float(np.max(np.abs(integral - r["mass"])))
# Σ_x Σ_j w_j ρ_j(x) dx² against Σ_j w_j (Σ_x ρ_j(x) dx²): the same sum in another order, ~1e-15.
check(err <= 1e-12, f"sum(gamma1) dx^2 = mass at every row (largest difference {err:.1e} <= 1e-12)")

# --- γ^(2) ------------------------------------------------------------------------------------
n = len(r.gamma2_x)
check(r.gamma2_count == h5["gamma2/times"].shape[0] == 2, f"{r.gamma2_count} gamma2 snapshots, as in run.h5")
check(np.array_equal(r.gamma2_times, r.t[[0, -1]]), f"gamma2 times {list(r.gamma2_times)} = the first and last rows' t")
check(np.array_equal(r.gamma2_x, r.x[:: N // n]), f"the observation grid ({n} points) is every {N // n}th grid point")
for i, row in ((0, 0), (1, len(r) - 1)):
    g = r.gamma2(i)
    check(g.shape == (n * n, n * n) and np.array_equal(g, h5["gamma2/values"][i]),
          f"gamma2({i}): ({n}^2, {n}^2), equal to run.h5's snapshot")
    check(g.min() == r["gamma2_min"][row], f"gamma2({i}): its minimum is gamma2_min at row {row}")
    check(np.abs(g - g.T).max() == r["symmetry_residual"][row], f"gamma2({i}): max|G - G^T| is symmetry_residual")
    # ∫γ^(2)(x,y,x,y) dy against γ^(1)(x,x) at the observation points (C order): admissibility_residual.
    adm = np.abs(g.sum(axis=1) * r.gamma2_dx ** 2 - r.gamma1[row][:: N // n, :: N // n].ravel()).max()
    rel = abs(adm - r["admissibility_residual"][row]) / r["admissibility_residual"][row]
    check(rel <= 1e-10, f"gamma2({i}): max_x|∫γ2 dy - γ1| = admissibility_residual at row {row} (relative {rel:.1e})")
check(np.array_equal(r.gamma2_points[1], [r.gamma2_x[0], r.gamma2_x[1]]), "gamma2_points in C order")

# --- per-sample values, options, hypotheses ------------------------------------------------------
w = h5["weights"][:]
check(np.array_equal(r.weights, w) and len(w) == 4, "weights: run.h5's, M = 4")
check(sorted(r.samples) == sorted(h5["samples"]), f"samples: {', '.join(sorted(r.samples))}")
for name in ("mass", "energy"):
    e = float(np.max(np.abs(r.samples[name] @ w - r[name])))
    check(r.samples[name].shape == (6, 4) and e <= 1e-12, f"samples {name}: Σ_j w_j = the {name} column (to {e:.1e})")
check(np.isnan(r.samples["underresolved_time"]).all(), "underresolved_time: NaN (no sample marked)")
check(r.attrs["R"] == "4,22" and r.R == [4.0, 22.0] and r.attrs["measure"].startswith("random-gaussians")
      and r.options["t-end"] == 0.01 and "version" not in r.options, "options and attributes")
check(np.array_equal(r.hypotheses["R"], [4.0, 22.0]) and r.hypotheses["text"] == h5["hypotheses"].attrs["text"],
      "hypotheses: R and the printed report")
check(r.timing is not None and r.timing["ranks"] == 2 and r.timing["N"] == 64, "timing.csv: ranks 2, N 64")

# --- verdicts ---------------------------------------------------------------------------------
with open(os.path.join(out, "verdicts.csv"), newline="") as f:
    vheader, *vrows = list(csv.reader(f))
check(r.verdict_columns == vheader and list(r.verdict_arrays) == vheader, "verdicts: verdicts.csv's columns, in its order")
recomputed = dfe_run.verdict_table(r)
for i, name in enumerate(vheader):
    cells = [row[i] for row in vrows]
    got = r.verdict_arrays[name]
    if name in ("layer_resolved", "radial"):
        ok = list(got) == [v == "true" for v in cells] and set(cells) <= {"true", "false"}
    elif name in dfe_run.loader.VERDICT_WORDS:
        ok = list(got) == cells
    else:
        ok = np.array_equal(got, np.array([float(v) for v in cells]), equal_nan=True)
    check(ok, f"verdicts {name}: {list(got)} as in verdicts.csv")
    if name in ("radial", "max_radial_defect"):
        continue  # from the samples at t = 0, not in the time series: verdict_table copies them
    a, b = np.asarray(recomputed[name]), np.asarray(got)
    check(a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"),
          f"verdicts {name}: recomputed row by row from the time series, the same")
check(list(r.verdict_arrays["layer_resolved"]) == [False, True], "R = 4 under-resolved layer, R = 22 resolved")
spacings = [dfe_run.layer_spacings(r, R) for R in r.R]
check(np.allclose(spacings, r.verdict_arrays["layer_spacings"], rtol=1e-12, atol=0),
      f"layer spacings {spacings} from L, N and --cutoff-width as dfe-run's")
check(r.verdict_info["rows"] == 6 and r.verdict_info["text"].startswith("Verdicts of the proof"),
      "verdict_info: rows and the printed table")

# --- the plot ---------------------------------------------------------------------------------
png = os.path.join(dfe_checks.work, "python_verdicts.png")
if os.path.exists(png):
    os.remove(png)
dfe_run.plot_verdicts(r, png)
import matplotlib  # noqa: E402

with open(png, "rb") as f:
    head = f.read(8)
size = os.path.getsize(png)
check(matplotlib.get_backend().lower() == "agg", f"matplotlib backend {matplotlib.get_backend()}")
check(head == b"\x89PNG\r\n\x1a\n" and size > 10000, f"plot_verdicts wrote a PNG of {size} bytes")

# --- bad input --------------------------------------------------------------------------------
try:
    dfe_run.load(os.path.join(dfe_checks.work, "no_such_run"))
    check(False, "a directory without outputs: FileNotFoundError")
except FileNotFoundError as e:
    check("neither run.h5 nor timeseries.csv" in str(e), "a directory without outputs: FileNotFoundError")
h5.close()
finish()
