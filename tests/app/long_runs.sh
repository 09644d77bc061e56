#!/usr/bin/env bash
# Long runs (docs/user-guide.md, "Long runs"): the record is streamed and a restart continues it.
#  1. kill -9 at random moments (during evolution, output rows and checkpoint writes) and restart,
#     until the run finishes: timeseries.csv, verdicts.csv and every dataset of run.h5 equal an
#     uninterrupted run's bit for bit (same ranks, --fftw-planner estimate).
#  2. A finished run continued to a later --t-end equals a run made to that time in one go, also when
#     its last row formed γ^(2) only because it was the last (--gamma2-times first,last).
#  3. Under the default planner (FFTW_MEASURE, whose choices vary from run to run), a run stopped and
#     restarted reproduces an uninterrupted run bit for bit: both read the same --fftw-wisdom file
#     (written by a third run), and the restart makes its plans from the wisdom in the checkpoint.
#   long_runs.sh DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
dfe_run=$1 work=$2
shift 2
launcher=("$@")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Every dataset and the verdicts equal (attributes such as run_id and t-end may differ).
same_record() {
  local a=$1 b=$2
  cmp -s "$a/timeseries.csv" "$b/timeseries.csv" || fail "timeseries.csv of $b differs from $a"
  if [[ -f $a/verdicts.csv ]]; then cmp -s "$a/verdicts.csv" "$b/verdicts.csv" || fail "verdicts.csv of $b differs from $a"; fi
  /usr/bin/python3 - "$a/run.h5" "$b/run.h5" <<'PY' || fail "run.h5 of $b differs from $a"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
other = []
b.visititems(lambda n, o: other.append(n) if isinstance(o, h5py.Dataset) else None)
assert sorted(names) == sorted(other), f"datasets {sorted(set(names) ^ set(other))}"
for n in names:
    x, y = a[n][()], b[n][()]
    assert x.shape == y.shape, f"{n}: shape {x.shape} vs {y.shape}"
    if x.dtype.kind == "f":
        assert np.array_equal(x, y, equal_nan=True), f"{n}: values differ (largest {np.nanmax(np.abs(x - y))})"
    else:
        assert (x == y).all(), f"{n}: values differ"
print(f"  {len(names)} datasets equal")
PY
}

opts=(--N 64 --L 16 --measure random-gaussians --count 16 --lambda 5 --dt 1e-3 --output-dt 0.01 --R 4
      --gamma2-grid 16 --gamma2-times first,0.2,last --fftw-planner estimate --check-steps 5)
run() { "${launcher[@]}" -n 2 "$dfe_run" "$@"; }

# 1. kill -9 at random moments: three starts are killed, the second while it writes a checkpoint.
run "${opts[@]}" --t-end 3 --out "$work/ref" > "$work/ref.log" 2>&1 || fail "reference run: $(tail -3 "$work/ref.log")"
kills=0 in_checkpoint=0 attempt=0 restart=()
while :; do
  attempt=$((attempt + 1))
  [[ $attempt -le 20 ]] || fail "no run killed 3 times (one of them in a checkpoint write) in 20 starts"
  log=$work/k$attempt.log
  : > "$log"
  run "${opts[@]}" --t-end 3 --checkpoint-every 0.05 "${restart[@]}" --out "$work/k" >> "$log" 2>&1 &
  pid=$!
  # Once this start has written a checkpoint (every fifth row), then either at a random moment
  # within 0.3 s, or as soon as the next checkpoint's temporary file appears.
  for _ in $(seq 1 1000); do grep -q "checkpoint at t" "$log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
  killed=0 during=0
  if [[ $kills -eq 1 ]]; then
    # The ranks' pids first, so that the kill follows the sight of the temporary file within
    # microseconds (bash's own kill, no process to start).
    ranks=$(pgrep -f -- "^$dfe_run .*--out $work/k" | tr '\n' ' ')
    rm -f "$work/k/checkpoint.h5.tmp"
    end=$((SECONDS + 20))
    while [[ $SECONDS -lt $end ]] && kill -0 "$pid" 2>/dev/null; do
      if [[ -e $work/k/checkpoint.h5.tmp ]]; then
        # shellcheck disable=SC2086
        kill -9 $ranks 2>/dev/null && killed=1 during=1
        break
      fi
    done
  else
    sleep "0.$(printf '%03d' $((RANDOM % 300)))"
    if [[ $kills -lt 3 ]] && kill -0 "$pid" 2>/dev/null; then
      pkill -9 -f -- "^$dfe_run .*--out $work/k" && killed=1
    fi
  fi
  set +e; wait "$pid"; rc=$?; set -e
  if [[ $killed -eq 1 && $rc -ne 0 ]]; then
    kills=$((kills + 1))
    # Confirmed when the temporary file outlived the kill (the write had not finished).
    [[ $during -eq 1 && -e $work/k/checkpoint.h5.tmp ]] && in_checkpoint=$((in_checkpoint + 1))
    restart=(--restart "$work/k/checkpoint.h5")
    continue
  fi
  [[ $rc -eq 0 ]] || fail "start $attempt ended with $rc: $(tail -3 "$log")"
  [[ $kills -ge 3 && $in_checkpoint -ge 1 ]] && break
  # Finished before it was killed enough (a fast machine): once more from the start.
  rm -rf "$work/k"; restart=(); kills=0; in_checkpoint=0
