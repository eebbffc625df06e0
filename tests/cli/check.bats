#!/usr/bin/env bats
# qt-measure check --manifest M IMAGE: is this file the approved build?
load ../helpers/common

C5="$GOLD/outputs/c5_signed_p384.eif"
C2="$GOLD/outputs/c2_x86_2rd.eif"
C1="$GOLD/outputs/c1_x86_1rd.eif"
C5_PCR0=8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131
C5_PCR8=cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e5dd907e08b3244f207366ce6d4ea80e1
C1_PCR0=031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe
C5_RD1=fbebda70e12e4a5a3e60d23cb479bfc226dda4ef5bd7a0ee104cf02672789c35af1404bc3b6e5c5672d227b7eab723d7
Z96=$(printf '0%.0s' {1..96})

setup() {
	common_setup
}

@test "qt-measure check: a renamed copy of the approved build exits 0" {
	qt-measure manifest -o approved.json "$C5"
	cp "$C5" shipped-under-another-name.eif
	run -0 --separate-stderr qt-measure check --manifest approved.json shipped-under-another-name.eif
	assert_equal "$stderr" ""
	assert_output "PCR0       ok
PCR8       ok
kernel     ok
cmdline    ok
ramdisk 0  ok
ramdisk 1  ok
shipped-under-another-name.eif: the approved build of approved.json"
}

@test "qt-measure check: the unsigned build names PCR8 with both values, exits 1" {
	qt-measure manifest -o approved.json "$C5"
	run -1 --separate-stderr qt-measure check --manifest approved.json "$C2"
	assert_equal "$stderr" ""
	# c2 and c5 share every section but the signature: only PCR8 differs
	assert_output "PCR0       ok
PCR8       DIFFERS
    approved $C5_PCR8
    image    $Z96
kernel     ok
cmdline    ok
ramdisk 0  ok
ramdisk 1  ok
$C2: not the approved build of approved.json: 1 of 6 values differ (PCR8)"
}

@test "qt-measure check: a build with a ramdisk less names PCR0, PCR8 and the missing ramdisk" {
	qt-measure manifest -o approved.json "$C5"
	run -1 --separate-stderr qt-measure check --manifest approved.json "$C1"
	assert_output "PCR0       DIFFERS
    approved $C5_PCR0
    image    $C1_PCR0
PCR8       DIFFERS
    approved $C5_PCR8
    image    $Z96
kernel     ok
cmdline    ok
ramdisk 0  ok
ramdisk 1  DIFFERS
    approved $C5_RD1
    image    (absent)
$C1: not the approved build of approved.json: 3 of 6 values differ (PCR0, PCR8, ramdisk 1)"
}

@test "qt-measure check: a nitro manifest compares PCR1 and PCR2; PCR3/PCR4 are not the image's" {
	qt-measure manifest --profile nitro --instance-id i-0123456789abcdef0 -o approved.json "$C2"
	grep -q '"4": ' approved.json
	run -0 --separate-stderr qt-measure check --manifest approved.json "$C2"
	assert_equal "${lines[0]}" "PCR0       ok"
	assert_equal "${lines[1]}" "PCR1       ok"
	assert_equal "${lines[2]}" "PCR2       ok"
	assert_equal "${lines[3]}" "PCR8       ok"
	refute_output --partial "PCR4"
	run -1 --separate-stderr qt-measure check --manifest approved.json "$C1"
	assert_line "PCR2       DIFFERS"
	assert_line "PCR1       ok"
}

@test "qt-measure check: a damaged image or manifest cannot tell (exit 2, nothing on stdout)" {
	qt-measure manifest -o approved.json "$C5"
	cp "$C5" bad.eif
	printf '\xff' | dd of=bad.eif bs=1 seek=1000 conv=notrunc status=none
	run -2 --separate-stderr qt-measure check --manifest approved.json bad.eif
	assert_output ""
	[[ "$stderr" =~ ^"qt-measure: bad.eif: CRC mismatch: the header says "[0-9a-f]{8}", the contents give "[0-9a-f]{8}$ ]]
	echo '{}' >broken.json
	run -2 --separate-stderr qt-measure check --manifest broken.json "$C5"
	assert_output ""
	[[ "$stderr" == "qt-measure: broken.json: "* ]]
	run -2 --separate-stderr qt-measure check --manifest approved.json missing.eif
	assert_output ""
	[[ "$stderr" == "qt-measure: missing.eif: "* ]]
}

@test "qt-measure check: usage errors exit 2" {
	run -2 --separate-stderr qt-measure check "$C5"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: check: --manifest is required"
	run -2 --separate-stderr qt-measure check --manifest a.json --manifest b.json "$C5"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --manifest given twice"
	run -2 --separate-stderr qt-measure check --manifest a.json
	assert_equal "${stderr%%$'\n'*}" "qt-measure: check: expected exactly one IMAGE operand"
	run -2 --separate-stderr qt-measure check --bogus --manifest a.json "$C5"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: check: unknown option or missing argument: '--bogus'"
	assert_equal "${stderr_lines[1]}" "try 'qt-measure check --help'"
	run -0 qt-measure check --help
	assert_line --index 0 "usage: qt-measure check --manifest FILE [--progress | --quiet] IMAGE"
	assert_line "  --manifest FILE            the manifest (qt-manifest(5)); required"
}
