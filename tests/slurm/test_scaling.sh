#!/usr/bin/env bash
# cluster/scaling.sh --slurm with tiny sizes: the three series (weak, strong, one sample) on 1 and
# 2 ranks, each run an sbatch --wait of one-node.sbatch. The table has one row per run (6), with
# efficiency 1 at the first rank count of each series, and the plot is written.
# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
test_setup scaling

slurm_start 1
log "cluster/scaling.sh --slurm --ranks 1,2 --N 32 --big-N 64 --steps 100"
in_cluster bash "${DFE_SOURCE_DIR}/cluster/scaling.sh" --slurm --ranks 1,2 --N 32 --big-N 64 --steps 100 \
  --out "${PWD}/scaling" --dfe-run "${DFE_RUN}" >scaling.log 2>&1 || {
  cat scaling.log >&2
  die "scaling.sh failed"
}
cat scaling.log

table=scaling/scaling.csv
[[ -f "${table}" ]] || die "${table} is missing"
header=$(head -n 1 "${table}")
[[ "${header}" == "series,ranks,ranks_per_sample,samples,N,d,steps,total_s,ms_per_step_per_sample,efficiency" ]] ||
  die "unexpected header: ${header}"
expected="weak,1,1,2 weak,2,1,4 strong,1,1,4 strong,2,1,4 sample,1,1,1 sample,2,2,1"
got=$(tail -n +2 "${table}" | cut -d, -f1-4 | tr '\n' ' ' | sed 's/ $//')
[[ "${got}" == "${expected}" ]] || die "rows (series,ranks,g,samples): '${got}', expected '${expected}'"
awk -F, 'NR > 1 && !($8 > 0 && $9 > 0 && $10 > 0) { bad = 1 } NR > 1 && $2 == 1 && $10 != 1 { bad = 1 }
  END { exit bad }' "${table}" || die "times must be positive and the efficiency 1 at 1 rank:\n$(cat "${table}")"
for run in weak-P1 weak-P2 strong-P1 strong-P2 sample-P1 sample-P2; do
  [[ -f scaling/runs/${run}/timing.csv ]] || die "scaling/runs/${run}/timing.csv is missing"
  expect_in "scaling/runs/${run}/run.log" "dfe job [0-9]+: done" "${run} (a Slurm job)"
done
[[ -s scaling/scaling.png ]] || die "scaling/scaling.png is missing"
log "PASS"
