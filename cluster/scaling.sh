#!/usr/bin/env bash
# Scaling study of dfe-run: three series of runs, one table, one plot.
#
#   bash cluster/scaling.sh --local                      # mpirun on this machine (defaults: well under a minute on 2 cores)
#   bash cluster/scaling.sh --slurm --ranks 1,2,4,8,16,32 --N 256 --big-N 512 --steps 200
#
# Series (each over the rank counts of --ranks, P):
#   weak    samples = --samples-per-rank x P, one rank per sample: the work grows with P, so the
#           ideal time is constant. efficiency = T(P0) / T(P).
#   strong  --samples samples (fixed), one rank per sample: ideal time ~ 1/P.
#           efficiency = T(P0) P0 / (T(P) P).
#   sample  one sample on a --big-N grid, --ranks-per-sample P: one FFTW-MPI group of P ranks.
#           efficiency as for strong. Needs d >= 2 and --big-N >= P.
# P0 is the smallest rank count of the series; T is dfe-run's total time (timing.csv).
#
# Modes (one is required):
#   --local   mpirun -n P (Open MPI's; as root OMPI_ALLOW_RUN_AS_ROOT* are set), one run at a time
#   --slurm   sbatch --wait of cluster/one-node.sbatch per run (--template to change), one at a
#             time, with --ntasks=P and --nodes=ceil(P / --ranks-per-node); SLURM_CONF and the
#             rest of the environment are passed on
# Options:
#   --ranks LIST             comma list of rank counts (default 1,2)
#   --series LIST            any of weak,strong,sample (default all three)
#   --d D                    dimension (default 2)
#   --N N                    grid of the weak and strong series (default 64)
#   --big-N N                grid of the sample series (default 256)
#   --steps S                time steps per run, dt = 0.001 (default 1000)
#   --samples-per-rank K     weak series (default 2)
#   --samples M              strong series (default K x the largest rank count)
#   --planner P              FFTW planner effort (default estimate: no planning time)
#   --extra "OPTIONS"        more dfe-run options for every run (e.g. "--integrator order4")
#   --out DIR                output folder (default out/scaling): DIR/scaling.csv, DIR/scaling.png,
#                            DIR/runs/<series>-P<ranks>/ (each run's outputs and log)
#   --dfe-run PATH           the binary (default $DFE_RUN, else build/apps/dfe-run)
#   --mpirun-flags "FLAGS"   --local: flags for mpirun (default --oversubscribe)
#   --template FILE          --slurm: batch template (default cluster/one-node.sbatch)
#   --ranks-per-node R       --slurm: ranks per node (default: all on one node)
#   --sbatch-args "ARGS"     --slurm: more sbatch options (partition, account, --time, ...)
#   --python PATH            Python with matplotlib for the plot (default /usr/bin/python3)
#   --no-plot                write the table only
# Runs are made afresh: DIR/runs/<series>-P<ranks>/ is removed before its run.
set -euo pipefail

die() {
  echo "scaling.sh: error: $*" >&2
  exit 2
}
say() { echo "scaling.sh: $*"; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=""
ranks_list=1,2
series_list=weak,strong,sample
d=2
N=64
big_N=256
steps=1000
per_rank=2
samples=""
planner=estimate
extra=""
out=out/scaling
dfe_run=${DFE_RUN:-build/apps/dfe-run}
mpirun_flags=--oversubscribe
template=${repo_root}/cluster/one-node.sbatch
ranks_per_node=""
sbatch_args=""
python=/usr/bin/python3
plot=1

need() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
while (($#)); do
  case "$1" in
    --local) mode=local ;;
    --slurm) mode=slurm ;;
    --ranks) need "$@"; ranks_list=$2; shift ;;
    --series) need "$@"; series_list=$2; shift ;;
    --d) need "$@"; d=$2; shift ;;
    --N) need "$@"; N=$2; shift ;;
    --big-N) need "$@"; big_N=$2; shift ;;
    --steps) need "$@"; steps=$2; shift ;;
    --samples-per-rank) need "$@"; per_rank=$2; shift ;;
    --samples) need "$@"; samples=$2; shift ;;
    --planner) need "$@"; planner=$2; shift ;;
    --extra) [[ $# -ge 2 ]] || die "--extra needs a value"; extra=$2; shift ;;
    --out) need "$@"; out=$2; shift ;;
    --dfe-run) need "$@"; dfe_run=$2; shift ;;
    --mpirun-flags) [[ $# -ge 2 ]] || die "--mpirun-flags needs a value"; mpirun_flags=$2; shift ;;
    --template) need "$@"; template=$2; shift ;;
    --ranks-per-node) need "$@"; ranks_per_node=$2; shift ;;
    --sbatch-args) [[ $# -ge 2 ]] || die "--sbatch-args needs a value"; sbatch_args=$2; shift ;;
    --python) need "$@"; python=$2; shift ;;
    --no-plot) plot=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

