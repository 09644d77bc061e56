# shellcheck shell=bash
# A throw-away Slurm cluster for the slurm tests (label slurm), sourced by every test script:
#
#   source harness.sh
#   slurm_start 1          # or 2: two nodes joined by TCP
#   sl sbatch --wait ...   # every Slurm client command goes through sl
#   ...                    # the cluster is stopped and removed on exit, also on failure
#
# What it builds (the facts behind each choice are in cluster/README.md, "Notes from running Slurm
# 22.05 here", and the notes it builds on):
# - Debian's slurm-wlm and munge, installed with apt-get if missing (needs root).
# - A scratch folder $SLURM_SCRATCH (/tmp/dfe-slurm.XXXXXX): munge key and socket, slurm.conf,
#   state, spool, pid and log files. Nothing outside it is written, except the network namespaces.
# - munged in the root namespaces, talking through a socket file in the scratch folder.
# - A private network namespace per node, so that the daemons' ports never collide with another
#   cluster (a concurrent CI run) and every process of the cluster can be found and ended:
#     1 node:  namespace 1; slurmctld and slurmd n1 on 10.250.0.1, one end of a veth pair whose
#              other end is in the same namespace (the daemons cannot bind in a namespace that has
#              loopback only: getaddrinfo with AI_ADDRCONFIG fails there).
#     2 nodes: namespaces 1 and 2 joined by a veth pair 10.250.0.1 <-> 10.250.0.2 (addresses only
#              inside them); slurmctld and slurmd n1 in namespace 1, slurmd n2 in namespace 2.
#   ($SLURM_NS: the namespaces' names; $SLURM_VETH: the veth ends, in namespace 1 and in the last.)
#   Each daemon also runs in its own UTS namespace whose host name is its node name, so Open MPI
#   sees two hosts and talks TCP between them. Client commands run in namespace 1 (sl), never in
#   the root namespace.
# - Nodes declare 4 CPUs (SlurmdParameters=config_overrides) so jobs may have more ranks than the
#   machine has cores.
# The EXIT trap cancels the jobs, stops slurmd, slurmctld and munged by their pid files, ends any
# process still inside the namespaces (job steps are re-parented to PID 1 and survive slurmd),
# deletes the namespaces (and with them the veth pair) and removes the scratch folder. Before that
# it copies the logs to $DFE_TEST_WORK/logs when DFE_TEST_WORK is set. A watchdog stops the test
# with SIGTERM after $DFE_SLURM_DEADLINE seconds (default 150), before CTest's own timeout would
# SIGKILL it and leave the cluster running. A cluster left behind by a test that was killed anyway
# is removed by the next slurm_start (its owner process is gone).
#
# Needs root (else exit 77: skipped) and network namespaces (an unprivileged container: skipped
# too); util-linux (nsenter, unshare, setsid); iproute2 is installed with slurm-wlm if missing.

set -euo pipefail

SLURM_SCRATCH=""
SLURM_NS=()
SLURM_VETH=()
_slurm_watchdog_pid=""
_slurm_scratch_root=/tmp

die() {
  echo "FAIL: $*" >&2
  exit 1
}

log() {
  echo "[$(date +%T)] $*"
}

# Run a Slurm client command inside the cluster (namespace 1).
sl() {
  nsenter --net="/run/netns/${SLURM_NS[0]}" "$@"
}

slurm_require_root() {
  if ((EUID != 0)); then
    echo "SKIP: the slurm tests start daemons and network namespaces and need root" >&2
    exit 77
  fi
  local tool
  for tool in nsenter unshare setsid; do
    command -v "${tool}" >/dev/null || die "${tool} not found (Debian: util-linux)"
  done
}

