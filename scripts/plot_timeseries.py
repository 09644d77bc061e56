#!/usr/bin/python3
"""Plots a dfe time series: energies, the virial terms, and the ensemble's mixedness. For a random
draw (timeseries_stderr.csv beside the file) every curve gets its band of ±2 standard errors, and
purity is its unbiased estimate (docs/physics.md §12).

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
folder = os.path.dirname(os.path.abspath(source))
errors = estimates = None
if os.path.exists(os.path.join(folder, "timeseries_stderr.csv")):
    errors = dfe_run.read_timeseries(os.path.join(folder, "timeseries_stderr.csv"))
    estimates = dfe_run.read_timeseries(os.path.join(folder, "timeseries_estimate.csv"))


def curve(ax, name, values=None, **style):
    """One column (or `values`), with its ±2 SE band when the run is a random draw."""
    y = data[name] if values is None and estimates is None else (values if values is not None else estimates[name])
    (line,) = ax.plot(t, y, **style)
    if errors is not None and values is None:
        band = 2 * errors[name]
        ax.fill_between(t, y - band, y + band, color=line.get_color(), alpha=0.25, linewidth=0)

fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
ax = axes[0, 0]
for name in ("kinetic", "interaction", "energy"):
    curve(ax, name, label=name)
ax.set_title("energies (energy is conserved)")
ax.legend()

ax = axes[0, 1]
curve(ax, "V1", label="V1 = Tr(|x|² γ¹)")
curve(ax, "dV1", label="dV1")
ax.set_title("variance")
ax.legend()

ax = axes[1, 0]
curve(ax, "d2V1", label="d2V1")
curve(ax, "energy", 16 * data["energy"] + data["vterm"], linestyle="--", label="16E + vterm")
curve(ax, "vterm", label="vterm")
ax.set_title("virial identity (Prop 5.1)")
ax.legend()

ax = axes[1, 1]
for name in ("purity", "lambda_max", "fact_defect"):
    curve(ax, name, label=name)
ax.set_title("mixedness of the de Finetti state" + (" (bands: ±2 SE of the draw)" if errors is not None else ""))
ax.legend()

for ax in axes.flat:
    ax.set_xlabel("t")
    ax.grid(alpha=0.3)
fig.suptitle(source)
fig.savefig(target, dpi=100)
print(f"wrote {target}")
