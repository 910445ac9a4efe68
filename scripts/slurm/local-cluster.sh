#!/usr/bin/env bash
# local-cluster.sh up|down|status - a real single-node Slurm cluster on this machine, for
# testing sweeps (scripts/slurm/ci-test.sh) and trying the job-array workflow locally.
#
#   up      install slurmctld, slurmd, slurm-client and munge with apt-get if missing, write
#           slurm.conf (this node's CPUs and 95% of its memory from `slurmd -C`), start munged,
#           slurmctld and slurmd directly (no systemd), wait until the node is idle.
#           Idempotent: a cluster it started that still answers is left as is.
#   down    cancel every job, stop the daemons it started (by pid file, only if the pid is
#           still that program), remove job state. --purge also removes $SLURM_LOCAL_DIR.
#   status  the daemons, the node and the queue.
#
# No accounting, no cgroups: proctrack/linuxproc, task/none, jobacct_gather/none;
# batch_sched_delay=0 so array tasks start at once rather than in 3 s waves;
# kill_invalid_depend so a merge job whose array failed is cancelled, not left pending.
#
# Environment (all optional):
#   SLURM_LOCAL_DIR      state, spool, pid and log files             [/tmp/slurm-local]
#   SLURM_CONF           slurm.conf to write and use                 [/etc/slurm/slurm.conf]
#   SLURM_UP_TIMEOUT     seconds to wait for the node to be idle     [60]
#   SLURM_CTLD_PORT / SLURM_D_PORT                                   [6817 / 6818]
#   SLURM_LOCAL_INSTALL  1: apt-get install missing packages         [1]
#   SLURM_EXTRA_CONF     extra slurm.conf lines, appended verbatim   []
# `up` must run as root (it writes /etc, starts munged as user munge and the daemons as root).
# Adapted from the team's tested shared/slurm/slurm-up.sh and slurm-down.sh (Slurm 22.05,
# munge 0.5, Debian bookworm).
set -euo pipefail

DIR=${SLURM_LOCAL_DIR:-/tmp/slurm-local}
export SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
TIMEOUT=${SLURM_UP_TIMEOUT:-60}
CTLD_PORT=${SLURM_CTLD_PORT:-6817}
D_PORT=${SLURM_D_PORT:-6818}

log() { echo "local-cluster: $*" >&2; }
ms() { date +%s%3N; }

