# shellcheck shell=bash
# The one body of the batch templates one-node.sbatch, multi-node.sbatch and array.sbatch: all
# their code after the #SBATCH lines (settings and checks, the SIGUSR1/SIGTERM trap, the
# self-requeue, complete/resume/start, the run and its exit codes). Not a script to run or source.
#
# Edit the body here, then run
#   bash cluster/sync-templates.sh            # rewrites each template below its marker line
# The test slurm.templates (ctest -L slurm) runs `sync-templates.sh --check` and fails while a
# template's copy differs from what this file gives. Each template keeps its own first lines (its
# notes and #SBATCH options, which Slurm reads only from the submitted file) up to the line
#   # ---- The rest is cluster/sbatch-body.sh, copied by cluster/sync-templates.sh: edit it there ----
# and everything after it is this file's body.
#
# Why a copy and not `source`: sbatch sends the script's text to the node (slurmd keeps it in its
# spool folder), so a template neither knows its own path nor finds a file next to it. A template
# that holds all of its code needs nothing else at run time: it runs the same from any submit
# folder, when copied out of the repository, and on every start of a requeued job, whatever the
# repository holds by then (cluster/README.md, "One body, three templates").
#
# The body is every line after "#@ begin". Lines for some templates only:
#   #@ if NAME...      the lines up to "#@ else" or "#@ end" go only into the templates NAME.sbatch
#   #@ else            the lines up to "#@ end" go into the other templates
#   #@ end
# (no nesting). The directive lines themselves are left out of the templates.
#@ begin
set -euo pipefail

