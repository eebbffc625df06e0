#!/usr/bin/env bats
# The real boot (issue 3, point 6): the example image (Debian's cloud kernel, our static
# init, a busybox-static rootfs) boots under qemu-system-x86_64 (TCG) from the bytes
# inside the EIF, and the program named in `cmd` runs and prints its marker.
# Needs qemu-system-x86 (scripts/deps.sh) and Debian's package archive on first use
# (downloads cached in examples/cache/). QT_SKIP_BOOT=1 skips it, visibly.
load ../helpers/common

setup() {
	common_setup
	[ -z "${QT_SKIP_BOOT:-}" ] || skip "QT_SKIP_BOOT is set"
	export QT_EXAMPLE_OUT="$BATS_TEST_TMPDIR/out"
}

# section_data IMAGE INDEX: the data of section INDEX (offsets table at byte 28, sizes at 284)
section_data() {
	local off size
	off=$(od -An -j $((28 + 8 * $2)) -N 8 -t x1 "$1" | tr -d ' \n')
	size=$(od -An -j $((284 + 8 * $2)) -N 8 -t x1 "$1" | tr -d ' \n')
	tail -c +$((0x$off + 12 + 1)) "$1" | head -c $((0x$size))
}

@test "boot: the example image boots under qemu and its cmd prints the marker" {
	run -0 --separate-stderr "$TOP/examples/build-example.sh"
	built=$output
	img="$QT_EXAMPLE_OUT/example.eif"
	# what qt-measure reads from the file is what qt-build printed
	run -0 --separate-stderr qt-measure "$img"
	assert_equal "$output" "$built"
	# sections: kernel 0, cmdline 1, metadata 2, bootstrap ramdisk 3, app ramdisk 4
	section_data "$img" 0 >vmlinuz
	section_data "$img" 1 >cmdline
	{ section_data "$img" 3; section_data "$img" 4; } >initrd
	assert_equal "$(cat cmdline)" "console=ttyS0 panic=-1 loglevel=4"
	run timeout 300 qemu-system-x86_64 -accel tcg -m 256 -smp 1 -nographic -no-reboot \
	    -kernel vmlinuz -initrd initrd -append "$(cat cmdline)" </dev/null
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/console.log"
	assert_equal "$status" 0
	# only a shell that ran can turn QT-EXAMPLE-$((6*7)) into 42
	assert_output --partial "qt example: Linux "
	assert_output --partial ": QT-EXAMPLE-42"
	assert_output --partial "qt-init: /bin/sh exited with status 0"
	refute_output --partial "Kernel panic"
}
