#!/bin/bash
# fuzz.sh SECONDS TARGET...: run each libFuzzer target (build/fuzz/fuzz_TARGET)
# for SECONDS from its committed seeds (tests/fuzz/corpus/TARGET, read only)
# and a working corpus (build/corpus/TARGET, kept between runs). One process
# at a time, niced. A crash leaves build/fuzz/crash-TARGET-* and fails the run;
# turn it into a regression input under tests/fixtures/fuzz/TARGET/.
# Prints one line per target: executions, coverage (cov = edges, ft = features).
# Extra libFuzzer options: FUZZ_OPTS="-max_len=65536 ...".
set -u
cd "$(dirname "$0")/.."
secs=$1
shift
log=build/fuzz/fuzz.log
mkdir -p build/fuzz
fail=0
for t in "$@"; do
	mkdir -p "build/corpus/$t" "tests/fuzz/corpus/$t"
	out="build/fuzz/$t.out"
	# shellcheck disable=SC2086
	nice -n 19 "build/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=20 -rss_limit_mb=2048 -artifact_prefix="build/fuzz/crash-$t-" \
	    ${FUZZ_OPTS:-} "build/corpus/$t" "tests/fuzz/corpus/$t" >"$out" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$out" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	line="fuzz $t: ${secs}s execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=$(find "build/corpus/$t" -type f | wc -l) rc=$rc"
	echo "$line"
	echo "$(date -u +%FT%TZ) $line" >>"$log"
	if [ $rc -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|invariant|Test unit written|^    #[0-9]' "$out" | head -n 30
		fail=1
	fi
done
exit $fail
