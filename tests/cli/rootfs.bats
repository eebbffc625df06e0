#!/usr/bin/env bats
# qt-build --rootfs/--init/--driver/--bootstrap: generated ramdisks, reproducibility,
# sources (directory, tarball, docker-archive, OCI layout) and hostile input.
load ../helpers/common

setup() {
	common_setup
	mkdir w && cd w
	IN="$GOLD/inputs"
	OUTS="$GOLD/outputs"
	RD="$FIX/ramdisk"
	REF=(--build-time 2024-01-01T00:00:00+00:00 --build-tool eif_build --build-tool-version 0.3.1)
	ENV=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env HELLO=golden)
	cp "$IN/nsm.ko.bin" "$BATS_TEST_TMPDIR/nsm.ko"
	NSM="$BATS_TEST_TMPDIR/nsm.ko"
	# the golden init and kernel are stand-ins: warnings, not errors (man/qt-build.1)
	KW="qt-build: $IN/init.bin: --init is neither an ELF executable for x86_64 nor a #! script
qt-build: $IN/kernel.bin: neither an x86 bzImage nor an arm64 Image; cannot check it against --arch x86_64"
}

# the golden app tree: bin/app (0755)
mk_golden_root() {
	mkdir -p "$1/bin"
	cp "$IN/app.bin" "$1/bin/app"
	chmod 755 "$1/bin/app"
}

# qt-build with the golden kernel, cmdline and bootstrap inputs
qb() {
	qt-build --kernel "$IN/kernel.bin" --cmdline "$(cat "$IN/cmdline.txt")" \
	    --init "$IN/init.bin" --driver "$NSM" "$@"
}

# section_data IMAGE INDEX: the data of section INDEX (offsets table at byte 28, sizes at 284)
section_data() {
	local off size
	off=$(od -An -j $((28 + 8 * $2)) -N 8 -t x1 "$1" | tr -d ' \n')
	size=$(od -An -j $((284 + 8 * $2)) -N 8 -t x1 "$1" | tr -d ' \n')
	tail -c +$((0x$off + 12 + 1)) "$1" | head -c $((0x$size))
}

# extend(0^48, SHA384(stdin)) with openssl: the independent oracle for PCRs
oracle_pcr() {
	local d
	d=$(openssl dgst -sha384 -binary | xxd -p -c 256)
	{ head -c 48 /dev/zero; printf '%s' "$d" | xxd -r -p; } | openssl dgst -sha384 -binary |
	    xxd -p -c 256
}

pcr() { # pcr N < json
	sed -n "s/.*\"PCR$1\": \"\\([0-9a-f]*\\)\".*/\\1/p"
}

@test "rootfs: a directory + --init/--driver/--cmd/--env rebuild golden c2 byte for byte" {
	mk_golden_root root
	run -0 --separate-stderr qb --rootfs root --cmd /bin/app "${ENV[@]}" "${REF[@]}" -o c2.eif
	cmp c2.eif "$OUTS/c2_x86_2rd.eif"
	assert_equal "$stderr" "$KW"
	# the ramdisks are the golden inputs themselves
	section_data c2.eif 3 | cmp - "$IN/ramdisk0.cpio"
	section_data c2.eif 4 | cmp - "$IN/ramdisk1.cpio"
}

@test "rootfs: --measure-only prints the same measurements and writes nothing" {
	mk_golden_root root
	run -0 --separate-stderr qb --rootfs root --cmd /bin/app "${ENV[@]}" "${REF[@]}" -o c2.eif
	full=$output
	run -0 --separate-stderr qb --rootfs root --cmd /bin/app "${ENV[@]}" "${REF[@]}" --measure-only
	assert_equal "$output" "$full"
	assert_equal "$(ls -A)" $'c2.eif\nroot'
	assert_equal "$(pcr 2 <<<"$output")" \
	    7e84aa3778949e093ee7e9a074a57bc651a8167c287241e4ba60994c8a10a6abae4845a5ad810ebca8b881e6c969065b
	# a ramdisk over several of the hashers' 1 MiB buffers, files across their edges
	mkdir big
	seq 1 400000 >big/a && printf 'x' >big/b && seq 7 300007 >big/c && chmod 755 big/c
	run -0 --separate-stderr qb --rootfs big --cmd /c -o big.eif
	full=$output
	run -0 --separate-stderr qb --rootfs big --cmd /c --measure-only
	assert_equal "$output" "$full"
	assert_equal "$(pcr 2 <<<"$output")" "$(section_data big.eif 4 | oracle_pcr)"
	[ "$(section_data big.eif 4 | wc -c)" -gt $((4 << 20)) ]
}

@test "rootfs: --bootstrap DIR takes kernel, cmdline, init and nsm.ko from the folder" {
	mkdir boot
	cp "$IN/kernel.bin" boot/bzImage
	{ cat "$IN/cmdline.txt"; echo; } >boot/cmdline # trimmed like nitro-cli
	cp "$IN/init.bin" boot/init
	cp "$NSM" boot/nsm.ko
	mk_golden_root root
	run -0 --separate-stderr qt-build --bootstrap boot --rootfs root --cmd /bin/app "${ENV[@]}" \
	    "${REF[@]}" --image-name kernel.bin -o c2.eif
	cmp c2.eif "$OUTS/c2_x86_2rd.eif"
	# QingTian's guest driver in place of Nitro's: the same bytes under its own name
	mv boot/nsm.ko boot/qtsm.ko
	run -0 --separate-stderr qt-build --bootstrap boot --rootfs root --cmd /bin/app "${ENV[@]}" \
	    "${REF[@]}" --image-name kernel.bin -o q.eif
	section_data q.eif 3 | cpio -it --quiet | LC_ALL=C sort | tr '\n' ' ' >list
	assert_equal "$(cat list)" "dev init qtsm.ko "
	cp boot/qtsm.ko boot/nsm.ko
	run -2 --separate-stderr qt-build --bootstrap boot --rootfs root --cmd /bin/app -o x.eif
	assert_equal "$stderr" "qt-build: --bootstrap boot: holds both 'nsm.ko' and 'qtsm.ko'; name one with --driver"
	rm boot/nsm.ko boot/qtsm.ko
	run -2 --separate-stderr qt-build --bootstrap boot --rootfs root --cmd /bin/app -o x.eif
	assert_equal "$stderr" "qt-build: --bootstrap boot: no guest driver 'nsm.ko' (Nitro) or 'qtsm.ko' (QingTian)"
}

