#!/usr/bin/env bats
# qt-build: reproduces the reference images, prints measurements, fails cleanly.
load ../helpers/common

setup() {
	common_setup
	mkdir w && cd w # bats keeps its own files in the test dir
	IN="$GOLD/inputs"
	OUTS="$GOLD/outputs"
	# the metadata the golden images were built with (tests/fixtures/golden/README.md)
	REF=(--build-time 2024-01-01T00:00:00+00:00 --build-tool eif_build --build-tool-version 0.3.1)
	# the golden kernel is a stand-in: a warning, not an error (man/qt-build.1)
	KW="qt-build: $IN/kernel.bin: neither an x86 bzImage nor an arm64 Image; cannot check it against --arch x86_64"
}

build_c2() {
	qt-build --kernel "$IN/kernel.bin" --cmdline "$(cat "$IN/cmdline.txt")" \
	    --ramdisk "$IN/ramdisk0.cpio" --ramdisk "$IN/ramdisk1.cpio" "$@"
}

# extend(0^48, SHA384(stdin)) with openssl: the independent oracle for PCRs
oracle_pcr() {
	local d
	d=$(openssl dgst -sha384 -binary | xxd -p -c 256)
	{ head -c 48 /dev/zero; printf '%s' "$d" | xxd -r -p; } | openssl dgst -sha384 -binary |
	    xxd -p -c 256
}

@test "qt-build: c1 (one ramdisk) is byte-identical to the reference image" {
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" \
	    --cmdline "$(cat "$IN/cmdline.txt")" --ramdisk "$IN/ramdisk0.cpio" "${REF[@]}" -o c1.eif
	cmp c1.eif "$OUTS/c1_x86_1rd.eif"
	assert_equal "$stderr" "$KW"
}

@test "qt-build: c2 (two ramdisks) is byte-identical to the reference image" {
	run -0 --separate-stderr build_c2 "${REF[@]}" -o c2.eif
	cmp c2.eif "$OUTS/c2_x86_2rd.eif"
}

@test "qt-build: default output is the QingTian superset shape with PCR8 zeros" {
	run -0 --separate-stderr build_c2 "${REF[@]}" -o c2.eif
	# the warnings of the build (here: the stand-in kernel) follow the PCRs
	assert_output - <<JSON
{
  "digest": "SHA384",
  "PCR0": "8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131",
  "PCR1": "031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe",
  "PCR2": "7e84aa3778949e093ee7e9a074a57bc651a8167c287241e4ba60994c8a10a6abae4845a5ad810ebca8b881e6c969065b",
  "PCR8": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
  "warnings": [
    "${KW#qt-build: }"
  ]
}
JSON
	assert_equal "$stderr" "$KW"
}

@test "qt-build: --profile nitro wraps the reference tool's measurements map" {
	run -0 --separate-stderr build_c2 "${REF[@]}" -o c2.eif --profile nitro
	expected=$(printf '{\n  "Measurements": '; sed '1!s/^/  /' "$OUTS/c2_x86_2rd.eif_build.stdout.json"; printf '}')
	assert_output "$expected"
}

@test "qt-build: --json=short prints one line" {
	run -0 --separate-stderr build_c2 --measure-only --json=short
	assert_output '{"digest":"SHA384","PCR0":"8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131","PCR1":"031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe","PCR2":"7e84aa3778949e093ee7e9a074a57bc651a8167c287241e4ba60994c8a10a6abae4845a5ad810ebca8b881e6c969065b","PCR8":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000","warnings":["'"${KW#qt-build: }"'"]}'
	[ ! -e c2.eif ]
}

