#!/usr/bin/env bats
# qt-measure ls: every ramdisk entry in order, cmd/env decoded; GNU cpio and
# sha256sum as the independent oracles.
load ../helpers/common

C5="$GOLD/outputs/c5_signed_p384.eif"
IN="$GOLD/inputs"

setup() {
	common_setup
}

mkcpio() { python3 "$TOP/tests/helpers/mkcpio.py" "$@"; }

# an image whose second ramdisk is the given cpio file
image_with() { # cpio out
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" --ramdisk "$1" \
	    -o "$2" >/dev/null
}

@test "qt-measure ls --long: the golden image, entry by entry, cmd and env decoded" {
	run -0 --separate-stderr qt-measure ls --long "$C5"
	assert_equal "$stderr" ""
	assert_output "ramdisk 0 (section 3, sha384 968bba6a85ae6555...):
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z dev
-rwxr-xr-x     0/0             1000 1970-01-01T00:00:00Z init
-rwxr-xr-x     0/0              500 1970-01-01T00:00:00Z nsm.ko

ramdisk 1 (section 4, sha384 fbebda70e12e4a5a...):
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs/bin
-rwxr-xr-x     0/0              700 1970-01-01T00:00:00Z rootfs/bin/app
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs/dev
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs/proc
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs/run
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs/sys
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs/tmp
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs/var
-rw-r--r--     0/0                9 1970-01-01T00:00:00Z cmd
-rw-r--r--     0/0               79 1970-01-01T00:00:00Z env

cmd:
  /bin/app

env:
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  HELLO=golden"
}

@test "qt-measure ls: JSON agrees with GNU cpio and sha256sum over the ramdisk files" {
	run -0 --separate-stderr qt-measure ls --json=short "$C5"
	j=$output
	# the section digests are the manifest's
	m=$(qt-measure manifest "$C5")
	for d in $(grep -A3 '"ramdisks": \[' <<<"$m" | grep -o '[0-9a-f]\{96\}'); do
		[[ "$j" == *"\"sha384\":\"$d\""* ]]
	done
	# entry order and names: what GNU cpio lists from the same bytes
	got=$(grep -o '"path":"[^"]*"' <<<"$j" | cut -d'"' -f4)
	assert_equal "$got" "$(cpio -it --quiet <"$IN/ramdisk0.cpio"; cpio -it --quiet <"$IN/ramdisk1.cpio")"
	# file contents: SHA-256 of the files cpio extracts
	mkdir x && (cd x && cpio -id --quiet <"$IN/ramdisk1.cpio")
	[[ "$j" == *"{\"path\":\"rootfs/bin/app\",\"type\":\"file\",\"mode\":\"0755\",\"uid\":0,\"gid\":0,\"size\":700,\"mtime\":0,\"sha256\":\"$(sha256sum x/rootfs/bin/app | cut -c1-64)\",\"link\":null,\"rdev\":null}"* ]]
	[ "$(sha256sum x/rootfs/bin/app | cut -c1-64)" = "$(sha256sum "$IN/app.bin" | cut -c1-64)" ]
	[[ "$j" == *"\"cmd\":[\"/bin/app\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"HELLO=golden\"]}" ]]
	# two ramdisks, indexed, with their sections
	[[ "$j" == "{\"ramdisks\":[{\"index\":0,\"section\":3,"* ]]
	[[ "$j" == *"{\"index\":1,\"section\":4,"* ]]
}

@test "qt-measure ls: symlinks, hard links, devices and fifos; no cmd/env is null" {
	mkcpio r.cpio d:rootfs f:rootfs/a:hello l:rootfs/l:/etc/passwd c:rootfs/null:1,3 p:rootfs/fifo
	image_with r.cpio r.eif
	run -0 --separate-stderr qt-measure ls --long r.eif
	assert_output --partial "ramdisk 1 (section 4, sha384 $(qt-measure manifest r.eif | grep -A3 '"ramdisks"' | sed -n 3p | grep -o '[0-9a-f]\{16\}' | head -1)...):
drwxr-xr-x     0/0                0 1970-01-01T00:00:00Z rootfs
-rw-r--r--     0/0                5 1970-01-01T00:00:00Z rootfs/a
lrwxrwxrwx     0/0                0 1970-01-01T00:00:00Z rootfs/l -> /etc/passwd
crw-r--r--     0/0            1,3   1970-01-01T00:00:00Z rootfs/null
prw-r--r--     0/0                0 1970-01-01T00:00:00Z rootfs/fifo"
	refute_output --partial "cmd:"
	run -0 --separate-stderr qt-measure ls --json=short r.eif
	assert_output --partial "{\"path\":\"rootfs/l\",\"type\":\"symlink\",\"mode\":\"0777\",\"uid\":0,\"gid\":0,\"size\":0,\"mtime\":0,\"sha256\":null,\"link\":\"/etc/passwd\",\"rdev\":null}"
	assert_output --partial "{\"path\":\"rootfs/null\",\"type\":\"char\",\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"size\":0,\"mtime\":0,\"sha256\":null,\"link\":null,\"rdev\":[1,3]}"
	assert_output --partial "\"type\":\"fifo\""
	assert_output --partial "],\"cmd\":null,\"env\":null}"
	# a hard link built by qt-build: newc keeps the data with the last name
	mkdir -p root/etc
	printf 'hello\n' >root/etc/motd
	ln root/etc/motd root/etc/motd.hard
	qt-build --kernel "$IN/kernel.bin" --cmdline x --init "$IN/init.bin" --driver "$IN/nsm.ko.bin" \
	    --rootfs root --cmd /bin/sh -o h.eif >/dev/null
	run -0 --separate-stderr qt-measure ls --json=short h.eif
	assert_output --partial "{\"path\":\"rootfs/etc/motd.hard\",\"type\":\"hardlink\",\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"size\":6,\"mtime\":0,\"sha256\":\"$(sha256sum root/etc/motd | cut -c1-64)\",\"link\":\"rootfs/etc/motd\",\"rdev\":null}"
}

