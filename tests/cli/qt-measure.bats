#!/usr/bin/env bats
# qt-measure: measurements, describe, pcr, extend; every malformed image exits 2
# with one line naming the file, the section and the offset.
load ../helpers/common

setup() {
	common_setup
	mkdir w && cd w # bats keeps its own files in the test dir
	OUTS="$GOLD/outputs"
	IN="$GOLD/inputs"
	cp "$OUTS/c2_x86_2rd.eif" c2.eif
	cp "$OUTS/c5_signed_p384.eif" c5.eif
	chmod u+w c2.eif c5.eif
	ZERO=$(printf '0%.0s' {1..96})
}

# write hex bytes into FILE at OFFSET, in place
poke() { printf '%s' "$3" | xxd -r -p | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
be16() { printf '%04x' "$1"; }
be64() { printf '%016x' "$1"; }
# recompute the header CRC (gzip's trailer holds zlib's CRC-32, little-endian)
fix_crc() {
	poke "$1" 544 "$({ head -c 544 "$1"; tail -c +549 "$1"; } | gzip -c | tail -c 8 |
	    head -c 4 | xxd -p | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')"
}
# extend(0^48, SHA384(stdin)) with openssl: the independent oracle
oracle_pcr() {
	local d
	d=$(openssl dgst -sha384 -binary | xxd -p -c 256)
	{ head -c 48 /dev/zero; printf '%s' "$d" | xxd -r -p; } | openssl dgst -sha384 -binary |
	    xxd -p -c 256
}
cut_section() { dd if="$1" bs=1 skip="$2" count="$3" status=none; }

@test "qt-measure: describe equals nitro-cli describe-eif for c1, c2 and signed c5" {
	for c in c1_x86_1rd c2_x86_2rd c5_signed_p384; do
		run -0 --separate-stderr qt-measure describe "$OUTS/$c.eif"
		assert_output "$(cat "$OUTS/$c.describe.json")"
		assert_equal "$stderr" ""
	done
}

@test "qt-measure: IMAGE prints the build shapes; c5 has PCR8" {
	run -0 --separate-stderr qt-measure --profile nitro c5.eif
	expected=$(printf '{\n  "Measurements": '; sed '1!s/^/  /' "$OUTS/c5_signed_p384.eif_build.stdout.json"; printf '}')
	assert_output "$expected"
	run -0 --separate-stderr qt-measure --json=short c2.eif
	assert_output "{\"digest\":\"SHA384\",\"PCR0\":\"8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131\",\"PCR1\":\"031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe\",\"PCR2\":\"7e84aa3778949e093ee7e9a074a57bc651a8167c287241e4ba60994c8a10a6abae4845a5ad810ebca8b881e6c969065b\",\"PCR8\":\"$ZERO\"}"
}

@test "qt-measure: PCRs equal openssl over sections cut out with dd (c5, signed)" {
	run -0 --separate-stderr qt-measure --json=short c5.eif
	k="c5.eif 560 8269"; c="c5.eif 8841 119"; r0="c5.eif 9228 2048"; r1="c5.eif 11288 2560"
	p0=$({ cut_section $k; cut_section $c; cut_section $r0; cut_section $r1; } | oracle_pcr)
	p1=$({ cut_section $k; cut_section $c; cut_section $r0; } | oracle_pcr)
	p2=$(cut_section $r1 | oracle_pcr)
	p8=$(openssl x509 -in "$IN/cert-p384.pem" -outform DER | oracle_pcr)
	assert_output "{\"digest\":\"SHA384\",\"PCR0\":\"$p0\",\"PCR1\":\"$p1\",\"PCR2\":\"$p2\",\"PCR8\":\"$p8\"}"
	assert_equal "$p8" cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e5dd907e08b3244f207366ce6d4ea80e1
}

@test "qt-measure: one processor or two, the same PCRs as openssl over a 40 MiB ramdisk" {
	# 40 ramdisk chunks: more than the ring holds, so the producer hashes beside the worker on
	# two processors; on one (taskset) everything is hashed in line
	head -c $((40 << 20)) /dev/zero | openssl enc -aes-128-ctr -nosalt -K 00 -iv 00 2>/dev/null >big.bin
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" \
	    --ramdisk big.bin -o big.eif 2>/dev/null
	p0=$({ cat "$IN/kernel.bin"; printf x; cat "$IN/ramdisk0.cpio" big.bin; } | oracle_pcr)
	p1=$({ cat "$IN/kernel.bin"; printf x; cat "$IN/ramdisk0.cpio"; } | oracle_pcr)
	p2=$(oracle_pcr <big.bin)
	want="{\"digest\":\"SHA384\",\"PCR0\":\"$p0\",\"PCR1\":\"$p1\",\"PCR2\":\"$p2\",\"PCR8\":\"$ZERO\"}"
	run -0 --separate-stderr qt-measure --json=short big.eif
	assert_output "$want"
	run -0 --separate-stderr taskset -c 0 qt-measure --json=short big.eif
	assert_output "$want"
	run -0 --separate-stderr taskset -c 0 qt-measure --json=short - <big.eif
	assert_output "$want"
	taskset -c 0 qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" \
	    --ramdisk big.bin -o one.eif 2>/dev/null
	cmp big.eif one.eif
}

@test "qt-measure: reads an image from a pipe with -" {
	run -0 --separate-stderr bash -c 'cat c2.eif | qt-measure --json=short -'
	assert_output --partial '"PCR0":"8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131"'
}

@test "qt-measure: CRC mismatch prints the measurements, exits 1" {
	poke c2.eif 9300 00
	run -1 --separate-stderr qt-measure --json=short c2.eif
	assert_output --partial '"PCR0":'
	assert_equal "$stderr" "qt-measure: c2.eif: CRC mismatch: the header says a0896458, the contents give $(poke c2.eif 544 00000000; fix_crc c2.eif; dd if=c2.eif bs=1 skip=544 count=4 status=none | xxd -p)"
}

@test "qt-measure: describe with a bad CRC says CheckCRC false and exits 1" {
	poke c2.eif 9300 00
	run -1 --separate-stderr qt-measure describe c2.eif
	assert_line '  "CheckCRC": false,'
	assert_equal "${stderr%%:*}" "qt-measure"
}

@test "qt-measure: an invalid signature gives SignatureCheck false, exit 1" {
	poke c5.eif 15690 63 # last byte of s: 0x62 -> 0x63
	fix_crc c5.eif
	run -1 --separate-stderr qt-measure describe c5.eif
	assert_line '  "CheckCRC": true,'
	assert_line '  "SignatureCheck": false,'
	[[ "$stderr" == "qt-measure: c5.eif: "* ]]
	run -1 --separate-stderr qt-measure c5.eif
}

@test "qt-measure: a valid signature over another image's PCR0 fails the check" {
	# c1 plus c5's signature section: valid COSE, payload is c2's PCR0
	{ cat "$OUTS/c1_x86_1rd.eif"; tail -c +13849 c5.eif; } >x.eif
	poke x.eif 26 "$(be16 5)"
	poke x.eif $((28 + 8 * 4)) "$(be64 11276)"
	poke x.eif $((284 + 8 * 4)) "$(be64 1831)"
	fix_crc x.eif
	run -1 --separate-stderr qt-measure describe x.eif
	assert_line '  "SignatureCheck": false,'
	assert_equal "$stderr" "qt-measure: x.eif: signature section: the signature is valid but does not sign this image's PCR0"
}

@test "qt-measure: truncated inside the header exits 2" {
	head -c 300 c2.eif >t.eif
	run -2 --separate-stderr qt-measure t.eif
	assert_output ""
	assert_equal "$stderr" "qt-measure: t.eif: header: truncated at offset 300 (the header is 548 bytes)"
}

@test "qt-measure: truncated inside a section header exits 2" {
	head -c 554 c2.eif >t.eif
	run -2 --separate-stderr qt-measure describe t.eif
	assert_output ""
	assert_equal "$stderr" "qt-measure: t.eif: section 0 at offset 548: truncated section header (6 of 12 bytes)"
}

@test "qt-measure: truncated inside section data exits 2 (file and pipe)" {
	head -c 10000 c2.eif >t.eif
	run -2 --separate-stderr qt-measure t.eif
	assert_equal "$stderr" "qt-measure: t.eif: section 3 (ramdisk) at offset 9216: size 2048 runs past the end of the file (772 bytes left)"
	run -2 --separate-stderr bash -c 'qt-measure - <&3' 3< <(cat t.eif)
	assert_equal "$stderr" "qt-measure: standard input: section 3 (ramdisk) at offset 9216: truncated: data ends at offset 10000, 1276 bytes short"
}

@test "qt-measure: a file ending after fewer sections than declared exits 2" {
	head -c 11276 c2.eif >t.eif
	run -2 --separate-stderr qt-measure t.eif
	assert_equal "$stderr" "qt-measure: t.eif: truncated: the header declares 5 sections, the file ends after 4 at offset 11276"
}

@test "qt-measure: wrong magic exits 2" {
	poke c2.eif 0 45494600
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: header: bad magic 45 49 46 00 at offset 0 (expected '.eif')"
}

@test "qt-measure: unknown version exits 2" {
	poke c2.eif 4 "$(be16 5)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: header: unsupported version 5 at offset 4 (supported: 2 to 4)"
}

@test "qt-measure: num_sections 0 or over 32 exits 2" {
	poke c2.eif 26 "$(be16 0)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: header: num_sections 0 at offset 26 is out of range (1 to 32)"
	poke c2.eif 26 "$(be16 33)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: header: num_sections 33 at offset 26 is out of range (1 to 32)"
}

@test "qt-measure: section type 0 or 6 exits 2" {
	poke c2.eif 8960 "$(be16 0)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: section 2 at offset 8960: invalid section type 0"
	poke c2.eif 8960 "$(be16 6)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: section 2 at offset 8960: invalid section type 6"
}

@test "qt-measure: nonzero section flags exit 2" {
	poke c2.eif 8831 0001
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: section 1 (cmdline) at offset 8831: nonzero flags 0x0001"
}

@test "qt-measure: a section size running past EOF exits 2" {
	poke c2.eif $((11276 + 4)) "$(be64 100000)"
	poke c2.eif $((284 + 8 * 4)) "$(be64 100000)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: section 4 (ramdisk) at offset 11276: size 100000 runs past the end of the file (2560 bytes left)"
}

@test "qt-measure: an offsets or sizes table disagreeing with the sections exits 2" {
	poke c2.eif $((28 + 8 * 2)) "$(be64 8961)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: section 2 (metadata) at offset 8960: the header's offsets table says 8961"
	cp "$OUTS/c2_x86_2rd.eif" c2b.eif && chmod u+w c2b.eif
	poke c2b.eif $((284 + 8 * 1)) "$(be64 118)"
	run -2 --separate-stderr qt-measure c2b.eif
	assert_equal "$stderr" "qt-measure: c2b.eif: section 1 (cmdline) at offset 8829: size 119 but the header's sizes table says 118"
}

@test "qt-measure: a missing kernel, cmdline or ramdisk exits 2" {
	cp c2.eif k.eif; cp c2.eif c.eif; cp c2.eif r.eif
	# the kernel section becomes a signature section: no kernel before the ramdisks
	cp c2.eif nk.eif
	poke nk.eif 548 "$(be16 4)"
	run -2 --separate-stderr qt-measure nk.eif
	assert_equal "$stderr" "qt-measure: nk.eif: section 3 (ramdisk) at offset 9216: ramdisk before the kernel section"
	# the cmdline section becomes a signature section: no cmdline left
	poke c.eif 8829 "$(be16 4)"
	run -2 --separate-stderr qt-measure c.eif
	assert_equal "$stderr" "qt-measure: c.eif: no cmdline section"
	# the kernel becomes a cmdline: the real cmdline is then a second one
	poke k.eif 548 "$(be16 2)"
	run -2 --separate-stderr qt-measure k.eif
	assert_equal "$stderr" "qt-measure: k.eif: section 1 (cmdline) at offset 8829: second cmdline section"
	# only kernel, cmdline and metadata: cut the ramdisks, fix the header
	head -c 9216 c2.eif >r.eif
	poke r.eif 26 "$(be16 3)"
	poke r.eif $((28 + 8 * 3)) "$(be64 0)"; poke r.eif $((28 + 8 * 4)) "$(be64 0)"
	poke r.eif $((284 + 8 * 3)) "$(be64 0)"; poke r.eif $((284 + 8 * 4)) "$(be64 0)"
	run -2 --separate-stderr qt-measure r.eif
	assert_equal "$stderr" "qt-measure: r.eif: no ramdisk section"
}

@test "qt-measure: two kernels exit 2" {
	poke c2.eif 9216 "$(be16 1)"
	run -2 --separate-stderr qt-measure c2.eif
	assert_equal "$stderr" "qt-measure: c2.eif: section 3 (kernel) at offset 9216: second kernel section"
}

@test "qt-measure: a signature section over 32768 bytes exits 2" {
	poke c5.eif $((13848 + 4)) "$(be64 40000)"
	poke c5.eif $((284 + 8 * 5)) "$(be64 40000)"
	run -2 --separate-stderr qt-measure c5.eif
	assert_equal "$stderr" "qt-measure: c5.eif: section 5 (signature) at offset 13848: size 40000 exceeds the limit of 32768 bytes"
}

@test "qt-measure: garbage CBOR in the signature section exits 2" {
	poke c5.eif 13860 ff
	run -2 --separate-stderr qt-measure describe c5.eif
	assert_output ""
	assert_equal "$stderr" "qt-measure: c5.eif: signature section: indefinite-length item at offset 0 (only definite lengths are allowed)"
	poke c5.eif 13860 a0
	run -2 --separate-stderr qt-measure c5.eif
	[[ "$stderr" == "qt-measure: c5.eif: signature section: "* ]]
}

@test "qt-measure: pcr --input and --signing-certificate match nitro-cli pcr" {
	run -0 --separate-stderr qt-measure pcr --input "$IN/kernel.bin"
	assert_output "$(cat "$OUTS/pcr-input-kernel.json")"
	run -0 --separate-stderr qt-measure pcr --signing-certificate "$IN/cert-p384.pem"
	assert_output "$(cat "$OUTS/pcr-signing-certificate-p384.json")"
	run -0 --separate-stderr qt-measure pcr --input "$IN/kernel.bin" --json=short
	assert_output "{\"PCR\":\"$(oracle_pcr <"$IN/kernel.bin")\"}"
}

@test "qt-measure: pcr --signing-certificate with no certificate exits 2" {
	echo hello >x.pem
	run -2 --separate-stderr qt-measure pcr --signing-certificate x.pem
	[[ "$stderr" == "qt-measure: x.pem: no PEM certificate found"* ]]
}

@test "qt-measure: extend reproduces Huawei's PCR0 and PCR8 examples" {
	run -0 --separate-stderr qt-measure extend --json=short \
	    --digest 0d1ae7330f437ee563178df30a7c7b7634125d31cac14f6784933db5e90080008438b38fdbb39c886ffe0586ab099b56
	assert_output '{"PCR":"b8c59692da8a5bcb739a83d15a0ceca670bd78da06cb2250ec70548f72254e674419e9888db9c0364a9b88dd58017a62"}'
	run -0 --separate-stderr qt-measure extend --json=short \
	    --digest c5b3e075e00c261e7fc364f1541067b2a42d4b793225ab10e5cfb8eaca31b3d598af9dd2e491828c2569a9953401abcb
	assert_output '{"PCR":"4f8b066ce5ac24150612ba9a55bbb9211f626152ada40ede160f4d7ecbfa214c2a549181f6611a3d16a12ec88a577a01"}'
}

@test "qt-measure: extend --iam-agency and --instance-id extend the raw text (PCR3, PCR4)" {
	want3=$({ head -c 48 /dev/zero; printf 'iam::0a1b2c:agency:kms-reader'; } | openssl dgst -sha384 -binary | xxd -p -c 256)
	run -0 --separate-stderr qt-measure extend --json=short --iam-agency iam::0a1b2c:agency:kms-reader
	assert_output "{\"PCR\":\"$want3\"}"
	run -0 --separate-stderr qt-measure extend --json=short --string iam::0a1b2c:agency:kms-reader
	assert_output "{\"PCR\":\"$want3\"}"
	want4=$({ head -c 48 /dev/zero; printf '8b2d6c1e-6f0a-4c4e-9a51-2f3b9d0e7c11'; } | openssl dgst -sha384 -binary | xxd -p -c 256)
	run -0 --separate-stderr qt-measure extend --json=short --instance-id 8B2D6C1E-6F0A-4C4E-9A51-2F3B9D0E7C11
	assert_output "{\"PCR\":\"$want4\"}"
}

@test "qt-measure: extend chains steps in order from --from, --file hashes the file" {
	printf 'abc' >f
	d=$(openssl dgst -sha384 -binary f | xxd -p -c 256)
	start=$(printf 'ab%.0s' {1..48})
	s1=$({ printf '%s' "$start" | xxd -r -p; printf '%s' "$d" | xxd -r -p; } | openssl dgst -sha384 -binary | xxd -p -c 256)
	s2=$({ printf '%s' "$s1" | xxd -r -p; printf 'x'; } | openssl dgst -sha384 -binary | xxd -p -c 256)
	run -0 --separate-stderr qt-measure extend --json=short --from "$start" --file f --string x
	assert_output "{\"PCR\":\"$s2\"}"
}

@test "qt-measure: extend usage errors exit 2" {
	run -2 --separate-stderr qt-measure extend --digest abcd
	assert_equal "${stderr%%$'\n'*}" "qt-measure: extend: --digest: 'abcd' is not 96 hex digits (a SHA-384 digest)"
	run -2 --separate-stderr qt-measure extend --instance-id nope
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --instance-id: 'nope' is not a hyphenated instance UUID (qingtian)"
	run -2 --separate-stderr qt-measure extend --iam-agency agency:x
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --iam-agency: 'agency:x' is not an agency URN 'iam::<domain id>:agency:<name>'"
	run -2 --separate-stderr qt-measure extend
	assert_equal "${stderr%%$'\n'*}" "qt-measure: extend: give at least one step (--digest, --string, --file, --iam-agency, --iam-role, --instance-id)"
	run -2 --separate-stderr qt-measure extend --file nope
	assert_equal "$stderr" "qt-measure: nope: cannot open: No such file or directory"
}

@test "qt-measure: usage errors and a missing image exit 2" {
	run -2 --separate-stderr qt-measure
	assert_equal "${stderr%%$'\n'*}" "qt-measure: expected exactly one IMAGE operand"
	run -2 --separate-stderr qt-measure a b
	assert_equal "$stderr" "qt-measure: expected exactly one IMAGE operand
try 'qt-measure --help'"
	run -2 --separate-stderr qt-measure --format json c2.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --format: 'json' is not qingtian or nitro"
	run -2 --separate-stderr qt-measure nope.eif
	assert_equal "$stderr" "qt-measure: nope.eif: cannot open: No such file or directory"
	run -2 --separate-stderr qt-measure .
	assert_equal "$stderr" "qt-measure: .: is a directory"
	run -0 --separate-stderr qt-measure --help
	assert_line --index 0 --partial "usage: qt-measure"
}

@test "qt-measure: describe merges CustomMetadata keys, sorted, after DockerInfo" {
	printf '{"zeta": [1, "two"], "alpha": {"y": true, "x": null}}' >meta.json
	run -0 qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" \
	    --metadata meta.json --image-name app --image-version 7 -o m.eif
	run -0 --separate-stderr qt-measure describe m.eif
	expected=$(cat <<'JSON'
  "ImageName": "app",
  "ImageVersion": "7",
  "Metadata": {
    "BuildTime": "1970-01-01T00:00:00+00:00",
    "BuildTool": "qt-build",
    "BuildToolVersion": "0.1.0",
    "OperatingSystem": "OS",
    "KernelVersion": "kernel",
    "DockerInfo": null,
    "alpha": {
      "x": null,
      "y": true
    },
    "zeta": [
      1,
      "two"
    ]
  }
}
JSON
)
	assert_equal "$(printf '%s\n' "$output" | tail -n 19)" "$expected"
}

