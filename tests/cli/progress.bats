#!/usr/bin/env bats
# Progress on stderr: an updating line on a terminal (script(1) gives the tools a pty),
# plain lines and a summary with --progress, nothing with --quiet or off a terminal.
load ../helpers/common

IN="$GOLD/inputs"

setup() {
	common_setup
	# a 12 MiB ramdisk: three progress steps (4 MiB); it is no cpio archive, hence the warnings
	head -c $((12 << 20)) /dev/zero >big.bin
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" \
	    --ramdisk big.bin -o big.eif >/dev/null 2>&1
	SIZE=$(stat -c %s big.eif)
}

# feed FILE SECONDS: FILE into the fifo "slow", its first 6 MiB, a pause, the rest
feed() {
	rm -f slow && mkfifo slow
	{ head -c $((6 << 20)) "$1"; sleep "$2"; tail -c +$(((6 << 20) + 1)) "$1"; } >slow &
}

# the stderr of CMD... run on a pseudo-terminal, stdout discarded
on_tty() {
	script -qec "$* >/dev/null" /dev/null
}

@test "progress: off a terminal nothing; --quiet nothing" {
	run -0 --separate-stderr qt-measure big.eif
	assert_equal "$stderr" ""
	run -0 --separate-stderr qt-measure describe --quiet big.eif
	assert_equal "$stderr" ""
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" -o a.eif
	[[ $stderr != *written* ]]
}

@test "progress: --progress ends with one summary line (size, sections, rate, time)" {
	run -0 --separate-stderr qt-measure --progress --json=short big.eif
	assert_output --regexp '^\{"digest":"SHA384","PCR0":"[0-9a-f]{96}"'
	assert_equal "${#stderr_lines[@]}" 1
	[[ ${stderr_lines[0]} =~ ^qt-measure:\ 12\.0\ MiB\ of\ 12\.0\ MiB\ read\ \(100%\),\ 5\ sections,\ [0-9.]+\ [KMG]iB/s,\ done\ in\ [0-9]+\.[0-9]\ s$ ]]
	# standard input redirected from a file has a size; a pipe has none
	run -0 --separate-stderr qt-measure describe --progress - <big.eif
	[[ ${stderr_lines[0]} =~ ^qt-measure:\ 12\.0\ MiB\ of\ 12\.0\ MiB\ read\ \(100%\),\ 5\ sections, ]]
	run -0 --separate-stderr bash -c 'cat big.eif | qt-measure describe --progress -'
	[[ ${stderr_lines[0]} =~ ^qt-measure:\ 12\.0\ MiB\ read,\ 5\ sections, ]]
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk big.bin \
	    -o b.eif --progress
	# two pre-flight warnings (kernel, ramdisk), then the summary: kernel and ramdisk bytes
	assert_equal "${#stderr_lines[@]}" 3
	[[ ${stderr_lines[2]} =~ ^qt-build:\ 12\.0\ MiB\ of\ 12\.0\ MiB\ written\ \(100%\),\ 4\ sections,\ [0-9.]+\ [KMG]iB/s,\ done\ in\ [0-9]+\.[0-9]\ s$ ]]
	cmp <(qt-measure b.eif) <(qt-measure --quiet b.eif)
}

# root/: a 5 MiB executable, so the application ramdisk is 10 entries (rootfs, f, the six fixed
# directories, cmd, env); the bootstrap ramdisk is 3 (dev, init, nsm.ko)
rootfs_image() {
	mkdir -p root && head -c $((5 << 20)) /dev/zero >root/f && chmod 755 root/f
	qt-build --kernel "$IN/kernel.bin" --cmdline x --init "$IN/init.bin" --driver "$IN/nsm.ko.bin" \
	    --rootfs root --cmd /f "$@"
}

