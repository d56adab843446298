#!/usr/bin/env bash
# bench.sh - time parx beside a bare Go os/exec floor, `xargs -P`, moreutils' parallel and
# GNU parallel on the same workloads (GUIDE.md section 4), in one run, and print a table of
# medians, ratios and targets; then a start-up table (size, --version, one job).
#
# Usage:
#   scripts/bench.sh                    # build parx from this checkout, run workloads 1-8 and startup
#   PARX=/path/to/parx scripts/bench.sh # use an existing binary instead of building
#   ONLY=1,3 RUNS=3 scripts/bench.sh    # only workloads 1 and 3, 3 timed runs each
#   ONLY=startup scripts/bench.sh       # only the start-up table
#   scripts/bench.sh > bench.md         # progress goes to stderr, results to stdout
#
# Workloads (the same command line for every tool; input lines supply the argument, so no
# tool needs an explicit `sh -c`):
#   1  JOBS `true` jobs at -j2        seq JOBS | parx -j2 true          target parx/xargs <= 1.1, parx/GNU <= 0.1
#   2  one `true` job (start-up)      echo 1 | parx true                target parx/xargs <= 1.2
#   3  JOBS `echo {}` jobs, -k -j2    seq JOBS | parx -k -j2 echo {}    target parx/xargs <= 1.2
#                                     (xargs, the floor and moreutils have no -k: their output
#                                     is checked after sorting)
#   4  200 jobs printing 256 KiB each, -k -j2
#                                     yes /dev/zero | head -n 200 | parx -k -j2 head -c 262144
#   5  400 `sleep 0.05` jobs at -j100 yes 0.05 | head -n 400 | parx -j100 sleep
#   6  DRYRUN_LINES input lines with --dry-run (wall time and peak RSS)
#                                     parx --dry-run echo < lines       target parx peak RSS <= 30 MiB
#                                     xargs has no dry-run (n/a). GNU parallel is very slow here
#                                     (super-linear: ~30 s for 1,000 lines on 2 slow cores), so it
#                                     runs once on GNU_DRYRUN_LINES lines and its row says so; the
#                                     parx/GNU time ratio in that row is per input line.
#   7  --pipe of a PIPE_MIB MiB text file into `wc -l`, block 10M, -j2 (summed counts checked)
#                                     parx --pipe --block 10M -j2 wc -l < big
#                                     target parx/GNU <= 0.5 (twice the throughput); rows in MB/s
#                                     and peak RSS follow. xargs has no --pipe (n/a).
#   8  --pipe-part of the same file:  parx --pipe-part -a big --block 10M -j2 wc -l
#                                     target parx/GNU <= 1.0
#   startup  a table of its own (ONLY=startup; included by default): the binary size (bytes,
#            MiB) of parx, a Go hello-world (scripts/hello, built like parx) and xargs, and the
#            median wall time of `parx --version`, `hello` and `xargs --version`, and of one
#            job: `parx -a one true` and `xargs -a one true` (one: a file of the line 1; the
#            same as `echo 1 | parx true`, but with no shell in the timing); ratios parx/hello
#            and parx/xargs. RUNS*10 interleaved rounds of `hyperfine -N --runs 1`. It guards
#            parx's start-up: later features (database drivers, ssh) must not add to it.
# All output goes to /dev/null (hyperfine --output=null) except where checked (see below).
#
# Columns: parx; the Go floor, scripts/execfloor built like parx (a bare os/exec loop:
# `seq 1000 | execfloor -j 2 true` runs the command once per input line, P at a time, output
# straight through, no ordering), in workloads 1-5 (n/a in 6-8, and without go); xargs -P;
# moreutils' parallel in workloads 1-5 (n/a in 6-8; `parallel.moreutils -j 2 true -- 1 2 ...`:
# the inputs go on its command line after `--`, as $(seq JOBS); it has no -k either); GNU
# parallel; then the ratios parx/floor, parx/xargs, parx/moreutils and parx/GNU. The floor
# shows what any Go program pays to run the jobs: parx/floor is parx's own overhead.
# moreutils' parallel is optional (n/a when not installed): `apt-get install -y moreutils`;
# with GNU parallel installed, Debian puts it at /usr/bin/parallel.moreutils.
# (moreutils 0.67 sometimes loses part of the 50 MiB of workload 4: its row then says WRONG.)
#
# Environment:
#   PARX=path           parx binary (default: `CGO_ENABLED=0 go build -o $tmp/parx .` in the repo root, as README installs it)
#   ONLY=1,2,...        workloads to run, `startup` for the start-up table (default
#                       1,2,3,4,5,6,7,8,startup: the start-up table is included)
#   PIPE_MIB=N          size of the file of workloads 7 and 8 in MiB (default 512)
#   RUNS=N              rounds (timed runs) per tool (default 5; workload 2 and startup use 10*N)
#   GNU_RUNS=N          rounds GNU parallel takes part in, workloads 1,3,4,5 (default 1: it is
#                       slow; workload 2 uses RUNS); GNU_RUNS > RUNS adds rounds of GNU alone
#   GNU_WARMUP=N        warm-up runs for GNU parallel (default 0; >0 also checks its output)
#   JOBS=N              job count of workloads 1 and 3 (default 3000; the table shows it)
#   DRYRUN_LINES=N      input lines of workload 6 for parx (default 1000000)
#   GNU_DRYRUN_LINES=N  input lines of workload 6 for GNU parallel (default 1000)
#   GNU_PARALLEL=cmd    GNU parallel to compare with (default `parallel`); NO_GNU=1 skips it
#   MOREUTILS_PARALLEL=cmd  moreutils' parallel (default `parallel.moreutils`, else `parallel`
#                       when that is moreutils'); NO_MOREUTILS=1 skips it
#
# Method: each command first runs once as the warm-up, and that run's stdout checksum and
# exit status are checked, so a tool that fails or prints the wrong thing is shown as
# FAIL/WRONG instead of as fast (its time is still shown beside WRONG). The machine is noisy,
# so workloads 1-5 time the tools paired and interleaved: a round is one
# `hyperfine --shell=bash --runs 1` call that runs each tool once, in an order rotated by one
# each round, and RUNS rounds follow (GNU parallel takes part in the first GNU_RUNS only). The
# table shows each tool's median over its rounds, and each ratio is the median of the
# per-round ratios (parx/xargs of round 1, of round 2, ...), not a ratio of medians. Workloads
# 6-8 are long single commands: `hyperfine --runs N` times each tool's runs back to back.
# The start-up table's rounds are the same with `hyperfine -N` (no shell to subtract).
# Peak RSS is `/usr/bin/time -f %M` (KiB, shown in MiB) of the tool process itself.
# GNU parallel runs with HOME set to a temp dir holding .parallel/will-cite (no notice).
#
# Exit status: 0 when the benchmark ran, even with missed targets (marked MISS) or failing
# tools (marked FAIL/WRONG); 2 on a broken setup (missing tool, build failure, bad setting).
set -euo pipefail

