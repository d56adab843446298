#!/usr/bin/env bash
# stress.sh - repeat parx's reliability tests (output under load, signals,
# timeouts, low ulimit -u/-n as an unprivileged user, crashes, broken pipes)
# TRIALS times each and print a table of trials and failures. A failure's
# output is kept in $OUT/NAME.TRIAL.log.
#
# Usage:
#   scripts/stress.sh                      # 20 trials of each test
#   TRIALS=5 scripts/stress.sh             # fewer
#   TESTS='load ulimit' scripts/stress.sh  # only these testscripts (testdata/script/NAME.txtar)
#   RACE=1 scripts/stress.sh               # with the race detector, as CI runs them
#
# The tests start their own CPU burners (testscript's `burn`), and the limit
# tests run as uid 65534 through setpriv when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

trials=${TRIALS:-20}
tests=${TESTS:-load ulimit signals timeout crash brokenpipe}
out=${OUT:-$(mktemp -d /tmp/parx-stress.XXXXXX)}
bin=$out/parx.test

flags=()
[[ ${RACE:-} == 1 ]] && flags+=(-race)
echo "building the test binary..." >&2
go test "${flags[@]}" -c -o "$bin" .

printf '| test | trials | failures | median s |\n|---|---:|---:|---:|\n'
total_fail=0
for name in $tests; do
	fails=0
	times=()
	for ((i = 1; i <= trials; i++)); do
		start=$(date +%s.%N)
		if ! "$bin" -test.v -test.run "^TestScripts\$/^$name\$" -test.count=1 >"$out/$name.$i.log" 2>&1 ||
			! grep -q -- "--- PASS: TestScripts/$name " "$out/$name.$i.log"; then
			fails=$((fails + 1))
			echo "$name trial $i failed: $out/$name.$i.log" >&2
		else
			rm -f "$out/$name.$i.log"
		fi
		times+=("$(echo "$(date +%s.%N) - $start" | bc)")
	done
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }')
	printf '| %s | %d | %d | %s |\n' "$name" "$trials" "$fails" "$median"
	total_fail=$((total_fail + fails))
done
rm -f "$bin"
echo "failure logs, if any: $out" >&2
((total_fail == 0))