@test "qt-build: PCRs match openssl over the sections cut out with dd" {
	run -0 --separate-stderr build_c2 "${REF[@]}" -o c2.eif --json=short
	# kernel data at 548+12, cmdline at 8829+12, ramdisks at 9216+12 and 11276+12
	p1=$({ dd if=c2.eif bs=1 skip=560 count=8269 status=none
	       dd if=c2.eif bs=1 skip=8841 count=119 status=none
	       dd if=c2.eif bs=1 skip=9228 count=2048 status=none; } | oracle_pcr)
	p2=$(dd if=c2.eif bs=1 skip=11288 count=2560 status=none | oracle_pcr)
	p0=$({ dd if=c2.eif bs=1 skip=560 count=8269 status=none
	       dd if=c2.eif bs=1 skip=8841 count=119 status=none
	       dd if=c2.eif bs=1 skip=9228 count=2048 status=none
	       dd if=c2.eif bs=1 skip=11288 count=2560 status=none; } | oracle_pcr)
	assert_output "{\"digest\":\"SHA384\",\"PCR0\":\"$p0\",\"PCR1\":\"$p1\",\"PCR2\":\"$p2\",\"PCR8\":\"$(printf '0%.0s' {1..96})\",\"warnings\":[\"${KW#qt-build: }\"]}"
}