@test "rootfs: the app ramdisk equals GNU cpio --reproducible over the same list (PCR2 oracle)" {
	mkdir -p root/bin root/etc/ssl root/usr/lib root/a-b
	printf 'hello\n' >root/etc/hostname
	printf '#!/bin/sh\n' >root/bin/run && chmod 755 root/bin/run
	printf 'x' >root/usr/lib/lib.so
	printf 'y' >root/a-b/z
	ln -s ../usr/lib root/etc/lib
	run -0 --separate-stderr qb --rootfs root --cmd /bin/run --cmd arg --env A=1 --measure-only
	ours=$(pcr 2 <<<"$output")
	# the same tree as the enclave layout, mtimes 0, modes as qt-build normalises them
	mkdir -p oracle/rootfs/{dev,proc,run,sys,tmp,var}
	cp -a root/. oracle/rootfs/
	printf '/bin/run\narg\n' >oracle/cmd
	printf 'A=1\n' >oracle/env
	chmod 644 oracle/cmd oracle/env
	find oracle -exec touch -h -d @0 {} +
	cd oracle
	theirs=$({ echo rootfs; find rootfs -mindepth 1 | LC_ALL=C sort; printf 'cmd\nenv\n'; } |
	    cpio -o -H newc --reproducible -R 0:0 --quiet | oracle_pcr)
	assert_equal "$ours" "$theirs"
}

@test "rootfs: the walk: 100 levels deep, a hard link, a FIFO; GNU cpio oracle; xattrs of a directory" {
	local deep=root i
	mkdir root
	for i in $(seq 100); do
		deep=$deep/d$((i % 3))
		mkdir "$deep" && printf '%s\n' "$i" >"$deep/f" && ln -s f "$deep/l"
	done
	mkdir root/.hidden root/a.b && printf 'z' >root/a.b/z && mkfifo root/pipe
	# links side by side in path order: GNU cpio moves a link group to its last member
	ln "$deep/f" "$deep/g" && ln root/d1/f root/d1/g && chmod 755 root/d1/g
	run -0 --separate-stderr qb --rootfs root --cmd /d1/g --measure-only
	ours=$(pcr 2 <<<"$output")
	mkdir -p oracle/rootfs/{dev,proc,run,sys,tmp,var}
	cp -a root/. oracle/rootfs/
	printf '/d1/g\n' >oracle/cmd && : >oracle/env
	chmod 644 oracle/cmd oracle/env
	find oracle -exec touch -h -d @0 {} +
	theirs=$(cd oracle && { echo rootfs; find rootfs -mindepth 1 | LC_ALL=C sort; printf 'cmd\nenv\n'; } |
	    cpio -o -H newc --reproducible -R 0:0 --quiet | oracle_pcr)
	assert_equal "$ours" "$theirs"
	# extended attributes of a directory and of a file 100 levels down (two links): warned about, dropped
	python3 -c 'import os, sys; [os.setxattr(p, "user.x", b"1") for p in sys.argv[1:]]' \
	    root/d1/d2 "$deep/f" 2>/dev/null || skip "no user xattrs on this file system"
	run -0 --separate-stderr qb --rootfs root --cmd /d1/g --measure-only
	assert_equal "$stderr" "qt-build: root: 3 entries have extended attributes (first: 'd1/d2'), which cpio newc cannot carry; dropping them"$'\n'"$KW"
	assert_equal "$(pcr 2 <<<"$output")" "$ours"
}

@test "rootfs: same bytes across umask, TZ, creation order, file mtimes and time of day" {
	(umask 022 && mkdir -p a/d1/d2 && for f in z m a B; do echo "$f" >a/d1/$f; done &&
	    echo x >a/d1/d2/x && chmod 755 a/d1/z && touch -d '2001-01-01 10:00' a/d1/m)
	(umask 077 && mkdir -p b/d1/d2 && echo x >b/d1/d2/x && for f in B a m z; do echo "$f" >b/d1/$f; done &&
	    chmod 700 b/d1/z && touch -d '2024-06-01 23:59' b/d1/a b/d1/d2)
	(umask 022 && TZ=Asia/Shanghai qb --rootfs a --cmd /bin/sh -o a.eif >/dev/null)
	sleep 1
	(umask 077 && TZ=America/Los_Angeles qb --rootfs b --cmd /bin/sh -o b.eif >/dev/null)
	cmp a.eif b.eif
	# file modes of the image itself follow the umask, its bytes do not
	[ "$(stat -c %a a.eif)" = 644 ] && [ "$(stat -c %a b.eif)" = 600 ]
	# archive sources: another spool directory, locale, user and host name change nothing
	mkdir t1 t2
	TMPDIR=$PWD/t1 LANG=C.UTF-8 qb --rootfs "docker-archive:$RD/docker.tar" -o c.eif >/dev/null 2>&1
	TMPDIR=$PWD/t2 LANG=POSIX LC_ALL=POSIX USER=nobody HOSTNAME=elsewhere \
	    qb --rootfs "docker-archive:$RD/docker.tar" -o d.eif >/dev/null 2>&1
	cmp c.eif d.eif
	[ -z "$(ls -A t1 t2 | grep -v '^t[12]:$' | grep -v '^$')" ] # spool files leave nothing
}

@test "rootfs: --keep-owner keeps on-disk modes; without it they are normalised" {
	mkdir -p r/d && echo s >r/d/secret && chmod 600 r/d/secret && chmod 700 r/d
	qb --rootfs r --cmd /bin/sh -o n.eif >/dev/null
	qb --rootfs r --cmd /bin/sh --keep-owner -o k.eif >/dev/null
	mkdir xn xk
	section_data n.eif 4 | (cd xn && cpio -i -d --quiet)
	section_data k.eif 4 | (cd xk && cpio -i -d --quiet)
	assert_equal "$(stat -c %a xn/rootfs/d xn/rootfs/d/secret)" $'755\n644'
	assert_equal "$(stat -c %a xk/rootfs/d xk/rootfs/d/secret)" $'700\n600'
}

