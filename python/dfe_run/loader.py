"""Reading a dfe-run output directory: timeseries.csv, run.h5, verdicts.csv and timing.csv.

The layouts are those of docs/user-guide.md, "Outputs". Everything small is read when the run is
loaded; γ^(1) (rows × N^d) is read on first use, and the γ^(2) snapshots (n^d × n^d each) one at a
time, on request.
"""
import csv
import functools
import os

import numpy as np

try:  # pandas is optional: tables are DataFrames where it is installed, dicts of arrays otherwise
    import pandas as _pandas
except ImportError:  # pragma: no cover - depends on the machine
    _pandas = None

# verdicts.csv's columns in the order dfe-run writes them (src/dfe/run/verdicts.cpp); run.h5
# /verdicts holds the same columns as datasets, which HDF5 lists in alphabetical order.
VERDICT_COLUMNS = ["R", "layer_spacings", "layer_resolved", "resolved_until", "max_margin", "vterm_le_0",
                   "IIIa_le_4absE0", "IIIb_le_4absE0_plus_half_absII", "IV_le_4absE0", "d2loc_le_4E0",
                   "first_failure_t", "radial", "max_radial_defect"]
# The columns of verdicts.csv that hold true/false, and those that hold the words held/failed/unresolved.
VERDICT_FLAGS = ["layer_resolved", "radial"]
VERDICT_WORDS = ["vterm_le_0", "IIIa_le_4absE0", "IIIb_le_4absE0_plus_half_absII", "IV_le_4absE0", "d2loc_le_4E0"]
# The ten localized columns per radius, in their order in a row (docs/physics.md §5).
LOCALIZED = ["loc", "dloc", "d2loc", "II", "III", "IIIa", "IIIb", "IV", "lemma61_residual", "margin"]


def _h5py():
    import h5py  # imported here so that reading CSV files alone does not need h5py

    return h5py


def _plain(value):
    """An HDF5 attribute as plain Python: str for strings, int/float for scalars, arrays kept."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "S":
            return np.char.decode(value, "utf-8")
        if value.shape == ():
            return value.item()
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def _words(values):
    """A dataset of fixed-length strings (HDF5 |S) as a numpy array of str."""
    values = np.asarray(values)
    return np.char.decode(values, "utf-8") if values.dtype.kind == "S" else values.astype(str)


def _frame(columns, order, as_frame):
    if as_frame is None:
        as_frame = _pandas is not None
    if not as_frame:
        return columns
    if _pandas is None:
        raise ImportError("pandas is not installed: load with pandas=False (or None) for a dict of numpy arrays")
    return _pandas.DataFrame({name: columns[name] for name in order})


def read_csv_columns(path):
    """A CSV file with a header line as (names, {name: numpy array}): numbers as float64 (`nan`,
    `inf` included), other columns as arrays of str. Used for timeseries.csv, verdicts.csv and
    timing.csv."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        names = next(reader)
        rows = [r for r in reader if r]
    columns = {}
    for i, name in enumerate(names):
        cells = [r[i] for r in rows]
        try:
            columns[name] = np.array([float(c) for c in cells], dtype=np.float64)
        except ValueError:
            columns[name] = np.array(cells, dtype=str)
    return names, columns


def read_timeseries(path):
    """timeseries.csv (a file, or a run directory) as {column: float64 array}, in the file's column
    order; `nan` and `inf` read as NaN and inf."""
    if os.path.isdir(path):
        path = os.path.join(path, "timeseries.csv")
    names, columns = read_csv_columns(path)
    for name in names:
        if columns[name].dtype.kind != "f":
            raise ValueError(f"{path}: column {name!r} is not numeric")
    return columns


