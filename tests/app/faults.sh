#!/usr/bin/env bash
# Errors never hang (core/comm.hpp, "Failures"): a run whose disk fills, or one of whose ranks is
# killed, ends within seconds with a non-zero exit, instead of waiting forever in a collective.
#   faults.sh DFE_RUN WORKDIR VARIANT MPIEXEC [MPIEXEC_FLAGS...]
# VARIANT
#   full-disk             2 ranks, --out on a small tmpfs that another writer fills after some
#                         output rows (the run's own estimate of its outputs fits at the start)
#   full-disk-rps2        the same, one sample on 2 ranks (--ranks-per-sample 2)
#   full-disk-one-rank    the same on 1 rank
#   full-checkpoint       2 ranks, --out elsewhere, only --checkpoint on the small tmpfs: the last
#                         complete checkpoint stays intact and a restart from it completes
#   killed-rank           2 ranks, one killed with SIGKILL mid-run
# A full-disk run must exit non-zero (not by the timeout: a hang fails), with exactly one
# "error on rank" line naming the file under the mount and "No space left on device", and leave
# its outputs under their temporary names only. The tmpfs needs root (mount): without it the test
# is skipped (exit 77).
set -euo pipefail
dfe_run=$1 work=$2 variant=$3
shift 3
launcher=("$@")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
fail() { echo "FAIL: $*" >&2; exit 1; }
limit=120   # seconds; a run still going then has hung
quick=20    # seconds from the disk filling (or the kill) to the exit

mnt=$work/mnt
if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt"; fi
rm -rf "$work" && mkdir -p "$work/mnt" "$work/out"
opts=(--d 2 --N 64 --measure random-gaussians --count 8 --output-dt 1e-3 --gamma2-times none --fftw-planner estimate)

if [[ $variant != killed-rank ]]; then
    if ! err=$(mount -t tmpfs -o size=32m tmpfs "$mnt" 2>&1); then
        echo "SKIP: cannot mount a tmpfs to fill (needs root and mount permission): $err"
        exit 77
    fi
    trap 'umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true' EXIT
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Runs the command in the background under the timeout; once `trigger` (a command) succeeds, fills
# the tmpfs to its last block with another file, and notes when it first has no free block left;
# sets rc, full_at, end_at.
run_until_full() {
    local log=$1 trigger=$2
    shift 2
    local start
    start=$(now)
    timeout "$limit" "$@" > "$log" 2>&1 &
    local pid=$!
    full_at= filled=0
    while kill -0 "$pid" 2>/dev/null; do
        if [[ $filled -eq 0 ]] && eval "$trigger"; then
            dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true
            filled=1
        fi
        if [[ -z $full_at ]] && [[ $(stat -f -c %a "$mnt") -eq 0 ]]; then full_at=$(now); fi
        sleep 0.02
    done
    set +e; wait "$pid"; rc=$?; set -e
    end_at=$(now)
    [[ -n $full_at ]] || full_at=$end_at
    echo "wall time: $(elapsed "$start" "$end_at") s in all, $(elapsed "$full_at" "$end_at") s from the disk filling to the exit (exit code $rc)"
}

# The one-line report of a full disk: one line, the file under the mount, the OS's words.
check_full_disk_report() {
    local log=$1 file_pattern=$2
    [[ $rc -ne 124 ]] || fail "hung: still running after ${limit} s: $(tail -5 "$log")"
    [[ $rc -ne 0 ]] || fail "exit code 0 on a full disk"
    local lines
    lines=$(grep -c "error on rank" "$log" || true)
    [[ $lines -eq 1 ]] || fail "expected one 'error on rank' line, got $lines: $(grep "error on rank" "$log")"
    local line
    line=$(grep "error on rank" "$log")
    echo "message: $line"
    [[ $line =~ ^dfe-run:\ error\ on\ rank\ [0-9]+:\ [a-z]+\ $mnt/$file_pattern:\ No\ space\ left\ on\ device$ ]] ||
        fail "the message should name the file under $mnt and 'No space left on device': $line"
    awk -v a="$full_at" -v b="$end_at" -v q="$quick" 'BEGIN { exit !(b - a <= q) }' ||
        fail "took $(elapsed "$full_at" "$end_at") s from the disk filling to the exit (more than $quick s)"
}

