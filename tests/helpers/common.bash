# tests/helpers/common.bash — `load ../helpers/common` at the top of every .bats file.
bats_require_minimum_version 1.5.0 # run -N, --separate-stderr
bats_load_library bats-support
bats_load_library bats-assert

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
FIX="$TOP/tests/fixtures"
GOLD="$FIX/golden"
PATH="$TOP/qt-build:$TOP/qt-measure:$TOP/qt-sign:$PATH"
# The test-document generator of the configuration under test (scripts/run-tests.sh exports it).
QT_ATTEST_GEN=${QT_ATTEST_GEN:-$TOP/build/gcc/tests/gen/attest-gen}
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=0

common_setup() {
	cd "$BATS_TEST_TMPDIR" || return 1 # fresh dir per test, removed by bats
}
