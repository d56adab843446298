#!/bin/bash
# bench-pipe.sh: --pipe and --pipe-part throughput and peak RSS, parx beside
# GNU parallel, on a 512 MiB text file counted by wc -l.
#
#   scripts/bench-pipe.sh [SIZE_MIB]     (default 512)
#
# Every run's summed line counts must equal wc -l of the file. Prints MB/s
# (of input) and the peak RSS of parallel/parx itself (/usr/bin/time -f %M).
set -euo pipefail
size_mib=${1:-512}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/parx-bench-pipe.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$here" && go build -o "$work/parx" .)
export HOME="$work/home" # for GNU parallel's will-cite
mkdir -p "$HOME/.parallel" && touch "$HOME/.parallel/will-cite"

file="$work/big.txt"
# Lines of varying length, 512 MiB exactly.
seq 1 20000000 | awk '{ printf "%s %s\n", $1, substr("abcdefghijklmnopqrstuvwxyz0123456789", 1, $1 % 37) }' \
	| head -c $((size_mib << 20)) > "$file" || true # head closes the pipe early
bytes=$(stat -c %s "$file")
want=$(wc -l < "$file")
cat "$file" > /dev/null # warm the page cache

run() { # name, command line (reads $file)
	local name=$1 cmd=$2 t0 t1 got rss
	t0=$(date +%s.%N)
	got=$( { /usr/bin/time -f %M -o "$work/rss" bash -c "$cmd" ; } | awk '{ s += $1 } END { print s }')
	t1=$(date +%s.%N)
	rss=$(tail -1 "$work/rss")
	[ "$got" = "$want" ] || { echo "$name: counted $got lines, want $want" >&2; exit 1; }
	awk -v n="$name" -v b="$bytes" -v t0="$t0" -v t1="$t1" -v r="$rss" \
		'BEGIN { printf "%-44s %8.0f MB/s %7.2f s  peak RSS %6.1f MiB\n", n, b / 1e6 / (t1 - t0), t1 - t0, r / 1024 }'
}

echo "input: $bytes bytes, $want lines; $(nproc) cores"
run "GNU parallel --pipe --block 10M -j2" "parallel --pipe --block 10M -j2 wc -l < $file"
run "parx --pipe --block 10M -j2" "$work/parx --pipe --block 10M -j2 wc -l < $file"
run "GNU parallel --pipe-part --block 10M -j2" "parallel --pipe-part -a $file --block 10M -j2 wc -l"
run "parx --pipe-part --block 10M -j2" "$work/parx --pipe-part -a $file --block 10M -j2 wc -l"