@test "rootfs: hard links stay hard links; symlinks are stored, never followed" {
	mkdir -p r/bin
	echo data >r/bin/a
	ln r/bin/a r/bin/b
	ln -s /etc r/etc-link
	qb --rootfs r --cmd /bin/a -o x.eif >/dev/null
	mkdir x
	section_data x.eif 4 | (cd x && cpio -i -d --quiet)
	assert_equal "$(stat -c %i x/rootfs/bin/a)" "$(stat -c %i x/rootfs/bin/b)"
	assert_equal "$(cat x/rootfs/bin/b)" data
	assert_equal "$(readlink x/rootfs/etc-link)" /etc
	[ ! -e x/rootfs/etc-link/passwd ] || [ -L x/rootfs/etc-link ]
}

@test "rootfs: cmd and env follow docker run (Entrypoint + Cmd) and the overrides" {
	qb --rootfs "docker-archive:$RD/docker.tar" -o d.eif >/dev/null 2>err
	mkdir x && section_data d.eif 4 | (cd x && cpio -i -d --quiet cmd env)
	assert_equal "$(cat x/cmd)" $'/bin/app\n--serve\n8080'
	assert_equal "$(cat x/env)" $'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nA=1'
	assert_equal "$(cat err)" "qt-build: docker-archive:$RD/docker.tar: the image's WorkingDir '/srv' has no place in the enclave layout; the command starts in /
qt-build: docker-archive:$RD/docker.tar: the command '/bin/app' is a script for '/bin/sh', which is not in the image"$'\n'"$KW"
	qb --rootfs "docker-archive:$RD/docker.tar:app:latest" --entrypoint '["/bin/sh","-c"]' \
	    --cmd 'echo hi' --env A=2 --env B=3 -o e.eif >/dev/null 2>&1
	mkdir y && section_data e.eif 4 | (cd y && cpio -i -d --quiet cmd env)
	assert_equal "$(cat y/cmd)" $'/bin/sh\n-c\necho hi'
	assert_equal "$(tail -n 2 y/env)" $'A=2\nB=3'
	run -2 --separate-stderr qb --rootfs root-that-is-not-there -o z.eif
	assert_equal "$stderr" "qt-build: root-that-is-not-there: No such file or directory"
	mkdir empty
	run -2 --separate-stderr qb --rootfs empty -o z.eif
	assert_equal "$stderr" "qt-build: empty: no command to run: the image has no Entrypoint or Cmd; give --cmd"
	[ ! -e z.eif ]
}

@test "rootfs: OCI layout picks the platform; a tampered blob is refused, nothing written" {
	run -0 --separate-stderr qb --rootfs "oci:$RD/oci:v1" --measure-only
	amd=$(pcr 2 <<<"$output")
	run -0 --separate-stderr qb --rootfs "oci:$RD/oci" --platform linux/arm64 --measure-only
	arm=$(pcr 2 <<<"$output")
	[ "$amd" != "$arm" ]
	cp -r "$RD/oci" bad
	# swap the amd64 base layer for the arm64 one: a valid gzip tar, the wrong digest
	amd_l1=c9ab168c363a5c5c2a540fd0cc95764971ac0e2970e69eba58f0e60699345912
	arm_l1=ce61529bc9bd3f77d689032eee54fc38ee95967b1bc1838fcb96d233eedea609
	cp bad/blobs/sha256/$arm_l1 bad/blobs/sha256/$amd_l1
	run -2 --separate-stderr qb --rootfs "oci:bad" -o o.eif
	assert_equal "$stderr" "qt-build: bad: layer 1 (sha256:$amd_l1): digest mismatch: expected sha256:$amd_l1, blob is sha256:$arm_l1"
	[ ! -e o.eif ]
	# a JSON blob (the image index) edited in place: its digest no longer matches
	rm -r bad && cp -r "$RD/oci" bad
	idx=$(sed -n 's/.*"digest": "sha256:\([0-9a-f]*\)".*/\1/p' bad/index.json)
	sed -i 's/"schemaVersion": 2/"schemaVersion": 2 /' "bad/blobs/sha256/$idx"
	run -2 --separate-stderr qb --rootfs "oci:bad" -o o.eif
	[[ "$stderr" == "qt-build: bad: manifest: digest mismatch: expected sha256:$idx, blob is sha256:"* ]]
	[ ! -e o.eif ]
	# arm64 and arm64/v8 are one platform, as containerd treats them
	run -0 --separate-stderr qb --rootfs "oci:$RD/oci" --platform linux/arm64/v8 --measure-only
	assert_equal "$(pcr 2 <<<"$output")" "$arm"
	# by digest: the index (then --platform chooses) or one platform's manifest inside it
	idx=950c8689a73609946a59b2d87ee2377fa7d9643c5b7a9b2199e16b884646d00a
	armman=9c1497645166018a02cf6761188f142c8648ba1e8356e7f2ac2b23360441fbfd
	run -0 --separate-stderr qb --rootfs "oci:$RD/oci@sha256:$idx" --measure-only
	assert_equal "$(pcr 2 <<<"$output")" "$amd"
	run -0 --separate-stderr qb --rootfs "oci:$RD/oci@sha256:$idx" --platform linux/arm64 --measure-only
	assert_equal "$(pcr 2 <<<"$output")" "$arm"
	run -0 --separate-stderr qb --rootfs "oci:$RD/oci@sha256:$armman" --platform linux/arm64 --measure-only
	assert_equal "$(pcr 2 <<<"$output")" "$arm"
	# the arm64 manifest is not for the default x86_64 enclave
	run -2 --separate-stderr qb --rootfs "oci:$RD/oci@sha256:$armman" --measure-only
	assert_equal "$stderr" "qt-build: $RD/oci: the image is for linux/arm64, the enclave image for x86_64 (linux/amd64); give --arch aarch64 and a kernel for it"
}

