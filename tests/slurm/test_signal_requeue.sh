#!/usr/bin/env bash
# Checkpoint, requeue, restart: a one-node.sbatch job (2 ranks, a ~2 s run) is sent
#   scancel --batch --signal=USR1 <job>
# mid-run, as Slurm's --signal=B:USR1@T does before a time limit. The trap forwards it to the run,
# which writes a checkpoint and exits 3; the job requeues itself; its second start (restart count 1)
# resumes with --restart; the final time series equals an uninterrupted direct run's (1e-12).
# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
test_setup signal_requeue

opts=(--config "${SMALL_INI}" --t-end 30 --output-dt 1)
log "reference: mpirun -n 2 directly, uninterrupted"
direct_run 2 direct "${opts[@]}"

slurm_start 1
job=$(submit -n 2 --output="${PWD}/job.log" "${TEMPLATES}/one-node.sbatch" "" "${PWD}/run" "${opts[@]}")
log "job ${job} submitted; waiting until dfe-run has started (its hypothesis report is in the log)"
_wait_for 60 grep -q "Theorem 1.2 hypotheses" job.log 2>/dev/null || {
  cat job.log >&2 || true
  die "dfe-run did not start in 60 s"
}
sleep 0.5
[[ ! -f run/timeseries.csv ]] || die "the run finished before the signal; make it longer"
log "scancel --batch --signal=USR1 ${job}"
sl scancel --batch --signal=USR1 "${job}"

# The trap requeues the job; once it is pending again, make it eligible now rather than after
# cred_expire + 1 s.
requeued() { [[ "$(job_field "${job}" Restarts)" -ge 1 && "$(job_field "${job}" JobState)" == PENDING ]]; }
_wait_for 60 requeued || {
  cat job.log >&2
  die "the job was not requeued (pending with Restarts >= 1) within 60 s"
}
# Not before the first start's step is gone from the node: its slurmstepd keeps the PMIx socket
# spool/n1/stepd.slurm.pmix.<job>.0 for ~3 s, and a new step <job>.0 would fail to bind it.
step_gone() { ! compgen -G "${SLURM_SCRATCH}/spool/n1/*[._]${job}.[0-9]*" >/dev/null; }
_wait_for 30 step_gone || die "the first start's step files are still in spool/n1 after 30 s: $(ls "${SLURM_SCRATCH}/spool/n1")"
# Nor before slurmd is done with the first start's batch script. The requeue may kill the script
# before it exits by itself; a start that comes while slurmd is still killing it is refused ("Job 1
# already killed, do not launch batch job") and the late end of the old script then fails the job.
batch_done() { grep -q "\[${job}.batch\] done with job" "${SLURM_SCRATCH}/log/slurmd-n1.log" 2>/dev/null; }
_wait_for 30 batch_done || die "slurmd did not finish the first start's batch script within 30 s"
# Nor in the second in which the first start was killed: slurmd revoked the job's credential with
# that time in whole seconds and refuses a new credential created in the same second ("Job 1
# already killed, do not launch batch job", then "Killing non-startable batch JobId=1: Job
# credential revoked": the job fails with exit code 1). Seen when the steps above were done at once.
killed_by=$(date +%s)
next_second() { (($(date +%s) > killed_by)); }
_wait_for 5 next_second || die "the clock did not move on in 5 s"
log "requeued: JobState=PENDING Restarts=$(job_field "${job}" Restarts), old step gone; scontrol update jobid=${job} StartTime=now"
sl scontrol update jobid="${job}" StartTime=now || log "(scontrol update StartTime=now failed; waiting for BeginTime)"

state=$(wait_job_done "${job}" 90) || { cat job.log >&2; die "job ${job} did not finish in 90 s after the requeue"; }
exit_code=$(jobcomp_field "${job}" ExitCode)
log "job ${job}: ${state}, ExitCode=${exit_code}"
[[ "${state}" == COMPLETED && "${exit_code}" == 0:0 ]] || { cat job.log >&2; die "job ${job} ended ${state} ${exit_code}"; }

# The log (appended to by both starts) tells the story in order.
expect_in job.log "restart count 0," "the first start"
expect_in job.log "got SIGUSR1: forwarding SIGUSR1 to the run" "the trap"
expect_in job.log "dfe-run: stopped by signal USR1 at t = .* checkpoint written to .*run/checkpoint.h5" "dfe-run's stop message"
expect_in job.log "wrote .*run/checkpoint.h5 and stopped \(exit code 3\)" "the template after exit code 3"
expect_in job.log "requeueing \(scontrol requeue ${job}\)" "the self-requeue"
expect_in job.log "restart count 1," "the second start"
expect_in job.log "resuming from .*run/checkpoint.h5" "the second start"
expect_in job.log "--restart .*run/checkpoint.h5" "the second start's command line"
expect_in job.log "restarted from .*run/checkpoint.h5 at t = " "dfe-run's second start"
expect_in job.log "done: .*run/timeseries.csv" "the second start"
stopped_at=$(sed -n 's/.*stopped by signal USR1 at t = \([0-9.e+-]*\).*/\1/p' job.log | head -n 1)
log "stopped at t = ${stopped_at} of 30, resumed, completed"
awk -v t="${stopped_at}" 'BEGIN { exit !(t > 0 && t < 30) }' || die "the stop time ${stopped_at} is not inside (0, 30)"

/usr/bin/python3 "${COMPARE}" direct/timeseries.csv run/timeseries.csv 1e-12 ||
  die "the checkpointed and restarted run differs from the uninterrupted one"
log "PASS"
