#!/usr/bin/env bash
# How CORE-1's cost grows with miners, simulated days and state changes per day: runs the
# release binary over a grid and prints one CSV row per cell (median wall time of REPS runs,
# the largest peak RSS, the mean number of miners switched on or off per day).
#
#   scripts/bench/scaling.sh                                   # the grid in docs/PERFORMANCE.md
#   MINERS="1000 10000" DAYS="365 1461" REPS=5 scripts/bench/scaling.sh > scaling.csv
#   MINERS=100000 DAYS=365 SIGMAS="0 0.01 0.035 0.1" MERIT="true false" scripts/bench/scaling.sh
#
# SIGMAS sets the price's daily log-return sd (CORE-1's is 0.035): the day's hashprice moves
# the merit order's cut, so it sets how many miners switch a day. MERIT="false" runs the
# merit order's oracle (every operator walked every day). Needs GNU time (/usr/bin/time,
# Debian package `time`) for peak RSS. Runs on one thread (--jobs 1); outputs go to a
# temporary directory under $TMPDIR that is removed (TMPDIR=/dev/shm keeps the disk's I/O
# wait out of the times: a million miners write 300 MB).
set -euo pipefail
cd "$(dirname "$0")/../.."

MINERS=${MINERS:-"1000 10000 100000 1000000"}
DAYS=${DAYS:-"365 730 1461"}
SIGMAS=${SIGMAS:-"0.035"}
MERIT=${MERIT:-"true"}
REPS=${REPS:-3}
# Cells with more operator-days than this run once (a 1M x 1461 run takes about a minute).
ONCE_ABOVE=${ONCE_ABOVE:-1000000000}

[ -x /usr/bin/time ] || { echo "scaling.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/hashsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "merit_order,price_sd_per_day,miners,days,runs,median_s,peak_rss_mib,ns_per_operator_day,switches_per_day"
for merit in $MERIT; do
  for sigma in $SIGMAS; do
    for n in $MINERS; do
      for d in $DAYS; do
        reps=$REPS
        [ $((n * d)) -gt "$ONCE_ABOVE" ] && reps=1
        times=()
        rss=0
        for _ in $(seq "$reps"); do
          # Wall time in milliseconds from the shell (GNU time's %e only has 10 ms steps).
          start=$(date +%s%N)
          kb=$(/usr/bin/time -f '%M' "$bin" run scenarios/bench/core1.toml --jobs 1 --quiet \
            --set "population.operators=$n" --set "simulation.days=$d" \
            --set "price.log_return_sd_per_day=$sigma" --set "simulation.merit_order=$merit" \
            --out "$out/run" 2>&1 >/dev/null | tail -n 1)
          times+=("$(( ($(date +%s%N) - start) / 1000000 ))")
          [ "$kb" -gt "$rss" ] && rss=$kb
        done
        median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
        # CORE-1's miners have one machine each and the cut moves one way a day, so the day's
        # switches are the change in mining operators.
        switches=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "mining_operators") c = i; next}
          NR > 2 {s += ($c > p ? $c - p : p - $c)} {p = $c} END {printf "%.0f", s / (NR > 2 ? NR - 2 : 1)}' \
          "$out/run/timeseries.csv")
        awk -v mo="$merit" -v sg="$sigma" -v n="$n" -v d="$d" -v r="$reps" -v m="$median" -v kb="$rss" -v sw="$switches" \
          'BEGIN {printf "%s,%s,%d,%d,%d,%.3f,%.0f,%.1f,%s\n", mo, sg, n, d, r, m / 1000, kb / 1024, m * 1e6 / (n * d), sw}'
      done
    done
  done
done