case $variant in
full-disk | full-disk-rps2 | full-disk-one-rank)
    ranks=2 extra=()
    [[ $variant == full-disk-rps2 ]] && extra=(--ranks-per-sample 2)
    [[ $variant == full-disk-one-rank ]] && ranks=1
    going='[[ -s $mnt/timeseries.csv.tmp && $(wc -l < "$mnt/timeseries.csv.tmp") -gt 5 ]]'
    run_until_full "$work/run.log" "$going" "${launcher[@]}" -n "$ranks" "$dfe_run" "${opts[@]}" --t-end 0.5 "${extra[@]}" --out "$mnt"
    # A random draw: its sampling-error files (timeseries_stderr/_estimate.csv) are written each row too.
    check_full_disk_report "$work/run.log" '(run\.h5|timeseries(_stderr|_estimate)?\.csv)\.tmp'
    for f in run.h5 timeseries.csv timeseries_stderr.csv timeseries_estimate.csv verdicts.csv; do
        [[ ! -e $mnt/$f ]] || fail "a file under its final name: $(ls "$mnt")"
    done
    [[ -e $mnt/run.h5.tmp ]] || fail "run.h5.tmp was removed: $(ls "$mnt")"
    ;;
full-checkpoint)
    # Once the first checkpoint is written, the disk fills (the run may complete one or two more
    # before the filler is done): a later one cannot be written, and the last complete one stays.
    ck=(--checkpoint "$mnt/ck.h5" --checkpoint-every 0.01)
    first='grep -q "checkpoint at t = 0.01 written" "$work/run.log"'
    run_until_full "$work/run.log" "$first" "${launcher[@]}" -n 2 "$dfe_run" "${opts[@]}" --t-end 0.5 "${ck[@]}" --out "$work/out"
    check_full_disk_report "$work/run.log" 'ck\.h5\.tmp'
    [[ ! -e $work/out/run.h5 && ! -e $work/out/timeseries.csv ]] || fail "a file under its final name: $(ls "$work/out")"
    last=$(grep -o "checkpoint at t = [0-9.e-]* written" "$work/run.log" | tail -1 | awk '{print $5}')
    [[ -n $last ]] || fail "no checkpoint was completed: $(tail -3 "$work/run.log")"
    [[ -e $mnt/ck.h5 ]] || fail "the last complete checkpoint is gone: $(ls "$mnt")"
    /usr/bin/python3 - "$mnt/ck.h5" "$last" <<'EOF' || fail "the last complete checkpoint (t = $last) does not validate"
import sys
import h5py
with h5py.File(sys.argv[1], "r") as f:
    assert abs(f.attrs["t"] - float(sys.argv[2])) < 1e-12, (f.attrs["t"], sys.argv[2])
    for name in ("/state/h", "/samples/real", "/wisdom"):
        assert name in f, name
    print(f"checkpoint {sys.argv[1]}: t = {f.attrs['t']}, {f.attrs['rows']} rows on disk")
EOF
    # With room again, the run continues from it.
    rm -f "$mnt/ck.h5.tmp" "$mnt/filler"
    timeout "$limit" "${launcher[@]}" -n 2 "$dfe_run" "${opts[@]}" --t-end 0.5 "${ck[@]}" --restart "$mnt/ck.h5" \
        --out "$work/out" > "$work/restart.log" 2>&1 || fail "restart from the last checkpoint: $(tail -3 "$work/restart.log")"
    grep -q "restarted from" "$work/restart.log" || fail "no restart message: $(tail -3 "$work/restart.log")"
    [[ -e $work/out/timeseries.csv ]] || fail "the restarted run left no timeseries.csv"
    ;;
killed-rank)
    start=$(now)
    timeout "$limit" "${launcher[@]}" -n 2 "$dfe_run" "${opts[@]}" --t-end 100 --out "$work/out" > "$work/run.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
        [[ -s $work/out/timeseries.csv.tmp && $(wc -l < "$work/out/timeseries.csv.tmp") -gt 3 ]] && break
        sleep 0.05
    done
    [[ $(wc -l < "$work/out/timeseries.csv.tmp") -gt 3 ]] || fail "the run did not get going: $(tail -3 "$work/run.log")"
    victim=$(pgrep -f -- "^$dfe_run .*--out $work/out" | tail -1)
    [[ -n $victim ]] || fail "no rank to kill"
    killed_at=$(now)
    kill -9 "$victim"
    set +e; wait "$pid"; rc=$?; set -e
    end_at=$(now)
    echo "wall time: $(elapsed "$start" "$end_at") s in all, $(elapsed "$killed_at" "$end_at") s from the kill to the exit (exit code $rc)"
    [[ $rc -ne 124 ]] || fail "hung: still running after ${limit} s: $(tail -5 "$work/run.log")"
    [[ $rc -ne 0 ]] || fail "exit code 0 after a rank was killed"
    awk -v a="$killed_at" -v b="$end_at" -v q="$quick" 'BEGIN { exit !(b - a <= q) }' ||
        fail "took $(elapsed "$killed_at" "$end_at") s from the kill to the exit"
    [[ ! -e $work/out/timeseries.csv && ! -e $work/out/run.h5 ]] || fail "a file under its final name: $(ls "$work/out")"
    ;;
*) fail "unknown variant $variant" ;;
esac
echo "PASS: $variant"