@test "qt-measure ls: what cannot be listed exits 2 with one line, nothing on stdout" {
	head -c 4096 /dev/urandom >junk.bin
	image_with junk.bin j.eif
	run -2 --separate-stderr qt-measure ls j.eif
	assert_output ""
	[[ "$stderr" == "qt-measure: j.eif: ramdisk 1: "* ]]
	run -2 --separate-stderr qt-measure ls - <"$C5"
	assert_output ""
	assert_equal "$stderr" "qt-measure: standard input: the image must be a named file (the ramdisks are read twice)"
	run -2 --separate-stderr qt-measure ls /dev/null
	assert_equal "$stderr" "qt-measure: /dev/null: not a regular file (the ramdisks are read twice)"
	cp "$C5" bad.eif
	printf '\xff' | dd of=bad.eif bs=1 seek=1000 conv=notrunc status=none
	run -2 --separate-stderr qt-measure ls bad.eif
	[[ "$stderr" =~ ^"qt-measure: bad.eif: CRC mismatch: the header says "[0-9a-f]{8}", the contents give "[0-9a-f]{8}$ ]]
	run -2 --separate-stderr qt-measure ls missing.eif
	[[ "$stderr" == "qt-measure: missing.eif: "* ]]
	run -2 --separate-stderr qt-measure ls --long --json=short "$C5"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: ls: --long and --json exclude each other"
	run -2 --separate-stderr qt-measure ls
	assert_equal "${stderr%%$'\n'*}" "qt-measure: ls: expected exactly one IMAGE operand"
}

@test "qt-measure ls: a second cpio archive after the first trailer is listed, not hidden" {
	mkcpio p1.cpio d:rootfs f:rootfs/a:1
	mkcpio p2.cpio f:rootfs/hidden:2
	cat p1.cpio p2.cpio >cat.cpio
	# GNU cpio stops at the first trailer; the kernel does not
	assert_equal "$(cpio -it --quiet <cat.cpio)" "rootfs
rootfs/a"
	image_with cat.cpio cat.eif
	run -0 --separate-stderr qt-measure ls --long cat.eif
	assert_output --partial "-rw-r--r--     0/0                1 1970-01-01T00:00:00Z rootfs/a
-rw-r--r--     0/0                1 1970-01-01T00:00:00Z rootfs/hidden"
	run -0 --separate-stderr qt-measure extract cat.eif out
	assert_equal "$(cat out/rootfs/hidden)" 2
	# compressed: one gzip stream; what follows the first trailer cannot hide either
	gzip -9n <cat.cpio >catgz.cpio
	image_with catgz.cpio catgz.eif
	run -2 --separate-stderr qt-measure ls catgz.eif
	assert_output ""
	assert_equal "$stderr" "qt-measure: catgz.eif: ramdisk 1: data after the cpio trailer in a compressed ramdisk (another archive?); refusing to list part of it"
	# a gzip ramdisk as qt-build --compress gzip writes it is listed
	mkdir -p root/bin
	cp "$IN/app.bin" root/bin/app
	chmod 755 root/bin/app
	qt-build --kernel "$IN/kernel.bin" --cmdline x --init "$IN/init.bin" --driver "$IN/nsm.ko.bin" \
	    --rootfs root --cmd /bin/app --compress gzip -o gz.eif >/dev/null
	run -0 --separate-stderr qt-measure ls --json=short gz.eif
	assert_output --partial "{\"path\":\"rootfs/bin/app\",\"type\":\"file\",\"mode\":\"0755\",\"uid\":0,\"gid\":0,\"size\":700,\"mtime\":0,\"sha256\":\"$(sha256sum "$IN/app.bin" | cut -c1-64)\""
}

