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

@test "all tools: --profile is one flag; the old --format qingtian|nitro prints one deprecation line" {
	c2="$GOLD/outputs/c2_x86_2rd.eif"
	run -0 --separate-stderr qt-sign --remove "$c2" -o a.eif --profile nitro --json=short
	want=$output
	assert_equal "$stderr" ""
	run -0 --separate-stderr qt-sign --remove "$c2" -o b.eif --format nitro --json=short
	assert_equal "$output" "$want"
	assert_equal "$stderr" "qt-sign: --format qingtian|nitro is deprecated; use --profile qingtian|nitro"
	cmp a.eif "$c2" && cmp b.eif "$c2"
	run -0 --separate-stderr qt-measure --profile nitro --json=short "$c2"
	assert_equal "$output" "$want"
	run -2 --separate-stderr qt-sign --remove "$c2" -o c.eif --json=short --json=pretty
	assert_equal "${stderr%%$'\n'*}" "qt-sign: --json given twice"
	run -2 --separate-stderr qt-sign --remove "$c2" -o c.eif --profile aws
	assert_equal "${stderr%%$'\n'*}" "qt-sign: --profile: 'aws' is not qingtian or nitro"
	run -2 --separate-stderr qt-sign --remove
	assert_equal "${stderr%%$'\n'*}" "qt-sign: expected exactly one IMAGE operand"
	[ ! -e c.eif ]
}
