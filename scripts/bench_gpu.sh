#!/usr/bin/env bash
# The GPU backend's targets (docs/performance.md, "The GPU backend (Vulkan)"), measured by dfe-bench
# on the machine at hand: 2D 256², strang, no outputs, batches of 16 and 64 samples on one rank with
# --backend vulkan, and the CPU backend on one rank (one core) for the throughput comparison.
#
#   bash scripts/bench_gpu.sh [BUILD_DIR] [STEPS]     (defaults: build, 200)
#
# Prints, per batch: the Strang step on the device against VkFFT's floor (target <= 1.5) and the
# throughput against the CPU backend's per core (target >= 50); the rows go to bench-gpu.csv.
# On lavapipe (no GPU) use few steps, e.g. 3: a step of 16 samples takes about a second there.
set -euo pipefail

build=${1:-build}
steps=${2:-200}
bench="${build}/apps/dfe-bench"
csv=bench-gpu.csv
rm -f "${csv}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
common=(--d 2 --N 256 --integrator strang --output-every 0 --warmup 2 --csv "${csv}")

"${bench}" "${common[@]}" --count 16 --steps "$(( steps > 20 ? steps / 10 : 2 ))" --backend cpu --label cpu-16
for count in 16 64; do
  "${bench}" "${common[@]}" --count "${count}" --steps "${steps}" --backend vulkan --label "vulkan-${count}"
done

/usr/bin/python3 - "${csv}" <<'PY'
import csv, sys
rows = {r["case"]: r for r in csv.DictReader(open(sys.argv[1]))}
cpu = float(rows["cpu-16"]["sample_steps_per_s"])  # one rank: one core
print(f"CPU backend: {cpu:.1f} sample-steps/s per core")
for case in ("vulkan-16", "vulkan-64"):
    r = rows[case]
    ratio = float(r["gpu_ratio"])
    # The device's own rate (no transfers: --output-every 0 has none in the timed run).
    rate = 1e3 / float(r["gpu_step_ms_per_sample"])
    print(f"{case}: Strang step / VkFFT floor {ratio:.2f} (target <= 1.5); {rate:.1f} sample-steps/s = "
          f"{rate / cpu:.1f}x the CPU backend per core (target >= 50); transfers per output row "
          f"{float(r['gpu_transfer_ms_per_sample']):.3f} ms per sample")
PY
