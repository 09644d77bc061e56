"""Plots of a loaded run (matplotlib; with path=..., the figure is written with the Agg backend).

plot_verdicts(run, path): the checks of the verdicts (docs/physics.md §9) against their bounds over
time: the first row of panels has vterm <= 0, margin_R <= 0 for every R and the verdicts table as
dfe-run printed it; then one row per R with IIIa_R <= 4|E(0)|, IIIb_R <= 4|E(0)| + |II_R|/2,
IV_R <= 4|E(0)| and d2loc_R <= 4E(0). Each panel: the term (solid), its bound (dashed), the rows
that are not resolved for that R shaded, rows where the check failed marked (red x at a resolved
row: that is what makes a verdict `failed`; grey x at an unresolved one), and the verdict word in
its title.
"""
import numpy as np

from .checks import CHECKS, checks
from .loader import radius_label

TITLES = {
    "IIIa_le_4absE0": "IIIa_R ≤ 4|E(0)|  (6.9)",
    "IIIb_le_4absE0_plus_half_absII": "IIIb_R ≤ 4|E(0)| + |II_R|/2  (6.14)",
    "IV_le_4absE0": "IV_R ≤ 4|E(0)|  (6.16)",
    "d2loc_le_4E0": "d2loc_R ≤ 4E(0)  (conclusion)",
}
WORD_COLORS = {"held": "tab:green", "failed": "tab:red", "unresolved": "tab:orange"}


def _pyplot(path):
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _shade_unresolved(ax, t, resolved):
    """Shades from the first unresolved row on (marks are for good, and a layer is resolved or not)."""
    if len(t) == 0 or np.all(resolved):
        return
    first = int(np.argmin(resolved))
    start = 0.5 * (t[first - 1] + t[first]) if first > 0 else t[0]  # halfway from the last resolved row
    ax.axvspan(start, t[-1], color="0.85", zorder=0, lw=0, label="not resolved")


def _check_panel(ax, t, check, title):
    ax.plot(t, check.term, ".-", color="tab:blue", ms=3, lw=1.2, label=check.term_name)
    ax.plot(t, check.bound, "--", color="k", lw=1, label=check.bound_name)
    bad = ~check.holds
    if np.any(bad & check.resolved):
        ax.plot(t[bad & check.resolved], check.term[bad & check.resolved], "x", color="tab:red", ms=7, mew=1.5,
                label="failed (resolved row)")
    if np.any(bad & ~check.resolved):
        ax.plot(t[bad & ~check.resolved], check.term[bad & ~check.resolved], "x", color="0.5", ms=6,
                label="fails (unresolved row)")
    _shade_unresolved(ax, t, check.resolved)
    word = check.word
    ax.set_title(f"{title}: {word}", fontsize=9, color=WORD_COLORS.get(word, "k"))
    ax.legend(fontsize=7, loc="best")


def plot_verdicts(run, path=None, dpi=100):
    """The verdicts' checks against their bounds over time, per R (module docstring). Returns the
    figure; with `path`, also writes it there (PNG, PDF... by the extension) and closes it."""
    if not run.R:
        raise ValueError(f"{run.path}: the run has no --R radii, so no localized columns and no verdicts")
    plt = _pyplot(path)
    rows = checks(run)
    t = run.t
    n = len(run.R)
    fig, axes = plt.subplots(1 + n, 4, figsize=(17, 3.1 * (1 + n)), constrained_layout=True, squeeze=False)

    # First row: vterm <= 0, every margin_R <= 0, and the printed table.
    _check_panel(axes[0, 0], t, rows["vterm_le_0"], "vterm ≤ 0  (hypothesis (1.6))")
    ax = axes[0, 1]
    for R in run.R:
        r = rows["radii"][R]
        ax.plot(t, run.localized(R)["margin"], ".-", ms=3, lw=1.2,
                label=f"margin_R{radius_label(R)}" + ("" if r["layer_resolved"] else " (layer < 12 dx)"))
    ax.axhline(0.0, color="k", ls="--", lw=1, label="0")
    _shade_unresolved(ax, t, rows["samples_resolved"])
    ax.set_title("margin_R = d2loc_R − 4E(0) ≤ 0", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    gs = axes[0, 2].get_gridspec()
    axes[0, 2].remove()
    axes[0, 3].remove()
    text_ax = fig.add_subplot(gs[0, 2:])
    text_ax.axis("off")
    text = (run.verdict_info or {}).get("text") or ""
    text_ax.text(0.0, 1.0, text, family="monospace", fontsize=7, va="top", ha="left", transform=text_ax.transAxes)

    for i, R in enumerate(run.R, start=1):
        r = rows["radii"][R]
        for j, name in enumerate(CHECKS):
            _check_panel(axes[i, j], t, r[name], f"R = {radius_label(R)}: {TITLES[name]}")
        layer = f"layer {r['layer_spacings']:.1f} dx" + ("" if r["layer_resolved"] else " < 12: no row resolved")
        axes[i, 0].set_ylabel(f"R = {radius_label(R)}\n{layer}", fontsize=9)
    for ax in [axes[0, 0], axes[0, 1]] + list(axes[1:].flat):
            ax.set_xlabel("t", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
    fig.suptitle(f"{run.path}: the checks of the verdicts (docs/physics.md §9), E(0) = {rows['energy0']:.6g}; "
                 "shaded: rows not resolved", fontsize=10)
    if path is not None:
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
    return fig