@test "qt-build: the CRC matches a zlib CRC of the file minus the CRC field" {
	run -0 build_c2 "${REF[@]}" -o c2.eif
	# gzip's trailer holds the zlib CRC-32 (little-endian) of what it compressed
	crc=$({ head -c 544 c2.eif; tail -c +549 c2.eif; } | gzip -c | tail -c 8 | head -c 4 |
	    xxd -p | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')
	field=$(dd if=c2.eif bs=1 skip=544 count=4 status=none | xxd -p)
	assert_equal "$field" "$crc"
	assert_equal "$crc" a0896458
}

@test "qt-build: reproducible across umask, TZ and clock; BuildTime is the epoch by default" {
	unset SOURCE_DATE_EPOCH
	(umask 022; TZ=UTC build_c2 -o a.eif >/dev/null)
	sleep 1
	(umask 077; TZ=Asia/Shanghai build_c2 -o b.eif >/dev/null)
	cmp a.eif b.eif
	grep -q '"BuildTime":"1970-01-01T00:00:00+00:00","BuildTool":"qt-build","BuildToolVersion":"0.1.0","OperatingSystem":"OS","KernelVersion":"kernel"' a.eif
	grep -q '{"ImageName":"kernel.bin","ImageVersion":"1.0",' a.eif
	[ "$(stat -c %a a.eif)" = 644 ] && [ "$(stat -c %a b.eif)" = 600 ]
}

@test "qt-build: SOURCE_DATE_EPOCH sets BuildTime" {
	SOURCE_DATE_EPOCH=1700000000 build_c2 -o a.eif >/dev/null
	grep -q '"BuildTime":"2023-11-14T22:13:20+00:00"' a.eif
}

@test "qt-build: --cmdline-file is trimmed like nitro-cli" {
	{ printf ' \t'; cat "$IN/cmdline.txt"; printf '\n\n'; } >cmdline
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline-file cmdline \
	    --ramdisk "$IN/ramdisk0.cpio" --ramdisk "$IN/ramdisk1.cpio" "${REF[@]}" -o c2.eif
	cmp c2.eif "$OUTS/c2_x86_2rd.eif"
}

@test "qt-build: --metadata keys are sorted, other fields set by flags" {
	printf '{"zeta": 1, "alpha": {"y": "\\u001f", "x": [true, null, "é"]}}' >meta.json
	run -0 build_c2 -o m.eif --metadata meta.json --image-name app --image-version 2.3 \
	    --img-os Linux --img-kernel 6.1.0 --arch aarch64
	grep -q '{"ImageName":"app","ImageVersion":"2.3","BuildMetadata":{"BuildTime":"1970-01-01T00:00:00+00:00","BuildTool":"qt-build","BuildToolVersion":"0.1.0","OperatingSystem":"Linux","KernelVersion":"6.1.0"},"DockerInfo":null,"CustomMetadata":{"alpha":{"x":\[true,null,"é"\],"y":"\\u001f"},"zeta":1}}' m.eif
	# flags (offset 6, big-endian): bit 0 = aarch64
	assert_equal "$(dd if=m.eif bs=1 skip=6 count=2 status=none | xxd -p)" "0001"
}

@test "qt-build: --kernel-config gives OS and kernel version as nitro-cli" {
	printf '#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86_64 4.14.256-209.484.amzn2.x86_64 Kernel Configuration\n' >cfg
	run -0 build_c2 -o k.eif --kernel-config cfg
	grep -q '"OperatingSystem":"Linux","KernelVersion":"4.14.256"' k.eif
}

@test "qt-build: floats in --metadata are refused" {
	printf '{"a": 1.5}' >meta.json
	run -2 --separate-stderr build_c2 -o x.eif --metadata meta.json
	assert_equal "$stderr" "qt-build: meta.json: custom metadata: floating-point number 1.5 is not supported (write it as a string or an integer)"
	assert_output ""
	[ -z "$(ls -A)" ] || [ "$(ls -A)" = meta.json ]
}

@test "qt-build: --metadata over 4096 bytes is refused" {
	{ printf '{"a": "'; head -c 5000 /dev/zero | tr '\0' x; printf '"}'; } >meta.json
	run -2 --separate-stderr build_c2 -o x.eif --metadata meta.json
	assert_equal "$stderr" "qt-build: meta.json: larger than the limit of 4096 bytes"
}

@test "qt-build: a missing ramdisk fails with exit 2 and leaves no file behind" {
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" --ramdisk nope.cpio -o out.eif
	assert_equal "$stderr" "qt-build: nope.cpio: cannot open: No such file or directory"
	assert_output ""
	[ -z "$(ls -A)" ]
}

@test "qt-build: a failed build keeps an existing output untouched" {
	echo old >out.eif
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk nope.cpio -o out.eif
	assert_equal "$(cat out.eif)" old
	assert_equal "$(ls -A)" out.eif
}

@test "qt-build: usage errors exit 2 with one specific line" {
	run -2 --separate-stderr qt-build --cmdline x --ramdisk r -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: --kernel is required"
	run -2 --separate-stderr qt-build --kernel k --ramdisk r -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: give exactly one of --cmdline and --cmdline-file"
	run -2 --separate-stderr qt-build --kernel k --cmdline x -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: at least one --ramdisk, --rootfs, --init or --bootstrap is required"
	run -2 --separate-stderr qt-build --kernel k --cmdline x --ramdisk r
	assert_equal "${stderr%%$'\n'*}" "qt-build: -o OUT is required (or --measure-only)"
	run -2 --separate-stderr qt-build --kernel k --cmdline x --ramdisk r -o o --arch mips
	assert_equal "${stderr%%$'\n'*}" "qt-build: --arch: unknown architecture 'mips'"
	run -2 --separate-stderr qt-build --kernel k --kernel k2 --cmdline x --ramdisk r -o o
	assert_equal "${stderr%%$'\n'*}" "qt-build: --kernel given twice"
	run -2 --separate-stderr qt-build --kernel k --cmdline x --ramdisk r -o o --json=prety
	assert_equal "${stderr%%$'\n'*}" "qt-build: --json: unknown style 'prety'"
	[ -z "$(ls -A)" ]
}

@test "qt-build: a bad --build-time or SOURCE_DATE_EPOCH exits 2" {
	run -2 --separate-stderr build_c2 -o x.eif --build-time 2024-02-30
	assert_equal "$stderr" "qt-build: --build-time: '2024-02-30' is not a valid time (now, @SECONDS, YYYY-MM-DD or RFC 3339 such as 2026-07-20T11:23:26Z)"
	run -2 --separate-stderr build_c2 -o x.eif --build-time 2024-01-01T1:2:3Z
	assert_equal "$stderr" "qt-build: --build-time: '2024-01-01T1:2:3Z' is not a valid time (now, @SECONDS, YYYY-MM-DD or RFC 3339 such as 2026-07-20T11:23:26Z)"
	run -2 --separate-stderr build_c2 -o x.eif --build-time doc
	assert_equal "$stderr" "qt-build: --build-time: 'doc' is not a valid time (now, @SECONDS, YYYY-MM-DD or RFC 3339 such as 2026-07-20T11:23:26Z)"
	SOURCE_DATE_EPOCH=soon run -2 --separate-stderr build_c2 -o x.eif
	assert_equal "$stderr" "qt-build: SOURCE_DATE_EPOCH: 'soon' is not a number of seconds since 1970"
	[ -z "$(ls -A)" ]
}

@test "qt-build: --build-time takes the one time grammar; RFC 3339 is kept as written" {
	build_c2 -o a.eif --build-time 2024-01-01
	run -0 qt-measure describe a.eif
	assert_output --partial '"BuildTime": "2024-01-01T00:00:00+00:00"'
	build_c2 -o b.eif --build-time @1700000000
	run -0 qt-measure describe b.eif
	assert_output --partial '"BuildTime": "2023-11-14T22:13:20+00:00"'
	build_c2 -o c.eif --build-time 2024-01-01T08:00:00.5+08:00
	run -0 qt-measure describe c.eif
	assert_output --partial '"BuildTime": "2024-01-01T08:00:00.5+08:00"'
}

@test "qt-build: a NUL byte in --cmdline-file is refused" {
	printf 'a\0b' >cmdline
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline-file cmdline \
	    --ramdisk "$IN/ramdisk0.cpio" -o x.eif
	assert_equal "$stderr" "qt-build: cmdline: the kernel command line contains a NUL byte"
}

@test "qt-build: --help prints the synopsis on stdout and exits 0" {
	run -0 --separate-stderr qt-build --help
	assert_line --index 0 --partial "usage: qt-build --kernel FILE"
}

@test "qt-build: man pages qt-build.1, qt-measure.1, qt-eif.5 are mandoc -Tlint clean" {
	run -0 mandoc -Tlint -W warning "$TOP/man/qt-build.1" "$TOP/man/qt-measure.1" "$TOP/man/qt-eif.5"
	assert_output ""
}

@test "qt-build: --cmdline-file trims Unicode white space as Rust's str::trim, not inner bytes" {
	printf '\xc2\xa0\xe3\x80\x80 console=ttyS0  quiet\xe2\x80\xa8\r\n' >cmdline
	run -0 qt-build --kernel "$IN/kernel.bin" --cmdline-file cmdline \
	    --ramdisk "$IN/ramdisk0.cpio" -o t.eif
	# cmdline section: header at 8829, 12-byte header, data 20 bytes
	assert_equal "$(dd if=t.eif bs=1 skip=8833 count=8 status=none | xxd -p)" "0000000000000014"
	assert_equal "$(dd if=t.eif bs=1 skip=8841 count=20 status=none)" "console=ttyS0  quiet"
}

@test "qt-build: --format is a deprecated alias of --profile; options given twice are errors" {
	run -0 --separate-stderr build_c2 --measure-only --profile nitro
	want=$output
	run -0 --separate-stderr build_c2 --measure-only --format nitro
	assert_equal "$output" "$want"
	assert_equal "$stderr" "qt-build: --format qingtian|nitro is deprecated; use --profile qingtian|nitro"$'\n'"$KW"
	run -2 --separate-stderr build_c2 --measure-only --profile json
	assert_equal "${stderr%%$'\n'*}" "qt-build: --profile: 'json' is not qingtian or nitro"
	run -2 --separate-stderr build_c2 --measure-only --json=short --json=short
	assert_equal "${stderr%%$'\n'*}" "qt-build: --json given twice"
	run -2 --separate-stderr build_c2 --measure-only --profile nitro --format nitro
	assert_equal "${stderr%%$'\n'*}" "qt-build: --profile given twice"
	run -2 --separate-stderr build_c2 --measure-only --rootfs a --max-entries 1 --max-entries 2
	assert_equal "${stderr%%$'\n'*}" "qt-build: --max-entries given twice"
}
