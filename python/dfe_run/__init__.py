"""Reading and plotting the output of dfe-run, the de Finetti ensemble simulator.

    import dfe_run
    run = dfe_run.load("out/nonradial-gaussian-2d")
    run.columns, run["energy"], run.timeseries       # the time series (a DataFrame where pandas is installed)
    run.gamma1, run.axes()                           # γ^(1)(x,x) at every row and its grid
    run.gamma2_times, run.gamma2(0)                  # the γ^(2) snapshots, read one at a time
    run.samples, run.weights, run.attrs              # per-sample values, the measure, the options
    run.hypotheses, run.verdicts                     # the hypothesis report and the verdicts table
    dfe_run.plot_verdicts(run, "verdicts.png")       # the checks of the verdicts against their bounds

The layouts: docs/user-guide.md, "Outputs" and "Reading a run from Python".
"""
from .checks import Check, checks, layer_spacings, verdict_table
from .loader import LOCALIZED, VERDICT_COLUMNS, Run, load, radius_label, read_csv_columns, read_timeseries
from .plots import plot_verdicts

__version__ = "0.1.0"
__all__ = ["Run", "load", "read_timeseries", "read_csv_columns", "radius_label", "checks", "verdict_table", "layer_spacings", "Check",
           "plot_verdicts", "LOCALIZED", "VERDICT_COLUMNS"]
