#!/usr/bin/env bats
# faults.bats: nothing is lost or half-written when things go wrong.
# (a) qt-build and qt-sign killed with SIGKILL in the middle of writing: the
#     previous output is intact and the only thing left behind is a temporary
#     file named as documented (".<name>.qt-XXXXXX" beside the target);
# (b) the file-size limit (ulimit -f) and a read-only output directory: a
#     clear one-line error, exit 2, the old file intact, no temporary file;
# (c) qt-measure given an image that grows or shrinks while it reads it:
#     an error, never a PCR.
# The kill tests feed the tool through a named pipe so it is stopped mid-write
# by construction, not by timing.
load ../helpers/common

setup() {
	common_setup
	IN="$GOLD/inputs"
	KEY="$IN/key-p384.pem"
	CERT="$IN/cert-p384.pem"
	PID=
	PID_NAME=
}

teardown() {
	if [ -n "$PID" ]; then
		sig_ours 9 || true
	fi
	exec 5>&- || true
}

# Send signal $1 to $PID only while it is still the tool we started
# ($PID_NAME): bash reaps finished background jobs at once, and on a busy
# machine (pid_max 32768) their PIDs are soon given to other processes.
sig_ours() {
	local comm
	comm=$(cat /proc/"$PID"/comm 2>/dev/null) || return 1
	[ "$comm" = "$PID_NAME" ] || return 1
	kill -"$1" "$PID" 2>/dev/null
}

# The files in the current directory other than the expected ones, one per line.
leftovers() {
	local f keep
	for f in $(ls -A); do
		case $f in separate-stderr-*) continue ;; esac # bats' own (run --separate-stderr)
		for keep in "$@"; do
			[ "$f" = "$keep" ] && continue 2
		done
		printf '%s\n' "$f"
	done
}

# Wait (up to 20 s; not a timing assertion) until a file matching the glob exists
# and holds at least $2 bytes.
wait_for_file() {
	local i f
	for i in $(seq 2000); do
		for f in $1; do
			if [ -f "$f" ] && [ "$(stat -c %s "$f")" -ge "$2" ]; then
				return 0
			fi
		done
		sleep 0.01
	done
	echo "wait_for_file: nothing like '$1' with $2 bytes appeared" >&2
	return 1
}

# Build a small reference image as out.eif and keep a copy in old.eif.
old_image() {
	qt-build --kernel "$IN/kernel.bin" --cmdline "old" --ramdisk "$IN/ramdisk0.cpio" \
	    -o out.eif >/dev/null
	cp out.eif old.eif
}

# Run a command with directory $1 read-only to it (chmod 555; as root, with
# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped so the mode applies).
ro_run() {
	local dir=$1 rc=0
	shift
	chmod 555 "$dir"
	if [ "$(id -u)" = 0 ]; then
		# Root ignores directory permissions: run without the capabilities
		# that let it (no namespaces needed, so this works in a chroot too).
		setpriv --bounding-set -dac_override,-dac_read_search "$@" || rc=$?
	else
		"$@" || rc=$?
	fi
	chmod 755 "$dir"
	return $rc
}

@test "faults: qt-build killed with SIGKILL mid-write leaves the old image and only .out.eif.qt-XXXXXX" {
	old_image
	mkfifo rd.fifo
	qt-build --kernel "$IN/kernel.bin" --cmdline "new" --ramdisk rd.fifo -o out.eif \
	    >/dev/null 2>&1 &
	PID=$!
	PID_NAME=qt-build
	exec 5>rd.fifo
	# 4 MiB of ramdisk reach the temporary file; the rest never comes.
	head -c $((4 << 20)) /dev/urandom >&5
	wait_for_file '.out.eif.qt-*' $((1 << 20))
	sig_ours 9
	rc=0
	wait "$PID" || rc=$?
	PID=
	[ "$rc" -eq 137 ] # SIGKILL
	exec 5>&-
	cmp out.eif old.eif
	run -0 leftovers old.eif out.eif rd.fifo
	[[ "$output" =~ ^\.out\.eif\.qt-[A-Za-z0-9]{6}$ ]]
	# the survivor still measures as before
	run -0 qt-measure --json=short out.eif
}

