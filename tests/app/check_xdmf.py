#!/usr/bin/env python3
"""run.xmf, the XDMF sidecar of run.h5 (src/dfe/io/xdmf.hpp), read by ParaView itself: pvpython's
"XDMF Reader" (Debian's paraview and python3-paraview, installed with apt-get when missing and this
runs as root; exit 77, skipped, when pvpython is missing and cannot be installed).

- A 2D run (2 ranks, 32^2, random Gaussians with kicks: gamma^(1) is not symmetric under x <-> y)
  writes run.xmf beside run.h5, only when complete: none while the run goes (stopped by SIGUSR1 with
  exit code 3), one with every row after a restart finishes it, and a new one when the finished run is
  continued to a later --t-end.
- ParaView's time steps are timeseries.csv's t (1e-12; they are the same doubles), and its "gamma1"
  point data at a time step is that row of run.h5 /gamma1, to the last bit, in run.h5's C order: ParaView's
  X axis is the grid's last coordinate (the point of largest gamma^(1) sits at X = x_2, Y = x_1), the
  bounds are [-L/2, L/2 - L/N] on the grid's axes and 0 on the degenerate one.
- 1D and 3D runs: the same for their layouts (degenerate Y and Z; three axes).

usage: check_xdmf.py DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
"""
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

import dfe_checks
from dfe_checks import check, finish, run

dfe_checks.setup()
os.makedirs(dfe_checks.work, exist_ok=True)
SKIP = 77


def find_pvpython():
    """pvpython, installed with apt-get when missing and running as root; None when it cannot be had."""
    found = shutil.which("pvpython")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        why = "this is not root" if os.geteuid() != 0 else "there is no apt-get"
        print(f"SKIP: pvpython is not installed and {why} to install it (Debian: apt-get install paraview python3-paraview)")
        return None
    packages = ["paraview", "python3-paraview"]
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends"] + packages
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as log:
        ok = subprocess.run(install, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env).returncode == 0
        if not ok:
            # The package lists may be missing or stale (a fresh container): update, then try again.
            ok = (subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=300", "update"], stdout=log,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env).returncode == 0
                  and subprocess.run(install, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env).returncode == 0)
        if not ok:
            log.seek(0)
            print("".join(log.readlines()[-20:]))
            print(f"SKIP: pvpython is not installed and apt-get install {' '.join(packages)} failed (its last lines are above)")
            return None
    print(f"installed {' '.join(packages)} with apt-get in {time.monotonic() - start:.0f} s")
    return shutil.which("pvpython")


# Runs inside pvpython: reads run.xmf with the XDMF Reader and writes what ParaView sees to an npz
# (no h5py in here: ParaView's HDF5 and h5py's are different builds).
READER = r'''
import json, sys
import numpy as np
from paraview.simple import XDMFReader, OpenDataFile, Delete
from paraview import servermanager
from vtkmodules.util.numpy_support import vtk_to_numpy

xmf, out = sys.argv[1], sys.argv[2]
reader = XDMFReader(FileNames=[xmf])
reader.UpdatePipelineInformation()
times = [float(t) for t in reader.TimestepValues]
result = {"times": np.array(times), "point_arrays": np.array(list(reader.PointArrayStatus), dtype=object)}
for k in sorted({0, len(times) // 2, len(times) - 1}):
    reader.UpdatePipeline(times[k])
    data = servermanager.Fetch(reader)
    if data.IsA("vtkMultiBlockDataSet"):
        data = data.GetBlock(0)
    array = data.GetPointData().GetArray("gamma1")
    result[f"gamma1_{k}"] = vtk_to_numpy(array).copy() if array is not None else np.array([])
    result[f"dims_{k}"] = np.array(data.GetDimensions())
    result[f"bounds_{k}"] = np.array(data.GetBounds())
    if array is not None:
        peak = int(np.argmax(vtk_to_numpy(array)))
        result[f"peak_point_{k}"] = np.array(data.GetPoint(peak))
Delete(reader)
# What ParaView's default for .xmf makes of it (printed, not checked: see src/dfe/io/xdmf.hpp); its
# complaints come after the marker.
sys.stdout.flush()
sys.stderr.write("--- OpenDataFile\n")
sys.stderr.flush()
default = OpenDataFile(xmf)
default.UpdatePipelineInformation()
default.UpdatePipeline(times[-1])
data = servermanager.Fetch(default)
if data.IsA("vtkMultiBlockDataSet"):
    data = data.GetBlock(0)
print("note: OpenDataFile picks %s: %d time steps, gamma1 %s" % (default.GetXMLName(), len(default.TimestepValues),
      "read" if data is not None and data.GetPointData().GetArray("gamma1") is not None else "not read"))
np.savez(out, **result)
'''


