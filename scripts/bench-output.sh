#!/usr/bin/env bash
# Output benchmark (issue 4): 200 jobs each printing 256 KiB, at -j2.
# parx -k (grouped, ordered), --line-buffer and -u beside xargs -P2 (which
# neither groups nor orders), in one hyperfine run; prints the ratios, and
# the peak RSS of parx for the grouped run.
#
#   scripts/bench-output.sh            # needs hyperfine (apt-get install -y hyperfine)
#   RUNS=20 scripts/bench-output.sh
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-10}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
CGO_ENABLED=0 go build -o "$dir/parx" .
# 200 input lines naming /dev/zero: every job is `head -c 262144 /dev/zero`,
# executed directly by both tools (no shell).
for _ in $(seq 200); do echo /dev/zero; done > "$dir/in"

hyperfine --warmup 2 --runs "$runs" -N --export-markdown "$dir/res.md" \
  -n 'xargs -P2' "xargs -P2 -n1 -a $dir/in head -c 262144" \
  -n 'parx -k -j2' "$dir/parx -k -j2 -a $dir/in head -c 262144" \
  -n 'parx --line-buffer -j2' "$dir/parx --line-buffer -j2 -a $dir/in head -c 262144" \
  -n 'parx -u -j2' "$dir/parx -u -j2 -a $dir/in head -c 262144"
cat "$dir/res.md"

# Check that every byte arrives, and the peak RSS of the grouped run.
bytes=$("$dir/parx" -k -j2 -a "$dir/in" head -c 262144 | wc -c)
echo "parx -k -j2 printed $bytes bytes (want $((200 * 262144)))"
/usr/bin/time -f 'parx -k -j2 peak RSS: %M KiB' "$dir/parx" -k -j2 -a "$dir/in" head -c 262144 > /dev/null
