#!/usr/bin/env bats
# qt-measure diff: which PCRs differ between two builds, and why, down to the
# file and the env line; and the worked example of qt-measure(1): two builds
# differing in one file and one env line, a rollout policy for both, check
# and extract.
load ../helpers/common

IN="$GOLD/inputs"
C5="$GOLD/outputs/c5_signed_p384.eif"
C2="$GOLD/outputs/c2_x86_2rd.eif"

setup() {
	common_setup
}

qb() {
	qt-build --kernel "$IN/kernel.bin" --cmdline "console=ttyS0" --init "$IN/init.bin" \
	    --driver "$IN/nsm.ko.bin" --build-time 2024-01-01T00:00:00Z "$@"
}

# two builds of one app: etc/app.conf and the LOG line of env differ
two_builds() {
	mkdir -p v1/etc v1/bin v2/etc v2/bin
	cp "$IN/app.bin" v1/bin/app
	cp "$IN/app.bin" v2/bin/app
	printf 'port=80\n' >v1/etc/app.conf
	printf 'port=8080\n' >v2/etc/app.conf
	qb --rootfs v1 --cmd /bin/app --env MODE=prod --env LOG=info -o v1.eif >v1.pcrs
	qb --rootfs v2 --cmd /bin/app --env MODE=prod --env LOG=debug -o v2.eif >v2.pcrs
}

pcr_of() { sed -n "s/.*\"PCR$2\": \"\\([0-9a-f]*\\)\".*/\\1/p" "$1"; }

@test "qt-measure diff: the worked example names the file, the env line and PCR0/PCR2" {
	two_builds
	A0=$(pcr_of v1.pcrs 0) B0=$(pcr_of v2.pcrs 0) A1=$(pcr_of v1.pcrs 1) A2=$(pcr_of v1.pcrs 2) B2=$(pcr_of v2.pcrs 2)
	run -1 --separate-stderr qt-measure diff v1.eif v2.eif
	assert_equal "$stderr" ""
	assert_output "a: v1.eif (image)
b: v2.eif (image)

PCR0   differs  a ${A0:0:16}...  b ${B0:0:16}...
PCR1   same     ${A1:0:16}...
PCR2   differs  a ${A2:0:16}...  b ${B2:0:16}...
PCR8   same     0000000000000000...

sections:
  kernel     same
  cmdline    same
  ramdisk 0  same
  ramdisk 1  differs  (PCR0, PCR2)
  metadata   same

ramdisk 1 entries:
  content  env                  (lines below)
  content  rootfs/etc/app.conf  $(printf 'port=80\n' | sha256sum | cut -c1-16)... -> $(printf 'port=8080\n' | sha256sum | cut -c1-16)...

env:
  - LOG=info
  + LOG=debug

causes:
  PCR0   ramdisk 1: env: -LOG=info
         ramdisk 1: env: +LOG=debug
         ramdisk 1: rootfs/etc/app.conf: content
  PCR2   ramdisk 1: env: -LOG=info
         ramdisk 1: env: +LOG=debug
         ramdisk 1: rootfs/etc/app.conf: content

PCRs differ: PCR0, PCR2"
	# the same in JSON, for a CI job
	run -1 --separate-stderr qt-measure diff --json=short v1.eif v2.eif
	assert_output --partial "\"same_pcrs\":false,"
	assert_output --partial "\"entries\":[{\"ramdisk\":1,\"path\":\"env\",\"change\":\"content\",\"a\":\"$(printf 'MODE=prod\nLOG=info\n' | sha256sum | cut -c1-64)\",\"b\":\"$(printf 'MODE=prod\nLOG=debug\n' | sha256sum | cut -c1-64)\"},{\"ramdisk\":1,\"path\":\"rootfs/etc/app.conf\",\"change\":\"content\",\"a\":\"$(printf 'port=80\n' | sha256sum | cut -c1-64)\",\"b\":\"$(printf 'port=8080\n' | sha256sum | cut -c1-64)\"}],\"cmd\":null,\"env\":{\"removed\":[\"LOG=info\"],\"added\":[\"LOG=debug\"],\"reordered\":false},"
	assert_output --partial "\"causes\":{\"PCR0\":[\"ramdisk 1: env: -LOG=info\",\"ramdisk 1: env: +LOG=debug\",\"ramdisk 1: rootfs/etc/app.conf: content\"],\"PCR2\":[\"ramdisk 1: env: -LOG=info\",\"ramdisk 1: env: +LOG=debug\",\"ramdisk 1: rootfs/etc/app.conf: content\"]}}"
}

