#!/usr/bin/env bash
# Checkpoint/restart end to end (docs/physics.md's identities are not involved: this is about not losing a
# run). A run on 2 ranks is stopped by SIGUSR1 once its first periodic checkpoint exists, must exit
# with code 3 leaving the checkpoint and its record under temporary names, and is resumed (a) on 2
# ranks in the same directory and (b) on 1 rank in another directory (the record is copied from the
# one the checkpoint names); both final time series must equal an uninterrupted run's: to 1e-12 on
# the same ranks, 1e-10 on others (summation orders differ). Then bad restarts are refused with one
# line and exit code 2.
#   checkpoint_restart.sh DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
dfe_run=$1 work=$2
shift 2
launcher=("$@")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

opts=(--N 96 --L 16 --measure random-gaussians --count 8 --lambda 5 --dt 1e-3 --t-end 1 --output-dt 0.05
      --R 4 --gamma2-grid 32 --gamma2-times first,0.5,last --fftw-planner estimate --check-steps 5)

"${launcher[@]}" -n 2 "$dfe_run" "${opts[@]}" --out "$work/ref" > "$work/ref.log" 2>&1 || fail "reference run: $(tail -3 "$work/ref.log")"

# Stopped by a signal, once it is surely running (its first checkpoint, t = 0.1, exists).
"${launcher[@]}" -n 2 "$dfe_run" "${opts[@]}" --checkpoint-every 0.1 --out "$work/a" > "$work/a.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do [[ -f $work/a/checkpoint.h5 ]] && break; sleep 0.05; done
[[ -f $work/a/checkpoint.h5 ]] || fail "no periodic checkpoint appeared"
pkill -USR1 -f -- "--out $work/a" || true
set +e; wait "$pid"; rc=$?; set -e
[[ $rc -eq 3 ]] || fail "expected exit code 3 after SIGUSR1, got $rc: $(tail -5 "$work/a.log")"
grep -q "stopped by signal USR1" "$work/a.log" || fail "no stop message"
[[ ! -e $work/a/timeseries.csv && ! -e $work/a/run.h5 ]] || fail "a stopped run's output under its final name: $(ls "$work/a")"
[[ -f $work/a/timeseries.csv.tmp && -f $work/a/run.h5.tmp ]] || fail "the stopped run's record is gone: $(ls "$work/a")"
cp "$work/a/checkpoint.h5" "$work/saved.h5"

# (a) the same 2 ranks, stopped once more (SIGTERM this time) and resumed again; (b) 1 rank, in
# another output directory, from the first checkpoint.
"${launcher[@]}" -n 2 "$dfe_run" "${opts[@]}" --checkpoint-every 0.1 --restart "$work/a/checkpoint.h5" --out "$work/a" > "$work/a2.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q "restarted from" "$work/a2.log" && break; sleep 0.05; done
sleep 0.3
# To the ranks themselves (as srun delivers it); mpiexec would turn a SIGTERM of its own into an abort.
pkill -TERM -f -- "^$dfe_run .*--out $work/a" || true
set +e; wait "$pid"; rc=$?; set -e
[[ $rc -eq 3 ]] || fail "expected exit code 3 after SIGTERM of the restarted run, got $rc: $(tail -5 "$work/a2.log")"
grep -q "stopped by signal TERM" "$work/a2.log" || fail "no stop message after SIGTERM"
"${launcher[@]}" -n 2 "$dfe_run" "${opts[@]}" --checkpoint-every 0.1 --restart "$work/a/checkpoint.h5" --out "$work/a" > "$work/a3.log" 2>&1 \
  || fail "second restart on 2 ranks: $(tail -3 "$work/a3.log")"
grep -q "restarted from" "$work/a3.log" || fail "no restart message"
"${launcher[@]}" -n 1 "$dfe_run" "${opts[@]}" --restart "$work/saved.h5" --out "$work/b" > "$work/b.log" 2>&1 \
  || fail "restart on 1 rank: $(tail -3 "$work/b.log")"