@test "faults: qt-sign killed with SIGKILL mid-write leaves the old output and only .s.eif.qt-XXXXXX" {
	old_image
	cp old.eif s.eif
	# a 16 MiB unsigned image, fed through a pipe and cut off after 8 MiB
	head -c $((16 << 20)) /dev/urandom >big.cpio
	qt-build --kernel "$IN/kernel.bin" --cmdline "big" --ramdisk big.cpio -o big.eif >/dev/null
	mkfifo img.fifo
	qt-sign img.fifo --key "$KEY" --cert "$CERT" -o s.eif >/dev/null 2>&1 &
	PID=$!
	PID_NAME=qt-sign
	exec 5>img.fifo
	head -c $((8 << 20)) big.eif >&5
	wait_for_file '.s.eif.qt-*' $((1 << 20))
	sig_ours 9
	rc=0
	wait "$PID" || rc=$?
	PID=
	[ "$rc" -eq 137 ] # SIGKILL
	exec 5>&-
	cmp s.eif old.eif
	run -0 leftovers old.eif out.eif s.eif big.cpio big.eif img.fifo
	[[ "$output" =~ ^\.s\.eif\.qt-[A-Za-z0-9]{6}$ ]]
}

@test "faults: qt-sign in place killed with SIGKILL keeps the unsigned image intact" {
	head -c $((64 << 20)) /dev/zero >big.cpio
	qt-build --kernel "$IN/kernel.bin" --cmdline "big" --ramdisk big.cpio -o img.eif >/dev/null
	cp img.eif orig.eif
	qt-sign img.eif --key "$KEY" --cert "$CERT" >/dev/null 2>&1 &
	PID=$!
	PID_NAME=qt-sign
	# stop it as soon as its temporary file has data, then kill it
	if ! wait_for_file '.img.eif.qt-*' 1; then
		skip "qt-sign finished before its temporary file could be seen"
	fi
	sig_ours STOP || true
	sig_ours 9 || true
	wait "$PID" || true
	PID=
	cmp img.eif orig.eif || {
		# if it did finish, the result must be a whole, verifiable signed image
		run -0 qt-sign --verify img.eif --cert "$CERT"
	}
	run -0 leftovers img.eif orig.eif big.cpio
	[[ -z "$output" || "$output" =~ ^\.img\.eif\.qt-[A-Za-z0-9]{6}$ ]]
}

@test "faults: qt-build past the file-size limit exits 2 with EFBIG, old image kept, no temporary file" {
	old_image
	head -c $((1 << 20)) /dev/urandom >big.cpio
	run -2 --separate-stderr bash -c 'ulimit -f 256 && exec qt-build --kernel "$1" --cmdline new \
	    --ramdisk big.cpio -o out.eif' sh "$IN/kernel.bin"
	assert_output ""
	[[ "$stderr" =~ ^qt-build:\ .*out\.eif.*File\ too\ large$ ]]
	# one error line; the others are the warnings about the stand-in kernel and ramdisk
	[ "$(printf '%s\n' "$stderr" | grep -vc ' neither ')" -eq 1 ]
	cmp out.eif old.eif
	run -0 leftovers old.eif out.eif big.cpio
	assert_output ""
}

@test "faults: qt-build past the file-size limit after write-behind began: exit 2, old image kept, no temporary file" {
	old_image
	# the writer pushes each 32 MiB to disk as it goes; the limit stops it at 40 MiB
	head -c $((48 << 20)) /dev/zero >big.cpio
	run -2 --separate-stderr bash -c 'ulimit -f 40960 && exec qt-build --kernel "$1" --cmdline new \
	    --ramdisk big.cpio -o out.eif' sh "$IN/kernel.bin"
	assert_output ""
	# the stand-in kernel and the zero-filled ramdisk each draw a warning; one error line
	[[ "$(printf '%s\n' "$stderr" | grep -v ' neither ')" =~ ^qt-build:\ out\.eif:\ write\ error\ at\ offset\ [0-9]+:\ File\ too\ large$ ]]
	cmp out.eif old.eif
	run -0 leftovers old.eif out.eif big.cpio
	assert_output ""
	# without the limit the same build completes, and the image reads back whole
	run -0 qt-build --kernel "$IN/kernel.bin" --cmdline new --ramdisk big.cpio -o out.eif
	run -0 qt-measure out.eif
	[ "$(stat -c %s out.eif)" -gt $((48 << 20)) ]
	run -0 leftovers old.eif out.eif big.cpio
	assert_output ""
}

@test "faults: qt-sign past the file-size limit exits 2 with EFBIG, old output kept, no temporary file" {
	old_image
	head -c $((1 << 20)) /dev/urandom >big.cpio
	qt-build --kernel "$IN/kernel.bin" --cmdline "big" --ramdisk big.cpio -o big.eif >/dev/null
	cp big.eif big.orig
	# in place: the unsigned image stays as it was
	run -2 --separate-stderr bash -c 'ulimit -f 256 && exec qt-sign big.eif --key "$1" \
	    --cert "$2"' sh "$KEY" "$CERT"
	assert_output ""
	[[ "$stderr" =~ ^qt-sign:\ .*big\.eif.*File\ too\ large$ ]]
	cmp big.eif big.orig
	# to another file: the old one stays as it was
	run -2 --separate-stderr bash -c 'ulimit -f 256 && exec qt-sign big.eif --key "$1" \
	    --cert "$2" -o out.eif' sh "$KEY" "$CERT"
	[[ "$stderr" =~ ^qt-sign:\ .*out\.eif.*File\ too\ large$ ]]
	cmp out.eif old.eif
	run -0 leftovers old.eif out.eif big.cpio big.eif big.orig
	assert_output ""
}