die() { printf 'bench.sh: %s\n' "$*" >&2; exit 2; }
log() { printf '[bench] %s\n' "$*" >&2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)

RUNS=${RUNS:-5}
GNU_RUNS=${GNU_RUNS:-1}
GNU_WARMUP=${GNU_WARMUP:-0}
JOBS=${JOBS:-3000}
DRYRUN_LINES=${DRYRUN_LINES:-1000000}
GNU_DRYRUN_LINES=${GNU_DRYRUN_LINES:-1000}
ONLY=${ONLY:-1,2,3,4,5,6,7,8,startup}
PIPE_MIB=${PIPE_MIB:-512}
GNU_PARALLEL=${GNU_PARALLEL:-parallel}
NO_GNU=${NO_GNU:-0}
MOREUTILS_PARALLEL=${MOREUTILS_PARALLEL:-parallel.moreutils}
NO_MOREUTILS=${NO_MOREUTILS:-0}
TIME_BIN=${TIME_BIN:-/usr/bin/time}

for v in RUNS GNU_RUNS JOBS DRYRUN_LINES GNU_DRYRUN_LINES PIPE_MIB; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ $GNU_WARMUP =~ ^[0-9]+$ ]] || die "GNU_WARMUP must be a non-negative integer"
[[ $ONLY =~ ^([1-8]|startup)(,([1-8]|startup))*$ ]] || die "ONLY must be a comma-separated list of 1-8 and startup, got '$ONLY'"
wants() { [[ ,$ONLY, == *,"$1",* ]]; }

for t in hyperfine xargs seq cksum awk sed sort yes head timeout; do
	command -v "$t" >/dev/null || die "$t not found (hyperfine: apt-get install -y hyperfine)"
done
[[ -x $TIME_BIN ]] || die "$TIME_BIN not found (apt-get install -y time)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/parx-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

first_line() { "$@" </dev/null 2>&1 | sed -n 1p || true; }

# parx: given, or built once from this checkout.
if [[ -n ${PARX:-} ]]; then
	if [[ ! -x $PARX ]]; then
		p=$(command -v "$PARX" 2>/dev/null) || die "PARX=$PARX is not executable"
		PARX=$p
	fi
	parx_origin="PARX=$PARX"
else
	command -v go >/dev/null || die "go not found; install Go or pass PARX=path"
	log "building parx in $root"
	(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/parx" .) || die "go build failed"
	PARX=$tmp/parx
	rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "no commit")
	[[ -z $(git -C "$root" status --porcelain 2>/dev/null) ]] || rev="$rev+dirty"
	parx_origin="built from $root @ $rev"
fi
parx_version=$(timeout 5 "$PARX" --version </dev/null 2>/dev/null | sed -n 1p || true)