# patch bytes of a file in place: FILE OFFSET TEXT
patch_at() { printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

@test "qt-measure ls: a newc header past the limits is refused before libarchive reads the entry" {
	# the symlink's header is at 120: "rootfs" takes 110 + 7 bytes, padded to 4
	mkcpio ok.cpio d:rootfs "l:rootfs/l:$(printf 'x%.0s' $(seq 4096))"
	image_with ok.cpio ok.eif
	run -0 --separate-stderr qt-measure ls ok.eif
	assert_equal "$stderr" ""
	mkcpio big.cpio d:rootfs "l:rootfs/l:$(printf 'x%.0s' $(seq 4097))"
	image_with big.cpio big.eif
	run -2 --separate-stderr qt-measure ls big.eif
	assert_output ""
	assert_equal "$stderr" "qt-measure: big.eif: ramdisk 1: offset 120: a symlink target of 4097 bytes (the limit is 4096)"
	# a header that claims a 2 GiB target (c_filesize at 54 in the header)
	mkcpio huge.cpio d:rootfs l:rootfs/l:/x
	patch_at huge.cpio 174 7fffffff
	image_with huge.cpio huge.eif
	run -2 --separate-stderr qt-measure ls huge.eif
	assert_equal "$stderr" "qt-measure: huge.eif: ramdisk 1: offset 120: a symlink target of 2147483647 bytes (the limit is 4096)"
	run -2 --separate-stderr qt-measure extract huge.eif out
	assert_equal "$stderr" "qt-measure: huge.eif: ramdisk 1: offset 120: a symlink target of 2147483647 bytes (the limit is 4096)"
	[ ! -e out ]
	run -2 --separate-stderr qt-measure diff huge.eif ok.eif
	assert_equal "$stderr" "qt-measure: huge.eif: ramdisk 1: offset 120: a symlink target of 2147483647 bytes (the limit is 4096)"
	# c_namesize (at 94): too long, not hex
	mkcpio name.cpio d:rootfs
	patch_at name.cpio 94 00001002
	image_with name.cpio name.eif
	run -2 --separate-stderr qt-measure ls name.eif
	assert_equal "$stderr" "qt-measure: name.eif: ramdisk 1: offset 0: an entry name of 4098 bytes (the limit is 4097 with its NUL)"
	# as the fuzz input had it: libarchive would allocate 2 GiB for the name
	patch_at name.cpio 94 80000000
	image_with name.cpio name.eif
	run -2 --separate-stderr qt-measure ls name.eif
	assert_equal "$stderr" "qt-measure: name.eif: ramdisk 1: offset 0: an entry name of 2147483648 bytes (the limit is 4097 with its NUL)"
	patch_at name.cpio 94 0000000g
	image_with name.cpio name.eif
	run -2 --separate-stderr qt-measure ls name.eif
	assert_equal "$stderr" "qt-measure: name.eif: ramdisk 1: offset 0: malformed cpio header: c_namesize is not 8 hex digits"
	# an odc header ("070707") is not newc
	patch_at name.cpio 0 070707
	image_with name.cpio name.eif
	run -2 --separate-stderr qt-measure ls name.eif
	assert_equal "$stderr" "qt-measure: name.eif: ramdisk 1: offset 0: not a cpio newc header (\"070701\" or \"070702\")"
	# in the second archive of a ramdisk: the offset is in the ramdisk
	cat ok.cpio huge.cpio >cat.cpio
	image_with cat.cpio cat.eif
	run -2 --separate-stderr qt-measure ls cat.eif
	assert_equal "$stderr" "qt-measure: cat.eif: ramdisk 1: offset $(($(stat -c %s ok.cpio) + 120)): a symlink target of 2147483647 bytes (the limit is 4096)"
	# gzip: checked as it is decompressed, the offset in the decompressed bytes
	gzip -9n <huge.cpio >huge.cpio.gz
	image_with huge.cpio.gz hugegz.eif
	run -2 --separate-stderr qt-measure ls hugegz.eif
	assert_output ""
	assert_equal "$stderr" "qt-measure: hugegz.eif: ramdisk 1: decompressed offset 120: a symlink target of 2147483647 bytes (the limit is 4096)"
	gzip -9n <ok.cpio >ok.cpio.gz
	image_with ok.cpio.gz okgz.eif
	run -0 --separate-stderr qt-measure ls --long okgz.eif
	assert_output --partial "lrwxrwxrwx     0/0                0 1970-01-01T00:00:00Z rootfs/l -> xxxx"
}