@test "faults: qt-build into a read-only directory exits 2, old image kept" {
	mkdir ro
	cd ro
	old_image
	rm old.eif
	cp out.eif ../old.eif
	cd ..
	run -2 --separate-stderr ro_run ro qt-build --kernel "$IN/kernel.bin" --cmdline new \
	    --ramdisk "$IN/ramdisk0.cpio" -o ro/out.eif
	assert_output ""
	[[ "$stderr" =~ ^qt-build:\ ro/out\.eif:\ .*(Read-only\ file\ system|Permission\ denied)$ ]]
	cmp ro/out.eif old.eif
	[ "$(ls -A ro)" = "out.eif" ]
}

@test "faults: qt-sign in place in a read-only directory exits 2, image kept" {
	mkdir ro
	cp "$GOLD/outputs/c2_x86_2rd.eif" ro/c2.eif
	run -2 --separate-stderr ro_run ro qt-sign ro/c2.eif --key "$KEY" --cert "$CERT"
	assert_output ""
	[[ "$stderr" =~ ^qt-sign:\ ro/c2\.eif:\ .*(Read-only\ file\ system|Permission\ denied)$ ]]
	cmp ro/c2.eif "$GOLD/outputs/c2_x86_2rd.eif"
	[ "$(ls -A ro)" = "c2.eif" ]
}

# Start qt-measure on img.eif, stop it once it has read part of the file,
# run "$@" on the file, let it go on. Sets MEASURED_AT to the position reached.
measure_while() {
	local pos=0 i state
	MEASURE_RC=
	MEASURED_AT=999999999999 # "not stopped in time": the callers skip
	qt-measure --json=short img.eif >measure.out 2>measure.err &
	PID=$!
	PID_NAME=qt-measure
	for i in $(seq 20000); do
		state=$(awk '{ print $3 }' /proc/"$PID"/stat 2>/dev/null)
		[ -n "$state" ] && [ "$state" != Z ] || break # finished already
		pos=$(awk '/^pos:/ { print $2 }' /proc/"$PID"/fdinfo/* 2>/dev/null | sort -n | tail -n 1)
		if [ -n "$pos" ] && [ "$pos" -gt 4096 ]; then
			sig_ours STOP && MEASURED_AT=$pos
			break
		fi
	done
	"$@"
	sig_ours CONT || true
	MEASURE_RC=0
	wait "$PID" || MEASURE_RC=$?
	PID=
}

big_image() {
	head -c $((96 << 20)) /dev/zero >big.cpio
	qt-build --kernel "$IN/kernel.bin" --cmdline "big" --ramdisk big.cpio -o img.eif >/dev/null
	rm big.cpio
	SIZE=$(stat -c %s img.eif)
}

@test "faults: qt-measure on an image that shrinks while it is read reports an error, no PCR" {
	big_image
	measure_while truncate -s $((SIZE / 2)) img.eif
	if [ "$MEASURED_AT" -ge $((SIZE / 2)) ]; then
		skip "qt-measure read past the cut before it could be stopped"
	fi
	[ "$MEASURE_RC" -eq 2 ]
	[ ! -s measure.out ]
	grep -q '^qt-measure: img.eif: .*truncated' measure.err
}

@test "faults: qt-measure on an image that grows while it is read reports an error, no PCR" {
	big_image
	measure_while sh -c 'head -c 4096 /dev/zero >>img.eif'
	if [ "$MEASURED_AT" -ge "$SIZE" ]; then
		skip "qt-measure finished before it could be stopped"
	fi
	[ "$MEASURE_RC" -eq 2 ]
	[ ! -s measure.out ]
	run -0 cat measure.err
	assert_output "qt-measure: img.eif: the file changed while it was read (size $SIZE, now $((SIZE + 4096)) bytes): measure a finished image"
}

@test "faults: qt-measure on an image rewritten in place while it is read reports an error" {
	big_image
	# same size, different bytes near the end (a copy landing over the file)
	measure_while sh -c "printf 'XXXX' | dd of=img.eif bs=1 seek=$((SIZE - 100)) conv=notrunc status=none"
	if [ "$MEASURED_AT" -ge "$SIZE" ]; then
		skip "qt-measure finished before it could be stopped"
	fi
	[ "$MEASURE_RC" -eq 2 ]
	[ ! -s measure.out ]
	grep -q '^qt-measure: img.eif: the file changed while it was read' measure.err
}
