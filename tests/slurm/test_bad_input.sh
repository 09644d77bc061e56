#!/usr/bin/env bash
# Bad input through the template: more ranks than samples.
#  1. A fresh run, one-node.sbatch -n 2 with a one-sample measure: dfe-run prints one line and
#     exits 2, the job fails with exit code 2 (sbatch --wait and the job record), OUT_DIR is not
#     created, and the job is not requeued.
#  2. An interrupted run (a 1-rank run of one sample, stopped by SIGUSR1: OUT_DIR holds only its
#     checkpoint) resubmitted with -n 2: the restart is refused the same way and OUT_DIR is left
#     byte for byte as it was; resubmitted with -n 1 it then completes from the checkpoint.
# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
test_setup bad_input

one_sample=(--config "${SMALL_INI}" --measure gaussian)

# An interrupted run for case 2, made first (outside Slurm): mpirun forwards SIGUSR1 to the rank.
log "an interrupted 1-rank run of one sample (SIGUSR1 through mpirun)"
"${MPIEXEC}" -n 1 "${DFE_RUN}" "${one_sample[@]}" --t-end 60 --output-dt 1 --out "${PWD}/stopped" \
  >stopped.log 2>&1 </dev/null &
run=$!
_wait_for 60 grep -q "Theorem 1.2 hypotheses" stopped.log || die "the run did not start in 60 s"
sleep 0.3
kill -USR1 "${run}"
status=0
wait "${run}" || status=$?
((status == 3)) || { cat stopped.log >&2; die "the interrupted run exited with ${status}, not 3"; }
[[ -f stopped/checkpoint.h5 && ! -e stopped/timeseries.csv ]] || die "stopped/ should hold a checkpoint and no time series"
snapshot() { (cd stopped && find . -type f -printf '%p %s %T@\n' | sort && sha256sum checkpoint.h5); }
before=$(snapshot)

slurm_start 1
# Exit code 2, one line from dfe-run, the template's summary; not requeued.
check_refused() {
  local name=$1 status=$2
  ((status == 2)) || { cat "${name}.log" >&2; die "${name}: sbatch --wait returned ${status}, expected 2"; }
  local lines
  lines=$(grep -c '^dfe-run: ' "${name}.log" || true)
  ((lines == 1)) || { cat "${name}.log" >&2; die "${name}: ${lines} 'dfe-run:' lines in the log, expected 1"; }
  expect_in "${name}.log" "^dfe-run: .*1 sample\(s\) for 2 groups" "${name}: dfe-run's message"
  expect_in "${name}.log" "dfe-run failed with exit code 2 \(bad input" "${name}: the template's summary"
  if grep -q requeueing "${name}.log"; then die "${name}: the job requeued itself after bad input"; fi
  local job
  job=$(sed -n 's/.*dfe job \([0-9]*\):.*/\1/p' "${name}.log" | head -n 1)
  [[ "$(wait_job_done "${job}" 10)" == FAILED && "$(jobcomp_field "${job}" ExitCode)" == 2:0 ]] ||
    die "${name}: job ${job} is recorded as $(jobcomp_field "${job}" JobState) $(jobcomp_field "${job}" ExitCode), expected FAILED 2:0"
  log "${name}: refused: $(grep '^dfe-run: ' "${name}.log")"
}

log "1. fresh: one-node.sbatch -n 2, one sample"
status=0
sbatch_wait -n 2 --output="${PWD}/fresh.log" "${TEMPLATES}/one-node.sbatch" "" "${PWD}/fresh" "${one_sample[@]}" || status=$?
check_refused fresh "${status}"
[[ ! -e fresh ]] || die "fresh/ was created by a refused run: $(ls -la fresh)"

log "2. the interrupted run resubmitted with -n 2"
status=0
sbatch_wait -n 2 --output="${PWD}/restart2.log" "${TEMPLATES}/one-node.sbatch" "" "${PWD}/stopped" "${one_sample[@]}" --t-end 60 --output-dt 1 ||
  status=$?
expect_in restart2.log "resuming from .*stopped/checkpoint.h5" "the resubmitted job"
check_refused restart2 "${status}"
[[ "$(snapshot)" == "${before}" ]] || die "stopped/ changed:\n${before}\n---\n$(snapshot)"
log "stopped/ unchanged (names, sizes, times, checkpoint sha256)"

log "   and with -n 1 it completes from the checkpoint"
sbatch_wait -n 1 --output="${PWD}/restart1.log" "${TEMPLATES}/one-node.sbatch" "" "${PWD}/stopped" "${one_sample[@]}" --t-end 60 --output-dt 1 ||
  { cat restart1.log >&2; die "the 1-rank resubmission failed"; }
expect_in restart1.log "restarted from .*stopped/checkpoint.h5" "dfe-run"
[[ -f stopped/timeseries.csv ]] || die "stopped/timeseries.csv missing after the 1-rank resubmission"
log "PASS"
