#!/usr/bin/env bash
# bench-control.sh - job control costs (issue 3), in one run:
#   1. --joblog overhead: JOBS `true` jobs at -j2 with and without --joblog
#      (hyperfine medians and their ratio).
#   2. SIGTERM latency: with N jobs running (`sleep 1000`, -jN), the time from
#      SIGTERM until parx has exited (median of TRIES runs), and a check that
#      no job survives.
#
# Usage: scripts/bench-control.sh   (env: PARX=path, RUNS=5, JOBS=3000, N=100, TRIES=7)
# Results go to stdout, progress to stderr. Exit status 2 on a broken setup, 1
# when a job survived SIGTERM.
set -euo pipefail

die() { printf 'bench-control.sh: %s\n' "$*" >&2; exit 2; }
RUNS=${RUNS:-5} JOBS=${JOBS:-3000} N=${N:-100} TRIES=${TRIES:-7}
for t in hyperfine seq awk pgrep; do command -v "$t" >/dev/null || die "$t not found"; done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parx-bench-control.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [[ -z ${PARX:-} ]]; then
	(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/parx" .) || die "go build failed"
	PARX=$tmp/parx
fi
P=$(printf '%q' "$PARX")

echo "# parx job-control benchmark"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

hyperfine --shell=bash --style=basic --output=null --warmup 1 --runs "$RUNS" --export-csv "$tmp/h.csv" \
	-n plain "seq $JOBS | $P -j2 true" \
	-n joblog "seq $JOBS | $P -j2 --joblog $tmp/log true" >&2
plain=$(awk -F, '$1 == "plain" {print $4}' "$tmp/h.csv")
logged=$(awk -F, '$1 == "joblog" {print $4}' "$tmp/h.csv")
lines=$(($(wc -l <"$tmp/log") - 1))
[[ $lines == "$JOBS" ]] || die "the joblog has $lines lines, want $JOBS"
echo "## --joblog overhead ($JOBS x true, -j2, $RUNS runs, medians)"
echo
echo "| without | with --joblog | ratio |"
echo "|---:|---:|---:|"
awk -v a="$plain" -v b="$logged" 'BEGIN { printf "| %.3f s | %.3f s | %.3f |\n", a, b, b / a }'
echo

# SIGTERM latency: marker makes this run's jobs findable.
marker="1000.$$"
times=()
for ((i = 1; i <= TRIES; i++)); do
	seq "$N" | "$PARX" -j"$N" sleep "$marker" >/dev/null 2>&1 &
	pid=$!
	for ((w = 0; w < 600; w++)); do
		[[ $(pgrep -c -f "sleep $marker" || true) -ge $N ]] && break
		sleep 0.05
	done
	start=$(date +%s%N)
	kill -TERM "$pid"
	wait "$pid" || true
	end=$(date +%s%N)
	times+=("$(((end - start) / 1000000))")
	left=$(pgrep -c -f "sleep $marker" || true)
	if [[ $left != 0 ]]; then
		echo "run $i: $left jobs survived SIGTERM" >&2
		exit 1
	fi
	printf '[bench] SIGTERM run %d: %d ms\n' "$i" "${times[-1]}" >&2
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
echo "## SIGTERM with $N running jobs: time until parx has exited ($TRIES runs)"
echo
echo "| median | all runs (ms) | jobs left |"
echo "|---:|---|---:|"
echo "| $median ms | ${times[*]} | 0 |"
