#!/usr/bin/env bash
# dfe-groundstate end to end (docs/physics.md §11): on 2 ranks it solves a 2D Gaussian-potential
# ground state to the residual asked for and writes its mass-1 profile as a samples file; dfe-run
# --samples evolves that file at the printed lambda_eff, and the standing wave e^{iωt}P keeps its
# modulus: the kinetic term and V1 (functions of |φ|) stay at their t = 0 values to the integrator's
# error, and dV1 stays 0. (The phase, which timeseries.csv does not hold, is checked in the library's
# test mpi.ground_state.) Bad options are refused with one line, exit code 2 and no file.
#   groundstate.sh DFE_GROUNDSTATE DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
gs=$1 dfe_run=$2 work=$3
shift 3
launcher=("$@")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

opts=(--d 2 --N 48 --L 16 --potential gaussian --lambda 3 --s 1 --omega 1.5)
"${launcher[@]}" -n 2 "$gs" "${opts[@]}" --out "$work/q.h5" > "$work/gs.log" 2>&1 || fail "dfe-groundstate: $(tail -3 "$work/gs.log")"
cat "$work/gs.log"
[[ -f $work/q.h5 && ! -e $work/q.h5.tmp ]] || fail "no samples file (or a .tmp left)"
residual=$(awk '$1 == "residual" {print $2}' "$work/gs.log")
awk -v r="$residual" 'BEGIN {exit !(r + 0 <= 1e-10)}' || fail "residual $residual above 1e-10"
for key in nehari pohozaev; do
    v=$(awk -v k=$key '$1 == k {print $2}' "$work/gs.log")
    # Nehari holds to the residual; Pohozaev to the grid's and the box's error (measured 1e-7 here).
    awk -v v="$v" 'BEGIN {exit !(v < 1e-6 && v > -1e-6)}' || fail "$key residual $v"
done
lambda_eff=$(awk '$1 == "lambda_eff" {print $2}' "$work/gs.log")
grep -q "dfe-run --samples $work/q.h5 --d 2 --potential gaussian --lambda $lambda_eff --s 1" "$work/gs.log" || fail "no dfe-run command line printed"

# The standing wave under dfe-run (order4, dt 0.01, t = 0..0.5).
"${launcher[@]}" -n 2 "$dfe_run" --samples "$work/q.h5" --ranks-per-sample 2 --potential gaussian --s 1 \
    --lambda "$lambda_eff" --integrator order4 --dt 0.01 --t-end 0.5 --output-dt 0.1 --fftw-planner estimate \
    --out "$work/run" > "$work/run.log" 2>&1 || fail "dfe-run --samples: $(tail -5 "$work/run.log")"
# Columns by name: kinetic, V1, dV1. The drifts are order4's error: at t = 0.5 the relative drift of
# kinetic / V1 and |dV1| measured 5.8e-8 / 3.0e-8 / 1.7e-7 at dt = 0.02, 3.6e-9 / 1.9e-9 / 1.0e-8 at
# 0.01 and 1.8e-10 / 8.5e-11 / 4.6e-10 at 0.005 (fourth order). Bounds: 3× the dt = 0.01 values.
awk -F, 'NR == 1 {for (i = 1; i <= NF; ++i) c[$i] = i; next}
         NR == 2 {k0 = $c["kinetic"]; v0 = $c["V1"]}
         {dk = ($c["kinetic"] - k0) / k0; dv = ($c["V1"] - v0) / v0; d1 = $c["dV1"]
          if (dk < 0) dk = -dk; if (dv < 0) dv = -dv; if (d1 < 0) d1 = -d1
          if (dk > mk) mk = dk; if (dv > mv) mv = dv; if (d1 > md) md = d1; rows++}
         END {printf "standing wave: %d rows, kinetic drift %.2e, V1 drift %.2e, max |dV1| %.2e\n", rows, mk, mv, md
              exit !(rows == 6 && mk < 1e-8 && mv < 6e-9 && md < 3e-8)}' "$work/run/timeseries.csv" \
    || fail "the ground state did not stay a standing wave"

# Refusals: one line, exit code 2, no file.
refuse() {
    local expect=$1
    shift
    local out=(--out "$work/bad.h5")
    [[ " $* " == *" --out "* ]] && out=()
    set +e
    "${launcher[@]}" -n 2 "$gs" "$@" "${out[@]}" > "$work/bad.out" 2> "$work/bad.err"
    local rc=$?
    set -e
    [[ $rc -eq 2 ]] || fail "expected exit code 2 for '$*', got $rc"
    [[ $(grep -c "^dfe-groundstate: error: " "$work/bad.err") -eq 1 ]] || fail "not one error line for '$*': $(cat "$work/bad.err")"
    grep -q -- "$expect" "$work/bad.err" || fail "'$*': expected '$expect', got $(cat "$work/bad.err")"
    [[ ! -e $work/bad.h5 ]] || fail "'$*' left a file"
}
refuse "--omega must be positive" --omega -1
refuse "attractive potential" --potential none
refuse "attractive potential" --lambda -2
refuse "--tol must be positive" --tol 0
refuse "--max-iter must be >= 1" --max-iter 0
refuse "--N must be an even" --N 15
refuse "d = 3 only" --potential power --d 2
refuse "unrecognised option" --warp 9
refuse "--out .*not writable" --N 16 --out "$work/no/such/dir/q.h5"
echo "groundstate.sh: all checks passed"
