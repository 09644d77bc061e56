#!/usr/bin/env bash
# cluster/one-node.sbatch runs tests/slurm/small.ini on 2 ranks through srun --mpi=pmix and through
# mpirun inside the allocation (DFE_LAUNCHER=mpirun); both time series equal a direct mpirun run's
# on 2 ranks (1e-12 relative). Submitted again with the same output dir, the job sees the run is
# complete and exits 0 without running (the time series is left untouched).
# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
test_setup one_node

log "reference: mpirun -n 2 directly"
direct_run 2 direct --config "${SMALL_INI}"

slurm_start 1
for launcher in srun mpirun; do
  log "one-node.sbatch, DFE_LAUNCHER=${launcher}, -n 2"
  status=0
  DFE_LAUNCHER=${launcher} sbatch_wait -n 2 --output="${PWD}/${launcher}.log" \
    "${TEMPLATES}/one-node.sbatch" "${SMALL_INI}" "${PWD}/${launcher}" || status=$?
  ((status == 0)) || { cat "${launcher}.log" >&2; die "the ${launcher} job exited with ${status}"; }
  expect_in "${launcher}.log" "done: .*${launcher}/timeseries.csv" "the ${launcher} job"
  [[ -f "${launcher}/run.h5" && -f "${launcher}/timing.csv" ]] || die "${launcher}/run.h5 or timing.csv missing"
  /usr/bin/python3 "${COMPARE}" direct/timeseries.csv "${launcher}/timeseries.csv" 1e-12 ||
    die "the ${launcher} job's time series differs from the direct run's"
done

log "resubmitted into the complete output dir: exits 0 without running"
before=$(stat -c %Y.%s srun/timeseries.csv)
sbatch_wait -n 2 --output="${PWD}/again.log" "${TEMPLATES}/one-node.sbatch" "${SMALL_INI}" "${PWD}/srun" ||
  die "the second job failed"
expect_in again.log "timeseries.csv exists: the run is complete, nothing to do" "the second job"
if grep -q "srun --mpi=pmix" again.log; then die "the second job ran dfe-run again"; fi
[[ "$(stat -c %Y.%s srun/timeseries.csv)" == "${before}" ]] || die "srun/timeseries.csv was rewritten"
log "PASS"
