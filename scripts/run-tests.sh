#!/bin/bash
# run-tests.sh: run every unit test binary given as an argument, then every
# bats file under tests/cli/ (TAP), and end with one summary line:
# "total: N passed, N failed, N skipped". A skipped test is neither passed
# nor failed. Exit status 0 only if nothing failed and something passed.
# --unit-only skips the bats files. TESTS=name.bats runs only that file.
# QT_ATTEST_GEN names the test-document generator the bats files run (make
# test passes its configuration's; the default is the gcc configuration's).
set -u
cd "$(dirname "$0")/.." || exit 2
QT_ATTEST_GEN=${QT_ATTEST_GEN:-$PWD/build/gcc/tests/gen/attest-gen}
export QT_ATTEST_GEN

unit_only=0
if [ "${1:-}" = "--unit-only" ]; then
	unit_only=1
	shift
fi

passed=0
failed=0
skipped=0
for t in "$@"; do
	case $t in /*) ;; *) t=./$t ;; esac
	# shellcheck disable=SC2086
	out=$(${TEST_WRAPPER:-} "$t" 2>&1) # e.g. TEST_WRAPPER="valgrind --error-exitcode=3"
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok ' || true
	line=$(printf '%s\n' "$out" | tail -n 1)
	# "N passed, N failed" with an optional ", N skipped"
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		skipped=$((skipped + ${BASH_REMATCH[4]:-0}))
	else
		echo "$t: no summary line (exit $rc)"
		failed=$((failed + 1))
	fi
	[ $rc -eq 0 ] || [[ $line =~ [1-9][0-9]*\ failed ]] || failed=$((failed + 1))
done
echo "unit: $passed passed, $failed failed, $skipped skipped"

if [ $unit_only -eq 0 ]; then
	files=()
	if [ -n "${TESTS:-}" ]; then
		for f in $TESTS; do files+=("tests/cli/$f"); done
	else
		shopt -s nullglob
		files=(tests/cli/*.bats)
	fi
	if [ ${#files[@]} -gt 0 ]; then
		tap=$(mktemp)
		bats --tap "${files[@]}" | tee "$tap"
		# TAP: "ok N name", "ok N name # skip [reason]", "not ok N name"
		bok=$(grep -c '^ok ' "$tap")
		bs=$(grep -cE '^ok [0-9]+ .*# skip( |$)' "$tap")
		bf=$(grep -c '^not ok ' "$tap")
		plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -n 1)
		rm -f "$tap"
		bp=$((bok - bs))
		# A crashed bats run prints fewer results than its plan: count the rest as failed.
		if [ -n "$plan" ] && [ $((bok + bf)) -lt "$plan" ]; then
			bf=$((plan - bok))
		fi
		echo "cli: $bp passed, $bf failed, $bs skipped"
		passed=$((passed + bp))
		failed=$((failed + bf))
		skipped=$((skipped + bs))
	fi
fi

echo "total: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