@test "qt-measure: the worked example end to end: rollout policy, check, extract refusing ../" {
	two_builds
	qt-sign v1.eif --key "$IN/key-p384.pem" --cert "$IN/cert-p384.pem" >/dev/null
	qt-sign v2.eif --key "$IN/key-p384.pem" --cert "$IN/cert-p384.pem" >/dev/null
	qt-measure manifest -o v1.json v1.eif
	qt-measure manifest -o v2.json v2.eif
	# a rollout policy admitting both builds, one signer
	run -0 --separate-stderr qt-measure policy --profile qingtian --json=short v1.json v2.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR0\":[\"$(pcr_of v1.pcrs 0)\",\"$(pcr_of v2.pcrs 0)\"],\"kms:RecipientAttestation/PCR8\":[\"$(qt-measure pcr --signing-certificate "$IN/cert-p384.pem" --json=short | cut -d'"' -f4)\"]}}}"
	# check: a renamed copy of v1 is the approved build; v2 is not
	cp v1.eif shipped.eif
	run -0 --separate-stderr qt-measure check --manifest v1.json shipped.eif
	assert_line "shipped.eif: the approved build of v1.json"
	run -1 --separate-stderr qt-measure check --manifest v1.json v2.eif
	assert_line "v2.eif: not the approved build of v1.json: 2 of 6 values differ (PCR0, ramdisk 1)"
	# diff of the manifests: the PCRs and the ramdisk that changed
	run -1 --separate-stderr qt-measure diff --json=short v1.json v2.json
	assert_output --partial "\"causes\":{\"PCR0\":[\"ramdisk 1\"]}}"
	# extract refuses a crafted image with ../ and absolute paths
	python3 "$TOP/tests/helpers/mkcpio.py" evil.cpio d:rootfs f:../escape:x
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" --ramdisk evil.cpio -o evil.eif >/dev/null
	run -2 --separate-stderr qt-measure extract evil.eif tree
	assert_equal "$stderr" "qt-measure: evil.eif: ramdisk 1: '../escape': '..' in the path; refusing to extract"
	python3 "$TOP/tests/helpers/mkcpio.py" evil.cpio f:/etc/escape:x
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" --ramdisk evil.cpio -o evil.eif >/dev/null
	run -2 --separate-stderr qt-measure extract evil.eif tree
	assert_equal "$stderr" "qt-measure: evil.eif: ramdisk 1: '/etc/escape': an absolute path; refusing to extract"
	[ ! -e tree ] && [ ! -e ../escape ]
}

@test "qt-measure diff: same PCRs exit 0; manifests and images mix" {
	two_builds
	cp v1.eif copy.eif
	run -0 --separate-stderr qt-measure diff v1.eif copy.eif
	assert_line "same PCRs"
	qt-measure manifest -o v1.json v1.eif
	run -0 --separate-stderr qt-measure diff v1.json copy.eif
	assert_line --index 0 "a: v1.json (manifest)"
	assert_line "PCR1   only in b (not compared)"
	assert_line "PCR2   only in b (not compared)"
	assert_line "same PCRs"
	run -1 --separate-stderr qt-measure diff v1.json v2.eif
	assert_line "  ramdisk 1  differs  (PCR0, PCR2)"
	assert_line "  PCR0   ramdisk 1"
	refute_output --partial "entries:"
}

@test "qt-measure diff: cmdline, signer, modes, links, added and removed entries" {
	mkdir -p r1/bin r2/bin
	cp "$IN/app.bin" r1/bin/app
	cp "$IN/app.bin" r2/bin/app
	chmod 755 r1/bin/app
	chmod 700 r2/bin/app
	ln -s app r1/bin/run
	ln -s /bin/app r2/bin/run
	touch r1/bin/old r2/bin/new
	qb --rootfs r1 --cmd /bin/app -o r1.eif >/dev/null
	qb --rootfs r2 --cmd /bin/app --keep-owner -o r2.eif >/dev/null
	run -1 --separate-stderr qt-measure diff --json=short r1.eif r2.eif
	assert_output --partial "{\"ramdisk\":1,\"path\":\"rootfs/bin/app\",\"change\":\"mode\",\"a\":\"0755\",\"b\":\"0700\"}"
	assert_output --partial "{\"ramdisk\":1,\"path\":\"rootfs/bin/new\",\"change\":\"added\",\"a\":null,\"b\":null}"
	assert_output --partial "{\"ramdisk\":1,\"path\":\"rootfs/bin/old\",\"change\":\"removed\",\"a\":null,\"b\":null}"
	assert_output --partial "{\"ramdisk\":1,\"path\":\"rootfs/bin/run\",\"change\":\"link\",\"a\":\"app\",\"b\":\"/bin/app\"}"
	# the command line: PCR0 and PCR1
	qt-build --kernel "$IN/kernel.bin" --cmdline "console=ttyS1" --init "$IN/init.bin" \
	    --driver "$IN/nsm.ko.bin" --build-time 2024-01-01T00:00:00Z --rootfs r1 --cmd /bin/app -o r3.eif >/dev/null
	run -1 --separate-stderr qt-measure diff --json=short r1.eif r3.eif
	assert_output --partial "\"causes\":{\"PCR0\":[\"cmdline\"],\"PCR1\":[\"cmdline\"]}}"
	# signed by the golden key vs unsigned, and vs another key: PCR8 only
	run -1 --separate-stderr qt-measure diff --json=short "$C2" "$C5"
	assert_output --partial "\"causes\":{\"PCR8\":[\"signature section: only in b\"]}}"
	qt-sign "$C2" -o other.eif --key "$FIX/sign/key-p521.pem" --cert "$FIX/sign/cert-p521.pem" >/dev/null
	run -1 --separate-stderr qt-measure diff other.eif "$C5"
	assert_line "  PCR8   signing certificate"
	assert_line "  signature  differs  (PCR8)"
	assert_line "PCRs differ: PCR8"
}

