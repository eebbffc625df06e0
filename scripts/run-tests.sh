#!/bin/bash
# run-tests.sh: run every unit test binary given as an argument, then every
# bats file under tests/cli/ (TAP), and end with one summary line:
# "total: N passed, N failed". Exit status 0 only if nothing failed.
# --unit-only skips the bats files. TESTS=name.bats runs only that file.
set -u
cd "$(dirname "$0")/.." || exit 2

unit_only=0
if [ "${1:-}" = "--unit-only" ]; then
	unit_only=1
	shift
fi

passed=0
failed=0
for t in "$@"; do
	# shellcheck disable=SC2086
	out=$(${TEST_WRAPPER:-} "./$t" 2>&1) # e.g. TEST_WRAPPER="valgrind --error-exitcode=3"
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok ' || true
	line=$(printf '%s\n' "$out" | tail -n 1)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
	else
		echo "$t: no summary line (exit $rc)"
		failed=$((failed + 1))
	fi
	[ $rc -eq 0 ] || [[ $line =~ [1-9][0-9]*\ failed ]] || failed=$((failed + 1))
done
echo "unit: $passed passed, $failed failed"

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
		bp=$(grep -c '^ok ' "$tap")
		bf=$(grep -c '^not ok ' "$tap")
		plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -n 1)
		rm -f "$tap"
		# A crashed bats run prints fewer results than its plan: count the rest as failed.
		if [ -n "$plan" ] && [ $((bp + bf)) -lt "$plan" ]; then
			bf=$((plan - bp))
		fi
		echo "cli: $bp passed, $bf failed"
		passed=$((passed + bp))
		failed=$((failed + bf))
	fi
fi

echo "total: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
