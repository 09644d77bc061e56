#!/usr/bin/env python3
"""Are dfe-converge's error estimates honest? Three checks against errors known otherwise
(docs/convergence.md, "Calibration").

1. Temporal, on the XMDS2 reference problem (docs/physics.md §4: 2D 256², mu = -1, Gaussian
   potential lambda = 1, s = 0.5, L = 20, one Gaussian sigma = 1, t = 1), Strang at dt = 1e-3:
   err_time of kinetic and interaction at t = 1 against their true errors, the distance to the
   reference values (target: within a factor 1.5).
2. Spatial, on the same problem at N = 64 (and 32, 48): err_space (v_N - v_2N) against v_N - v_256,
   for every column at t = 1 whose difference to N = 256 is above the round-off floor FLOOR·max(1, |v|)
   (target: within a factor 3). Same dt, so the difference is spatial only.
3. The explicit collapse (docs/physics.md §10, --measure pseudo-conformal, T = 1) on a small grid
   (N = 32, L = 16, order4, dt = 5e-3, to t = 0.3, all three refinements): at every row, whether
   |v - exact| <= |err_space| + |err_time| + |err_box| (the estimates bracket the distance to the
   closed form) for V1, dV1, kinetic, interaction and energy.

usage: calibrate_convergence.py [--build build] [--work /tmp/calibrate_convergence] [--np 1] [--mpiexec mpiexec] [--quick]
Takes about 20 s on 2 cores; --quick (the CTest reference.convergence_calibration) makes 1 and 2 at
N = 64 only, about 10 s. Prints the figures; exits 1 when a target of 1 or 2 is missed
(3 is reported, not enforced: see docs/convergence.md).
"""
import argparse
import csv
import math
import os
import shutil
import subprocess
import sys

REFERENCE = {"kinetic": 0.46286143217, "interaction": -0.012861432170}  # docs/physics.md §4, 2D t = 1
FLOOR = 1e-12  # relative: differences below FLOOR·max(1, |v|) are round-off of 1000 steps, not discretization error
XP2 = 2.5016574271  # ||xP||^2 (docs/physics.md §10)
T = 1.0


def run(args, out, options):
    shutil.rmtree(out, ignore_errors=True)
    command = [args.mpiexec, "--oversubscribe", "-n", str(args.np), os.path.join(args.build, "apps", "dfe-converge"),
               "--out", out, "--fftw-planner", "estimate"] + options
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return out


def table(out):
    """convergence.csv as {(column, t): row}."""
    with open(os.path.join(out, "convergence.csv")) as f:
        return {(r["column"], round(float(r["t"]), 9)): {k: float(v) for k, v in r.items() if k != "column"}
                for r in csv.DictReader(f)}


def closed_form(column, t):
    tau = T - t
    return {"V1": tau * tau * XP2, "dV1": -2.0 * tau * XP2, "kinetic": 0.5 / tau ** 2 + XP2 / 8.0,
            "interaction": -0.5 / tau ** 2, "energy": XP2 / 8.0}[column]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--work", default="/tmp/calibrate_convergence")
    parser.add_argument("--np", type=int, default=1)
    parser.add_argument("--mpiexec", default="mpiexec")
    parser.add_argument("--quick", action="store_true", help="checks 1 and 2 at N = 64 only")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    reference = ["--d", "2", "--L", "20", "--t-end", "1", "--dt", "1e-3", "--output-dt", "0.1"]
    ok = True

    print("1. temporal error of strang at dt = 1e-3, 2D 256^2, t = 1 (target: estimate/true within 1/1.5 .. 1.5)")
    fine = table(run(args, os.path.join(args.work, "time256"), reference + ["--N", "256", "--variants", "time"]))
    for column, exact in REFERENCE.items():
        r = fine[(column, 1.0)]
        true = r["value"] - exact
        ratio = r["err_time"] / true
        ok &= 1 / 1.5 <= ratio <= 1.5
        print(f"   {column:12s} value {r['value']:.14f}  true error {true:+.3e}  err_time {r['err_time']:+.3e}  ratio {ratio:.3f}")

    print("2. spatial error at N (v_N - v_2N) against v_N - v_256, t = 1 (target: ratio within 1/3 .. 3 where |v_N - v_256| > 1e-12·max(1, |v|))")
    for n in (64,) if args.quick else (32, 48, 64):
        extra = ["--allow-unresolved-initial"] if n < 64 else []
        coarse = table(run(args, os.path.join(args.work, f"space{n}"), reference + ["--N", str(n), "--variants", "space"] + extra))
        for (column, t), r in sorted(coarse.items()):
            if t != 1.0 or column in ("dt", "n_underresolved", "max_boundary_mass", "glassey_T") or math.isnan(r["value"]):
                continue
            true = r["value"] - fine[(column, t)]["value"]
            if abs(true) <= FLOOR * max(1.0, abs(r["value"])):
                print(f"   N = {n:3d} {column:12s} v_N - v_256 {true:+.2e}: round-off (estimate {r['err_space']:+.2e})")
                continue
            ratio = r["err_space"] / true
            good = 1 / 3 <= ratio <= 3
            ok &= good or n != 64
            print(f"   N = {n:3d} {column:12s} v_N - v_256 {true:+.3e}  err_space {r['err_space']:+.3e}  ratio {ratio:.3f}"
                  f"{'' if good else '  (outside the factor 3)'}")

    if args.quick:
        print("targets 1 and 2 met" if ok else "a target of 1 or 2 was missed")
        return 0 if ok else 1
    print("3. the explicit collapse, N = 32, L = 16, order4, dt = 5e-3, t <= 0.3: |v - exact| against the estimates' sum")
    pc = table(run(args, os.path.join(args.work, "collapse"),
                   ["--d", "3", "--N", "32", "--L", "16", "--potential", "power", "--gamma", "2", "--measure",
                    "pseudo-conformal", "--integrator", "order4", "--dt", "5e-3", "--t-end", "0.3", "--output-dt", "0.05",
                    "--allow-unresolved-initial", "--tail-tol", "1e-6"]))
    for column in ("V1", "dV1", "kinetic", "interaction", "energy"):
        rows = sorted((t, r) for (c, t), r in pc.items() if c == column)
        bracketed = 0
        worst = 0.0
        for t, r in rows:
            distance = abs(r["value"] - closed_form(column, t))
            estimate = sum(abs(r[k]) for k in ("err_space", "err_time", "err_box") if not math.isnan(r[k]))
            bracketed += distance <= estimate
            worst = max(worst, distance / estimate if estimate > 0 else math.inf)
        t, r = rows[-1]
        print(f"   {column:12s} bracketed at {bracketed}/{len(rows)} rows; largest |v - exact| / estimate {worst:.5f}; at t = {t}: "
              f"|v - exact| {abs(r['value'] - closed_form(column, t)):.2e}, err_space {r['err_space']:+.2e}, "
              f"err_time {r['err_time']:+.2e}, err_box {r['err_box']:+.2e}")
    print("targets 1 and 2 met" if ok else "a target of 1 or 2 was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