@test "rootfs: hostile archives exit 2 with the archive, layer and entry named" {
	echo old >out.eif
	run -2 --separate-stderr qb --rootfs "$RD/escape.tar" --cmd /x -o out.eif
	assert_equal "$stderr" "qt-build: $RD/escape.tar: entry 'a/../../evil': path leaves the root"
	run -2 --separate-stderr qb --rootfs "$RD/symlink-escape.tar" --cmd /x -o out.eif
	assert_equal "$stderr" "qt-build: $RD/symlink-escape.tar: entry 'etc/passwd': parent 'etc' is a symbolic link: the entry would be written through it"
	run -2 --separate-stderr qb --rootfs "docker-archive:$RD/docker-bad-digest.tar" -o out.eif
	assert_equal "$stderr" "qt-build: $RD/docker-bad-digest.tar: layer 2 (l2/layer.tar): digest mismatch: expected sha256:733bf0ce298afcd7d042b0a3be648e0a458a8fb9d156041c27674b18fc223b0b, layer is sha256:3c8d71f98a8ee9d4d1ffef31ab5795237431901b261ebdb2e87a82ad8ae0fcee"
	run -2 --separate-stderr qb --rootfs "docker-archive:$RD/docker-whiteout-escape.tar" -o out.eif
	assert_equal "$stderr" "qt-build: $RD/docker-whiteout-escape.tar: layer 2 (l2/layer.tar): whiteout 'a/.wh..' does not name an entry of its directory"
	run -2 --separate-stderr qb --rootfs "$RD/many.tar" --cmd /x --max-entries 99 -o out.eif
	assert_equal "$stderr" "qt-build: $RD/many.tar: more than 99 entries (limit; see --max-entries)"
	run -2 --separate-stderr qb --rootfs "$RD/simple.tar.gz" --cmd /x --max-bytes 10 -o out.eif
	assert_equal "$stderr" "qt-build: $RD/simple.tar.gz: entry 'bin/app': more than 10 bytes of contents (limit; see --max-bytes)"
	run -2 --separate-stderr qb --rootfs "docker-archive:$RD/simple.tar" -o out.eif
	assert_equal "$stderr" "qt-build: $RD/simple.tar: no manifest.json: not a \`docker save\` archive"
	mkdir big && truncate -s 4G big/f # sparse: refused before a byte is read
	run -2 --separate-stderr qb --rootfs big --cmd /x -o out.eif
	assert_equal "$stderr" "qt-build: big/f: 4 GiB or more: cpio newc cannot store it"
	rm -r big
	assert_equal "$(cat out.eif)" old
	assert_equal "$(ls -A)" out.eif
}

@test "rootfs: tarball normalisation warns once for device nodes; xattrs warn once" {
	run -0 --separate-stderr qb --rootfs "$RD/simple.tar.gz" --cmd /bin/app --measure-only
	assert_equal "$stderr" "qt-build: $RD/simple.tar.gz: skipping 1 device node or socket (first: 'dev/null'); the enclave's /dev is a devtmpfs
qt-build: $RD/simple.tar.gz: the command '/bin/app' is a script for '/bin/sh', which is not in the image"$'\n'"$KW"
	# a pipe works too (no reading in place, no second pass needed)
	file=$(grep '"PCR' <<<"$output")
	run -0 --separate-stderr qb --rootfs <(cat "$RD/simple.tar") --cmd /bin/app --measure-only
	assert_equal "$(grep '"PCR' <<<"$output")" "$file"
	mkdir r && echo a >r/a && echo b >r/b && chmod 755 r/a
	python3 -c 'import os; [os.setxattr("r/" + f, "user.x", b"1") for f in "ab"]' 2>/dev/null ||
	    skip "no user xattrs on this file system"
	run -0 --separate-stderr qb --rootfs r --cmd /a --measure-only
	assert_equal "$stderr" "qt-build: r: 2 entries have extended attributes (first: 'a'), which cpio newc cannot carry; dropping them"$'\n'"$KW"
}

@test "rootfs: --compress gzip writes a timestamp-free gzip of the same cpio" {
	mk_golden_root root
	qb --rootfs root --cmd /bin/app "${ENV[@]}" --compress gzip -o gz.eif >/dev/null
	qb --rootfs root --cmd /bin/app "${ENV[@]}" --compress gzip -o gz2.eif >/dev/null
	cmp gz.eif gz2.eif
	section_data gz.eif 3 | gunzip | cmp - "$IN/ramdisk0.cpio"
	section_data gz.eif 4 | gunzip | cmp - "$IN/ramdisk1.cpio"
	assert_equal "$(section_data gz.eif 4 | head -c 10 | xxd -p)" 1f8b0800000000000003
}

@test "rootfs: usage errors for the ramdisk options" {
	run -2 --separate-stderr qt-build --kernel k --cmdline x --ramdisk r --cmd /x -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: --cmd, --entrypoint, --env, --platform, --keep-owner and --max-* need --rootfs"
	run -2 --separate-stderr qt-build --kernel k --cmdline x --rootfs r --driver d -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: --driver needs --init"
	run -2 --separate-stderr qt-build --kernel k --cmdline x --rootfs r --compress xz -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: --compress: unknown method 'xz'"
	run -2 --separate-stderr qt-build --kernel k --cmdline x --rootfs r --max-entries 0 -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: --max-entries: '0' is not a positive number"
	run -2 --separate-stderr qt-build --kernel k --cmdline x --rootfs r --env NOEQUALS -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: --env: 'NOEQUALS' is not KEY=VALUE"
	SOURCE_DATE_EPOCH=4294967296 run -2 --separate-stderr qb --rootfs . --cmd /x -o o
	assert_equal "$stderr" "qt-build: SOURCE_DATE_EPOCH: '4294967296' is after 2106, beyond the 32-bit mtimes of cpio newc"
}

@test "rootfs: SOURCE_DATE_EPOCH clamps mtimes (newer files take it, older keep theirs)" {
	mkdir r && echo n >r/new && echo o >r/old
	touch -d @1000 r/old
	SOURCE_DATE_EPOCH=5000 qb --rootfs r --cmd /new -o x.eif >/dev/null
	mkdir x && section_data x.eif 4 | (cd x && cpio -i -d -m --quiet)
	assert_equal "$(stat -c %Y x/rootfs/new x/rootfs/old x/cmd)" $'5000\n1000\n5000'
}

@test "rootfs: the bootstrap ramdisk comes first; --ramdisk and --rootfs keep their order" {
	mk_golden_root root
	qt-build --kernel "$IN/kernel.bin" --cmdline x --rootfs root --cmd /bin/app "${ENV[@]}" \
	    --ramdisk "$IN/ramdisk0.cpio" --init "$IN/init.bin" --driver "$NSM" -o o.eif >/dev/null
	section_data o.eif 3 | cmp - "$IN/ramdisk0.cpio" # generated from --init/--driver
	section_data o.eif 4 | cmp - "$IN/ramdisk1.cpio" # --rootfs, given first
	section_data o.eif 5 | cmp - "$IN/ramdisk0.cpio" # --ramdisk, given second
}

# ---- container images made by skopeo and umoci (tests/fixtures/images/mk-images.sh) ----

