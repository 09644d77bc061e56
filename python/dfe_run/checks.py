"""The checks of the verdicts (docs/physics.md §9), row by row, from a run's time series.

dfe-run's verdicts say one word per check and radius; this recomputes what the words summarize: at
every output row, each check's term, its bound, whether it held (within the slack) and whether the
row was resolved. `verdict_table(run)` then rebuilds verdicts.csv's columns from those rows, the
same way src/dfe/run/verdicts.cpp does.

The checks (E(0) the energy at the first row, slack 1e-9 × 16·kinetic(t)):
  vterm_le_0                       vterm   <= 0                        (hypothesis (1.6))
  IIIa_le_4absE0                   IIIa_R  <= 4|E(0)|                  (6.9)
  IIIb_le_4absE0_plus_half_absII   IIIb_R  <= 4|E(0)| + |II_R|/2       (6.14)
  IV_le_4absE0                     IV_R    <= 4|E(0)|                  (6.16)
  d2loc_le_4E0                     d2loc_R <= 4E(0), i.e. margin_R <= 0 (the conclusion)
A row is resolved for R when n_underresolved = 0 there and ψ_R's layer spans >= 12 grid spacings;
for vterm when n_underresolved = 0.
"""
import math
from dataclasses import dataclass

import numpy as np

from .loader import radius_label

SLACK = 1e-9          # × 16·kinetic(t): the scale of the terms that cancel in d2loc_R
MIN_LAYER_SPACINGS = 12.0

# name in verdicts.csv -> (term column prefix, bound as text)
CHECKS = {
    "IIIa_le_4absE0": ("IIIa", "4|E(0)|"),
    "IIIb_le_4absE0_plus_half_absII": ("IIIb", "4|E(0)| + |II_R|/2"),
    "IV_le_4absE0": ("IV", "4|E(0)|"),
    "d2loc_le_4E0": ("d2loc", "4E(0)"),
}


@dataclass
class Check:
    """One check at every row: term <= bound + slack."""
    name: str
    term_name: str
    bound_name: str
    term: np.ndarray
    bound: np.ndarray
    slack: np.ndarray
    resolved: np.ndarray

    @property
    def holds(self):
        return self.term <= self.bound + self.slack  # NaN compares false: a NaN term fails, as in dfe-run

    @property
    def word(self):
        """held, failed or unresolved (docs/physics.md §9)."""
        if np.any(~self.holds & self.resolved):
            return "failed"
        if not np.all(self.resolved):
            return "unresolved"
        return "held"


def layer_spacings(run, R):
    """The width of ψ_R's transition layer, √((2+h)R) − √((2−h)R), in grid spacings L/N."""
    h = float(run.attrs.get("cutoff-width", 0.9))
    return (math.sqrt((2 + h) * R) - math.sqrt((2 - h) * R)) / run.dx


def energy0(run):
    """E(0): the verdicts' own value where run.h5 has it, else the first row's energy."""
    if run.verdict_info is not None and "energy0" in run.verdict_info:
        return float(run.verdict_info["energy0"])
    return float(run["energy"][0])


def checks(run):
    """Every check at every row: {"vterm": Check, R: {name: Check, ...}, ...} plus the row masks.

    Returns a dict with keys
      "energy0", "slack" (per row), "samples_resolved" (per row),
      "vterm_le_0" (a Check),
      "radii": {R: {"layer_spacings", "layer_resolved", "resolved" (per row), and one Check per
               name of CHECKS}}.
    """
    e0 = energy0(run)
    slack = SLACK * 16.0 * np.abs(run["kinetic"])
    samples_resolved = run["n_underresolved"] == 0.0
    out = {"energy0": e0, "slack": slack, "samples_resolved": samples_resolved,
           "vterm_le_0": Check("vterm_le_0", "vterm", "0", run["vterm"], np.zeros(len(run)), slack, samples_resolved),
           "radii": {}}
    for R in run.R:
        cols = run.localized(R)
        if run.verdict_arrays is not None and R in list(run.verdict_arrays["R"]):
            i = list(run.verdict_arrays["R"]).index(R)
            spacings = float(run.verdict_arrays["layer_spacings"][i])
        else:
            spacings = layer_spacings(run, R)
        layer_ok = spacings >= MIN_LAYER_SPACINGS
        resolved = samples_resolved & layer_ok
        four = np.full(len(run), 4.0 * abs(e0))
        label = radius_label(R)
        r = {"layer_spacings": spacings, "layer_resolved": layer_ok, "resolved": resolved}
        r["IIIa_le_4absE0"] = Check("IIIa_le_4absE0", f"IIIa_R{label}", "4|E(0)|", cols["IIIa"], four, slack, resolved)
        r["IIIb_le_4absE0_plus_half_absII"] = Check(
            "IIIb_le_4absE0_plus_half_absII", f"IIIb_R{label}", f"4|E(0)| + |II_R{label}|/2", cols["IIIb"],
            four + 0.5 * np.abs(cols["II"]), slack, resolved)
        r["IV_le_4absE0"] = Check("IV_le_4absE0", f"IV_R{label}", "4|E(0)|", cols["IV"], four, slack, resolved)
        r["d2loc_le_4E0"] = Check("d2loc_le_4E0", f"d2loc_R{label}", "4E(0)", cols["d2loc"],
                                  np.full(len(run), 4.0 * e0), slack, resolved)
        out["radii"][R] = r
    return out


def verdict_table(run, rows=None):
    """verdicts.csv's columns recomputed from the time series: {column: array}, one entry per R.

    `radial` and `max_radial_defect` are not in the time series (the radial defect is computed at
    t = 0 only): they are taken from the run's own verdicts where it has them, else left out."""
    c = rows if rows is not None else checks(run)
    t = run.t
    table = {k: [] for k in ["R", "layer_spacings", "layer_resolved", "resolved_until", "max_margin", "vterm_le_0",
                             "IIIa_le_4absE0", "IIIb_le_4absE0_plus_half_absII", "IV_le_4absE0", "d2loc_le_4E0",
                             "first_failure_t"]}
    for R, r in c["radii"].items():
        resolved = r["resolved"]
        # resolved_until: the last row up to which every row was resolved (NaN if the first was not)
        upto = np.cumprod(resolved).astype(bool)
        table["R"].append(R)
        table["layer_spacings"].append(r["layer_spacings"])
        table["layer_resolved"].append(r["layer_resolved"])
        table["resolved_until"].append(float(t[upto][-1]) if upto.any() else math.nan)
        largest = -math.inf  # as dfe-run: std::max from -inf, so a NaN row does not count
        for v in run.localized(R)["margin"]:
            largest = v if largest < v else largest
        table["max_margin"].append(float(largest))
        table["vterm_le_0"].append(c["vterm_le_0"].word)
        all_hold = np.ones(len(run), dtype=bool)
        for name in CHECKS:
            table[name].append(r[name].word)
            all_hold &= r[name].holds
        failing = resolved & ~all_hold
        table["first_failure_t"].append(float(t[failing][0]) if failing.any() else -1.0)
    out = {k: np.array(v) for k, v in table.items()}
    if run.verdict_arrays is not None:
        for k in ("radial", "max_radial_defect"):
            out[k] = run.verdict_arrays[k]
    return out
