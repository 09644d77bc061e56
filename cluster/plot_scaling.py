#!/usr/bin/python3
"""Plot the table of cluster/scaling.sh: parallel efficiency and time per step vs ranks.

    /usr/bin/python3 cluster/plot_scaling.py out/scaling/scaling.csv [out/scaling/scaling.png]

Left: efficiency per series (1 is ideal; weak: T(P0)/T(P), strong and sample: T(P0)P0/(T(P)P)).
Right: ms per step per sample. Needs matplotlib (Debian: python3-matplotlib).
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "weak": "weak (samples ∝ ranks)",
    "strong": "strong (fixed samples)",
    "sample": "one sample, ranks per sample = ranks",
}


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    table = sys.argv[1]
    png = sys.argv[2] if len(sys.argv) == 3 else os.path.splitext(table)[0] + ".png"
    try:
        with open(table, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        print(f"plot_scaling.py: cannot read {table}: {e}", file=sys.stderr)
        sys.exit(2)
    need = {"series", "ranks", "efficiency", "ms_per_step_per_sample", "N", "samples"}
    if not rows or not need <= set(rows[0]):
        print(f"plot_scaling.py: {table} has no rows or lacks columns {sorted(need)}", file=sys.stderr)
        sys.exit(2)

    fig, (ax_e, ax_t) = plt.subplots(1, 2, figsize=(11, 4.2))
    all_ranks = set()
    top = max(float(r["efficiency"]) for r in rows)
    for series in dict.fromkeys(r["series"] for r in rows):
        sel = [r for r in rows if r["series"] == series]
        p = [int(r["ranks"]) for r in sel]
        all_ranks.update(p)
        detail = f"N={sel[0]['N']}, M={'/'.join(dict.fromkeys(r['samples'] for r in sel))}"
        label = f"{LABELS.get(series, series)}; {detail}"
        ax_e.plot(p, [float(r["efficiency"]) for r in sel], "o-", label=label)
        ax_t.plot(p, [float(r["ms_per_step_per_sample"]) for r in sel], "o-", label=series)
    ticks = sorted(all_ranks)
    for ax in (ax_e, ax_t):
        ax.set_xscale("log", base=2)
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(t) for t in ticks])
        ax.set_xlabel("MPI ranks")
        ax.grid(True, alpha=0.3)
    ax_e.axhline(1.0, color="gray", lw=0.8, ls="--")
    ax_e.set_ylim(0, max(1.1, 1.05 * top))
    ax_e.set_ylabel("parallel efficiency")
    ax_e.set_title("efficiency (1 = ideal)")
    ax_e.legend(fontsize=7, loc="lower left")
    ax_t.set_yscale("log")
    ax_t.set_ylabel("ms per step per sample")
    ax_t.set_title("time per step per sample")
    ax_t.legend(fontsize=8)
    steps = rows[0].get("steps", "?")
    fig.suptitle(f"dfe-run scaling, d = {rows[0].get('d', '?')}, {steps} steps ({os.path.basename(table)})")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"plot_scaling.py: wrote {png}")


if __name__ == "__main__":
    main()