# --- check the input --------------------------------------------------------------------------------
[[ -n "${mode}" ]] || die "give --local (mpirun here) or --slurm (sbatch each run)"
is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
IFS=, read -r -a ranks <<<"${ranks_list}"
((${#ranks[@]} > 0)) || die "--ranks is empty"
for p in "${ranks[@]}"; do is_count "${p}" || die "--ranks: '${p}' is not a positive integer"; done
mapfile -t ranks < <(printf '%s\n' "${ranks[@]}" | sort -n -u)
max_p=${ranks[-1]}
IFS=, read -r -a series <<<"${series_list}"
for s in "${series[@]}"; do
  [[ "${s}" == weak || "${s}" == strong || "${s}" == sample ]] || die "--series: '${s}' is not weak, strong or sample"
done
for v in d N big_N steps per_rank; do is_count "${!v}" || die "--${v//_/-} must be a positive integer, not '${!v}'"; done
[[ "${d}" == 1 || "${d}" == 2 || "${d}" == 3 ]] || die "--d must be 1, 2 or 3"
[[ -n "${samples}" ]] || samples=$((per_rank * max_p))
is_count "${samples}" || die "--samples must be a positive integer, not '${samples}'"
((samples >= max_p)) || die "--samples ${samples} is below the largest rank count ${max_p} (dfe-run needs a sample per group)"
[[ -z "${ranks_per_node}" ]] || is_count "${ranks_per_node}" || die "--ranks-per-node must be a positive integer"
[[ "${dfe_run}" == /* ]] || dfe_run="${PWD}/${dfe_run}"
[[ -x "${dfe_run}" ]] || die "dfe-run not found at ${dfe_run} (build first, or give --dfe-run / DFE_RUN)"
if [[ "${mode}" == slurm ]]; then
  command -v sbatch >/dev/null || die "--slurm: sbatch not found"
  [[ -r "${template}" ]] || die "--slurm: template ${template} not found"
else
  command -v mpirun >/dev/null || die "--local: mpirun not found (Debian: openmpi-bin)"
fi
if ((plot)); then
  "${python}" -c 'import matplotlib' 2>/dev/null ||
    die "${python} cannot import matplotlib (Debian: python3-matplotlib), or give --no-plot"
fi
((EUID != 0)) || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "${out}/runs"
out=$(cd "${out}" && pwd)

dt=0.001
t_end=$(awk -v s="${steps}" -v dt="${dt}" 'BEGIN { printf "%.6g", s * dt }')
read -r -a extra_args <<<"${extra}"
read -r -a mpirun_args <<<"${mpirun_flags}"
read -r -a sbatch_extra <<<"${sbatch_args}"

# --- one run ------------------------------------------------------------------------------------------
# run NAME RANKS RANKS_PER_SAMPLE SAMPLES GRID: runs dfe-run into $out/runs/NAME; its log is run.log there.
run() {
  local name=$1 p=$2 g=$3 m=$4 grid=$5
  local dir=${out}/runs/${name}
  rm -rf "${dir}"
  mkdir -p "${dir}"
  # A timing study: small grids are allowed to under-resolve the samples (--allow-unresolved-initial).
  local -a opts=(--d "${d}" --N "${grid}" --L 20 --measure random-gaussians --count "${m}" --seed 1 --allow-unresolved-initial
    --dt "${dt}" --t-end "${t_end}" --output-dt "${t_end}" --gamma2-grid 8 --gamma2-times none
    --fftw-planner "${planner}" "${extra_args[@]}")
  say "${name}: ${p} rank(s), ${g} per sample, ${m} sample(s), N = ${grid}^${d}, ${steps} steps"
  local status=0
  if [[ "${mode}" == local ]]; then
    mpirun "${mpirun_args[@]}" -n "${p}" "${dfe_run}" "${opts[@]}" --ranks-per-sample "${g}" --out "${dir}" \
      >"${dir}/run.log" 2>&1 </dev/null || status=$?
  else
    local nodes=1
    [[ -z "${ranks_per_node}" ]] || nodes=$(((p + ranks_per_node - 1) / ranks_per_node))
    sbatch --wait --quiet --job-name="scaling-${name}" --ntasks="${p}" --nodes="${nodes}" \
      --output="${dir}/run.log" "${sbatch_extra[@]}" \
      --export="ALL,DFE_RUN=${dfe_run},DFE_RANKS_PER_SAMPLE=${g},DFE_REQUEUE=0" \
      "${template}" "" "${dir}" "${opts[@]}" </dev/null || status=$?
  fi
  if ((status != 0)); then
    tail -n 5 "${dir}/run.log" >&2 || true
    die "the run ${name} failed with exit code ${status} (log: ${dir}/run.log)"
  fi
  collect "${name}" "${p}" "${g}" "${m}" "${grid}"
}

# collect NAME P G M GRID: one line of the table (without efficiency) into $rows, from timing.csv,
# else from the `time: total X s ...; Y ms per step per sample` line of the log.
rows=()
collect() {
  local name=$1 p=$2 g=$3 m=$4 grid=$5 dir=${out}/runs/$1 total="" ms=""
  if [[ -f "${dir}/timing.csv" ]]; then
    read -r total ms < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
      NR == 2 { print $col["total_s"], $col["ms_per_step_per_sample"] }' "${dir}/timing.csv") || true
  else
    read -r total ms < <(sed -n 's/^time: total \([0-9.eE+-]*\) s:.*; \([0-9.eE+-]*\) ms per step per sample.*/\1 \2/p' \
      "${dir}/run.log" | tail -n 1) || true
  fi
  [[ -n "${total:-}" && -n "${ms:-}" ]] || die "no timing in ${dir}/timing.csv or ${dir}/run.log"
  rows+=("${name%%-P*},${p},${g},${m},${grid},${d},${steps},${total},${ms}")
}

# --- the series ---------------------------------------------------------------------------------------
start=${SECONDS}
for s in "${series[@]}"; do
  for p in "${ranks[@]}"; do
    case "${s}" in
      weak) run "weak-P${p}" "${p}" 1 $((per_rank * p)) "${N}" ;;
      strong) run "strong-P${p}" "${p}" 1 "${samples}" "${N}" ;;
      sample)
        if ((d == 1)); then
          say "sample series skipped: d = 1 uses serial FFTs (one rank per sample)"
          break
        fi
        if ((p > big_N)); then
          say "sample-P${p} skipped: N = ${big_N} has fewer slab planes than ${p} ranks"
          continue
        fi
        run "sample-P${p}" "${p}" "${p}" 1 "${big_N}"
        ;;
    esac
  done
done

# --- the table: efficiency relative to the first (smallest) rank count of each series ----------------
table=${out}/scaling.csv
printf '%s\n' "${rows[@]}" | awk -F, -v OFS=, '
  BEGIN { print "series,ranks,ranks_per_sample,samples,N,d,steps,total_s,ms_per_step_per_sample,efficiency" }
  {
    s = $1; p = $2; t = $8
    if (!(s in p0)) { p0[s] = p; t0[s] = t }
    eff = (s == "weak") ? t0[s] / t : (t0[s] * p0[s]) / (t * p)
    print $0, sprintf("%.4f", eff)
  }' >"${table}"
say "wrote ${table} ($((SECONDS - start)) s)"
column -s, -t <"${table}" 2>/dev/null || cat "${table}"
if ((plot)); then
  "${python}" "${repo_root}/cluster/plot_scaling.py" "${table}" "${out}/scaling.png"
fi
