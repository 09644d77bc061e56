#!/usr/bin/env bash
# cluster/array.sbatch as a job array of 3 tasks sweeping --lambda over 0.5 1 2 (1 rank each):
# sbatch --wait returns 0, every task's outputs are in OUT_BASE/task-<i>/, the run.h5 of task i
# records lambda = the i-th value, and task i's time series equals a direct run with that lambda.
# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
test_setup array

values=(0.5 1 2)
slurm_start 1
log "array.sbatch --array=0-2, --lambda ${values[*]}"
status=0
DFE_SWEEP_OPTION=--lambda DFE_SWEEP_VALUES="${values[*]}" sbatch_wait --array=0-2 -n 1 \
  --output="${PWD}/task-%a.log" "${TEMPLATES}/array.sbatch" "${SMALL_INI}" "${PWD}/sweep" || status=$?
((status == 0)) || { tail -n 5 task-*.log >&2; die "the array job exited with ${status}"; }

for i in 0 1 2; do
  dir=sweep/task-${i}
  for f in timeseries.csv run.h5 timing.csv; do
    [[ -f "${dir}/${f}" ]] || { cat "task-${i}.log" >&2; die "task ${i}: ${dir}/${f} is missing"; }
  done
  expect_in "task-${i}.log" "array task [0-9]+_${i}\): restart count 0, .*--lambda ${values[i]}$" "task ${i}"
  lambda=$(/usr/bin/python3 -c 'import h5py, sys; print(float(h5py.File(sys.argv[1], "r").attrs["lambda"]))' "${dir}/run.h5")
  awk -v a="${lambda}" -v b="${values[i]}" 'BEGIN { exit !(a == b) }' ||
    die "task ${i}: run.h5 has lambda = ${lambda}, expected ${values[i]}"
  log "task ${i}: ${dir}/ complete, lambda = ${lambda}"
done
for entry in sweep/*; do
  [[ "${entry}" =~ ^sweep/task-[0-2]$ ]] || die "unexpected entry ${entry} in sweep/"
done

log "task 2 against a direct run with --lambda ${values[2]}"
direct_run 1 direct --config "${SMALL_INI}" --lambda "${values[2]}"
/usr/bin/python3 "${COMPARE}" direct/timeseries.csv sweep/task-2/timeseries.csv 1e-12 ||
  die "task 2's time series differs from the direct run's"
log "PASS"