@test "qt-measure: describe of a metadata section that is not the reference JSON exits 2" {
	poke c2.eif 8972 5b # '{' -> '['
	fix_crc c2.eif
	run -2 --separate-stderr qt-measure describe c2.eif
	assert_output ""
	[[ "$stderr" == "qt-measure: c2.eif: metadata section: invalid JSON at byte "* ]]
	# the measurements do not depend on the metadata
	run -0 --separate-stderr qt-measure --json=short c2.eif
}

@test "qt-measure: --profile nitro; the old --format is an alias with one deprecation line" {
	run -0 --separate-stderr qt-measure --profile nitro c5.eif
	want=$output
	assert_equal "$stderr" ""
	run -0 --separate-stderr qt-measure --format nitro c5.eif
	assert_equal "$output" "$want"
	assert_equal "$stderr" "qt-measure: --format qingtian|nitro is deprecated; use --profile qingtian|nitro"
	run -2 --separate-stderr qt-measure --profile aws c5.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --profile: 'aws' is not qingtian or nitro"
	run -2 --separate-stderr qt-measure --profile nitro --format nitro c5.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --profile given twice"
	run -2 --separate-stderr qt-measure describe --profile nitro c5.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: describe: --profile is not an option here"
}

@test "qt-measure: an option given twice is an error in every subcommand (exit 2)" {
	run -2 --separate-stderr qt-measure --json=short --json=pretty c2.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --json given twice"
	run -2 --separate-stderr qt-measure pcr --input c2.eif --input c5.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --input given twice"
	run -2 --separate-stderr qt-measure extend --string a --json=short --json=short
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --json given twice"
	run -2 --separate-stderr qt-measure manifest -o a.json -o b.json c2.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --output given twice"
	run -2 --separate-stderr qt-measure manifest --iam-agency iam::a:agency:x --iam-agency iam::a:agency:y c2.eif
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --iam-agency given twice"
	run -2 --separate-stderr qt-measure policy --profile nitro --profile qingtian m.json
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --profile given twice"
	run -2 --separate-stderr qt-measure verify --root-sha256 00 --at now --at doc --nonce 00 d.cose
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --at given twice"
	run -2 --separate-stderr qt-measure verify --root-sha256 00 --nonce 00 --nonce 01 d.cose
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --nonce given twice"
	[ ! -e a.json ] && [ ! -e b.json ]
}

@test "qt-measure: extend --profile nitro takes an EC2 instance id (PCR4 on Nitro)" {
	want=$({ head -c 48 /dev/zero; printf 'i-0ffff615a409a72d7'; } | openssl dgst -sha384 -binary | xxd -p -c 256)
	run -0 --separate-stderr qt-measure extend --json=short --profile nitro --instance-id i-0ffff615a409a72d7
	assert_output "{\"PCR\":\"$want\"}"
	run -2 --separate-stderr qt-measure extend --profile nitro --instance-id 8b2d6c1e-6f0a-4c4e-9a51-2f3b9d0e7c11
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --instance-id: '8b2d6c1e-6f0a-4c4e-9a51-2f3b9d0e7c11' is not an instance id 'i-<hex>' (nitro)"
}