pidfile() { case $1 in munged) echo "$DIR/munge/munged.pid" ;; *) echo "$DIR/run/$1.pid" ;; esac; }
# ourpid NAME: print the pid in NAME's pid file if it is a live NAME process
ourpid() {
  local f pid
  f=$(pidfile "$1")
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$1" ] || return 1
  echo "$pid"
}
munge_ok() { command -v munge >/dev/null && munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
node_state() { sinfo -h -N -n "$(hostname -s)" -o %T 2>/dev/null | head -n1; }

# ---- down ------------------------------------------------------------------------------
down() (
  # a subshell, so `set +e` stays here
  set +e
  # 1. cancel every job while slurmctld and slurmd are still there to kill the steps
  if ourpid slurmctld >/dev/null && [ -f "$SLURM_CONF" ]; then
    local jobs
    jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    if [ -n "${jobs// /}" ]; then
      log "cancelling jobs: $jobs"
      # shellcheck disable=SC2086
      timeout 10 scancel $jobs 2>/dev/null
      for _ in $(seq 100); do
        [ -z "$(timeout 5 squeue -h -o %A 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  # 2. TERM, wait up to 15 s, then KILL: slurmd and slurmctld together, munged last
  stop() {
    local d pid t0 alive pids=() names=()
    for d in "$@"; do
      if pid=$(ourpid "$d"); then
        kill -TERM "$pid" 2>/dev/null && pids+=("$pid") && names+=("$d")
      fi
    done
    t0=$(ms)
    for _ in $(seq 150); do
      alive=0
      for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    for i in "${!pids[@]}"; do
      if [ -d "/proc/${pids[$i]}" ]; then
        log "${names[$i]} (pid ${pids[$i]}) ignored TERM for 15 s; sending KILL"
        kill -KILL "${pids[$i]}" 2>/dev/null
      fi
    done
    [ ${#pids[@]} -gt 0 ] && log "stopped ${names[*]} (pids ${pids[*]}) in $(($(ms) - t0)) ms"
    for d in "$@"; do rm -f "$(pidfile "$d")"; done
  }
  stop slurmd slurmctld
  stop munged
  # 3. report (never kill) anything of Slurm's still running
  local left
  left=$(ps -eo pid=,comm= | awk '$2=="slurmstepd"{print $1}' | tr '\n' ' ')
  [ -n "${left// /}" ] && log "warning: slurmstepd still running: $left"
  if [ "${1:-}" = --purge ]; then
    rm -rf "$DIR"
  else
    rm -rf "$DIR/state" "$DIR/spool" "$DIR/run" "$DIR/munge/munged.pid"
  fi
  exit 0
)

# ---- up --------------------------------------------------------------------------------
die() {
  log "ERROR: $*"
  for f in "$DIR"/log/*.log "$DIR"/munge/munged.log; do
    [ -f "$f" ] && { echo "---- tail $f" >&2; tail -n 25 "$f" >&2; }
  done
  down >&2 || true
  exit 1
}

up() {
  [ "$(id -u)" = 0 ] || { log "ERROR: 'up' must run as root"; exit 1; }
  local need=() b
  for b in munged munge slurmctld slurmd sbatch; do command -v "$b" >/dev/null || need+=("$b"); done
  if [ ${#need[@]} -gt 0 ]; then
    [ "${SLURM_LOCAL_INSTALL:-1}" = 1 ] || { log "ERROR: missing ${need[*]}: install slurmctld slurmd slurm-client munge"; exit 1; }
    log "installing slurmctld slurmd slurm-client munge (missing: ${need[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || { log "ERROR: apt-get update failed"; exit 1; }
    apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null ||
      { log "ERROR: apt-get install failed"; exit 1; }
  fi
  local node st
  node=$(hostname -s)
  if ourpid slurmctld >/dev/null && ourpid slurmd >/dev/null && { ourpid munged >/dev/null || munge_ok; } &&
    [ -f "$SLURM_CONF" ]; then
    st=$(node_state || true)
    if [[ $st == idle* || $st == mixed* || $st == alloc* ]]; then
      log "already up: node $node is $st"
      return 0
    fi
  fi
  if compgen -G "$DIR/run/*.pid" >/dev/null || [ -e "$DIR/munge/munged.pid" ]; then
    log "partial or stale cluster in $DIR: stopping it first"
    down
  fi

  local start
  start=$(ms)
  rm -rf "$DIR/state" "$DIR/spool" "$DIR/run"
  mkdir -p "$DIR"/{state,spool,run,log} "$(dirname "$SLURM_CONF")"

  # 1. munge: the package makes the key; make one if it is missing
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 0700 /etc/munge
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null ||
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0600 /etc/munge/munge.key
  fi
  if munge_ok; then
    log "reusing the munged already running"
  else
    # No systemd: create what its RuntimeDirectory would, and run munged as user munge
    # (as root it refuses the munge-owned key unless --force).
    install -d -o munge -g munge -m 0755 /run/munge /var/lib/munge /var/log/munge "$DIR/munge"
    chown -R munge:munge "$DIR/munge"
    local margs=(--pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log")
    if ! setpriv --reuid=munge --regid=munge --init-groups -- munged "${margs[@]}" 2>/dev/null; then
      log "could not start munged as user munge; starting it as root with --force"
      munged --force "${margs[@]}" || die "munged failed to start"
    fi
    for _ in $(seq 100); do munge_ok && break; sleep 0.1; done
    munge_ok || die "munged did not answer within 10 s"
  fi

  # 2. slurm.conf, e.g. from `slurmd -C`:
  # NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105
  # Declare 95% of the memory: a node configured with exactly its RealMemory is drained
  # ("Low RealMemory") if the kernel later reports a few MB less.
  local hw mem
  hw=$(slurmd -C | head -n1)
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
  hw=$(sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 95 / 100))/" <<<"$hw")
  cat >"$SLURM_CONF" <<CONF
# Written by scripts/slurm/local-cluster.sh: single-node cluster, no accounting, no cgroups.
ClusterName=local
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$D_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# batch_sched_delay=0: array tasks start on the next 1 s tick instead of 3 s waves;
# kill_invalid_depend: a job whose dependency can never be met is cancelled.
SchedulerParameters=batch_sched_delay=0,kill_invalid_depend
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
$hw NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
${SLURM_EXTRA_CONF:-}
CONF

  # 3. the daemons fork into the background and write their pid files
  slurmctld -f "$SLURM_CONF" || die "slurmctld failed to start"
  for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
  slurmd -f "$SLURM_CONF" || die "slurmd failed to start"
  local t0 d
  t0=$(date +%s)
  st=
  while [ "$(date +%s)" -lt $((t0 + TIMEOUT)) ]; do
    st=$(node_state || true)
    case $st in
      idle) break ;;
      drain* | down* | fail* | inval*) die "node $node is $st: $(sinfo -h -R -o '%E' 2>/dev/null)" ;;
    esac
    for d in slurmctld slurmd; do
      if [ -s "$DIR/run/$d.pid" ]; then
        ourpid $d >/dev/null || die "$d exited"
      elif [ $(($(date +%s) - t0)) -ge 5 ]; then
        die "$d wrote no pid file within 5 s"
      fi
    done
    sleep 0.2
  done
  [ "$st" = idle ] || die "node $node not idle after ${TIMEOUT}s (state: ${st:-none})"
  local took=$(($(ms) - start))
  log "up in $((took / 1000)).$(printf %03d $((took % 1000))) s: $(sinfo -h -o 'partition=%P nodes=%D state=%T cpus(A/I/O/T)=%C')"
}

status() {
  local d pid rc=0
  for d in munged slurmctld slurmd; do
    if pid=$(ourpid "$d"); then echo "$d: running (pid $pid)"; else echo "$d: not running (started by this script)"; rc=1; fi
  done
  if command -v sinfo >/dev/null && [ -f "$SLURM_CONF" ] && sinfo -h >/dev/null 2>&1; then
    sinfo -N -o '%N %T %C %m'
    squeue
  else
    echo "slurmctld does not answer"
    rc=1
  fi
  return $rc
}

case ${1:-} in
  up) up ;;
  down) shift; down "$@" ;;
  status) status ;;
  *) echo "usage: $0 up|down [--purge]|status" >&2; exit 2 ;;
esac
