#!/usr/bin/env bash
# Two nodes joined by TCP: slurmd n1 and n2 in two network namespaces linked by a veth pair (see
# harness.sh). cluster/multi-node.sbatch with -N 2 -n 2 and DFE_RANKS_PER_SAMPLE=2 runs one group of
# two ranks, one on each node, so every FFT of a sample is an all-to-all between the nodes over
# TCP (OMPI_MCA_btl=self,tcp; the hosts differ, so there is no shared memory between them). The
# veth counters show the traffic. The time series equals a run of the same 2 ranks and groups on
# one node (direct mpirun, shared memory) to 1e-12 relative: FFTW_ESTIMATE plans depend only on
# the sizes, and the transport does not change the order of any sum.
# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
test_setup two_nodes

log "reference: mpirun -n 2 --ranks-per-sample 2 on this one node"
direct_run 2 one-node --config "${SMALL_INI}" --ranks-per-sample 2

slurm_start 2
export OMPI_MCA_btl=self,tcp
rx_bytes() { ip -n "${SLURM_NS[1]}" -s -j link show dev "${SLURM_VETH[1]}" |
  /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["bytes"])'; }
rx_before=$(rx_bytes)
log "multi-node.sbatch -N 2 -n 2, DFE_RANKS_PER_SAMPLE=2, btl self,tcp"
status=0
DFE_RANKS_PER_SAMPLE=2 sbatch_wait -N 2 -n 2 --output="${PWD}/job.log" \
  "${TEMPLATES}/multi-node.sbatch" "${SMALL_INI}" "${PWD}/two-nodes" || status=$?
((status == 0)) || { cat job.log >&2; die "the two-node job exited with ${status}"; }
rx=$(($(rx_bytes) - rx_before))
log "node n2 received ${rx} bytes over the veth link during the job"

expect_in job.log "2 task\(s\) on n\[1-2\]" "the job's allocation"
expect_in job.log "2 rank\(s\) in 1 group\(s\) of 2, 4 sample\(s\)" "dfe-run's layout"
expect_in job.log "done: .*two-nodes/timeseries.csv" "the job"
# Slurm's own messages are a few kB; a sample's FFT all-to-alls over 200 steps are megabytes.
((rx > 1000000)) || die "only ${rx} bytes crossed the link: the group did not span the nodes over TCP"
/usr/bin/python3 "${COMPARE}" one-node/timeseries.csv two-nodes/timeseries.csv 1e-12 ||
  die "the two-node run differs from the one-node run"
log "PASS"