slurm_install() {
  local tool missing=""
  for tool in slurmctld slurmd sbatch munged mungekey; do
    command -v "${tool}" >/dev/null || missing=1
  done
  compgen -G '/usr/lib/*/slurm-wlm/mpi_pmix*.so' >/dev/null || missing=1
  local -a packages=(slurm-wlm munge)
  command -v ip >/dev/null || { missing=1; packages+=(iproute2); }
  [[ -n "${missing}" ]] || return 0
  log "installing ${packages[*]} (apt-get)"
  local aptlog
  aptlog=$(mktemp "${_slurm_scratch_root}/dfe-slurm-apt.XXXXXX.log")
  local -a install=(apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${packages[@]}")
  if ! DEBIAN_FRONTEND=noninteractive "${install[@]}" >"${aptlog}" 2>&1; then
    # The package lists may be missing or stale (a fresh container): update, then try again.
    if ! { apt-get -o DPkg::Lock::Timeout=300 update && DEBIAN_FRONTEND=noninteractive "${install[@]}"; } >>"${aptlog}" 2>&1; then
      tail -n 20 "${aptlog}" >&2
      rm -f "${aptlog}"
      die "apt-get install ${packages[*]} failed (its last lines are above)"
    fi
  fi
  rm -f "${aptlog}"
}

# True if PID runs (a zombie counts as gone: PID 1 here reaps only every ~2 s).
_alive() {
  local pid=$1 state
  [[ -n "${pid}" && -r /proc/${pid}/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/${pid}/stat" 2>/dev/null) || return 1
  [[ -n "${state}" && "${state}" != Z && "${state}" != X ]]
}

# _stop_pid PID NEEDLE: SIGTERM PID if its command line contains NEEDLE, wait up to 10 s, then SIGKILL.
_stop_pid() {
  local pid=$1 needle=$2 i
  _alive "${pid}" || return 0
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -qF -- "${needle}" || return 0
  kill -TERM "${pid}" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    _alive "${pid}" || return 0
    sleep 0.1
  done
  kill -KILL "${pid}" 2>/dev/null || true
}

# _end_namespace NAME: end every process left in network namespace NAME, then delete it.
_end_namespace() {
  local ns=$1 pids i
  [[ -e /run/netns/${ns} ]] || return 0
  for sig in TERM KILL; do
    pids=$(ip netns pids "${ns}" 2>/dev/null || true)
    [[ -n "${pids}" ]] || break
    # shellcheck disable=SC2086
    kill -"${sig}" ${pids} 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      local left="" p
      for p in $(ip netns pids "${ns}" 2>/dev/null || true); do
        if _alive "${p}"; then left=1; fi
      done
      [[ -n "${left}" ]] || break
      sleep 0.1
    done
  done
  ip netns del "${ns}" 2>/dev/null || true
}

# _teardown DIR: stop the cluster whose scratch folder is DIR (also one left by a killed test).
_teardown() {
  local dir=$1 ns node i
  [[ -d "${dir}" ]] || return 0
  local -a namespaces=()
  [[ -f "${dir}/namespaces" ]] && mapfile -t namespaces <"${dir}/namespaces"
  # Cancel the jobs and give slurmd a moment to end their steps.
  if [[ ${#namespaces[@]} -gt 0 && -e /run/netns/${namespaces[0]} && -f "${dir}/slurm.conf" ]] &&
    _alive "$(cat "${dir}/run/slurmctld.pid" 2>/dev/null)"; then
    SLURM_CONF="${dir}/slurm.conf" timeout 10 nsenter --net="/run/netns/${namespaces[0]}" scancel --user=root >/dev/null 2>&1 || true
    for ((i = 0; i < 50; i++)); do
      [[ -z "$(SLURM_CONF="${dir}/slurm.conf" timeout 5 nsenter --net="/run/netns/${namespaces[0]}" squeue -h -o %i 2>/dev/null || true)" ]] && break
      sleep 0.2
    done
  fi
  for node in n1 n2; do
    _stop_pid "$(cat "${dir}/run/slurmd-${node}.pid" 2>/dev/null)" "${dir}/slurm.conf"
  done
  _stop_pid "$(cat "${dir}/run/slurmctld.pid" 2>/dev/null)" "${dir}/slurm.conf"
  for ns in "${namespaces[@]}"; do
    _end_namespace "${ns}"
  done
  _stop_pid "$(cat "${dir}/munge/munged.pid" 2>/dev/null)" "${dir}/munge"
  rm -rf "${dir}"
}

# Remove clusters left behind by tests that were killed (their owner process is gone).
_reap_stale() {
  local dir owner
  for dir in "${_slurm_scratch_root}"/dfe-slurm.*; do
    [[ -d "${dir}" && -f "${dir}/owner" ]] || continue
    owner=$(cat "${dir}/owner")
    if ! _alive "${owner}"; then
      log "removing a cluster left behind by process ${owner}: ${dir}"
      _teardown "${dir}"
    fi
  done
}

slurm_stop() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n "${_slurm_watchdog_pid}" ]]; then
    kill "${_slurm_watchdog_pid}" 2>/dev/null
    wait "${_slurm_watchdog_pid}" 2>/dev/null
  fi
  if [[ -n "${SLURM_SCRATCH}" && -d "${SLURM_SCRATCH}" ]]; then
    if [[ -n "${DFE_TEST_WORK:-}" ]]; then
      mkdir -p "${DFE_TEST_WORK}/logs"
      cp -f "${SLURM_SCRATCH}"/log/* "${SLURM_SCRATCH}/slurm.conf" "${DFE_TEST_WORK}/logs/" 2>/dev/null
    fi
    if ((status != 0)) && [[ -f "${SLURM_SCRATCH}/log/slurmctld.log" ]]; then
      echo "--- last lines of the daemons' logs (all in ${DFE_TEST_WORK:-the removed scratch folder}/logs) ---" >&2
      tail -n 15 "${SLURM_SCRATCH}"/log/*.log >&2
    fi
    _teardown "${SLURM_SCRATCH}"
  fi
  exit "${status}"
}

# Wait until command "$@" succeeds, up to $1 seconds of wall time.
_wait_for() {
  local end=$((SECONDS + $1))
  shift
  while ((SECONDS < end)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

_nodes_idle() {
  local states
  states=$(timeout 5 nsenter --net="/run/netns/${SLURM_NS[0]}" sinfo -h -N -o %T 2>/dev/null) || return 1
  [[ -n "${states}" ]] && ! grep -qv '^idle$' <<<"${states}"
}

# _start_daemon NAMESPACE HOSTNAME LOG COMMAND...: a daemon in its own session, network namespace
# and UTS namespace (whose host name is HOSTNAME).
_start_daemon() {
  local ns=$1 host=$2 logfile=$3
  shift 3
  # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
  setsid nsenter --net="/run/netns/${ns}" unshare --uts \
    sh -c 'hostname "$0" && exec "$@"' "${host}" "$@" >"${logfile}" 2>&1 </dev/null &
}

# _arm: the EXIT trap (slurm_stop) and the watchdog, once per test.
_arm() {
  [[ -z "${_slurm_watchdog_pid}" ]] || return 0
  trap slurm_stop EXIT
  trap 'echo "FAIL: interrupted" >&2; exit 130' INT
  trap 'echo "FAIL: stopped by SIGTERM (the watchdog after ${DFE_SLURM_DEADLINE:-150} s, or ctest)" >&2; exit 143' TERM
  local deadline=${DFE_SLURM_DEADLINE:-150}
  # Polls once a second, so that it ends soon after the test (also a test killed by SIGKILL).
  (
    end=$((SECONDS + deadline))
    while ((SECONDS < end)); do
      kill -0 $$ 2>/dev/null || exit 0
      sleep 1
    done
    kill -TERM $$ 2>/dev/null
  ) </dev/null >/dev/null 2>&1 &
  _slurm_watchdog_pid=$!
}

# slurm_start NODES (1 or 2)
slurm_start() {
  local nodes=${1:-1}
  [[ "${nodes}" == 1 || "${nodes}" == 2 ]] || die "slurm_start: 1 or 2 nodes, not '${nodes}'"
  slurm_require_root
  slurm_install
  _reap_stale

  SLURM_SCRATCH=$(mktemp -d "${_slurm_scratch_root}/dfe-slurm.XXXXXX")
  _arm
  echo $$ >"${SLURM_SCRATCH}/owner"

  local s=${SLURM_SCRATCH} tag
  mkdir -p "${s}"/{munge,state,run,log,spool/n1,spool/n2,tmp/n1,tmp/n2}
  chmod 0755 "${s}" "${s}/munge"
  tag=${s##*.}

  # Namespaces first (recorded before they exist, so that the teardown always finds them).
  SLURM_NS=("dfe-slurm-${tag}-1")
  ((nodes == 2)) && SLURM_NS+=("dfe-slurm-${tag}-2")
  printf '%s\n' "${SLURM_NS[@]}" >"${s}/namespaces"
  local ns
  for ns in "${SLURM_NS[@]}"; do
    if ! ip netns add "${ns}" 2>"${s}/log/netns.err"; then
      # An unprivileged container: no way to build the cluster here; say so rather than fail.
      echo "SKIP: cannot create a network namespace here: $(cat "${s}/log/netns.err")" >&2
      exit 77
    fi
    ip -n "${ns}" link set lo up
  done
  # A veth pair: with 2 nodes its ends join the namespaces; with 1 node both ends stay in namespace 1,
  # only so that it has an address besides loopback (getaddrinfo with AI_ADDRCONFIG, which the
  # daemons use to bind their ports, fails in a namespace that has only loopback).
  local peer_ns=${SLURM_NS[$((nodes - 1))]}
  ip link add "dfs${tag}a" netns "${SLURM_NS[0]}" type veth peer name "dfs${tag}b" netns "${peer_ns}" ||
    die "could not create the veth pair dfs${tag}a/dfs${tag}b"
  ip -n "${SLURM_NS[0]}" addr add 10.250.0.1/24 dev "dfs${tag}a"
  ip -n "${peer_ns}" addr add 10.250.0.2/24 dev "dfs${tag}b"
  ip -n "${SLURM_NS[0]}" link set "dfs${tag}a" up
  ip -n "${peer_ns}" link set "dfs${tag}b" up
  local addr1=10.250.0.1 addr2=10.250.0.2
  # shellcheck disable=SC2034 # used by the tests
  SLURM_VETH=("dfs${tag}a" "dfs${tag}b")

  # munge
  mungekey -c -k "${s}/munge/munge.key" >/dev/null 2>&1 || die "mungekey failed"
  setsid munged --key-file="${s}/munge/munge.key" --socket="${s}/munge/munge.socket" \
    --pid-file="${s}/munge/munged.pid" --seed-file="${s}/munge/munge.seed" \
    --log-file="${s}/log/munged.log" >>"${s}/log/munged.log" 2>&1 </dev/null ||
    die "munged did not start: $(tail -n 3 "${s}/log/munged.log")"
  _wait_for 10 test -S "${s}/munge/munge.socket" || die "munged socket did not appear"

  # slurm.conf
  local node_hw="CPUs=4 Boards=1 SocketsPerBoard=1 CoresPerSocket=4 ThreadsPerCore=1 RealMemory=1000"
  {
    echo "# written by tests/slurm/harness.sh for a throw-away test cluster"
    echo "ClusterName=dfetest"
    echo "SlurmctldHost=n1(${addr1})"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "AuthInfo=socket=${s}/munge/munge.socket,cred_expire=5"
    echo "StateSaveLocation=${s}/state"
    echo "SlurmdSpoolDir=${s}/spool/%n"
    echo "TmpFS=${s}/tmp/%n"
    echo "SlurmctldPidFile=${s}/run/slurmctld.pid"
    echo "SlurmdPidFile=${s}/run/slurmd-%n.pid"
    echo "SlurmctldLogFile=${s}/log/slurmctld.log"
    echo "SlurmdLogFile=${s}/log/slurmd-%n.log"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobCompType=jobcomp/filetxt"
    echo "JobCompLoc=${s}/log/jobcomp.txt"
    echo "SchedulerParameters=batch_sched_delay=0,sched_interval=2"
    echo "MpiDefault=pmix"
    echo "EnforcePartLimits=ALL"
    echo "MinJobAge=5"
    echo "KillWait=5"
    echo "MailProg=/bin/true"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "SlurmdParameters=config_overrides"
    echo "ReturnToService=2"
    echo "NodeName=n1 NodeAddr=${addr1} ${node_hw} State=UNKNOWN"
    ((nodes == 2)) && echo "NodeName=n2 NodeAddr=${addr2} ${node_hw} State=UNKNOWN"
    echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
  } >"${s}/slurm.conf"
  export SLURM_CONF="${s}/slurm.conf"

  _start_daemon "${SLURM_NS[0]}" n1 "${s}/log/slurmctld.out" slurmctld -D -c -i -f "${SLURM_CONF}"
  _start_daemon "${SLURM_NS[0]}" n1 "${s}/log/slurmd-n1.out" slurmd -D -f "${SLURM_CONF}" -N n1
  ((nodes == 2)) && _start_daemon "${SLURM_NS[1]}" n2 "${s}/log/slurmd-n2.out" slurmd -D -f "${SLURM_CONF}" -N n2
  if ! _wait_for 30 _nodes_idle; then
    cat "${s}"/log/*.out >&2 || true
    die "the nodes did not become idle in 30 s: $(timeout 5 nsenter --net="/run/netns/${SLURM_NS[0]}" sinfo -N 2>&1 | tr '\n' ' ')"
  fi
  log "Slurm up: ${nodes} node(s), SLURM_CONF=${SLURM_CONF}, clients in namespace ${SLURM_NS[0]}"
}

# job_field JOBID FIELD: FIELD (JobState, Restarts, ...) of `scontrol show job JOBID`; empty once
# the job is gone (MinJobAge after its end).
job_field() {
  sl scontrol show job "$1" 2>/dev/null | grep -o "\b$2=[^ ]*" | head -n 1 | cut -d= -f2 || true
}

# jobcomp_field JOBID FIELD: FIELD (JobState, ExitCode, ...) of the last jobcomp line of JOBID.
jobcomp_field() {
  local line
  line=$(grep "JobId=$1 " "${SLURM_SCRATCH}/log/jobcomp.txt" 2>/dev/null | tail -n 1) || true
  [[ -n "${line}" ]] || return 1
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${line}"
}

# wait_job_done JOBID SECONDS: wait until JOBID has a final jobcomp line (not a requeue); prints its state.
wait_job_done() {
  local job=$1 seconds=$2 i state
  for ((i = 0; i < seconds * 5; i++)); do
    state=$(jobcomp_field "${job}" JobState || true)
    case "${state}" in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE)
        echo "${state}"
        return 0
        ;;
    esac
    sleep 0.2
  done
  return 1
}

# --- helpers for the test scripts ----------------------------------------------------------------------
# test_setup NAME: the paths every test uses, and a fresh work folder.
#   DFE_SOURCE_DIR  repository root (default: two levels above this file)
#   DFE_RUN         the dfe-run binary (default: $DFE_SOURCE_DIR/build/apps/dfe-run)
#   DFE_TEST_WORK   the test's work folder, emptied first (default: ./slurm-test-NAME)
#   MPIEXEC         the launcher of the direct reference runs (default: mpirun)
test_setup() {
  DFE_SOURCE_DIR=${DFE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
  DFE_RUN=${DFE_RUN:-${DFE_SOURCE_DIR}/build/apps/dfe-run}
  DFE_TEST_WORK=${DFE_TEST_WORK:-${PWD}/slurm-test-$1}
  MPIEXEC=${MPIEXEC:-mpirun}
  export DFE_SOURCE_DIR DFE_RUN DFE_TEST_WORK MPIEXEC
  # Open MPI as root, and more ranks than cores (the direct runs, and mpirun inside jobs).
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  [[ -x "${DFE_RUN}" ]] || die "DFE_RUN=${DFE_RUN} is not an executable"
  _arm
  rm -rf "${DFE_TEST_WORK}"
  mkdir -p "${DFE_TEST_WORK}"
  cd "${DFE_TEST_WORK}"
  # shellcheck disable=SC2034 # used by the tests
  TEMPLATES=${DFE_SOURCE_DIR}/cluster
  # shellcheck disable=SC2034
  SMALL_INI=${DFE_SOURCE_DIR}/tests/slurm/small.ini
  # shellcheck disable=SC2034
  COMPARE=${DFE_SOURCE_DIR}/tests/slurm/compare_timeseries.py
}

# direct_run RANKS DIR OPTIONS...: dfe-run through mpirun outside Slurm (the reference); log DIR.log.
direct_run() {
  local ranks=$1 dir=$2
  shift 2
  local status=0
  "${MPIEXEC}" -n "${ranks}" "${DFE_RUN}" "$@" --out "${dir}" >"${dir}.log" 2>&1 </dev/null || status=$?
  if ((status != 0)); then
    tail -n 20 "${dir}.log" >&2
    die "the direct run into ${dir} failed with exit code ${status}"
  fi
}

# sbatch_wait SBATCH-ARGS...: sbatch --wait in the cluster; returns the job's exit code. Runs in the
# background so that a SIGTERM (watchdog) is handled at once.
sbatch_wait() {
  local status=0
  sl sbatch --wait "$@" </dev/null &
  wait $! || status=$?
  return "${status}"
}

# in_cluster COMMAND...: COMMAND in the cluster's namespace, in the background (see sbatch_wait).
in_cluster() {
  local status=0
  sl "$@" </dev/null &
  wait $! || status=$?
  return "${status}"
}

# submit SBATCH-ARGS...: sbatch --parsable in the cluster; prints the job id.
submit() {
  local id
  id=$(sl sbatch --parsable "$@" </dev/null) || die "sbatch $* failed"
  echo "${id%%;*}"
}

# expect_in FILE REGEX WHAT: fail unless FILE has a line matching REGEX (grep -E).
expect_in() {
  grep -Eq -- "$2" "$1" || {
    echo "--- $1 ---" >&2
    tail -n 40 "$1" >&2
    die "$3: no line matching '$2' in $1"
  }
}
