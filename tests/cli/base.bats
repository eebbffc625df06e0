#!/usr/bin/env bats
load ../helpers/common

setup() {
	common_setup
}

@test "all tools: --version prints name and version, exit 0" {
	for t in qt-build qt-measure qt-sign; do
		run -0 --separate-stderr "$t" --version
		assert_output "$t 0.1.0"
	done
}
