#!/bin/bash
# bench/lib.sh: what the bench scripts share (sourced, not run). Every contender
# runs once per round, in the same order each round (A B C A B C ...), under
# /usr/bin/time; the report gives, per contender, the median wall time and its
# range, the median CPU time (user + sys, children included) and the peak RSS,
# then the ratios of medians the script asks for. The machine load is sampled
# before every run (1-minute load average) and the CPU the whole machine used
# during the rounds is measured from /proc/stat, so a figure taken on a busy
# machine says so. CPU ratios hold on a busy machine; wall ratios need an idle one.
#
# Use: bench_add NAME COMMAND (a bash -c string) for each contender, then
# bench_run ROUNDS [PREP], then bench_report and bench_ratio A B [TARGET].
# PREP (a bash -c string) runs before every timed run, untimed (e.g. sync).
# Needs $work (a scratch directory).

# Run rather than sourced (make bench runs every bench/*.sh): nothing to do.
(return 0 2>/dev/null) || exit 0
: "${work:?bench/lib.sh: set work to a scratch directory first}"

# bench_snapshot DIR NAME: copy DIR's three tools into $work/NAME (a rebuild, or
# `make SAN=1`, which copies other binaries over DIR's, must not change a run).
bench_snapshot() {
	local t
	mkdir -p "$work/$2"
	for t in qt-build qt-measure qt-sign; do
		mkdir -p "$work/$2/$t"
		cp "$1/$t/$t" "$work/$2/$t/$t"
	done
}

bench_names=()
declare -A bench_cmd

bench_add() {
	bench_names+=("$1")
	bench_cmd[$1]=$2
	: >"$work/runs.$1"
}

# Jiffies the machine spent busy and in total so far (all CPUs).
bench_jiffies() {
	awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6; print busy, total }' /proc/stat
}

bench_run() {
	local rounds=$1 prep=${2:-} r name w u s m b0 t0 b1 t1
	read -r b0 t0 < <(bench_jiffies)
	: >"$work/loads"
	for ((r = 1; r <= rounds; r++)); do
		for name in "${bench_names[@]}"; do
			[ -z "$prep" ] || bash -c "$prep" >/dev/null
			cut -d' ' -f1 /proc/loadavg >>"$work/loads"
			/usr/bin/time -f '%e %U %S %M' -o "$work/t" bash -c "${bench_cmd[$name]}" >/dev/null
			read -r w u s m <"$work/t"
			echo "$w $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') $m" >>"$work/runs.$name"
		done
	done
	read -r b1 t1 < <(bench_jiffies)
	bench_busy=$(awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" -v n="$(nproc)" \
	    'BEGIN { printf "%.2f", (t > 0) ? n * b / t : 0 }')
}

# median of column $2 of runs.$1; min and max with "range"
bench_stat() {
	sort -n -k"$2,$2" "$work/runs.$1" | awk -v c="$2" -v what="${3:-median}" '
	{ v[NR] = $c }
	END {
		if (what == "range") { printf "%.2f-%.2f", v[1], v[NR]; exit }
		if (what == "max") { printf "%d", v[NR]; exit }
		printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

bench_report() {
	local name
	echo "bench: $(nproc) cores; load average before the runs: median $(sort -n "$work/loads" |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'), max $(sort -n "$work/loads" |
	    tail -n 1); the machine used $bench_busy of $(nproc) cores during the rounds (all processes)"
	for name in "${bench_names[@]}"; do
		printf 'bench: %-22s wall %7.3f s (%s)  CPU %7.3f s  peak RSS %4d MiB\n' "$name" \
		    "$(bench_stat "$name" 1)" "$(bench_stat "$name" 1 range)" "$(bench_stat "$name" 2)" \
		    "$(($(bench_stat "$name" 3 max) / 1024))"
	done
}

# bench_ratio A B [WALL_TARGET [CPU_TARGET]]: median(A) / median(B), wall and CPU.
bench_ratio() {
	local a=$1 b=$2 wt=${3:-} ct=${4:-} rw rc
	rw=$(awk -v x="$(bench_stat "$a" 1)" -v y="$(bench_stat "$b" 1)" 'BEGIN { printf "%.3f", x / y }')
	rc=$(awk -v x="$(bench_stat "$a" 2)" -v y="$(bench_stat "$b" 2)" 'BEGIN { printf "%.3f", x / y }')
	printf 'bench: %s / %s: wall %s x%s, CPU %s x%s\n' "$a" "$b" \
	    "$rw" "${wt:+ (target <= $wt: $(awk -v r="$rw" -v t="$wt" 'BEGIN { print (r <= t) ? "met" : "MISSED" }'))}" \
	    "$rc" "${ct:+ (target <= $ct: $(awk -v r="$rc" -v t="$ct" 'BEGIN { print (r <= t) ? "met" : "MISSED" }'))}"
}

# bench_rss_check LIMIT_MIB NAME...: the largest peak RSS of the named contenders against LIMIT.
bench_rss_check() {
	local limit=$1 name max=0 m
	shift
	for name in "$@"; do
		m=$(($(bench_stat "$name" 3 max) / 1024))
		[ "$m" -gt "$max" ] && max=$m
	done
	echo "bench: peak RSS of $*: $max MiB (target <= $limit: $([ "$max" -le "$limit" ] && echo met || echo MISSED))"
}