def paraview_sees(pvpython, xmf, name):
    """What pvpython's XDMF Reader reads from `xmf`, as a dict of arrays (None on a failure)."""
    script = os.path.join(dfe_checks.work, "read_xmf.py")
    with open(script, "w") as f:
        f.write(READER)
    out = os.path.join(dfe_checks.work, f"{name}.npz")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [pvpython, "--no-mpi", "--disable-registry", "--force-offscreen-rendering", script, os.path.abspath(xmf), out]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        check(False, f"{name}: pvpython finished within 180 s")
        return None
    print(f"--- pvpython on {name}/run.xmf: exit {p.returncode} in {time.monotonic() - start:.1f} s")
    print("\n".join(l for l in p.stdout.splitlines() if l.startswith("note:")))
    # What the XDMF Reader said (before the marker): any complaint fails the check.
    said = p.stderr.split("--- OpenDataFile\n")[0]
    noise = [l for l in said.splitlines() if "Skipping" in l or "ERR" in l or "rror" in l or "arning" in l]
    if p.returncode != 0 or not os.path.exists(out):
        print(p.stdout[-3000:], p.stderr[-3000:])
        check(False, f"{name}: pvpython read run.xmf")
        return None
    with np.load(out, allow_pickle=True) as z:
        seen = {k: z[k] for k in z.files}
    seen["stderr"] = noise
    return seen


def table(out):
    with open(os.path.join(out, "timeseries.csv")) as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r["t"]) for r in rows])