@test "progress: a --rootfs build counts entries and knows its total (uncompressed)" {
	run -0 --separate-stderr rootfs_image -o r.eif --progress
	# two pre-flight warnings (init, kernel), then the summary
	assert_equal "${#stderr_lines[@]}" 3
	[[ ${stderr_lines[2]} =~ ^qt-build:\ (5\.0[0-9]\ MiB)\ of\ (5\.0[0-9]\ MiB)\ written\ \(100%\),\ 13\ entries,\ 5\ sections,\ [0-9.]+\ [KMG]iB/s,\ done\ in\ [0-9]+\.[0-9]\ s$ ]]
	assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	# --measure-only fills the hashers' buffers on this thread: the same count, "measured"
	run -0 --separate-stderr rootfs_image --measure-only --progress
	[[ ${stderr_lines[2]} =~ ^qt-build:\ 5\.0[0-9]\ MiB\ of\ 5\.0[0-9]\ MiB\ measured\ \(100%\),\ 13\ entries,\ 5\ sections, ]]
	# gzip: the compressed size is not known beforehand: no total, no percentage; entries still
	run -0 --separate-stderr rootfs_image --compress gzip -o g.eif --progress
	[[ ${stderr_lines[2]} =~ ^qt-build:\ [0-9.]+\ KiB\ written,\ 13\ entries,\ 5\ sections,\ [0-9.]+\ [KMG]?i?B/s,\ done\ in ]]
	# ready-made ramdisks only: no entries counted
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" \
	    --ramdisk "$IN/ramdisk1.cpio" -o f.eif --progress
	[[ ${stderr_lines[-1]} =~ ^qt-build:\ [0-9.]+\ KiB\ of\ [0-9.]+\ KiB\ written\ \(100%\),\ 5\ sections, ]]
	run -0 --separate-stderr rootfs_image -o q.eif --quiet
	refute_output --partial written
	[[ $stderr != *written* && $stderr != *entries* ]]
	cmp r.eif q.eif
}

@test "progress: a build's running line shows the entries written, of how many" {
	# a pipe as the last ramdisk: the build waits there, after the generated ones
	rm -f slowrd && mkfifo slowrd
	{ head -c $((6 << 20)) big.bin; sleep 2.3; head -c $((6 << 20)) big.bin; } >slowrd &
	run -0 --separate-stderr rootfs_image --ramdisk slowrd -o s.eif --progress
	wait
	assert_equal "${#stderr_lines[@]}" 4
	# the first line comes at the first 4 MiB step after 2 s: in the pipe's ramdisk
	[[ ${stderr_lines[2]} =~ ^qt-build:\ 1[0-9]\.[0-9]\ MiB\ written,\ 13\ of\ 13\ entries,\ section\ 6\ of\ 6,\ [0-9.]+\ [KMG]?i?B/s$ ]]
	[[ ${stderr_lines[3]} =~ ^qt-build:\ 17\.0\ MiB\ written,\ 13\ entries,\ 6\ sections,\ .*,\ done\ in\ 2\.[0-9]\ s$ ]]
}

@test "progress: every qt-measure subcommand that reads an image: summary, --quiet, off a terminal" {
	rootfs_image -o r.eif >/dev/null 2>&1
	qt-measure manifest r.eif >r.json
	# one read (5 MiB); ls, extract and diff read the ramdisks again (10 MiB) and count entries
	local read1='5\.0[0-9] MiB of 5\.0[0-9] MiB read \(100%\), 5 sections'
	local read2='10\.0 MiB of 10\.0 MiB read \(100%\), 13 entries, 5 sections'
	local tail=', [0-9.]+ [KMG]iB/s, done in [0-9]+\.[0-9] s$'
	local -A want=([ls]=$read2 [extract]=$read2 [diff]=$read2 [manifest]=$read1 [check]=$read1
	    [provenance]=$read1 [corim]=$read1)
	local c args
	for c in ls extract diff manifest check provenance corim; do
		case $c in
		extract) args=(r.eif "x-$c") ;;
		diff) args=(r.eif r.eif) ;;
		check) args=(--manifest r.json r.eif) ;;
		*) args=(r.eif) ;;
		esac
		run -0 --separate-stderr qt-measure "$c" --progress "${args[@]}"
		[[ ${stderr_lines[0]} =~ ^qt-measure:\ ${want[$c]}$tail ]] || fail "$c: $stderr"
		# diff reads two images: a summary for each
		assert_equal "${#stderr_lines[@]}" "$([[ $c == diff ]] && echo 2 || echo 1)"
		rm -rf "x-$c"
		run -0 --separate-stderr qt-measure "$c" --quiet "${args[@]}"
		assert_equal "$stderr" ""
		rm -rf "x-$c"
		run -0 --separate-stderr qt-measure "$c" "${args[@]}"
		assert_equal "$stderr" ""
		rm -rf "x-$c"
		run -2 --separate-stderr qt-measure "$c" --quiet --progress "${args[@]}"
		assert_equal "${stderr_lines[0]}" "qt-measure: --progress and --quiet exclude each other"
	done
}