@test "qt-measure diff: owner, mtime, type; entry order and archive bytes when no entry differs" {
	cr() { # out.eif ENTRY...
		local out=$1
		shift
		python3 "$TOP/tests/helpers/mkcpio.py" r.cpio "$@"
		qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" \
		    --ramdisk r.cpio -o "$out" >/dev/null
	}
	cr a.eif d:rootfs f:rootfs/x:1 f:rootfs/y:2
	MKCPIO_UID=1000 MKCPIO_MTIME=1700000000 cr b.eif d:rootfs f:rootfs/x:1 f:rootfs/y:2
	run -1 --separate-stderr qt-measure diff --json=short a.eif b.eif
	assert_output --partial "{\"ramdisk\":1,\"path\":\"rootfs/x\",\"change\":\"owner\",\"a\":\"0:0\",\"b\":\"1000:1000\"},{\"ramdisk\":1,\"path\":\"rootfs/x\",\"change\":\"mtime\",\"a\":0,\"b\":1700000000}"
	cr c.eif d:rootfs d:rootfs/x f:rootfs/y:2
	run -1 --separate-stderr qt-measure diff --json=short a.eif c.eif
	assert_output --partial "{\"ramdisk\":1,\"path\":\"rootfs/x\",\"change\":\"type\",\"a\":\"file\",\"b\":\"directory\"}"
	cr d.eif d:rootfs f:rootfs/y:2 f:rootfs/x:1
	run -1 --separate-stderr qt-measure diff a.eif d.eif
	assert_line "  order    the same entries in another order"
	assert_line "  PCR0   ramdisk 1: entry order"
	# the same entries, other bytes: a second, empty archive appended
	python3 "$TOP/tests/helpers/mkcpio.py" r.cpio d:rootfs f:rootfs/x:1 f:rootfs/y:2
	python3 "$TOP/tests/helpers/mkcpio.py" e.cpio
	cat r.cpio e.cpio >re.cpio
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" --ramdisk re.cpio -o e.eif >/dev/null
	run -1 --separate-stderr qt-measure diff --json=short a.eif e.eif
	assert_output --partial "\"causes\":{\"PCR0\":[\"ramdisk 1: archive bytes (the same entries: inode numbers, link counts or padding)\"],\"PCR2\""
}

@test "qt-measure diff: memory stays bounded for large images (data is streamed, never held)" {
	mkdir -p big/bin
	head -c 48000000 /dev/urandom >big/bin/blob
	qb --rootfs big --cmd /bin/blob -o b1.eif >/dev/null
	printf x >>big/bin/blob
	qb --rootfs big --cmd /bin/blob -o b2.eif >/dev/null
	run -1 --separate-stderr /usr/bin/time -f 'maxrss %M' qt-measure diff b1.eif b2.eif
	assert_output --partial "  PCR0   ramdisk 1: rootfs/bin/blob: content"
	kib=${stderr##*maxrss }
	# two 48 MB images: well under one of them in memory. Under ASan the shadow memory
	# and quarantine add about 24 MiB whatever the input (40 MiB measured), so the bound
	# proves nothing there: the plain build's run is the measurement.
	if [ "${QT_SAN:-}" != 1 ]; then
		[ "$kib" -lt 32768 ]
	fi
}

@test "qt-measure diff: what cannot be compared exits 2 with one line" {
	run -2 --separate-stderr qt-measure diff "$C5" missing.eif
	assert_output ""
	[[ "$stderr" == "qt-measure: missing.eif: "* ]]
	echo '{"schema_version": 1}' >bad.json
	run -2 --separate-stderr qt-measure diff bad.json "$C5"
	assert_equal "$stderr" "qt-measure: bad.json: manifest: missing key 'platform'"
	cp "$C5" bad.eif
	printf '\xff' | dd of=bad.eif bs=1 seek=1000 conv=notrunc status=none
	run -2 --separate-stderr qt-measure diff "$C5" bad.eif
	[[ "$stderr" =~ ^"qt-measure: bad.eif: CRC mismatch: " ]]
	run -2 --separate-stderr qt-measure diff "$C5"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: diff: expected two operands, A and B"
	run -2 --separate-stderr qt-measure diff --json=long "$C5" "$C5"
	[[ "${stderr%%$'\n'*}" == "qt-measure: --json"* ]]
}
