#!/usr/bin/python3
"""Plots a dfe time series: energies, the virial terms, and the ensemble's mixedness.

    /usr/bin/python3 scripts/plot_timeseries.py out/demo/timeseries.csv [out/demo/timeseries.png]

Uses Debian's python3-matplotlib and python3-numpy (the quick start installs them), and reads the
file with the repository's package python/dfe_run (docs/user-guide.md, "Reading a run from Python").
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import dfe_run  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

source = sys.argv[1]
target = sys.argv[2] if len(sys.argv) > 2 else source.rsplit(".", 1)[0] + ".png"
data = dfe_run.read_timeseries(source)
t = data["t"]

fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
ax = axes[0, 0]
for name in ("kinetic", "interaction", "energy"):
    ax.plot(t, data[name], label=name)
ax.set_title("energies (energy is conserved)")
ax.legend()

ax = axes[0, 1]
ax.plot(t, data["V1"], label="V1 = Tr(|x|² γ¹)")
ax.plot(t, data["dV1"], label="dV1")
ax.set_title("variance")
ax.legend()

ax = axes[1, 0]
ax.plot(t, data["d2V1"], label="d2V1")
ax.plot(t, 16 * data["energy"] + data["vterm"], "--", label="16E + vterm")
ax.plot(t, data["vterm"], label="vterm")
ax.set_title("virial identity (Prop 5.1)")
ax.legend()

ax = axes[1, 1]
for name in ("purity", "lambda_max", "fact_defect"):
    ax.plot(t, data[name], label=name)
ax.set_title("mixedness of the de Finetti state")
ax.legend()

for ax in axes.flat:
    ax.set_xlabel("t")
    ax.grid(alpha=0.3)
fig.suptitle(source)
fig.savefig(target, dpi=100)
print(f"wrote {target}")
