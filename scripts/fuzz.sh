#!/bin/bash
# fuzz.sh SECONDS TARGET...: run each libFuzzer target (build/fuzz/fuzz_TARGET)
# for SECONDS from its committed seeds (tests/fuzz/corpus/TARGET, read only)
# and a working corpus (build/corpus/TARGET, kept between runs). Niced.
# A crash leaves build/fuzz/crash-TARGET-* and fails the run; turn it into a
# regression input under tests/fixtures/fuzz/TARGET/.
# Prints one line per target: executions, coverage (cov = edges, ft = features).
# Environment:
#   FUZZ_RUNS=N   also stop a target after N executions (whichever comes first)
#   FUZZ_JOBS=N   run N targets at once (default 1; each target is one process)
#   FUZZ_OPTS=".." extra libFuzzer options, e.g. "-max_len=65536"
set -u
cd "$(dirname "$0")/.." || exit 2
secs=$1
shift
jobs=${FUZZ_JOBS:-1}
log=build/fuzz/fuzz.log
mkdir -p build/fuzz

run_one() {
	local t=$1 out="build/fuzz/$1.out" rc execs last cov ft line runs=()
	[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
	mkdir -p "build/corpus/$t" "tests/fuzz/corpus/$t"
	# shellcheck disable=SC2086
	nice -n 19 "build/fuzz/fuzz_$t" -max_total_time="$secs" "${runs[@]}" -print_final_stats=1 \
	    -timeout=20 -rss_limit_mb=2048 -artifact_prefix="build/fuzz/crash-$t-" \
	    ${FUZZ_OPTS:-} "build/corpus/$t" "tests/fuzz/corpus/$t" >"$out" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$out" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	line="fuzz $t: ${secs}s${FUZZ_RUNS:+ or $FUZZ_RUNS runs} execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=$(find "build/corpus/$t" -type f | wc -l) rc=$rc"
	echo "$line"
	echo "$(date -u +%FT%TZ) $line" >>"$log"
	if [ $rc -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|invariant|Test unit written|^    #[0-9]' "$out" | head -n 30 |
		    grep . || tail -n 5 "$out"
	fi
	return $rc
}

# One exit status file per target: a worker's status is never lost to `wait -n`.
for t in "$@"; do rm -f "build/fuzz/$t.rc"; done
for t in "$@"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	(
		run_one "$t"
		echo $? >"build/fuzz/$t.rc"
	) &
done
wait
fail=0
for t in "$@"; do
	[ "$(cat "build/fuzz/$t.rc" 2>/dev/null)" = 0 ] || fail=1
done
exit $fail
