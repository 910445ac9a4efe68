#!/usr/bin/env bash
# Interleaved A/B timing of two hashsim binaries on the same scenario: A, B, A, B, ... so that
# the machine's drift (other tenants, 5-20% within an hour) hits both alike. Prints each
# side's median wall time in ms and every run, then checks that both wrote the same CSVs.
#
#   scripts/bench/ab.sh OLD_BINARY NEW_BINARY [RUNS] [-- hashsim run arguments]
#   scripts/bench/ab.sh /tmp/hashsim-before target/release/hashsim 9
#   scripts/bench/ab.sh /tmp/a target/release/hashsim 5 -- scenarios/baseline.toml --set simulation.days=365
#
# Default run: CORE-1 (scenarios/bench/core1.toml) on one thread.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -ge 2 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
a=$1
b=$2
runs=${3:-9}
shift $(($# < 3 ? $# : 3))
[ "${1:-}" = "--" ] && shift
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(scenarios/bench/core1.toml --jobs 1)

# The outputs go to a memory file system where there is one: written to disk, a million
# miners' 300 MB of rows left the machine in I/O wait and the pairs 10-15% apart.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then out=$(mktemp -d -p /dev/shm); else out=$(mktemp -d); fi
trap 'rm -rf "$out"' EXIT

# Wall time of one run in milliseconds; a run that fails stops the comparison (a failed run's
# time is no measurement, and its missing files would read as different outputs).
time_ms() {
  local start
  start=$(date +%s%N)
  "$1" run "${args[@]}" --quiet --out "$2" >/dev/null || { echo "ab.sh: a run of $1 failed" >&2; return 1; }
  echo $((($(date +%s%N) - start) / 1000000))
}

ta=()
tb=()
for _ in $(seq "$runs"); do
  t=$(time_ms "$a" "$out/a") || exit 1
  ta+=("$t")
  t=$(time_ms "$b" "$out/b") || exit 1
  tb+=("$t")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ma=$(median "${ta[@]}")
mb=$(median "${tb[@]}")
echo "A $a: median ${ma} ms (${ta[*]})"
echo "B $b: median ${mb} ms (${tb[*]})"
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "B/A = %.3f\n", b / a}'

same=yes
for f in "$out"/a/*.csv; do
  cmp -s "$f" "$out/b/$(basename "$f")" || { echo "outputs differ: $(basename "$f")"; same=no; }
done
[ "$same" = yes ] && echo "outputs identical (every CSV, byte for byte)"
