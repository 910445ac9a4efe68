#!/usr/bin/env bash
# ci-test.sh - a sweep through a real Slurm job array must give the same files as locally.
#
# Brings up a single-node Slurm cluster on this machine (local-cluster.sh; installs the
# packages if needed: run as root), builds hashsim in release, runs the bundled sweep
# (SWEEP, default scenarios/sweeps/drawdown.toml) locally with --jobs 2 and through
# submit.sh (a job array of N_TASKS shards + a dependent merge job), and compares runs.csv
# and aggregate.csv byte for byte. Also checks that a failing array is reported as failed and
# its merge job cancelled. The cluster is brought down on exit, whatever happens.
# The last line is "N passed, N failed"; the exit status is 0 only if none failed.
#
# Environment: SWEEP, N_TASKS [3], WORK (scratch folder) [a new temporary folder],
# CARGO_TARGET_DIR (where cargo builds) [target], KEEP_CLUSTER=1 (leave it running).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SWEEP=${SWEEP:-$ROOT/scenarios/sweeps/drawdown.toml}
N_TASKS=${N_TASKS:-3}
WORK=${WORK:-$(mktemp -d /tmp/hashsim-slurm-ci.XXXXXX)}
export SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
passed=0
failed=0
ms() { date +%s%3N; }
T0=$(ms)
secs() { local d=$(($(ms) - $1)); echo "$((d / 1000)).$(printf %03d $((d % 1000))) s"; }
pass() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
  [ "${KEEP_CLUSTER:-0}" = 1 ] || "$HERE/local-cluster.sh" down >/dev/null 2>&1
  echo "total $(secs "$T0")"
  echo "$passed passed, $failed failed"
}
trap finish EXIT
trap 'exit 130' INT TERM

echo "== release build"
t=$(ms)
if (cd "$ROOT" && cargo build --release --quiet); then
  pass "cargo build --release ($(secs "$t"))"
else
  fail "cargo build --release"
  exit 1
fi
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/hashsim
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
export HASHSIM=$BIN

echo "== local cluster up"
t=$(ms)
if "$HERE/local-cluster.sh" up; then
  pass "cluster up ($(secs "$t"))"
else
  fail "cluster up"
  exit 1
fi

echo "== the sweep locally ($SWEEP, --jobs 2)"
t=$(ms)
if "$BIN" sweep "$SWEEP" --out "$WORK/local" --jobs 2 --quiet; then
  pass "local sweep ($(secs "$t"))"
else
  fail "local sweep"
fi

echo "== the sweep as a Slurm job array of $N_TASKS tasks + a dependent merge job"
t=$(ms)
if ids=$("$HERE/submit.sh" "$SWEEP" "$WORK/slurm" "$N_TASKS"); then
  read -r array merge <<<"$ids"
  pass "submitted array $array and merge $merge"
  if "$HERE/wait.sh" "$array" 300; then pass "array $array: every task COMPLETED 0:0 ($(secs "$t"))"; else fail "array $array"; fi
  if "$HERE/wait.sh" "$merge" 120; then pass "merge job $merge COMPLETED 0:0 ($(secs "$t"))"; else fail "merge job $merge"; fi
  for f in "$WORK"/slurm/logs/*.log; do echo "---- $(basename "$f")"; cat "$f"; done
else
  fail "submit.sh"
fi

echo "== compare"
for f in runs.csv aggregate.csv; do
  if [ -s "$WORK/local/$f" ] && cmp "$WORK/local/$f" "$WORK/slurm/$f"; then
    pass "$f identical ($(wc -l <"$WORK/local/$f") lines)"
  else
    fail "$f differs or is missing"
  fi
done
shards=$(find "$WORK/slurm/shards" -maxdepth 1 -name "shard-*-of-$N_TASKS" 2>/dev/null | wc -l)
if [ "$shards" = "$N_TASKS" ] && grep -q '"merged_from"' "$WORK/slurm/manifest.json" 2>/dev/null; then
  pass "$shards shard folders merged"
else
  fail "expected $N_TASKS shard folders and a merged manifest (found $shards)"
fi

echo "== a failing array is reported, and its merge job cancelled"
mkdir -p "$WORK/failing"
fa=$(sbatch --parsable --array=0-1 --output="$WORK/failing/%a.log" --wrap 'exit $((SLURM_ARRAY_TASK_ID + 2))')
fm=$(sbatch --parsable --dependency=afterok:"${fa%%;*}" --kill-on-invalid-dep=yes --output=/dev/null --wrap true)
rc=0; "$HERE/wait.sh" "${fa%%;*}" 60 2>/dev/null || rc=$?
if [ "$rc" = 1 ]; then pass "wait.sh fails on a failing array"; else fail "wait.sh returned $rc on a failing array (want 1)"; fi
rc=0; "$HERE/wait.sh" "${fm%%;*}" 60 2>/dev/null || rc=$?
if [ "$rc" = 1 ]; then pass "wait.sh fails on the cancelled merge job"; else fail "wait.sh returned $rc on the merge job (want 1)"; fi

[ "$failed" = 0 ]
