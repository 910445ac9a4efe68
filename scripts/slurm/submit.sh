#!/usr/bin/env bash
# submit.sh SWEEP_FILE OUT_DIR [N_TASKS] - run a sweep on a Slurm cluster: a job array of
# N_TASKS shards (default 4), each `hashsim sweep SWEEP_FILE --shard K/N` from its array
# task id, then a merge job that starts once every task succeeded (afterok) and writes
# OUT_DIR/runs.csv, aggregate.csv and manifest.json, the same bytes as a local sweep.
#
# Prints "ARRAY_JOB_ID MERGE_JOB_ID" on stdout. Follow with:
#   scripts/slurm/wait.sh MERGE_JOB_ID        (fails unless the merge completed with exit 0)
# Logs: OUT_DIR/logs/shard-<task>.log and merge.log. Resubmitting into the same OUT_DIR with
# the same N_TASKS resumes unfinished shards (finished runs are kept).
#
# Environment:
#   HASHSIM        the hashsim binary [this repo's target/release/hashsim, else hashsim on PATH];
#                  it must be reachable from the compute nodes (shared filesystem)
#   CPUS_PER_TASK  threads per array task [1]
#   SBATCH_ARGS    extra sbatch options for both jobs, e.g. "--partition=short --time=02:00:00"
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
die() { echo "submit.sh: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: submit.sh SWEEP_FILE OUT_DIR [N_TASKS]"
[ -f "$1" ] || die "no sweep file $1"
sweep=$(realpath "$1")
out=$(realpath -m "$2")
n=${3:-4}
[[ $n =~ ^[1-9][0-9]*$ ]] || die "N_TASKS must be a positive whole number (got $n)"
cpus=${CPUS_PER_TASK:-1}

bin=${HASHSIM:-}
if [ -z "$bin" ]; then
  if [ -x "${CARGO_TARGET_DIR:-$ROOT/target}/release/hashsim" ]; then
    bin=${CARGO_TARGET_DIR:-$ROOT/target}/release/hashsim
  else
    bin=$(command -v hashsim) || die "no hashsim binary: build it (cargo build --release) or set HASHSIM"
  fi
fi
bin=$(realpath "$bin")
command -v sbatch >/dev/null || die "sbatch not found: is this a Slurm cluster? (locally: scripts/slurm/local-cluster.sh up)"

# Check the sweep here, once, rather than failing in every task.
"$bin" sweep "$sweep" --dry-run >&2 || die "the sweep file does not validate"

# Shards of another split would not merge with these.
shopt -s nullglob
for d in "$out"/shards/shard-*-of-*; do
  [[ $d == *-of-"$n" ]] || die "$out/shards holds $(basename "$d") from a split into other than $n tasks: use another OUT_DIR"
done
mkdir -p "$out/logs"

# Variables reach the tasks as script arguments, not --export=ALL,VAR=... (which adds ~1 s
# to every task launch on Slurm 22.05).
# shellcheck disable=SC2086
array=$(sbatch --parsable --array=0-$((n - 1)) --cpus-per-task="$cpus" --job-name=hashsim-sweep \
  --output="$out/logs/shard-%a.log" ${SBATCH_ARGS:-} "$HERE/sweep.sbatch" "$sweep" "$out" "$bin")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes --job-name=hashsim-merge \
  --output="$out/logs/merge.log" ${SBATCH_ARGS:-} "$HERE/merge.sbatch" "$out" "$n" "$bin")
merge=${merge%%;*}
echo "submit.sh: array job $array ($n tasks), merge job $merge -> $out" >&2
echo "$array $merge"
