#!/usr/bin/env bash
# The batch templates share one body (cluster/sbatch-body.sh, copied into each by
# cluster/sync-templates.sh): every template's copy is current (sync-templates.sh --check), every
# script of cluster/ and tests/slurm/ parses (bash -n), and every template still starts with its own
# #SBATCH lines, all of them before its first command (Slurm reads no #SBATCH line after that).
# Needs neither root nor Slurm.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${root}"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

bash cluster/sync-templates.sh --check || fail "a template's body differs from cluster/sbatch-body.sh"

for f in cluster/*.sbatch cluster/*.sh tests/slurm/*.sh; do
  bash -n "${f}" || fail "${f} does not parse (bash -n)"
done
echo "bash -n: cluster/*.sbatch cluster/*.sh tests/slurm/*.sh parse"

for name in one-node multi-node array; do
  f=cluster/${name}.sbatch
  [[ "$(head -n 1 "${f}")" == "#!/bin/bash" ]] || fail "${f}: the first line is not #!/bin/bash"
  # Slurm stops reading #SBATCH lines at the first line that is neither blank nor a comment.
  header=$(awk '!/^[ \t]*(#|$)/ { exit } { print }' "${f}")
  in_header=$(grep -c '^#SBATCH ' <<<"${header}" || true)
  in_file=$(grep -c '^#SBATCH ' "${f}" || true)
  ((in_header > 0)) || fail "${f}: no #SBATCH line before its first command"
  ((in_header == in_file)) || fail "${f}: $((in_file - in_header)) #SBATCH line(s) after its first command"
  for option in --job-name --time --signal=B:USR1@300 --requeue --open-mode=append --output; do
    grep -q "^#SBATCH ${option}" <<<"${header}" || fail "${f}: no '#SBATCH ${option}' line"
  done
  echo "${f}: ${in_header} #SBATCH lines, all before the first command"
done
echo "PASS"