# The Go os/exec floor (scripts/execfloor) and a Go hello-world (scripts/hello), built the
# same way as parx; n/a without go.
floor="" hello=""
floor_origin="n/a (go not found)"
if command -v go >/dev/null; then
	for d in execfloor hello; do
		(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/$d" "./scripts/$d") || die "go build ./scripts/$d failed"
	done
	floor=$tmp/execfloor hello=$tmp/hello
	floor_origin="scripts/execfloor and scripts/hello built with $(go env GOVERSION), CGO_ENABLED=0"
fi

# GNU parallel: optional; must really be GNU's (Debian's moreutils also ships a `parallel`).
gnu=""
gnu_version="n/a (not installed)"
if [[ $NO_GNU == 1 ]]; then
	gnu_version="n/a (NO_GNU=1)"
elif gnu_path=$(command -v "$GNU_PARALLEL" 2>/dev/null); then
	v=$(first_line "$gnu_path" --version)
	if [[ $v == "GNU parallel"* ]]; then
		gnu=$gnu_path
		gnu_version=$v
	else
		gnu_version="n/a ($gnu_path is not GNU parallel)"
	fi
fi

# moreutils' parallel: optional; told from GNU's by its usage line.
mu=""
mu_version="n/a (not installed: apt-get install -y moreutils)"
is_moreutils() { [[ $(first_line "$1" -h) == "parallel [OPTIONS] command -- arguments" ]]; }
if [[ $NO_MOREUTILS == 1 ]]; then
	mu_version="n/a (NO_MOREUTILS=1)"
else
	for c in "$MOREUTILS_PARALLEL" parallel; do
		if c=$(command -v "$c" 2>/dev/null) && is_moreutils "$c"; then
			mu=$c
			mu_version="$c, moreutils $(dpkg-query -W -f '${Version}' moreutils 2>/dev/null || echo '(version unknown)')"
			break
		fi
	done
fi

# Every tool (and PARX=parallel used as a stand-in) runs with a quiet GNU-parallel HOME.
mkdir -p "$tmp/home/.parallel"
: >"$tmp/home/.parallel/will-cite"
export HOME="$tmp/home"

P=$(printf '%q' "$PARX")
F=$(printf '%q' "$floor")
M=$(printf '%q' "$mu")
H=$(printf '%q' "$hello")
G=$(printf '%q' "$gnu")
started=$SECONDS

echo "# parx benchmark"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | sed -n 1p)), Linux $(uname -r), load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
echo "- parx: ${parx_version:-"(no --version output)"}; $parx_origin"
echo "- Go floor and Go hello-world: $floor_origin"
echo "- xargs: $(first_line xargs --version)"
echo "- moreutils parallel: $mu_version"
echo "- GNU parallel: $gnu_version"
echo "- $(first_line hyperfine --version); RUNS=$RUNS (workload 2 and start-up: $((RUNS * 10))), GNU_RUNS=$GNU_RUNS, GNU_WARMUP=$GNU_WARMUP, ONLY=$ONLY"
echo

sum_of() { cksum | awk '{print $1, $2}'; }
c_sort() { LC_ALL=C sort; }
empty_sum=$(printf '' | sum_of)