# qt-build over the golden kernel and bootstrap, measure only
qi() {
	qb --measure-only "$@"
}

HELLO_PCR2=8ac7bdb66179072d03ea379c12842dace5255d44751fe3bd32e6f9721ecd79b3222ddcc7d22c3ab79bd46726ebe4cfe1
HELLO_CFG=54990dc2639b07e0c68297d9a6e719f1b02b6b31508a3b73e998ce73868bd75f
HELLO_MAN=b241be2d1778c28a02761d4ad52eb1a37cc331166fec80cda2335a186a3093b2

@test "images: every source form of one image gives the same PCRs (oci, zstd, oci-archive, docker-archive)" {
	IM="$FIX/images"
	for src in "oci:$IM/oci:hello" "oci:$IM/oci-zstd" "oci-archive:$IM/hello-oci.tar" \
	    "docker-archive:$IM/hello-docker.tar" "docker-archive:$IM/hello-localhost.tar" \
	    "oci:$IM/oci@sha256:$HELLO_MAN" "oci-archive:$IM/hello-oci.tar@sha256:$HELLO_MAN" \
	    "docker-archive:$IM/hello-docker.tar@sha256:$HELLO_CFG"; do
		run -0 --separate-stderr qi --rootfs "$src"
		assert_equal "$(pcr 2 <<<"$output")" "$HELLO_PCR2"
	done
}

@test "images: buildah's multi-arch index: --arch/--platform choose the image, its config says which" {
	IM="$FIX/images"
	run -0 --separate-stderr qb --rootfs "oci:$IM/multi:hello" -o x.eif
	assert_equal "$(pcr 2 <<<"$output")" "$HELLO_PCR2"
	[[ "$(section_data x.eif 2)" == *'"DockerInfo":{"Architecture":"amd64",'* ]]
	run -0 --separate-stderr qb --rootfs "oci:$IM/multi:hello" --arch aarch64 -o a.eif
	[[ "$(section_data a.eif 2)" == *'"DockerInfo":{"Architecture":"arm64",'* ]]
	# the ref name "hello" is a tag alone: no repository, so no RepoTags or RepoDigests
	[[ "$(section_data a.eif 2)" == *'"RepoDigests":[],"RepoTags":[],'* ]]
	[[ "$(section_data a.eif 2)" == *'"Source":{"Form":"oci","ManifestDigest":"sha256:f638c2f9a2549f26cb992f18181d473657c0afcd75e644ca51ae138e3c3c78eb","Reference":"hello"}'* ]]
	run -0 --separate-stderr qb --rootfs "oci:$IM/multi:hello" --platform linux/arm64/v8 -o b.eif
	cmp a.eif b.eif
	run -2 --separate-stderr qb --rootfs "oci:$IM/multi:hello:2.0" -o c.eif
	assert_equal "$stderr" "qt-build: $IM/multi: index.json: no manifest named 'hello:2.0' (it holds: hello)"
}

@test "images: User and WorkingDir warn, cmd and env as docker run (default PATH), whiteouts applied" {
	IM="$FIX/images"
	run -0 --separate-stderr qb --rootfs "oci:$IM/oci:hello" -o h.eif
	assert_equal "$stderr" "qt-build: oci:$IM/oci:hello: the image's User 'app' is not root; the enclave's init runs the command as root (uid 0)
qt-build: oci:$IM/oci:hello: the image's WorkingDir '/srv' has no place in the enclave layout; the command starts in /
qt-build: oci:$IM/oci:hello: the command '/bin/hello' is a script for '/bin/sh', which is not in the image
$KW"
	mkdir x && section_data h.eif 4 | (cd x && cpio -i -d --quiet)
	assert_equal "$(cat x/cmd)" $'/bin/hello\nworld'
	assert_equal "$(cat x/env)" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_equal "$(cat x/rootfs/etc/kept)" kept
	[ ! -e x/rootfs/etc/old ] # whited out by layer 2
	# User 0, WorkingDir / and a PATH of its own: no warning, no default PATH
	run -0 --separate-stderr qb --rootfs "oci:$IM/oci:hello-root" -o r.eif
	assert_equal "$stderr" "qt-build: oci:$IM/oci:hello-root: the command '/bin/hello' is a script for '/bin/sh', which is not in the image"$'\n'"$KW"
	mkdir y && section_data r.eif 4 | (cd y && cpio -i -d --quiet cmd env)
	assert_equal "$(cat y/env)" "PATH=/bin"
}

@test "images: docker reference rules; not found lists what is there" {
	IM="$FIX/images"
	# skopeo records docker.io/library/hello:1.0; podman and buildah localhost/hello:1.0
	for ref in hello:1.0 library/hello:1.0 docker.io/library/hello:1.0; do
		run -0 --separate-stderr qi --rootfs "docker-archive:$IM/hello-docker.tar:$ref"
		assert_equal "$(pcr 2 <<<"$output")" "$HELLO_PCR2"
	done
	for ref in hello:1.0 localhost/hello:1.0; do
		run -0 --separate-stderr qi --rootfs "docker-archive:$IM/hello-localhost.tar:$ref"
		assert_equal "$(pcr 2 <<<"$output")" "$HELLO_PCR2"
	done
	run -0 --separate-stderr qi --rootfs "oci-archive:$IM/hello-oci.tar:docker.io/library/hello:1.0"
	assert_equal "$(pcr 2 <<<"$output")" "$HELLO_PCR2"
	# no tag means latest
	run -2 --separate-stderr qi --rootfs "docker-archive:$IM/hello-docker.tar:hello"
	assert_equal "$stderr" "qt-build: $IM/hello-docker.tar: no image tagged 'hello' (it holds: docker.io/library/hello:1.0)"
	# a registry given is a registry meant
	run -2 --separate-stderr qi --rootfs "docker-archive:$IM/hello-localhost.tar:docker.io/library/hello:1.0"
	assert_equal "$stderr" "qt-build: $IM/hello-localhost.tar: no image tagged 'docker.io/library/hello:1.0' (it holds: localhost/hello:1.0)"
	run -2 --separate-stderr qi --rootfs "oci-archive:$IM/hello-oci.tar:hello:2.0"
	assert_equal "$stderr" "qt-build: $IM/hello-oci.tar: index.json: no manifest named 'hello:2.0' (it holds: hello:1.0)"
	run -2 --separate-stderr qi --rootfs "oci:$IM/oci"
	assert_equal "$stderr" "qt-build: $IM/oci: index.json: holds 3 images: name one as oci:DIR:REF (it holds: hello, hello-root, hello-arm64)"
	run -2 --separate-stderr qi --rootfs "oci:$IM/oci@sha256:$HELLO_CFG"
	assert_equal "$stderr" "qt-build: $IM/oci: index.json: no manifest with digest sha256:$HELLO_CFG (it holds: sha256:$HELLO_MAN, sha256:3f8c0c2f393171208500c7e69bae426f7da9b590a9d7d2c88bf78fef4df15017, sha256:f638c2f9a2549f26cb992f18181d473657c0afcd75e644ca51ae138e3c3c78eb)"
	run -2 --separate-stderr qi --rootfs "docker-archive:$IM/hello-docker.tar@sha256:$HELLO_MAN"
	assert_equal "$stderr" "qt-build: $IM/hello-docker.tar: no image with config digest sha256:$HELLO_MAN (it holds: sha256:$HELLO_CFG)"
	run -2 --separate-stderr qi --rootfs "docker-archive:$IM/hello-docker.tar@sha256:abc"
	assert_equal "$stderr" "qt-build: 'docker-archive:$IM/hello-docker.tar@sha256:abc': 'sha256:abc' is not a digest (sha256: or sha512: and lower-case hex)"
}

