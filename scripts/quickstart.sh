#!/usr/bin/env bash
# Quick start on Debian 12: install what is missing, build, then run the demo or the tests.
#
#   bash scripts/quickstart.sh deps    install missing Debian packages (apt-get, sudo if not root)
#   bash scripts/quickstart.sh build   deps, then configure (first time only) and build in build/
#   bash scripts/quickstart.sh demo    build, then run the 2-rank demo into out/demo
#                                      (launcher: $DFE_MPIEXEC, default mpiexec; its flags:
#                                      $DFE_MPIEXEC_FLAGS, default --oversubscribe)
#   bash scripts/quickstart.sh test    build, then run all tests with ctest
#
# Works from any directory; paths are relative to the repository root.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

packages=(
  build-essential cmake pkg-config
  libopenmpi-dev openmpi-bin
  libfftw3-dev libfftw3-mpi-dev
  petsc-dev slepc-dev
  libboost-program-options-dev
  catch2
  libhdf5-openmpi-dev hdf5-tools
  libopenblas-serial-dev
  python3-numpy python3-matplotlib python3-h5py
  # The Vulkan backend (--backend vulkan) and its tests on Mesa's CPU device lavapipe.
  libvulkan-dev libvkfft-dev glslang-dev glslang-tools spirv-tools mesa-vulkan-drivers
)

usage() {
  echo "usage: bash scripts/quickstart.sh {deps|build|demo|test}" >&2
  exit 2
}

ncores() {
  nproc 2>/dev/null || echo 2
}

deps() {
  local missing=() pkg status
  for pkg in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null || true)"
    if [[ "${status}" != "install ok installed" ]]; then
      missing+=("${pkg}")
    fi
  done
  if ((${#missing[@]} == 0)); then
    echo "quickstart: all ${#packages[@]} required Debian packages are installed"
    return 0
  fi

  echo "quickstart: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "quickstart: not root and sudo is not available; as root run:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  deps
  # Configure only once; later builds re-run CMake by themselves when a CMakeLists changes.
  if [[ ! -f build/CMakeCache.txt ]]; then
    cmake -S "${repo_root}" -B "${repo_root}/build" -DCMAKE_BUILD_TYPE=Release
  fi
  cmake --build build -j"$(ncores)"
}

demo() {
  build
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  # The launcher and its flags can be replaced, e.g. DFE_MPIEXEC=srun DFE_MPIEXEC_FLAGS="--mpi=pmix".
  local launcher="${DFE_MPIEXEC:-mpiexec}"
  local -a flags
  read -r -a flags <<<"${DFE_MPIEXEC_FLAGS---oversubscribe}"
  "${launcher}" "${flags[@]}" -n 2 build/apps/dfe-run --config examples/demo.ini --out out/demo
  /usr/bin/python3 scripts/plot_timeseries.py out/demo/timeseries.csv out/demo/timeseries.png
}

run_tests() {
  build
  local status=0
  ctest --test-dir build --output-on-failure -j "$(ncores)" || status=$?
  exit "${status}"
}

(($# == 1)) || usage
case "$1" in
  deps) deps ;;
  build) build ;;
  demo) demo ;;
  test) run_tests ;;
  *) usage ;;
esac