def check_run(pvpython, out, name, d, N, L, rows):
    """run.xmf of the finished run in `out`, through ParaView, against run.h5 and timeseries.csv."""
    xmf = os.path.join(out, "run.xmf")
    check(os.path.isfile(xmf) and not os.path.exists(xmf + ".tmp"), f"{name}: run.xmf in place, no run.xmf.tmp")
    with open(xmf) as f:
        text = f.read()
    check('"run.h5:/gamma1"' not in text and ">run.h5:/gamma1<" in text and os.path.abspath(out) not in text,
          f"{name}: run.xmf names run.h5 by a relative name")
    seen = paraview_sees(pvpython, xmf, name)
    if seen is None:
        return
    t = table(out)
    with h5py.File(os.path.join(out, "run.h5"), "r") as f:
        gamma1 = f["gamma1"][...]
    check(len(t) == rows and gamma1.shape == (rows,) + (N,) * d, f"{name}: {rows} rows in timeseries.csv and run.h5")
    times = seen["times"]
    check(len(times) == len(t) and float(np.max(np.abs(times - t))) <= 1e-12,
          f"{name}: ParaView's {len(times)} time steps are timeseries.csv's t to 1e-12"
          + (f" (largest difference {np.max(np.abs(times - t)):.1e})" if len(times) == len(t) else ""))
    check(list(seen["point_arrays"]) == ["gamma1"], f"{name}: one point array, gamma1 ({list(seen['point_arrays'])})")
    check(not seen["stderr"], f"{name}: the XDMF Reader reports nothing ({seen['stderr'][:3]})")
    dx = L / N
    # ParaView's axes: X = the grid's last coordinate; degenerate axes at 0.
    lo, hi = -L / 2, -L / 2 + (N - 1) * dx
    bounds = [lo, hi] * d + [0.0, 0.0] * (3 - d)
    dims = [N] * d + [1] * (3 - d)
    for k in sorted({0, rows // 2, rows - 1}):
        got = seen[f"gamma1_{k}"]
        want = gamma1[k]
        check(got.size == want.size and np.array_equal(got, want.reshape(-1)),
              f"{name}: ParaView's gamma1 at t = {t[k]:g} is run.h5 /gamma1 row {k} in C order, to the last bit"
              + (f" (largest difference {np.max(np.abs(got - want.reshape(-1))):.1e})" if got.size == want.size else ""))
        check(list(seen[f"dims_{k}"]) == dims, f"{name}: dimensions {list(seen[f'dims_{k}'])} == {dims} at row {k}")
        check(np.allclose(seen[f"bounds_{k}"], bounds, rtol=0, atol=1e-12),
              f"{name}: bounds {np.round(seen[f'bounds_{k}'], 12).tolist()} == {bounds} at row {k}")
    last = gamma1[-1]
    if d >= 2:
        # The state is not symmetric under exchanging the first two axes, so a transposed layout fails.
        swapped = np.swapaxes(last, 0, 1)
        asym = float(np.max(np.abs(last - swapped)) / np.max(np.abs(last)))
        check(asym > 1e-2, f"{name}: the last row is far from symmetric under x_1 <-> x_2 ({asym:.2f}), so the check "
              "tells the axes apart")
        check(not np.array_equal(seen[f"gamma1_{rows - 1}"], swapped.reshape(-1)), f"{name}: not the transposed layout")
    # The largest value's point: ParaView's (X, Y, Z) = (x_d, ..., x_1), the degenerate axes 0.
    index = np.unravel_index(int(np.argmax(last)), last.shape)
    want = [-L / 2 + i * dx for i in reversed(index)] + [0.0] * (3 - d)
    got = seen[f"peak_point_{rows - 1}"]
    check(np.allclose(got, want, rtol=0, atol=1e-12),
          f"{name}: the peak of run.h5's last row, index {tuple(int(i) for i in index)}, is at ParaView's "
          f"(X, Y, Z) = {np.round(got, 12).tolist()} (want {np.round(want, 12).tolist()})")


pvpython = find_pvpython()
if pvpython is None:
    sys.exit(SKIP)
print(f"pvpython: {pvpython}")

# 2D: 32^2 in a box of 16, four random Gaussians with kicks.
d2 = ["--d", "2", "--N", "32", "--L", "16", "--measure", "random-gaussians", "--count", "4", "--seed", "1",
      "--dt", "1e-3", "--output-dt", "0.01", "--allow-unresolved-initial", "--check-steps", "5"]

# A run to t = 0.03 (4 rows) with a checkpoint at the end.
p, out = run("two_d", d2 + ["--t-end", "0.03", "--checkpoint-every", "0.03"])
check(p.returncode == 0, "2D run: exit code 0")
if p.returncode == 0:
    check_run(pvpython, out, "2D", 2, 32, 16.0, 4)

    # Continued to t = 0.6 and stopped by SIGUSR1 on the way: run.h5 and run.xmf are taken away
    # together (run.h5.tmp stays, no run.xmf points at it).
    ckpt = os.path.join(out, "checkpoint.h5")
    cmd = dfe_checks.launcher + ["-n", "2", dfe_checks.dfe_run, "--out", out, "--fftw-planner", "estimate",
                                 "--gamma2-grid", "8"] + d2 + ["--t-end", "0.6", "--checkpoint-every", "0.03",
                                                               "--restart", ckpt]
    with open(os.path.join(dfe_checks.work, "extend.log"), "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        csv_tmp = os.path.join(out, "timeseries.csv.tmp")
        def rows_so_far():
            if not os.path.exists(csv_tmp):
                return 0
            with open(csv_tmp) as f:
                return sum(1 for _ in f) - 1

        # Stopped once it is surely past the finished run's 4 rows.
        while time.monotonic() < deadline and proc.poll() is None and rows_so_far() < 8:
            time.sleep(0.02)
        in_progress = sorted(os.listdir(out))
        proc.send_signal(signal.SIGUSR1)  # mpiexec forwards it to the ranks
        rc = proc.wait(timeout=120)
    check(rc == 3, f"extension stopped by SIGUSR1: exit code 3 (got {rc})")
    check("run.xmf" not in in_progress and "run.h5" not in in_progress and "run.h5.tmp" in in_progress,
          f"while the extension goes: run.h5.tmp, no run.h5, no run.xmf ({in_progress})")
    left = sorted(os.listdir(out))
    check("run.xmf" not in left and "run.xmf.tmp" not in left and "run.h5.tmp" in left,
          f"after the stop: run.h5.tmp, no run.xmf ({left})")

    # Finished from its checkpoint: run.xmf with every row, 0 to 0.6.
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check(p.returncode == 0, f"extension resumed: exit code 0 {p.stderr[-500:] if p.returncode else ''}")
    if p.returncode == 0:
        check_run(pvpython, out, "2D extended", 2, 32, 16.0, 61)

# 1D (one rank per sample: 2 groups) and 3D.
p, out = run("one_d", ["--d", "1", "--N", "64", "--L", "20", "--measure", "random-gaussians", "--count", "2",
                       "--seed", "4", "--dt", "1e-3", "--t-end", "0.02", "--output-dt", "0.01",
                       "--allow-unresolved-initial"])
check(p.returncode == 0, "1D run: exit code 0")
if p.returncode == 0:
    check_run(pvpython, out, "1D", 1, 64, 20.0, 3)
p, out = run("three_d", ["--d", "3", "--N", "16", "--L", "12", "--measure", "random-gaussians", "--count", "2",
                         "--seed", "4", "--dt", "1e-3", "--t-end", "0.02", "--output-dt", "0.01",
                         "--allow-unresolved-initial"])
check(p.returncode == 0, "3D run: exit code 0")
if p.returncode == 0:
    check_run(pvpython, out, "3D", 3, 16, 12.0, 3)
finish()