@test "images: an image archive given as a plain rootfs, and registry references, exit 2 saying what to do" {
	IM="$FIX/images"
	run -2 --separate-stderr qi --rootfs "$IM/hello-docker.tar" --cmd /x
	assert_equal "$stderr" "qt-build: $IM/hello-docker.tar: a \`docker save\` archive, not a root file system: use docker-archive:$IM/hello-docker.tar"
	run -2 --separate-stderr qi --rootfs "$IM/hello-oci.tar" --cmd /x
	assert_equal "$stderr" "qt-build: $IM/hello-oci.tar: an OCI image layout archive, not a root file system: use oci-archive:$IM/hello-oci.tar"
	run -2 --separate-stderr qi --rootfs "$IM/oci" --cmd /x
	assert_equal "$stderr" "qt-build: $IM/oci: an OCI image layout, not a root file system: use oci:$IM/oci"
	# Docker 25+ `docker save` holds both manifest.json and oci-layout: docker-archive
	run -2 --separate-stderr qi --rootfs "$RD/docker-oci.tar" --cmd /x
	assert_equal "$stderr" "qt-build: $RD/docker-oci.tar: a \`docker save\` archive, not a root file system: use docker-archive:$RD/docker-oci.tar"
	for ref in docker://hello:1.0 hello:1.0 registry.example.com/team/app; do
		run -2 --separate-stderr qi --rootfs "$ref"
		r=${ref#docker://}
		assert_equal "$stderr" "qt-build: $ref: qt reads no registry or image store; save the image to an archive first (\`skopeo copy docker://$r docker-archive:image.tar\` or \`docker save -o image.tar $r\`) and give --rootfs docker-archive:image.tar"
	done
	[ ! -e "$BATS_TEST_TMPDIR/w/o.eif" ]
}

@test "images: platform and arch agree or the build stops; the kernel's format is checked" {
	IM="$FIX/images"
	run -2 --separate-stderr qi --rootfs "oci:$IM/oci:hello-arm64"
	assert_equal "$stderr" "qt-build: $IM/oci: the image is for linux/arm64, the enclave image for x86_64 (linux/amd64); give --arch aarch64 and a kernel for it"
	run -2 --separate-stderr qi --rootfs "docker-archive:$IM/hello-arm64-docker.tar"
	assert_equal "$stderr" "qt-build: $IM/hello-arm64-docker.tar: the image is for linux/arm64, the enclave image for x86_64 (linux/amd64); give --arch aarch64 and a kernel for it"
	run -2 --separate-stderr qi --rootfs "docker-archive:$IM/hello-docker.tar" --arch aarch64
	assert_equal "$stderr" "qt-build: $IM/hello-docker.tar: the image is for linux/amd64, the enclave image for aarch64 (linux/arm64); give --arch x86_64 and a kernel for it"
	# --platform linux/arm64 means --arch aarch64 (the EIF's arm64 flag is set)
	run -0 --separate-stderr qi --rootfs "docker-archive:$IM/hello-arm64-docker.tar" --platform linux/arm64
	assert_equal "$(pcr 2 <<<"$output")" "$HELLO_PCR2"
	run -0 qb --rootfs "docker-archive:$IM/hello-arm64-docker.tar" --platform linux/arm64/v8 -o a.eif
	run -0 --separate-stderr qt-measure --json=short a.eif
	run -2 --separate-stderr qb --rootfs "oci:$IM/oci:hello" --platform linux/amd64 --arch aarch64 -o a.eif
	assert_equal "${stderr%%$'\n'*}" "qt-build: --arch aarch64 and --platform linux/amd64 disagree (linux/amd64 is --arch x86_64)"
	run -2 --separate-stderr qb --rootfs "oci:$IM/oci:hello" --platform linux/s390x -o a.eif
	assert_equal "${stderr%%$'\n'*}" "qt-build: --platform linux/s390x: an enclave runs linux/amd64 (--arch x86_64) or linux/arm64 (--arch aarch64)"
	for bad in linux linux/ /amd64 Linux/AMD64 linux/amd64/v1/x; do
		run -2 --separate-stderr qb --rootfs "oci:$IM/oci:hello" --platform "$bad" -o a.eif
		assert_equal "${stderr%%$'\n'*}" "qt-build: --platform: '$bad' is not OS/ARCH[/VARIANT] (e.g. linux/amd64)"
	done
	# stand-in kernels with the x86 boot protocol header and the arm64 Image header
	head -c 1024 /dev/zero >bz && printf '\125\252HdrS' | dd of=bz bs=1 seek=510 conv=notrunc status=none
	printf 'HdrS' | dd of=bz bs=1 seek=514 conv=notrunc status=none
	head -c 1024 /dev/zero >img && printf 'ARM\144' | dd of=img bs=1 seek=56 conv=notrunc status=none
	run -2 --separate-stderr qt-build --kernel bz --cmdline x --arch aarch64 --ramdisk "$IN/ramdisk0.cpio" -o k.eif
	assert_equal "$stderr" "qt-build: bz: an x86 bzImage kernel, but --arch is aarch64 (an arm64 Image is needed)"
	run -2 --separate-stderr qt-build --kernel img --cmdline x --ramdisk "$IN/ramdisk0.cpio" -o k.eif
	assert_equal "$stderr" "qt-build: img: an arm64 Image kernel, but --arch is x86_64 (give --arch aarch64)"
	[ ! -e k.eif ]
	run -0 --separate-stderr qt-build --kernel bz --cmdline x --ramdisk "$IN/ramdisk0.cpio" -o k.eif
	assert_equal "$stderr" ""
	run -0 --separate-stderr qt-build --kernel img --cmdline x --arch aarch64 --ramdisk "$IN/ramdisk0.cpio" -o k.eif
	assert_equal "$stderr" ""
}

@test "rootfs: PCR1 depends on kernel, cmdline, init and drivers only, not on SOURCE_DATE_EPOCH" {
	mk_golden_root root
	run -0 --separate-stderr qb --rootfs root --cmd /bin/app "${ENV[@]}" --measure-only
	p1=$(pcr 1 <<<"$output")
	p2=$(pcr 2 <<<"$output")
	# golden c2's PCR1: the bootstrap ramdisk is inputs/ramdisk0.cpio (mtime 0)
	assert_equal "$p1" "$(qt-measure "$OUTS/c2_x86_2rd.eif" | pcr 1)"
	touch root/bin/app # newer than any clamp below: the application ramdisk changes
	for sde in 1 1700000000 4294967295; do
		SOURCE_DATE_EPOCH=$sde run -0 --separate-stderr qb --rootfs root --cmd /bin/app \
		    "${ENV[@]}" --measure-only
		assert_equal "$(pcr 1 <<<"$output")" "$p1"
		[ "$(pcr 2 <<<"$output")" != "$p2" ]
	done
	SOURCE_DATE_EPOCH=1700000000 qb --rootfs root --cmd /bin/app -o s.eif >/dev/null 2>&1
	section_data s.eif 3 | cmp - "$IN/ramdisk0.cpio"
}

# an ELF header of 64 bytes for e_machine $1 (62 x86_64, 183 aarch64), little-endian
mk_elf() {
	{ printf '\177ELF\002\001\001'; head -c 11 /dev/zero; printf "\\$(printf %03o "$1")\\000"
	  head -c 44 /dev/zero; } >"$2"
	chmod 755 "$2"
}

@test "pre-flight: the command is found, executable and for --arch; init and ramdisks are checked; warnings in the JSON" {
	mkdir -p root/bin root/usr/bin root/etc
	mk_elf 62 root/usr/bin/app
	ln -s usr/bin root/sbin      # a folder reached through a link
	ln -s ../usr/bin/app root/bin/app-link
	mk_elf 183 root/bin/arm
	echo x >root/etc/conf
	printf '#!/bin/missing\n' >root/bin/script && chmod 755 root/bin/script
	good=$KW
	run -0 --separate-stderr qb --rootfs root --cmd /sbin/app --measure-only
	assert_equal "$stderr" "$good"
	run -0 --separate-stderr qb --rootfs root --cmd /bin/app-link --measure-only
	assert_equal "$stderr" "$good"
	# a relative name is looked up in PATH (--env PATH=, else docker's default)
	run -0 --separate-stderr qb --rootfs root --cmd app --env PATH=/bin:/sbin --measure-only
	assert_equal "$stderr" "$good"
	run -0 --separate-stderr qb --rootfs root --cmd app --env PATH=/bin --measure-only
	assert_equal "$stderr" "qt-build: root: the command 'app' is in no folder of PATH=/bin in the image"$'\n'"$good"
	run -0 --separate-stderr qb --rootfs root --cmd nothere --measure-only
	assert_equal "$stderr" "qt-build: root: the command 'nothere' is in no folder of PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin in the image"$'\n'"$good"
	run -0 --separate-stderr qb --rootfs root --cmd /bin/nothere --measure-only
	assert_equal "$stderr" "qt-build: root: the command '/bin/nothere' is not in the image"$'\n'"$good"
	run -0 --separate-stderr qb --rootfs root --cmd /etc/conf --measure-only
	assert_equal "$stderr" "qt-build: root: the command '/etc/conf' is not executable (mode 0644)"$'\n'"$good"
	run -0 --separate-stderr qb --rootfs root --cmd /etc --measure-only
	assert_equal "$stderr" "qt-build: root: the command '/etc' is not a regular file"$'\n'"$good"
	run -0 --separate-stderr qb --rootfs root --cmd /bin/arm --measure-only
	assert_equal "$stderr" "qt-build: root: the command '/bin/arm' is an ELF executable for aarch64; the enclave is x86_64"$'\n'"$good"
	run -0 --separate-stderr qb --rootfs root --cmd /bin/script --measure-only
	assert_equal "$stderr" "qt-build: root: the command '/bin/script' is a script for '/bin/missing', which is not in the image"$'\n'"$good"
	ln -s loop2 root/bin/loop1 && ln -s loop1 root/bin/loop2
	run -0 --separate-stderr qb --rootfs root --cmd /bin/loop1 --measure-only
	assert_equal "$stderr" "qt-build: root: the command '/bin/loop1' is not in the image (too many symbolic links)"$'\n'"$good"
	# ".." stops at the root, as in the kernel
	run -0 --separate-stderr qb --rootfs root --cmd /../../usr/bin/app --measure-only
	assert_equal "$stderr" "$good"
	# the warnings, in order, in qt's JSON; nitro-cli's shape stays as nitro-cli prints it
	run -0 --separate-stderr qb --rootfs root --cmd /bin/arm --measure-only --json=short
	assert_equal "$(sed 's/.*"warnings"://' <<<"$output")" "[\"root: the command '/bin/arm' is an ELF executable for aarch64; the enclave is x86_64\",\"$IN/init.bin: --init is neither an ELF executable for x86_64 nor a #! script\",\"$IN/kernel.bin: neither an x86 bzImage nor an arm64 Image; cannot check it against --arch x86_64\"]}"
	run -0 --separate-stderr qb --rootfs root --cmd /bin/arm --measure-only --profile nitro --json=short
	[[ "$output" != *warnings* ]]
	# an init for the other architecture; a --ramdisk that is no cpio
	mk_elf 183 init-arm
	echo 'not a cpio' >notcpio
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x --init init-arm \
	    --ramdisk notcpio --measure-only
	assert_equal "$stderr" "qt-build: notcpio: --ramdisk is neither a cpio newc archive nor gzip; the kernel will not unpack it
qt-build: init-arm: --init is an ELF executable for aarch64; the enclave is x86_64
qt-build: $IN/kernel.bin: neither an x86 bzImage nor an arm64 Image; cannot check it against --arch x86_64"
}

@test "pre-flight: --strict turns warnings into exit 1 with no output; -o is checked before the build" {
	mk_golden_root root
	echo old >keep.eif
	run -1 --separate-stderr qb --rootfs root --cmd /bin/app "${ENV[@]}" --strict -o keep.eif
	assert_output ""
	assert_equal "$stderr" "$KW"$'\n'"qt-build: --strict: 2 warnings; no image written"
	assert_equal "$(cat keep.eif)" old
	run -1 --separate-stderr qb --rootfs root --cmd /bin/app --strict -o new.eif
	[ ! -e new.eif ]
	# without warnings --strict changes nothing (a kernel and init of known formats)
	head -c 1024 /dev/zero >bz && printf '\125\252' | dd of=bz bs=1 seek=510 conv=notrunc status=none
	printf 'HdrS' | dd of=bz bs=1 seek=514 conv=notrunc status=none
	mk_elf 62 init
	run -0 --separate-stderr qt-build --kernel bz --cmdline x --init init --driver "$NSM" \
	    --rootfs root --cmd /bin/app --strict -o s.eif
	assert_equal "$stderr" ""
	[ -s s.eif ]
	# -o: a directory, or a folder that is not there: exit 2 before any input is read
	mkdir outdir
	run -2 --separate-stderr qb --rootfs does-not-matter -o outdir
	assert_equal "$stderr" "qt-build: outdir: is a directory; -o names the image file"
	run -2 --separate-stderr qb --rootfs does-not-matter -o nodir/x.eif
	assert_equal "$stderr" "qt-build: nodir/x.eif: cannot create a file in 'nodir': No such file or directory"
}

@test "provenance: ImageName/ImageVersion from the reference, DockerInfo as docker inspect, manifest source; PCRs unchanged" {
	IM="$FIX/images"
	L1=sha256:675970c927b95eff5e6829f3b97dc1ff2c3dcc11ceda4017efd0811d6ece5d57
	L2=sha256:28de314110c5b4c52f7d05d9e240170c33640277700c5c38f802dd240377a20a
	run -0 --separate-stderr qb --rootfs "oci-archive:$IM/hello-oci.tar" "${REF[@]}" --manifest m.json -o a.eif
	pcrs=$(grep '"PCR' <<<"$output")
	# the metadata section: name and tag of the reference, DockerInfo in docker inspect's shape
	meta=$(section_data a.eif 2)
	assert_equal "${meta%%\"BuildMetadata\"*}" '{"ImageName":"hello","ImageVersion":"1.0",'
	assert_equal "$(sed 's/.*"DockerInfo"://; s/,"CustomMetadata".*//' <<<"$meta")" \
	    '{"Architecture":"amd64","Config":{"Cmd":["world"],"Entrypoint":["/bin/hello"],"Env":null,"User":"app","WorkingDir":"/srv"},"Id":"sha256:'$HELLO_CFG'","Os":"linux","RepoDigests":["hello@sha256:'$HELLO_MAN'"],"RepoTags":["hello:1.0"],"RootFS":{"Layers":["'$L1'","'$L2'"],"Type":"layers"},"Source":{"Form":"oci-archive","ManifestDigest":"sha256:'$HELLO_MAN'","Reference":"hello:1.0"}}'
	# the manifest's source, the same from qt-measure manifest, and valid by the schema
	run -0 python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["source"]))' m.json
	assert_output '{"form": "oci-archive", "reference": "hello:1.0", "manifest_digest": "sha256:'$HELLO_MAN'", "config_digest": "sha256:'$HELLO_CFG'", "layers": ["'$L1'", "'$L2'"], "platform": "linux/amd64"}'
	qt-measure manifest a.eif | cmp - m.json
	run -0 python3 -c 'import json,sys,jsonschema; jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2]))); print("valid")' \
	    "$TOP/formats/qt-manifest.schema.json" m.json
	# a manifest with source is read back (verify, policy)
	run -0 --separate-stderr qt-measure policy --profile qingtian --allow-zero m.json
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); del m["source"]["platform"]; json.dump(m, open("bad.json","w"), indent=2)' m.json
	run -2 --separate-stderr qt-measure policy --profile qingtian --allow-zero bad.json
	assert_equal "$stderr" "qt-measure: bad.json: source: missing key 'platform'"
	# the metadata is not measured: the same PCRs as a build with other names
	run -0 --separate-stderr qb --rootfs "oci-archive:$IM/hello-oci.tar" --image-name x --image-version y -o b.eif
	assert_equal "$(grep '"PCR' <<<"$output")" "$pcrs"
	assert_equal "$(section_data b.eif 2 | head -c 40)" '{"ImageName":"x","ImageVersion":"y","Bui'
	# by digest: the version is the digest; docker-archive: the recorded tag, no manifest digest
	qb --rootfs "oci:$IM/oci@sha256:$HELLO_MAN" -o c.eif >/dev/null 2>&1
	assert_equal "$(section_data c.eif 2 | head -c 110)" '{"ImageName":"oci","ImageVersion":"sha256:'$HELLO_MAN'","B'
	qb --rootfs "docker-archive:$IM/hello-localhost.tar:hello:1.0" --manifest d.json -o d.eif >/dev/null 2>&1
	assert_equal "$(section_data d.eif 2 | head -c 52)" '{"ImageName":"hello","ImageVersion":"1.0","BuildMeta'
	run -0 python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["source"]; print(s["form"], s["reference"], s["manifest_digest"], s["config_digest"])' d.json
	assert_output "docker-archive hello:1.0 None sha256:$HELLO_CFG"
	# a directory: no DockerInfo, no source, the defaults of eif_build
	mk_golden_root root
	qb --rootfs root --cmd /bin/app --manifest e.json -o e.eif >/dev/null 2>&1
	[[ "$(section_data e.eif 2)" == '{"ImageName":"kernel.bin","ImageVersion":"1.0",'*'"DockerInfo":null,'* ]]
	run -1 grep -q '"source"' e.json
}