/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
ref = np.genfromtxt(f"{w}/ref/timeseries.csv", delimiter=",", names=True)
for name, tol in (("a", 1e-12), ("b", 1e-10)):
    got = np.genfromtxt(f"{w}/{name}/timeseries.csv", delimiter=",", names=True)
    assert got.dtype.names == ref.dtype.names and len(got) == len(ref), f"{name}: columns or rows differ"
    worst = 0.0
    for c in ref.dtype.names:
        x, y = ref[c], got[c]
        assert (np.isnan(x) == np.isnan(y)).all(), f"{name}: nan pattern of {c} differs"
        m = np.isfinite(x)
        worst = max(worst, float(np.max(np.abs(x[m] - y[m]) / np.maximum(1.0, np.abs(x[m])))) if m.any() else 0.0)
    print(f"restart {name}: {len(got)} rows, largest relative difference {worst:.2e} (tolerance {tol:g})")
    assert worst <= tol, f"{name}: {worst} > {tol}"
PY
for f in run.h5 verdicts.csv timing.csv; do [[ -f $work/b/$f ]] || fail "restart (b) wrote no $f"; done
h5diff -d 1e-10 "$work/ref/run.h5" "$work/b/run.h5" /gamma1 > /dev/null || fail "gamma1 history differs after restart"
h5diff -d 1e-10 "$work/ref/run.h5" "$work/b/run.h5" /gamma2/values > /dev/null || fail "gamma2 snapshots differ after restart"

# The options with one value changed: with NAME VALUE.
with() {
  local name=$1 value=$2 i out=("${opts[@]}")
  for ((i = 0; i < ${#out[@]}; i++)); do [[ ${out[i]} == "$name" ]] && out[i + 1]=$value; done
  changed=("${out[@]}")
}

# Bad restarts: one line naming the problem, exit code 2, nothing written.
refuse() {
  local expect=$1; shift
  set +e; "${launcher[@]}" -n 2 "$dfe_run" "$@" > "$work/refuse.log" 2>&1; local rc=$?; set -e
  [[ $rc -eq 2 ]] || fail "expected exit code 2 for '$*', got $rc: $(cat "$work/refuse.log")"
  grep -q -- "$expect" "$work/refuse.log" || fail "expected '$expect' for '$*': $(cat "$work/refuse.log")"
  [[ $(grep -c "dfe-run: error" "$work/refuse.log") -eq 1 ]] || fail "not exactly one error line: $(cat "$work/refuse.log")"
  [[ ! -e $work/none ]] || fail "output directory created for '$*'"
}
refuse "does not exist" "${opts[@]}" --restart "$work/missing.h5" --out "$work/none"
# A record that is not there (neither in --out nor where the checkpoint was written) is refused.
mkdir -p "$work/moved" && cp "$work/saved.h5" "$work/moved/saved.h5"
/usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'a'); f.attrs['record']='/nonexistent/record'" "$work/moved/saved.h5" 2>/dev/null \
  && refuse "no record of this run in" "${opts[@]}" --restart "$work/moved/saved.h5" --out "$work/none"
head -c 20000 "$work/saved.h5" > "$work/truncated.h5"
refuse "not a complete HDF5 file" "${opts[@]}" --restart "$work/truncated.h5" --out "$work/none"
head -c 4096 /dev/urandom > "$work/random.h5"
refuse "not a complete HDF5 file" "${opts[@]}" --restart "$work/random.h5" --out "$work/none"
with --N 64
refuse "N = 96 in the checkpoint, 64 now" "${changed[@]}" --restart "$work/saved.h5" --out "$work/none"
with --lambda 6
refuse "lambda = 5 in the checkpoint, 6 now" "${changed[@]}" --restart "$work/saved.h5" --out "$work/none"
with --dt 2e-3
refuse "dt = 0.001 in the checkpoint, 0.002 now" "${changed[@]}" --restart "$work/saved.h5" --out "$work/none"
refuse "potential = gaussian in the checkpoint, soft-power now" "${opts[@]}" --potential soft-power --restart "$work/saved.h5" --out "$work/none"
refuse "measure = .* in the checkpoint" "${opts[@]}" --seed 2 --restart "$work/saved.h5" --out "$work/none"
/usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'a'); f.attrs['version']='0.0.0'" "$work/saved.h5" 2>/dev/null \
  || cp "$work/saved.h5" "$work/saved.h5"  # h5py missing: skip the version case below
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
  refuse "was made by dfe-run 0.0.0" "${opts[@]}" --restart "$work/saved.h5" --out "$work/none"
fi
refuse "--checkpoint '/nonexistent/dir/c.h5': its directory does not exist" "${opts[@]}" --checkpoint /nonexistent/dir/c.h5 --out "$work/none"
echo "checkpoint/restart: all checks passed"
