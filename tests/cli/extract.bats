#!/usr/bin/env bats
# qt-measure extract: the ramdisks unpacked safely into a new or empty
# directory, whole or not at all; GNU cpio as the oracle for the contents.
load ../helpers/common

C5="$GOLD/outputs/c5_signed_p384.eif"
IN="$GOLD/inputs"

setup() {
	common_setup
}

# an image whose second ramdisk is a cpio made by the independent writer
crafted() { # out.eif ENTRY...
	local out=$1
	shift
	python3 "$TOP/tests/helpers/mkcpio.py" r.cpio "$@"
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" --ramdisk r.cpio \
	    -o "$out" >/dev/null
}

# nothing but the given names in the current directory (no temporary left)
only() {
	assert_equal "$(ls -A | grep -v '^separate-stderr-' | sort | tr '\n' ' ')" "$*"
}

@test "qt-measure extract: the golden image equals what GNU cpio unpacks from its ramdisks" {
	run -0 --separate-stderr qt-measure extract "$C5" out
	assert_output "out: 5 files, 9 directories, 0 symlinks, 0 hard links; 0 skipped"
	assert_equal "$stderr" ""
	mkdir oracle
	(cd oracle && cpio -idm --quiet <"$IN/ramdisk0.cpio" && cpio -idm --quiet <"$IN/ramdisk1.cpio")
	diff -r oracle out
	cmp out/rootfs/bin/app "$IN/app.bin"
	# modes as stored; every time is the stored 0 (GNU cpio leaves its directories' times at now)
	assert_equal "$(cd out && find . -mindepth 1 -printf '%m %p\n' | sort -k2)" \
	    "$(cd oracle && find . -mindepth 1 -printf '%m %p\n' | sort -k2)"
	assert_equal "$(find out -mindepth 1 -printf '%T@\n' | sort -u)" "0.0000000000"
	assert_equal "$(printf '%s\n' out/env | xargs cat)" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HELLO=golden"
}

@test "qt-measure extract: symlinks and hard links are made inside; devices skipped with a note" {
	mkdir -p root/etc
	printf 'hello\n' >root/etc/motd
	ln root/etc/motd root/etc/motd.hard
	ln -s ../etc/motd root/etc/link
	qt-build --kernel "$IN/kernel.bin" --cmdline x --init "$IN/init.bin" --driver "$IN/nsm.ko.bin" \
	    --rootfs root --cmd /bin/sh -o h.eif >/dev/null
	run -0 --separate-stderr qt-measure extract h.eif out
	assert_equal "$(readlink out/rootfs/etc/link)" "../etc/motd"
	assert_equal "$(stat -c %i out/rootfs/etc/motd)" "$(stat -c %i out/rootfs/etc/motd.hard)"
	assert_equal "$(cat out/rootfs/etc/motd)" "hello"
	crafted d.eif d:rootfs c:rootfs/null:1,3 p:rootfs/fifo f4755:rootfs/su:x d3777:rootfs/shared
	run -0 --separate-stderr qt-measure extract d.eif dev
	assert_output "dev: 3 files, 3 directories, 0 symlinks, 0 hard links; 2 skipped"
	assert_equal "$stderr" "qt-measure: ramdisk 1: 'rootfs/null': char skipped (device nodes, fifos and sockets are not extracted)
qt-measure: ramdisk 1: 'rootfs/fifo': fifo skipped (device nodes, fifos and sockets are not extracted)
qt-measure: ramdisk 1: 'rootfs/su': set-user-ID and set-group-ID bits dropped (here and on every later entry)"
	[ ! -e dev/rootfs/null ] && [ ! -e dev/rootfs/fifo ]
	assert_equal "$(stat -c %a dev/rootfs/su)" 755
	assert_equal "$(stat -c %a dev/rootfs/shared)" 1777
}

@test "qt-measure extract: refuses ../, absolute paths and writing through a symlink; nothing is left" {
	crafted up.eif d:rootfs f:rootfs/ok:1 f:../evil:x
	run -2 --separate-stderr qt-measure extract up.eif out
	assert_output ""
	assert_equal "$stderr" "qt-measure: up.eif: ramdisk 1: '../evil': '..' in the path; refusing to extract"
	crafted mid.eif d:rootfs f:rootfs/a/../../evil:x
	run -2 --separate-stderr qt-measure extract mid.eif out
	assert_equal "$stderr" "qt-measure: mid.eif: ramdisk 1: 'rootfs/a/../../evil': '..' in the path; refusing to extract"
	crafted abs.eif f:/tmp/qt-extract-abs-$$:x
	run -2 --separate-stderr qt-measure extract abs.eif out
	assert_equal "$stderr" "qt-measure: abs.eif: ramdisk 1: '/tmp/qt-extract-abs-$$': an absolute path; refusing to extract"
	[ ! -e "/tmp/qt-extract-abs-$$" ]
	mkdir outside
	crafted sym.eif d:rootfs "l:rootfs/l:$PWD/outside" f:rootfs/l/pwned:x
	run -2 --separate-stderr qt-measure extract sym.eif out
	assert_equal "$stderr" "qt-measure: sym.eif: ramdisk 1: 'rootfs/l/pwned': goes through the symlink 'rootfs/l'; refusing to write through it"
	[ -z "$(ls -A outside)" ]
	# a relative link climbing out, then a file over the link's name: the link is replaced, not followed
	crafted over.eif d:rootfs "l:rootfs/x:../../outside/y" f:rootfs/x:data
	run -0 --separate-stderr qt-measure extract over.eif o2
	[ -f o2/rootfs/x ] && [ ! -L o2/rootfs/x ] && [ ! -e outside/y ]
	assert_equal "$(cat o2/rootfs/x)" data
	rm -rf o2
	only "abs.eif mid.eif outside over.eif r.cpio sym.eif up.eif "
}

@test "qt-measure extract: into a new or empty directory only; the image is checked first" {
	mkdir full empty
	touch full/x
	run -2 --separate-stderr qt-measure extract "$C5" full
	assert_equal "$stderr" "qt-measure: full: not empty; extract into a new or empty directory"
	run -0 --separate-stderr qt-measure extract "$C5" empty/
	[ -f empty/rootfs/bin/app ]
	ln -s empty link
	run -2 --separate-stderr qt-measure extract "$C5" link
	assert_equal "$stderr" "qt-measure: link: exists and is not a directory"
	cp "$C5" bad.eif
	printf '\xff' | dd of=bad.eif bs=1 seek=1000 conv=notrunc status=none
	run -2 --separate-stderr qt-measure extract bad.eif out
	[[ "$stderr" =~ ^"qt-measure: bad.eif: CRC mismatch: " ]]
	[ ! -e out ]
	only "bad.eif empty full link "
	run -2 --separate-stderr qt-measure extract "$C5"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: extract: expected IMAGE and DIR"
	run -2 --separate-stderr qt-measure extract "$C5" missing/out
	[[ "$stderr" == "qt-measure: missing: "* ]]
}