def _number(text):
    """A CSV cell as int if it is written as one, else float, else the text."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _verdict_table(columns):
    """Typed verdict columns: flags as bool, words as str, numbers as float64."""
    out = {}
    for name, values in columns.items():
        if name in VERDICT_FLAGS:
            words = _words(values)
            if not np.all(np.isin(words, ["true", "false"])):
                raise ValueError(f"verdicts: column {name} holds {sorted(set(words))}, not true/false")
            out[name] = words == "true"
        elif name in VERDICT_WORDS:
            out[name] = _words(values)
        else:
            out[name] = np.asarray(values, dtype=np.float64)
    return out


def radius_label(R):
    """The suffix dfe-run gives R's columns: R as C's %g prints it (4 -> '4', 2.5 -> '2.5')."""
    return "%g" % R


class Run:
    """One dfe-run output directory. Build it with `dfe_run.load(DIR)`.

    Attributes (read at load; None where the run has no such output):
      path          the directory
      h5_path       its run.h5 (None if there is none: then only the CSV files are read)
      columns       the time-series column names, in the order of timeseries.csv
      arrays        {column: float64 array}: the time series, one entry per row (NaN where a row
                    has no value, e.g. symmetry_residual off --gamma2-times)
      timeseries    the same as a pandas DataFrame where pandas is installed (and pandas=True or
                    None was given to load), else the dict `arrays`
      t             arrays["t"]
      attrs         run.h5's root attributes: every option under its name (`N`, `L`, `tail-tol`,
                    `R` as the text given, ...), `version`, `git_revision`, `measure`, `run_id`
      d, N, L, dx   the grid: d dimensions, N points per axis, box [-L/2, L/2)^d, dx = L/N
      x             the grid's coordinates on one axis, x_n = -L/2 + n L/N (docs/physics.md §2)
      R             the radii of --R, as floats, in the order of the columns ([] without --R)
      weights       the M weights of the measure
      samples       {name: array} of run.h5 /samples: mass, energy, grad_norm, tail_fraction
                    (rows × M) and underresolved_time (M, NaN if never)
      hypotheses    /hypotheses as a dict: its datasets (R, sup_1_7, ratio_1_8, positive_1_6_lower,
                    positive_1_6_upper) and attributes (holds, failing, max_1_6, ..., text)
      verdicts      the verdicts table (one row per R) as typed columns: numbers float64, the
                    check words str, layer_resolved and radial bool; a DataFrame where pandas is
                    used (None without --R)
      verdict_columns  its column names, in verdicts.csv's order; verdict_arrays the same
                    table as a dict of arrays, whether or not pandas is used
      verdict_info  /verdicts' attributes: energy0, rows, smallest_R (NaN if none) and text
      stderr        for a random draw (docs/physics.md §12): {column: float64 array} of each column's
                    sampling error (NaN where it has none), from run.h5 /timeseries_stderr or
                    timeseries_stderr.csv; None otherwise
      estimate      likewise the estimate of the drawn-from measure's value (purity: the U-statistic)
      timing        timing.csv's row as {name: int or float}
      gamma2_times  the times of the γ^(2) snapshots (T2,), gamma2_x the observation grid's axis (n,)

    Read on use: `gamma1` (rows, N, ..., N), `gamma2(i)` (n^d, n^d), `gamma2_points` (n^d, d).
    """

    def __init__(self, path, pandas=None):
        path = os.fspath(path)
        if os.path.isfile(path) and path.endswith(".csv"):  # a file of the directory: the directory
            path = os.path.dirname(path) or "."
        if os.path.isfile(path):  # a run.h5 given directly
            self.path, self.h5_path = os.path.dirname(path) or ".", path
        else:
            self.path = path
            h5 = os.path.join(path, "run.h5")
            self.h5_path = h5 if os.path.exists(h5) else None
        csv_path = os.path.join(self.path, "timeseries.csv")
        if self.h5_path is None and not os.path.exists(csv_path):
            raise FileNotFoundError(f"{self.path}: neither run.h5 nor timeseries.csv (is the run finished? "
                                    "files are renamed from .tmp when it completes)")
        self._as_frame = pandas
        self.stderr = self.estimate = None
        self.attrs = {}
        self.weights = None
        self.hypotheses = None
        self.verdict_info = None
        self.gamma2_times = np.zeros(0)
        self.gamma2_x = np.zeros(0)
        verdict_columns = None
        if self.h5_path is not None:
            h5py = _h5py()
            with h5py.File(self.h5_path, "r") as f:
                self.attrs = {k: _plain(v) for k, v in f.attrs.items()}
                names = str(_plain(f["timeseries"].attrs["columns"])).split(",")
                self.arrays = {name: np.asarray(f["timeseries"][name][:], dtype=np.float64) for name in names}
                self.weights = f["weights"][:] if "weights" in f else None
                for table, attr in (("timeseries_stderr", "stderr"), ("timeseries_estimate", "estimate")):
                    if table in f:
                        setattr(self, attr, {name: np.asarray(f[table][name][:], dtype=np.float64) for name in names})
                if "gamma2" in f:
                    self.gamma2_times = f["gamma2/times"][:]
                    self.gamma2_x = f["gamma2/x"][:]
                if "hypotheses" in f:
                    g = f["hypotheses"]
                    self.hypotheses = {k: _plain(v) for k, v in g.attrs.items()}
                    self.hypotheses.update({k: g[k][:] for k in g})
                if "verdicts" in f:
                    g = f["verdicts"]
                    self.verdict_info = {k: _plain(v) for k, v in g.attrs.items()}
                    verdict_columns = {k: g[k][:] for k in g}
        else:
            self.arrays = read_timeseries(csv_path)
            names = list(self.arrays)
            for name, attr in (("timeseries_stderr.csv", "stderr"), ("timeseries_estimate.csv", "estimate")):
                if os.path.exists(os.path.join(self.path, name)):
                    setattr(self, attr, read_timeseries(os.path.join(self.path, name)))
        self.columns = names
        # verdicts.csv fixes the column order; where it is missing, run.h5's columns in dfe-run's order.
        verdicts_csv = os.path.join(self.path, "verdicts.csv")
        order = None
        if os.path.exists(verdicts_csv):
            order, csv_columns = read_csv_columns(verdicts_csv)
            if verdict_columns is None:
                verdict_columns = csv_columns
        if verdict_columns is not None:
            if order is None:
                order = [c for c in VERDICT_COLUMNS if c in verdict_columns]
            order += sorted(c for c in verdict_columns if c not in order)
            self.verdict_columns = order
            typed = _verdict_table(verdict_columns)
            self.verdict_arrays = {name: typed[name] for name in order}
            self.verdicts = _frame(self.verdict_arrays, order, pandas)
        else:
            self.verdict_columns, self.verdict_arrays, self.verdicts = [], None, None
        self.timeseries = _frame(self.arrays, self.columns, pandas)
        timing = os.path.join(self.path, "timing.csv")
        self.timing = None
        if os.path.exists(timing):
            with open(timing, newline="") as f:
                head, *cells = list(csv.reader(f))
            self.timing = {k: _number(v) for k, v in zip(head, cells[0])} if cells else {}
        # The radii: as given (run.h5's attribute R) where their labels match the columns, else from
        # the column names (which carry R as %g prints it, 6 significant digits).
        labels = [c[len("margin_R"):] for c in self.columns if c.startswith("margin_R")]
        given = [float(r) for r in str(self.attrs.get("R", "")).split(",") if r.strip()]
        if [radius_label(r) for r in given] == labels:
            self.R = given
        else:
            self.R = [float(label) for label in labels]

    # --- the time series -------------------------------------------------------------------------
    def __getitem__(self, column):
        """One time-series column as a float64 array."""
        return self.arrays[column]

    def __contains__(self, column):
        return column in self.arrays

    def __len__(self):
        return len(self.arrays["t"])

    @property
    def rows(self):
        return len(self)

    @property
    def t(self):
        return self.arrays["t"]

    def localized(self, R):
        """The ten localized columns of radius R as {name without suffix: array}: loc, dloc, d2loc,
        II, III, IIIa, IIIb, IV, lemma61_residual, margin."""
        label = radius_label(R) if not isinstance(R, str) else R
        if "margin_R" + label not in self.arrays:
            raise KeyError(f"no localized columns for R = {label} (radii: {', '.join(map(radius_label, self.R)) or 'none'})")
        return {name: self.arrays[f"{name}_R{label}"] for name in LOCALIZED}

    # --- the grid and γ^(1) ----------------------------------------------------------------------
    def _need_h5(self, what):
        if self.h5_path is None:
            raise FileNotFoundError(f"{self.path}: {what} is in run.h5, and there is none")

    @property
    def d(self):
        self._need_h5("d")
        return int(self.attrs["d"])

    @property
    def N(self):
        self._need_h5("N")
        return int(self.attrs["N"])

    @property
    def L(self):
        self._need_h5("L")
        return float(self.attrs["L"])

    @property
    def dx(self):
        return self.L / self.N

    @property
    def x(self):
        """One axis of the simulation grid: x_n = -L/2 + n L/N, n = 0..N-1."""
        return -self.L / 2 + np.arange(self.N) * self.dx

    def axes(self):
        """d coordinate arrays for γ^(1)[row] (C order: axis a of the array is x_{a+1})."""
        return tuple(self.x for _ in range(self.d))

    def mesh(self):
        """np.meshgrid of the axes with indexing='ij': arrays shaped like one γ^(1) row."""
        return np.meshgrid(*self.axes(), indexing="ij")

    @functools.cached_property
    def gamma1(self):
        """γ^(1)(x,x) at every output row, shape (rows, N, ..., N), C order (read on first use)."""
        self._need_h5("gamma1")
        with _h5py().File(self.h5_path, "r") as f:
            return f["gamma1"][:]

    def gamma1_at(self, row):
        """γ^(1)(x,x) at one row (read alone, without loading every row)."""
        self._need_h5("gamma1")
        if "gamma1" in self.__dict__:
            return self.gamma1[row]
        with _h5py().File(self.h5_path, "r") as f:
            return f["gamma1"][row]

    # --- γ^(2) snapshots -------------------------------------------------------------------------
    @property
    def gamma2_count(self):
        return len(self.gamma2_times)

    @property
    def gamma2_points(self):
        """The observation grid's points in the order of γ^(2)'s rows and columns (C order), (n^d, d)."""
        grids = np.meshgrid(*[self.gamma2_x] * self.d, indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1)

    @property
    def gamma2_dx(self):
        """The observation grid's spacing L/n (its quadrature weight is gamma2_dx**d)."""
        if len(self.gamma2_x) == 0:
            raise ValueError(f"{self.path}: run.h5 has no observation grid (/gamma2/x)")
        return self.L / len(self.gamma2_x)

    def gamma2(self, i):
        """The γ^(2)(x,y,x,y) snapshot i (at gamma2_times[i]) as an (n^d, n^d) array; index [p, q]
        is (x, y) = (gamma2_points[p], gamma2_points[q])."""
        self._need_h5("gamma2")
        with _h5py().File(self.h5_path, "r") as f:
            return f["gamma2/values"][i]

    # --- per-sample values -----------------------------------------------------------------------
    @functools.cached_property
    def samples(self):
        """run.h5 /samples as {name: array}: rows × M for the per-row values, M for underresolved_time."""
        self._need_h5("samples")
        with _h5py().File(self.h5_path, "r") as f:
            return {k: f["samples"][k][:] for k in f["samples"]} if "samples" in f else {}

    @property
    def options(self):
        """The run's options (run.h5's root attributes without version, git_revision, measure, run_id)."""
        return {k: v for k, v in self.attrs.items() if k not in ("version", "git_revision", "measure", "run_id")}

    def __repr__(self):
        parts = [f"{self.rows} rows", f"{len(self.columns)} columns"]
        if self.h5_path is not None:
            parts.append(f"d={self.d} N={self.N} L={self.L:g} M={len(self.weights) if self.weights is not None else '?'}")
        if self.R:
            parts.append("R=" + ",".join(map(radius_label, self.R)))
        if self.gamma2_count:
            parts.append(f"{self.gamma2_count} gamma2 snapshots")
        return f"<dfe_run.Run {self.path}: {', '.join(parts)}>"


def load(path, pandas=None):
    """Loads the output directory of a dfe-run run (or its run.h5 given directly; a CSV file of
    the directory stands for the directory).

    pandas: None (default) makes the tables pandas DataFrames if pandas is installed, dicts of
    numpy arrays otherwise; False always dicts; True requires pandas."""
    return Run(path, pandas=pandas)