@test "progress: --progress prints a plain line every 2 s while the work lasts" {
	feed big.eif 2.3
	run -0 --separate-stderr qt-measure --progress slow
	wait
	assert_equal "${#stderr_lines[@]}" 2
	# the first line comes at the first 4 MiB step after 2 s: 8 MiB, in the big ramdisk (section 5)
	[[ ${stderr_lines[0]} =~ ^qt-measure:\ 8\.[0-9]+\ MiB\ read,\ section\ 5\ of\ 5,\ [0-9.]+\ [KMG]?i?B/s$ ]]
	[[ ${stderr_lines[1]} =~ ^qt-measure:\ 12\.0\ MiB\ read,\ 5\ sections,\ .*,\ done\ in\ 2\.[0-9]\ s$ ]]
}

@test "progress: on a terminal one line updated with \\r and cleared; nothing for short work" {
	feed big.eif 1.3
	run -0 on_tty qt-measure slow
	wait
	# after a second: the line at 8 MiB (redrawn later if 200 ms have passed), then cleared
	assert_output --regexp $'^\rqt-measure: 8\\.[0-9]+ MiB read, section 5 of 5, [0-9.]+ [KMG]?i?B/s\e\\[K(\rqt-measure: [0-9.]+ MiB read, section 5 of 5, [0-9.]+ [KMG]?i?B/s\e\\[K)*\r\e\\[K$'
	feed big.eif 1.3
	run -0 on_tty qt-measure --quiet slow
	wait
	assert_output ""
	run -0 on_tty qt-measure big.eif
	assert_output ""
	run -0 on_tty qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" \
	    -o c.eif
	refute_output --partial written
}

@test "progress: --progress and --quiet are usage errors together or twice" {
	run -2 --separate-stderr qt-build --progress --quiet
	assert_equal "$stderr" "qt-build: --progress and --quiet exclude each other
try 'qt-build --help'"
	run -2 --separate-stderr qt-measure --progress --progress big.eif
	assert_equal "$stderr" "qt-measure: --progress given twice
try 'qt-measure --help'"
	run -2 --separate-stderr qt-measure describe --quiet --progress big.eif
	assert_equal "$stderr" "qt-measure: --progress and --quiet exclude each other
try 'qt-measure describe --help'"
}

@test "progress: qt-sign copies (sign, remove, attach) or reads (verify, digest) with a line" {
	local key="$IN/key-p384.pem" cert="$IN/cert-p384.pem"
	local tail=', [0-9.]+ [KMG]iB/s, done in [0-9]+\.[0-9] s$'
	run -0 --separate-stderr qt-sign big.eif --key "$key" --cert "$cert" -o s.eif --progress
	assert_equal "${#stderr_lines[@]}" 1
	[[ ${stderr_lines[0]} =~ ^qt-sign:\ 12\.0\ MiB\ of\ 12\.0\ MiB\ written\ \(100%\),\ 5\ sections$tail ]]
	run -0 --separate-stderr qt-sign --verify s.eif --cert "$cert" --progress
	[[ ${stderr_lines[0]} =~ ^qt-sign:\ 12\.0\ MiB\ of\ 12\.0\ MiB\ read\ \(100%\),\ 6\ sections$tail ]]
	run -0 --separate-stderr qt-sign --digest s.eif --cert "$cert" -o d.bin --progress
	[[ ${stderr_lines[0]} =~ ^qt-sign:\ 12\.0\ MiB\ of\ 12\.0\ MiB\ read\ \(100%\),\ 6\ sections$tail ]]
	run -0 --separate-stderr qt-sign --remove s.eif -o u.eif --progress
	[[ ${stderr_lines[0]} =~ ^qt-sign:\ 12\.0\ MiB\ of\ 12\.0\ MiB\ written\ \(100%\),\ 6\ sections$tail ]]
	cmp u.eif big.eif
	# --quiet, and no terminal: nothing
	run -0 --separate-stderr qt-sign big.eif --key "$key" --cert "$cert" -o q.eif --quiet
	assert_equal "$stderr" ""
	run -0 --separate-stderr qt-sign big.eif --key "$key" --cert "$cert" -o t.eif
	assert_equal "$stderr" ""
	# ECDSA signatures differ from run to run; the measurements do not
	cmp <(qt-measure s.eif) <(qt-measure q.eif)
	cmp <(qt-measure s.eif) <(qt-measure t.eif)
	run -2 --separate-stderr qt-sign --verify s.eif --quiet --quiet
	assert_equal "${stderr_lines[0]}" "qt-sign: --quiet given twice"
}