# --- settings -------------------------------------------------------------------------------------
cd "${SLURM_SUBMIT_DIR:-.}"
job_id=${SLURM_JOB_ID:?"this is a Slurm batch script: submit it with sbatch"}
config=${1-${DFE_CONFIG-examples/demo.ini}}
#@ if array
task=${SLURM_ARRAY_TASK_ID:?"submit this template as a job array (#SBATCH --array)"}
base=${2:-${DFE_OUT:-out/dfe-sweep-${SLURM_ARRAY_JOB_ID}}}
out=${base}/task-${task}
#@ else
out=${2:-${DFE_OUT:-out/dfe-${job_id}}}
#@ end
shift $(($# < 2 ? $# : 2))
#@ if array
sweep_option=${DFE_SWEEP_OPTION:---lambda}
read -r -a sweep_values <<<"${DFE_SWEEP_VALUES-1 2 5 10}"
#@ end
extra=("$@")
if [[ -n "${DFE_ARGS:-}" ]]; then
  read -r -a more <<<"${DFE_ARGS}"
  extra+=("${more[@]}")
fi
dfe_run=${DFE_RUN:-build/apps/dfe-run}
launcher=${DFE_LAUNCHER:-srun}
ranks_per_sample=${DFE_RANKS_PER_SAMPLE:-1}
checkpoint_every=${DFE_CHECKPOINT_EVERY:-0}
requeue=${DFE_REQUEUE:-1}
checkpoint=${out}/checkpoint.h5

#@ if array
say() { echo "[$(date '+%F %T')] dfe job ${job_id} (array task ${SLURM_ARRAY_JOB_ID}_${task}): $*"; }
#@ else
say() { echo "[$(date '+%F %T')] dfe job ${job_id}: $*"; }
#@ end
fail() {
  say "error: $*" >&2
  exit 2
}

#@ if array
[[ "${sweep_option}" == --* ]] || fail "DFE_SWEEP_OPTION must be a dfe-run option such as --lambda, not '${sweep_option}'"
((task < ${#sweep_values[@]})) ||
  fail "array task ${task} has no value: DFE_SWEEP_VALUES has ${#sweep_values[@]} (${sweep_values[*]:-none}), indices 0-$((${#sweep_values[@]} - 1))"
extra=("${sweep_option}" "${sweep_values[task]}" "${extra[@]}")
#@ end
[[ -x "${dfe_run}" ]] || fail "DFE_RUN=${dfe_run} is not an executable (build first, or set DFE_RUN)"
[[ -z "${config}" || -r "${config}" ]] || fail "config file '${config}' cannot be read"
case "${launcher}" in
  srun) launch=(srun --mpi=pmix --kill-on-bad-exit=1 --unbuffered) ;; # --unbuffered: the log shows progress as it happens
  mpirun) launch=(mpirun ${SLURM_NTASKS:+-n "${SLURM_NTASKS}"}) ;; # without -n: one rank per slot
  *) fail "DFE_LAUNCHER must be srun or mpirun, not '${launcher}'" ;;
esac
if [[ "${launcher}" == mpirun && ${EUID} -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # Open MPI refuses root otherwise
fi

# --- the signal trap, set before the run starts ------------------------------------------------------
run_pid=""
stop_signal=""
on_signal() {
  stop_signal=$1
  if [[ -n "${run_pid}" ]] && kill -0 "${run_pid}" 2>/dev/null; then
    say "got SIG$1: forwarding SIGUSR1 to the run so that it writes a checkpoint"
    kill -USR1 "${run_pid}" 2>/dev/null || true
  else
    say "got SIG$1 (no run in progress)"
  fi
}
trap 'on_signal USR1' USR1
trap 'on_signal TERM' TERM

# Requeue after SIGUSR1 only (or a stop of the run itself, e.g. `scancel --signal=USR1 <job>`
# without --batch). SIGTERM to this script means scancel, the time limit, preemption or a requeue
# by Slurm: Slurm decides what follows (it even accepts a requeue of a cancelled job, which would
# undo the scancel), so the job just ends with exit code 3.
requeue_self() {
  local state
  if [[ "${requeue}" != 1 ]]; then
    say "not requeueing (DFE_REQUEUE=${requeue}); resume by submitting again with the same OUT_DIR"
  elif [[ "${stop_signal}" == TERM ]]; then
    say "not requeueing after SIGTERM (scancel, time limit, preemption or Slurm's own requeue); resume by submitting again with the same OUT_DIR"
  else
    state=$(scontrol show job "${job_id}" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1) || true
    if [[ -n "${state}" && "${state}" != JobState=RUNNING ]]; then
      say "not requeueing: the job is ${state#JobState=}; resume by submitting again with the same OUT_DIR"
    else
      say "requeueing (scontrol requeue ${job_id}); the next start resumes from ${checkpoint}"
      scontrol requeue "${job_id}" || say "the requeue failed; resume by submitting again with the same OUT_DIR"
    fi
  fi
  exit 3
}

# --- complete, resume or start ----------------------------------------------------------------------
#@ if array
say "restart count ${SLURM_RESTART_COUNT:-0}, ${SLURM_NTASKS:-?} task(s) on ${SLURM_JOB_NODELIST:-?}, ${sweep_option} ${sweep_values[task]}"
#@ else
say "restart count ${SLURM_RESTART_COUNT:-0}, ${SLURM_NTASKS:-?} task(s) on ${SLURM_JOB_NODELIST:-?}"
#@ end
if [[ -f "${out}/timeseries.csv" ]]; then
  say "${out}/timeseries.csv exists: the run is complete, nothing to do"
  exit 0
fi
args=()
[[ -n "${config}" ]] && args+=(--config "${config}")
args+=("${extra[@]}" --ranks-per-sample "${ranks_per_sample}" --out "${out}"
  --checkpoint "${checkpoint}" --checkpoint-every "${checkpoint_every}")
if [[ -f "${checkpoint}" ]]; then
  say "resuming from ${checkpoint}"
  args+=(--restart "${checkpoint}")
fi
[[ -z "${stop_signal}" ]] || requeue_self

say "${launch[*]} ${dfe_run} ${args[*]}"
"${launch[@]}" "${dfe_run}" "${args[@]}" &
run_pid=$!
# wait returns early (status > 128) when a trapped signal arrives: wait again until the run ends.
while :; do
  status=0
  wait "${run_pid}" || status=$?
  kill -0 "${run_pid}" 2>/dev/null || break
done

case "${status}" in
  0)
    if [[ ! -f "${out}/timeseries.csv" ]]; then
      # Slurm 22.05's srun returns 0 when its step fails to launch (e.g. a PMIx socket left by
      # the previous start of a requeued job): never call that done.
      say "error: ${launcher} exited with 0 but ${out}/timeseries.csv does not exist: the run did not" \
        "happen (see the launcher's messages above); resubmit with the same OUT_DIR"
      exit 1
    fi
    say "done: ${out}/timeseries.csv"
    exit 0
    ;;
  3)
    say "dfe-run wrote ${checkpoint} and stopped (exit code 3)"
    requeue_self
    ;;
  *)
    say "dfe-run failed with exit code ${status}$([[ ${status} == 2 ]] && echo ' (bad input: see its message above)')"
    exit "${status}"
    ;;
esac
