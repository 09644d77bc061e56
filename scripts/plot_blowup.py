#!/usr/bin/python3
"""Plots the approach to blowup of a dfe run from its run.h5: every sample's ||grad phi_j|| and
spectral tail fraction against t, each sample's under-resolution time, glassey_T, the variance V1
against the parabola V1(0) + dV1(0) t + 8 E(0) t^2 that bounds it while vterm <= 0, and the step.

    /usr/bin/python3 scripts/plot_blowup.py out/blowup-radial-3d/run.h5 [out/blowup-radial-3d/blowup.png]

Uses Debian's python3-matplotlib, python3-numpy and python3-h5py (the quick start installs them), and
reads the run with the repository's package python/dfe_run (docs/user-guide.md, "Reading a run from
Python").
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import dfe_run  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

if len(sys.argv) not in (2, 3):
    print(__doc__, file=sys.stderr)
    sys.exit(2)
source = sys.argv[1]
target = sys.argv[2] if len(sys.argv) == 3 else os.path.join(os.path.dirname(source), "blowup.png")
run = dfe_run.load(source, pandas=False)
ts = run.arrays
grad = run.samples["grad_norm"]
tail = run.samples["tail_fraction"]
under = run.samples["underresolved_time"]
weights = run.weights
tail_tol = float(run.attrs["tail-tol"])
t = ts["t"]
glassey = ts["glassey_T"][0]
colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]

fig, axes = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)


def marks(ax):
    for j, tu in enumerate(under):
        if np.isfinite(tu):
            ax.axvline(tu, color=colors[j % len(colors)], ls=":", lw=1)
    if np.isfinite(glassey):
        ax.axvline(glassey, color="k", ls="--", lw=1, label=f"glassey_T = {glassey:.4g}")


ax = axes[0, 0]
for j in range(grad.shape[1]):
    ax.semilogy(t, grad[:, j], color=colors[j % len(colors)], label=f"sample {j} (w = {weights[j]:.3g})")
marks(ax)
ax.set_title("‖∇φ_j‖ (dotted: sample j under-resolved; frozen samples stay flat)")
ax.set_xlabel("t")
ax.legend(fontsize=8)

ax = axes[0, 1]
for j in range(tail.shape[1]):
    ax.semilogy(t, np.maximum(tail[:, j], 1e-300), color=colors[j % len(colors)], label=f"sample {j}")
ax.axhline(tail_tol, color="gray", lw=1, label=f"--tail-tol {tail_tol:g}")
marks(ax)
ax.set_ylim(bottom=1e-20)
ax.set_title("spectral weight beyond 2/3 of Nyquist")
ax.set_xlabel("t")
ax.legend(fontsize=8)

ax = axes[1, 0]
ax.plot(t, ts["V1"], label="V1 = Tr(|x|² γ¹)")
parabola = ts["V1"][0] + ts["dV1"][0] * t + 8 * ts["energy"][0] * t * t
ax.plot(t, parabola, "--", label="V1(0) + dV1(0) t + 8E(0) t²")
marks(ax)
ax.set_ylim(bottom=min(0.0, float(np.min(ts["V1"]))))
ax.set_title(f"variance; E(0) = {ts['energy'][0]:.4g}, max vterm = {np.max(ts['vterm']):.2g}")
ax.set_xlabel("t")
ax.legend(fontsize=8)

ax = axes[1, 1]
ax.semilogy(t, ts["dt"], label="dt")
ax2 = ax.twinx()
ax2.step(t, ts["n_underresolved"], where="post", color="C3", label="n_underresolved")
ax2.set_ylabel("n_underresolved", color="C3")
ax.set_title("step (controller proposal) and under-resolved samples")
ax.set_xlabel("t")
ax.legend(loc="upper left", fontsize=8)

fig.savefig(target, dpi=110)
print(f"wrote {target}")
