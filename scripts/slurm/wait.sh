#!/usr/bin/env bash
# wait.sh JOBID [TIMEOUT_S] - wait for a Slurm job (or every task of a job array) to end,
# polling every 0.25 s, then fail unless every task ended COMPLETED with exit code 0:0.
# Prints one line per task that did not (id, state, exit:signal) on stderr.
#
# Why not `sbatch --wait`: it polls 2, 10, 42, 74 s after submission, so a 10.1 s array is
# noticed after 42 s. Needs no accounting: finished jobs stay in slurmctld's memory for
# MinJobAge (300 s by default), which is where their states and exit codes are read.
# Exit: 0 all completed, 1 some task failed or was cancelled, 2 unknown job, 124 timeout.
set -uo pipefail
jid=${1:?usage: wait.sh JOBID [TIMEOUT_S]}
limit=${2:-600}
export SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
deadline=$(($(date +%s) + limit))

while :; do
  # squeue lists jobs not yet finished (PENDING, RUNNING, COMPLETING, ...)
  if q=$(squeue -h -j "$jid" -o '%i %T %r' 2>&1); then
    [ -z "$q" ] && break
    # a dependency that can never be met (its array failed): the job will never run
    if grep -q 'DependencyNeverSatisfied' <<<"$q"; then
      echo "wait.sh: job $jid can never start (DependencyNeverSatisfied): a job it depends on failed" >&2
      exit 1
    fi
  elif grep -q 'Invalid job id' <<<"$q"; then
    break # already purged: the scontrol check below says so
  fi # any other error: slurmctld busy or restarting, try again
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "wait.sh: job $jid still not finished after ${limit}s:" >&2
    squeue -j "$jid" >&2
    exit 124
  fi
  sleep 0.25
done

# One line per task: JobId=.. ArrayJobId=.. ArrayTaskId=.. JobState=COMPLETED .. ExitCode=0:0
info=$(scontrol -o show job "$jid" 2>&1) || { echo "wait.sh: $info" >&2; exit 2; }
bad=$(awk '{
  id = ""; aj = ""; at = ""; st = ""; ec = ""
  for (i = 1; i <= NF; i++) {
    if ($i ~ /^JobId=/) id = substr($i, 7)
    if ($i ~ /^ArrayJobId=/) aj = substr($i, 12)
    if ($i ~ /^ArrayTaskId=/) at = substr($i, 13)
    if ($i ~ /^JobState=/) st = substr($i, 10)
    if ($i ~ /^ExitCode=/) ec = substr($i, 10)
  }
  if (aj != "") id = aj "_" at
  if (st != "COMPLETED" || ec != "0:0") print id, st, ec
}' <<<"$info")
n=$(grep -c . <<<"$info")
if [ -n "$bad" ]; then
  echo "wait.sh: job $jid: tasks that did not complete cleanly (id state exit:signal):" >&2
  echo "$bad" >&2
  exit 1
fi
echo "wait.sh: job $jid: all $n task(s) COMPLETED with exit 0" >&2
