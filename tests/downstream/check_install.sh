#!/usr/bin/env bash
# Test install.downstream (label install): the installed package works for a project outside dfe.
#
#   1. `cmake --install BUILD --prefix WORK/prefix` into a fresh prefix, and a look at what it put there;
#   2. configures tests/downstream against it (CMAKE_PREFIX_PATH=WORK/prefix, from the initial cache
#      WORK/downstream-cache.cmake that tests/CMakeLists.txt writes with this build's compilers and
#      dependency hints) and builds evolve_one, which evolves one sample through the library's API;
#   3. runs evolve_one and the installed dfe-run on the same problem, one rank each;
#   4. checks that their energies (and kinetic energies) at t = 0.01 agree to 1e-12 relative.
#
# usage: check_install.sh BUILD_DIR CONFIG WORK_DIR
# environment (set by tests/CMakeLists.txt): CMAKE_COMMAND; DFE_CMAKE_GENERATOR, this build's
# generator; DFE_MPIEXEC, DFE_MPIEXEC_NUMPROC_FLAG, DFE_MPIEXEC_PREFLAGS, DFE_MPIEXEC_POSTFLAGS,
# FindMPI's MPIEXEC_* of this build. Every step's output is in WORK/<step>.log.
set -euo pipefail

build_dir=$1
config=$2
work=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmake_command=${CMAKE_COMMAND:-cmake}
prefix="${work}/prefix"

# Each step has its own limit (together 300 s, under the test's TIMEOUT of 360 s; the whole test
# takes about 6 s on 2 cores), so that a step that hangs is named.
step() {
  local limit=$1 what=$2
  shift 2
  echo "install.downstream: ${what}"
  local status=0
  timeout "${limit}" "$@" >"${work}/${what// /_}.log" 2>&1 || status=$?
  if ((status != 0)); then
    cat "${work}/${what// /_}.log"
    if ((status == 124)); then
      echo "install.downstream: FAILED: ${what} took more than ${limit} s" >&2
    else
      echo "install.downstream: FAILED: ${what} (exit code ${status})" >&2
    fi
    exit 1
  fi
}

rm -rf "${prefix}" "${work}/downstream" "${work}/dfe-run"
mkdir -p "${work}"

step 30 "install" "${cmake_command}" --install "${build_dir}" --config "${config}" --prefix "${prefix}"
for f in bin/dfe-run bin/dfe-bench bin/dfe-potential bin/dfe-groundstate lib/cmake/dfe/dfeConfig.cmake \
         lib/cmake/dfe/dfeConfigVersion.cmake include/dfe/version.hpp include/dfe/evolution/split_step.hpp \
         share/dfe/examples/demo.ini share/dfe/cluster/one-node.sbatch share/dfe/scripts/plot_timeseries.py; do
  if [[ ! -e "${prefix}/${f}" ]]; then
    echo "install.downstream: FAILED: ${prefix}/${f} was not installed" >&2
    exit 1
  fi
done

step 90 "configure downstream" "${cmake_command}" -G "${DFE_CMAKE_GENERATOR:-Unix Makefiles}" \
  -C "${work}/downstream-cache.cmake" -S "${here}" -B "${work}/downstream"
step 120 "build downstream" "${cmake_command}" --build "${work}/downstream" --config "${config}"

launcher=("${DFE_MPIEXEC:?}" ${DFE_MPIEXEC_NUMPROC_FLAG:-} 1 ${DFE_MPIEXEC_PREFLAGS:-})
read -r -a post <<<"${DFE_MPIEXEC_POSTFLAGS:-}"
program=$(find "${work}/downstream" -type f -name evolve_one -perm -u+x | head -n 1)

step 30 "run evolve_one" "${launcher[@]}" "${program}" "${post[@]}"
api_log="${work}/run_evolve_one.log"

# The same problem as evolve_one.cpp, through the installed dfe-run.
step 30 "run dfe-run" "${launcher[@]}" "${prefix}/bin/dfe-run" "${post[@]}" \
  --d 2 --N 32 --L 10 --mu -1 --potential gaussian --lambda 5 --s 0.5 \
  --measure gaussian --sigma 1 --integrator strang --dt 1e-3 --t-end 0.01 --output-dt 0.01 \
  --fftw-planner estimate --gamma2-times none --out "${work}/dfe-run"

# Tolerance 1e-12 relative. Both evolve the same Gaussian with the same compiled library code:
# Grid, FftPlans, Convolver, SplitStep::advance with the 10 steps in one call (dfe-run's chunk is
# min(--check-steps 100, 10 steps per output), so its half steps are fused the same way), and
# ObservableEvaluator::evaluate. What may differ is the order of summation (dfe-run adds the
# sample's values into ensemble sums with weight 1 and reduces them over the ranks; another
# build of the library may vectorize its sums differently), which moves a sum of 32^2 terms of
# one sign by a few hundred ulp at most, ~1e-13 relative; E = 0.25 is not a cancellation (kinetic
# 0.5, interaction -0.25). Measured: no difference at all.
# The energy is conserved by the flow up to the splitting error, so it alone would barely see a
# wrong step count (an 11th step moves it by 1.1e-11 relative): the kinetic energy, which an 11th
# step moves by 1.5e-5, is compared the same way.
status=0
for column in energy kinetic; do
  api=$(awk -v c="${column}" '$1 == c { print $2 }' "${api_log}")
  # The column of the last row (t = 0.01), found by its name in the header.
  run=$(awk -F, -v name="${column}" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == name) c = i; next }
                                     c { v = $c } END { print v }' "${work}/dfe-run/timeseries.csv")
  if [[ -z "${api}" || -z "${run}" ]]; then
    echo "install.downstream: FAILED: no ${column} (evolve_one: '${api}', dfe-run: '${run}')" >&2
    exit 1
  fi
  awk -v name="${column}" -v a="${api}" -v b="${run}" 'BEGIN {
    d = a - b; if (d < 0) d = -d
    m = b < 0 ? -b : b
    printf "install.downstream: %-7s through the API %.17g, through dfe-run %.17g, |difference| %.3g (relative %.3g)\n",
           name, a, b, d, (m > 0 ? d / m : d)
    exit (d <= 1e-12 * m) ? 0 : 1
  }' || {
    echo "install.downstream: FAILED: the ${column} values differ by more than 1e-12 relative" >&2
    status=1
  }
done
((status == 0)) || exit 1
echo "install.downstream: passed"