# check_run LABEL WARM WANT CMD: the warm-up runs of CMD (none when WARM=0), the first one
# checked: prints "" when it exits 0 with stdout checksum WANT, " WRONG" when the checksum
# differs ("sorted:SUM" compares the output after LC_ALL=C sort; empty WANT skips the check),
# FAIL on a non-zero exit.
check_run() {
	local label=$1 warm=$2 want=$3 cmd=$4 got filter=cat wrong=""
	((warm > 0)) || return 0
	if [[ $want == sorted:* ]]; then
		want=${want#sorted:}
		filter=c_sort
	fi
	if ! got=$(bash -c "$cmd" 2>"$tmp/err" | $filter | sum_of); then
		log "$label: FAILED (non-zero exit); first lines of its stderr:"
		sed -n 1,5p "$tmp/err" >&2
		echo FAIL
		return
	fi
	if [[ -n $want && $got != "$want" ]]; then
		log "$label: WRONG output (cksum '$got', want '$want')"
		wrong=" WRONG"
	fi
	while ((--warm > 0)); do bash -c "$cmd" >/dev/null 2>&1 || true; done
	printf '%s' "$wrong"
}

# measure LABEL RUNS WARMUP WANT CMD (workloads 6-8): check_run, then RUNS back-to-back
# hyperfine runs. Prints the median wall time in seconds, or FAIL; " WRONG" as check_run.
measure() {
	local label=$1 runs=$2 warm=$3 want=$4 cmd=$5 wrong
	log "$label: $cmd"
	wrong=$(check_run "$label" "$warm" "$want" "$cmd")
	[[ $wrong == FAIL ]] && { echo FAIL; return; }
	if ! hyperfine --shell=bash --style=basic --output=null --runs "$runs" \
		-n "$label" --export-csv "$tmp/h.csv" "$cmd" >&2; then
		echo FAIL
		return
	fi
	echo "$(awk -F, 'NR == 2 {print $4}' "$tmp/h.csv")$wrong"
}

median() { # the median of the numbers on stdin, one a line; n/a for none
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "n/a"; else printf "%.9g\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The tools of one interleaved measurement, declared with `tool`, timed by run_rounds.
t_key=() t_runs=() t_warm=() t_want=() t_cmd=()
tool() { # tool KEY RUNS WARMUP WANT CMD: KEY takes part in rounds 1..RUNS
	t_key+=("$1") t_runs+=("$2") t_warm+=("$3") t_want+=("$4") t_cmd+=("$5")
}
declare -A res rat # res[KEY]: median seconds, FAIL or n/a (+ " WRONG"); rat[KEY]: parx/KEY

# run_rounds LABEL SHELL: check_run each declared tool, then time them in interleaved rounds:
# each round is one `hyperfine --shell=SHELL --runs 1` call running every tool still in it
# once, in an order rotated by one each round. Sets res[KEY] to the median of KEY's rounds,
# keeps KEY's times per round in $tmp/r.KEY (lines "ROUND SECONDS") for round_ratio, sets
# rat[KEY] to round_ratio parx KEY, and clears the declarations.
run_rounds() {
	local label=$1 shell=$2 n=${#t_key[@]} rounds=0 i j k r args line
	res=() rat=()
	for ((i = 0; i < n; i++)); do
		k=${t_key[i]}
		rm -f "$tmp/r.$k"
		log "$label $k: ${t_cmd[i]}"
		res[$k]=$(check_run "$label $k" "${t_warm[i]}" "${t_want[i]}" "${t_cmd[i]}")
		((t_runs[i] > rounds)) && rounds=${t_runs[i]}
	done
	for ((r = 1; r <= rounds; r++)); do
		args=()
		for ((j = 0; j < n; j++)); do
			i=$(((j + r - 1) % n))
			[[ ${res[${t_key[i]}]} != FAIL ]] && ((r <= t_runs[i])) && args+=(-n "${t_key[i]}" "${t_cmd[i]}")
		done
		((${#args[@]})) || break
		if ! hyperfine --shell="$shell" --style=basic --output=null --runs 1 \
			--export-csv "$tmp/h.csv" "${args[@]}" >"$tmp/hf.log" 2>&1; then
			# hyperfine stops at the first failing command: time the round's tools one by one.
			: >"$tmp/h.csv"
			for ((j = 0; j < ${#args[@]}; j += 3)); do
				if hyperfine --shell="$shell" --style=basic --output=null --runs 1 \
					--export-csv "$tmp/h1.csv" "${args[@]:j:3}" >"$tmp/hf.log" 2>&1; then
					sed 1d "$tmp/h1.csv" >>"$tmp/h.csv"
				else
					log "$label ${args[j + 1]}: FAILED in round $r:"
					sed -n 1,5p "$tmp/hf.log" >&2
					res[${args[j + 1]}]=FAIL
					rm -f "$tmp/r.${args[j + 1]}"
				fi
			done
			sed -i '1i command' "$tmp/h.csv"
		fi
		line=$(awk -F, -v r="$r" -v d="$tmp" 'NR > 1 { print r, $2 >> (d "/r." $1); printf " %s %.4f", $1, $2 }' "$tmp/h.csv")
		log "$label round $r/$rounds:$line"
	done
	for k in "${t_key[@]}"; do
		[[ ${res[$k]} == FAIL ]] && continue
		[[ -s $tmp/r.$k ]] || { res[$k]=FAIL; continue; }
		res[$k]="$(cut -d' ' -f2 "$tmp/r.$k" | median)${res[$k]}"
		[[ $k != parx ]] && rat[$k]=$(round_ratio parx "$k")
	done
	t_key=() t_runs=() t_warm=() t_want=() t_cmd=()
}

# round_ratio A B: the median over the rounds that timed both A and B of A's time / B's
# (2 decimals), or n/a.
round_ratio() {
	local r
	[[ -s $tmp/r.$1 && -s $tmp/r.$2 ]] || { echo n/a; return; }
	r=$(awk 'NR == FNR { a[$1] = $2; next } ($1 in a) && $2 > 0 { print a[$1] / $2 }' "$tmp/r.$1" "$tmp/r.$2" | median)
	if [[ $r == n/a ]]; then echo n/a; else printf '%.2f\n' "$r"; fi
}

# peak_rss IN OUT CMD...: runs the tool once with stdin IN and stdout OUT; prints "wall_s KiB".
peak_rss() {
	local in=$1 out=$2
	shift 2
	"$TIME_BIN" -f '%e %M' -o "$tmp/time" "$@" <"$in" >"$out" 2>/dev/null || return 1
	tail -n 1 "$tmp/time"
}

# The tools beside parx, in column order, with their column and ratio names. Table rows,
# filled by add_row and plain_row: workload | parx | each tool | parx/each tool | target | verdict
others=(floor xargs mu gnu)
declare -A col_name=([floor]="Go floor" [xargs]="xargs -P" [mu]="moreutils parallel" [gnu]="GNU parallel")
declare -A short_name=([floor]=floor [xargs]=xargs [mu]=moreutils [gnu]=GNU)
rows=()

# ratio A B -> A/B with 2 decimals, or n/a when either is not a plain number (" WRONG" is ignored).
num_re='^[0-9]+([.][0-9]+)?$'
ratio() {
	local a=${1% WRONG} b=${2% WRONG}
	if [[ $a =~ $num_re && $b =~ $num_re ]]; then
		awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
	else
		echo n/a
	fi
}
fmt() { # fmt VALUE DECIMALS [SCALE]: round numbers (times SCALE), pass FAIL/WRONG/n/a through
	local v=$1 note=""
	[[ $v == *" WRONG" ]] && { v=${v% WRONG}; note=" WRONG"; }
	if [[ $v =~ $num_re ]]; then
		awk -v v="$v" -v s="${3:-1}" -v n="$note" "BEGIN { printf \"%.${2}f%s\", v * s, n }"
	else
		printf '%s%s' "$v" "$note"
	fi
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# add_row NAME DECIMALS TARGET_X TARGET_G: a row from res[] and rat[] (a ratio rat[] lacks is
# the ratio of the medians). TARGET_X/TARGET_G: maximum parx/xargs and parx/GNU ratios ("" = none).
add_row() {
	local name=$1 dec=$2 tx=$3 tg=$4 k p rx rg target="" verdict="" miss=() cells ratios=""
	res[parx]=${res[parx]:-n/a}
	for k in "${others[@]}"; do
		res[$k]=${res[$k]:-n/a}
		rat[$k]=${rat[$k]:-$(ratio "${res[parx]}" "${res[$k]}")}
	done
	p=${res[parx]} rx=${rat[xargs]} rg=${rat[gnu]}
	[[ -n $tx ]] && target="parx/xargs <= $tx"
	[[ -n $tg ]] && target="${target:+$target, }parx/GNU <= $tg"
	if [[ $p == FAIL* ]]; then
		verdict="FAIL (parx)"
	elif [[ $p == *WRONG ]]; then
		verdict="WRONG output (parx)"
	else
		if [[ -n $tx ]]; then
			if [[ $rx == n/a ]]; then miss+=("parx/xargs n/a"); elif ! le "$rx" "$tx"; then miss+=("MISS parx/xargs $rx"); fi
		fi
		if [[ -n $tg ]]; then
			if [[ $rg == n/a* ]]; then miss+=("parx/GNU n/a"); elif ! le "${rg%\*}" "$tg"; then miss+=("MISS parx/GNU $rg"); fi
		fi
		if ((${#miss[@]})); then
			verdict=$(printf '%s; ' "${miss[@]}")
			verdict=${verdict%; }
		elif [[ -n $target ]]; then
			verdict=ok
		else
			verdict="-"
		fi
	fi
	cells="$name|$(fmt "$p" "$dec")"
	for k in "${others[@]}"; do
		[[ ${res[$k]} == FAIL* || ${res[$k]} == *WRONG ]] && verdict="$verdict (${short_name[$k]}: ${res[$k]##* })"
		cells="$cells|$(fmt "${res[$k]}" "$dec")"
		ratios="$ratios|${rat[$k]}"
	done
	rows+=("$cells$ratios|${target:--}|$verdict")
}

# plain_row NAME PARX GNU TARGET VERDICT: a row of values beside GNU parallel's only (n/a for
# the other tools), with the ratio parx/GNU.
plain_row() {
	local k cells="$1|$2" ratios=""
	for k in "${others[@]}"; do
		if [[ $k == gnu ]]; then
			cells="$cells|$3" ratios="$ratios|$(ratio "$2" "$3")"
		else
			cells="$cells|n/a" ratios="$ratios|n/a"
		fi
	done
	rows+=("$cells$ratios|$4|$5")
}

gnu_tool() { # gnu_tool RUNS WANT CMD: declares GNU parallel, when there is one
	[[ -z $gnu ]] || tool gnu "$1" "$GNU_WARMUP" "$2" "$3"
}
floor_tool() { # floor_tool RUNS WANT CMD: declares the Go floor, when it was built
	[[ -z $floor ]] || tool floor "$1" 1 "$2" "$3"
}
mu_tool() { # mu_tool RUNS WANT CMD: declares moreutils' parallel, when there is one
	[[ -z $mu ]] || tool mu "$1" 1 "$2" "$3"
}

if wants 1; then
	tool parx "$RUNS" 1 "$empty_sum" "seq $JOBS | $P -j2 true"
	floor_tool "$RUNS" "$empty_sum" "seq $JOBS | $F -j 2 true"
	tool xargs "$RUNS" 1 "$empty_sum" "seq $JOBS | xargs -P2 -n1 true"
	mu_tool "$RUNS" "$empty_sum" "$M -j 2 true -- \$(seq $JOBS)"
	gnu_tool "$GNU_RUNS" "$empty_sum" "seq $JOBS | $G -j2 true"
	run_rounds 1 bash
	add_row "1. $JOBS x true, -j2 (s)" 3 1.1 0.1
fi

if wants 2; then
	tool parx $((RUNS * 10)) 1 "$empty_sum" "echo 1 | $P true"
	floor_tool $((RUNS * 10)) "$empty_sum" "echo 1 | $F true"
	tool xargs $((RUNS * 10)) 1 "$empty_sum" "echo 1 | xargs -n1 true"
	mu_tool $((RUNS * 10)) "$empty_sum" "$M true -- 1"
	gnu_tool "$RUNS" "$empty_sum" "echo 1 | $G true"
	run_rounds 2 bash
	add_row "2. one true job (s)" 4 1.2 ""
fi

if wants 3; then
	want=$(seq "$JOBS" | sum_of)
	tool parx "$RUNS" 1 "$want" "seq $JOBS | $P -k -j2 echo {}"
	sorted="sorted:$(seq "$JOBS" | c_sort | sum_of)"
	floor_tool "$RUNS" "$sorted" "seq $JOBS | $F -j 2 echo"
	tool xargs "$RUNS" 1 "$sorted" "seq $JOBS | xargs -P2 -n1 echo"
	mu_tool "$RUNS" "$sorted" "$M -j 2 echo -- \$(seq $JOBS)"
	gnu_tool "$GNU_RUNS" "$want" "seq $JOBS | $G -k -j2 echo {}"
	run_rounds 3 bash
	add_row "3. $JOBS x echo {}, -k -j2 (s)" 3 1.2 ""
fi

if wants 4; then
	want=$(head -c $((200 * 262144)) /dev/zero | sum_of)
	tool parx "$RUNS" 1 "$want" "yes /dev/zero | head -n 200 | $P -k -j2 head -c 262144"
	floor_tool "$RUNS" "$want" "yes /dev/zero | head -n 200 | $F -j 2 head -c 262144"
	tool xargs "$RUNS" 1 "$want" "yes /dev/zero | head -n 200 | xargs -P2 -n1 head -c 262144"
	mu_tool "$RUNS" "$want" "$M -j 2 head -c 262144 -- \$(yes /dev/zero | head -n 200)"
	gnu_tool "$GNU_RUNS" "$want" "yes /dev/zero | head -n 200 | $G -k -j2 head -c 262144"
	run_rounds 4 bash
	add_row "4. 200 x 256 KiB out, -k -j2 (s)" 3 "" ""
fi

if wants 5; then
	tool parx "$RUNS" 1 "$empty_sum" "yes 0.05 | head -n 400 | $P -j100 sleep"
	floor_tool "$RUNS" "$empty_sum" "yes 0.05 | head -n 400 | $F -j 100 sleep"
	tool xargs "$RUNS" 1 "$empty_sum" "yes 0.05 | head -n 400 | xargs -P100 -n1 sleep"
	mu_tool "$RUNS" "$empty_sum" "$M -j 100 sleep -- \$(yes 0.05 | head -n 400)"
	gnu_tool "$GNU_RUNS" "$empty_sum" "yes 0.05 | head -n 400 | $G -j100 sleep"
	run_rounds 5 bash
	add_row "5. 400 x sleep 0.05, -j100 (s)" 3 "" ""
fi

if wants 6; then
	lines=$tmp/lines
	seq "$DRYRUN_LINES" >"$lines"
	# --dry-run prints jobs as they "finish", not in input order: compare sorted lines.
	want=$(sed 's/^/echo /' "$lines" | c_sort | sum_of)
	p=$(measure "6 parx" "$RUNS" 1 "sorted:$want" "$P --dry-run echo < $(printf '%q' "$lines")")
	p_rss=n/a
	if [[ $p != FAIL* ]] && r=$(peak_rss "$lines" /dev/null "$PARX" --dry-run echo); then
		p_rss=$(awk -v k="${r#* }" 'BEGIN { printf "%.1f", k / 1024 }')
	fi
	g=n/a g_rss=n/a rg=""
	if [[ -n $gnu ]]; then
		seq "$GNU_DRYRUN_LINES" >"$tmp/gnu-lines"
		log "6 GNU: $G --dry-run echo < $GNU_DRYRUN_LINES lines (one run, timed by $TIME_BIN)"
		if r=$(peak_rss "$tmp/gnu-lines" "$tmp/gnu-out" "$gnu" --dry-run echo); then
			g=${r% *}
			g_rss=$(awk -v k="${r#* }" 'BEGIN { printf "%.1f", k / 1024 }')
			[[ $(c_sort <"$tmp/gnu-out" | sum_of) == "$(sed 's/^/echo /' "$tmp/gnu-lines" | c_sort | sum_of)" ]] || g="$g WRONG"
			rm -f "$tmp/gnu-out"
		else
			g=FAIL
		fi
		if [[ $DRYRUN_LINES != "$GNU_DRYRUN_LINES" ]]; then
			# Different line counts: compare time per input line, marked with *.
			r=$(ratio "$p" "$g")
			[[ $r != n/a ]] && r=$(awk -v r="$r" -v a="$DRYRUN_LINES" -v b="$GNU_DRYRUN_LINES" \
				'BEGIN { printf "%.4f*", r * b / a }')
			rg=$r
		fi
	fi
	gnote=""
	[[ -n $gnu && $DRYRUN_LINES != "$GNU_DRYRUN_LINES" ]] && gnote=" (GNU: $GNU_DRYRUN_LINES lines, 1 run)"
	res=([parx]=$p [gnu]=$g) rat=()
	[[ -n $rg ]] && rat[gnu]=$rg
	add_row "6. $DRYRUN_LINES lines --dry-run echo (s)$gnote" 3 "" ""
	# Peak RSS row: target parx <= 30 MiB.
	verdict="-"
	if [[ $p_rss =~ $num_re ]]; then
		if le "$p_rss" 30; then verdict=ok; else verdict="MISS ($p_rss MiB)"; fi
	elif [[ $p == FAIL* ]]; then
		verdict="FAIL (parx)"
	fi
	plain_row "6. same, peak RSS (MiB)$gnote" "$p_rss" "$g_rss" "parx <= 30 MiB" "$verdict"
fi

# pipe_rows N LABEL TARGET_G OPTS...: workload 7 or 8, --pipe(-part) of $big into wc -l.
pipe_rows() {
	local n=$1 label=$2 tg=$3 p g p_rss=n/a g_rss=n/a mb verdict
	shift 3
	local opts="$*" sum="| awk '{ s += \$1 } END { print s }'"
	p=$(measure "$n parx" "$RUNS" 1 "$pipe_want" "$P $opts wc -l $sum")
	g=n/a
	[[ -z $gnu ]] || g=$(measure "$n GNU" "$GNU_RUNS" "$GNU_WARMUP" "$pipe_want" "$G $opts wc -l $sum")
	res=([parx]=$p [gnu]=$g) rat=()
	add_row "$n. $label, $PIPE_MIB MiB (s)" 3 "" "$tg"
	mbps() { if [[ ${1% WRONG} =~ $num_re ]]; then awk -v b="$pipe_bytes" -v t="${1% WRONG}" 'BEGIN { printf "%.0f", b / 1e6 / t }'; else echo n/a; fi; }
	mb=$(mbps "$p")
	plain_row "$n. same, MB/s" "$mb" "$(mbps "$g")" - -
	# Peak RSS of one more run of each (stdin is the file for --pipe).
	if r=$(peak_rss "$big" /dev/null bash -c "exec $P $opts wc -l"); then p_rss=$(awk -v k="${r#* }" 'BEGIN { printf "%.1f", k / 1024 }'); fi
	if [[ -n $gnu ]] && r=$(peak_rss "$big" /dev/null bash -c "exec $G $opts wc -l"); then g_rss=$(awk -v k="${r#* }" 'BEGIN { printf "%.1f", k / 1024 }'); fi
	verdict="-"
	if [[ $p_rss =~ $num_re ]]; then
		if le "$p_rss" 64; then verdict=ok; else verdict="MISS ($p_rss MiB)"; fi
	fi
	plain_row "$n. same, peak RSS (MiB)" "$p_rss" "$g_rss" "parx <= 64 MiB" "$verdict"
}

if wants 7 || wants 8; then
	big=$tmp/big.txt
	log "writing a $PIPE_MIB MiB text file for workloads 7 and 8"
	# Lines of varying length; head ends the pipe early, hence || true.
	seq 1 40000000 | awk '{ printf "%s %s\n", $1, substr("abcdefghijklmnopqrstuvwxyz0123456789", 1, $1 % 37) }' |
		head -c $((PIPE_MIB << 20)) >"$big" || true
	pipe_bytes=$(wc -c <"$big")
	pipe_want=$(wc -l <"$big" | awk '{ print $1 }' | sum_of)
	B=$(printf '%q' "$big")
fi
wants 7 && pipe_rows 7 "--pipe --block 10M -j2 wc -l" 0.5 --pipe --block 10M -j2 "<" "$B"
wants 8 && pipe_rows 8 "--pipe-part --block 10M -j2 wc -l" 1.0 --pipe-part -a "$B" --block 10M -j2

# The start-up table: binary size, --version and one job, beside a Go hello-world and xargs,
# in RUNS*10 interleaved rounds of `hyperfine -N` (no shell: the one job reads its input line
# with -a FILE, as `echo 1 | parx true` would from the pipe). srows: what | parx | hello |
# xargs | parx/hello | parx/xargs
srows=()
start_row() { # start_row NAME PARX_KEY XARGS_KEY: times in ms, ratios of the rounds
	srows+=("$1|$(fmt "${res[$2]:-n/a}" 2 1000)|$(fmt "${res[hello]:-n/a}" 2 1000)|$(fmt "${res[$3]:-n/a}" 2 1000)|$(round_ratio "$2" hello)|$(round_ratio "$2" "$3")")
}
if wants startup; then
	echo 1 >"$tmp/one"
	O=$(printf '%q' "$tmp/one")
	tool pv $((RUNS * 10)) 1 "" "$P --version"
	[[ -z $hello ]] || tool hello $((RUNS * 10)) 1 "$(echo 'hello, world' | sum_of)" "$H"
	tool xv $((RUNS * 10)) 1 "" "xargs --version"
	tool p1 $((RUNS * 10)) 1 "$empty_sum" "$P -a $O true"
	tool x1 $((RUNS * 10)) 1 "$empty_sum" "xargs -a $O true"
	run_rounds startup none
	xargs_bin=$(command -v xargs)
	ps=$(wc -c <"$PARX") xs=$(wc -c <"$xargs_bin") hs=n/a
	[[ -z $hello ]] || hs=$(wc -c <"$hello")
	srows+=("binary size (bytes)|$ps|$hs|$xs|$(ratio "$ps" "$hs")|$(ratio "$ps" "$xs")")
	mib=9.5367431640625e-07 # 1 / 2^20, exactly
	srows+=("binary size (MiB)|$(fmt "$ps" 2 $mib)|$(fmt "$hs" 2 $mib)|$(fmt "$xs" 2 $mib)|-|-")
	start_row "--version (ms)" pv xv
	start_row "one job: -a FILE true (ms)" p1 x1
fi

elapsed=$((SECONDS - started))
header="workload|parx" align="|---|---:"
for k in "${others[@]}"; do header="$header|${col_name[$k]}" align="$align|---:"; done
for k in "${others[@]}"; do header="$header|parx/${short_name[$k]}" align="$align|---:"; done
header="$header|target|verdict" align="$align|---|---|"

# print_table HEADER ALIGN ROW...: the rows (cells split by |) as a plain aligned table, then
# as a Markdown table whose separator line is ALIGN.
print_table() {
	local header=$1 align=$2 row
	shift 2
	printf '%s\n' "$header" "$@" | awk -F'|' '
		{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
		END {
			for (r = 1; r <= n; r++) {
				line = ""
				for (i = 1; i <= nf; i++) line = line sprintf("%-" w[i] "s", cell[r, i]) (i < nf ? "  " : "")
				sub(/ +$/, "", line); print line
			}
		}'
	echo
	echo "Markdown:"
	echo
	echo "| ${header//|/ | } |"
	echo "$align"
	for row in "$@"; do
		echo "| ${row//|/ | } |"
	done
	echo
}

if ((${#rows[@]})); then
	echo "## Results (medians in seconds unless noted)"
	echo
	print_table "$header" "$align" "${rows[@]}"
	echo "Notes: medians of timed runs: parx, the Go floor, xargs and moreutils $RUNS (workload 2: $((RUNS * 10))), GNU parallel $GNU_RUNS (workload 2: $RUNS); each after one checked warm-up run (GNU parallel: $GNU_WARMUP warm-up runs). Workloads 1-5: interleaved rounds, one run of each tool per round; ratios are medians of the per-round ratios."
	echo "xargs, the Go floor and moreutils parallel run without -k (they have none). \"*\" = ratio of time per input line (different line counts). WRONG = output checksum differs from the expected output; FAIL = non-zero exit."
	echo "Commands: seq $JOBS | parx -j2 true; echo 1 | parx true; seq $JOBS | parx -k -j2 echo {}; yes /dev/zero | head -n 200 | parx -k -j2 head -c 262144; yes 0.05 | head -n 400 | parx -j100 sleep; parx --dry-run echo < lines; parx --pipe --block 10M -j2 wc -l < big; parx --pipe-part -a big --block 10M -j2 wc -l (xargs: same with -P2 -n1 / -n1 / -P100 -n1; Go floor: execfloor -j 2 / -j 100 CMD, no -k; moreutils: parallel.moreutils -j 2 / -j 100 CMD -- \$(seq ...), no -k)."
fi
if ((${#srows[@]})); then
	((${#rows[@]} == 0)) || echo
	echo "## Start-up (medians of $((RUNS * 10)) interleaved rounds, hyperfine -N)"
	echo
	print_table "start-up|parx|Go hello-world|xargs|parx/hello|parx/xargs" "|---|---:|---:|---:|---:|---:|" "${srows[@]}"
	echo "Commands: parx --version, hello, xargs --version; parx -a one true, xargs -a one true (one = a file holding the line 1; the hello column is the same hello-world run, no job). Ratios: medians of the per-round ratios. xargs is linked dynamically: its size leaves out libc. WRONG/FAIL as above."
fi
echo
echo "Total benchmark time: ${elapsed} s."