done
echo "1. killed $kills times ($in_checkpoint during a checkpoint write) in $attempt starts"
[[ $in_checkpoint -ge 1 ]] || fail "no kill landed during a checkpoint write"
same_record "$work/ref" "$work/k"

# 2. A finished run continued to a later --t-end.
ext=(--N 64 --L 16 --measure random-gaussians --count 8 --lambda 5 --dt 1e-3 --output-dt 0.02 --R 4
     --gamma2-grid 16 --gamma2-times first,last --fftw-planner estimate --check-steps 5)
run "${ext[@]}" --t-end 0.4 --out "$work/long" > "$work/long.log" 2>&1 || fail "one-go run: $(tail -3 "$work/long.log")"
run "${ext[@]}" --t-end 0.2 --checkpoint-every 0.1 --out "$work/ext" > "$work/ext1.log" 2>&1 || fail "short run: $(tail -3 "$work/ext1.log")"
run "${ext[@]}" --t-end 0.4 --checkpoint-every 0.1 --restart "$work/ext/checkpoint.h5" --out "$work/ext" > "$work/ext2.log" 2>&1 \
  || fail "continued run: $(tail -3 "$work/ext2.log")"
grep -q "continuing the record in .* after its first 10 rows" "$work/ext2.log" || fail "the last row was not observed again: $(grep restarted "$work/ext2.log")"
echo "2. continued from t = 0.2 to 0.4:"
same_record "$work/long" "$work/ext"
set +e; run "${ext[@]}" --t-end 0.1 --restart "$work/ext/checkpoint.h5" --out "$work/ext" > "$work/ext3.log" 2>&1; rc=$?; set -e
[[ $rc -eq 2 ]] && grep -q "after --t-end 0.1" "$work/ext3.log" || fail "a --t-end before the checkpoint was not refused: $(cat "$work/ext3.log")"

# 3. The default planner, with wisdom.
w=(--N 64 --L 16 --measure random-gaussians --count 8 --lambda 5 --dt 1e-3 --output-dt 0.02 --check-steps 5)
# The first run writes the wisdom (the plans it made, merged over the ranks); the two runs compared
# both read it.
run "${w[@]}" --t-end 0.02 --fftw-wisdom "$work/wisdom" --out "$work/w0" > "$work/w0.log" 2>&1 || fail "wisdom run: $(tail -3 "$work/w0.log")"
[[ -s $work/wisdom ]] || fail "no wisdom file written"
run "${w[@]}" --t-end 0.4 --fftw-wisdom "$work/wisdom" --out "$work/wa" > "$work/wa.log" 2>&1 || fail "uninterrupted run: $(tail -3 "$work/wa.log")"
run "${w[@]}" --t-end 0.4 --fftw-wisdom "$work/wisdom" --checkpoint-every 0.1 --out "$work/wb" > "$work/wb.log" 2>&1 &
pid=$!
for _ in $(seq 1 400); do [[ -f $work/wb/checkpoint.h5 ]] && break; sleep 0.02; done
pkill -USR1 -f -- "^$dfe_run .*--out $work/wb" || true
set +e; wait "$pid"; rc=$?; set -e
[[ $rc -eq 3 ]] || fail "expected exit code 3 after SIGUSR1, got $rc: $(tail -3 "$work/wb.log")"
run "${w[@]}" --t-end 0.4 --restart "$work/wb/checkpoint.h5" --out "$work/wb" > "$work/wb2.log" 2>&1 || fail "wisdom restart: $(tail -3 "$work/wb2.log")"
echo "3. default planner, stopped at $(grep -o 'at t = [0-9.e-]*' "$work/wb.log" | head -1) and restarted:"
same_record "$work/wa" "$work/wb"
echo "long runs: all checks passed"
