#!/usr/bin/env bats
# libqtverify: the exported symbols, the installed SDK (scripts/install.sh into a temporary
# prefix), and the two example relying parties (examples/relying-party/) built and run
# against it on the real QingTian and Nitro documents.
load ../helpers/common

A="$FIX/attest"
OUT=${QT_OUT:-$TOP/build/gcc}
SO="$OUT/lib/libqtverify.so.0.1.0"
QT_PCR0=74d6c5fa10418d50e62c5e0422b868a5912d664c7721a9742e2ffdae3ec49c6a4030e3a1f73c37c5ccd297730a77ec89
NA_PCR8=35235575680337d50f604d08eeb7cb220729e4d0f6b0d05476baafb052a7c2413f78058fefface5e1477046534d4fdb2
QT_OK="verified: qingtian document of 4662b7a3-7898-46c9-a6c5-20e9025e50bc.enc-37d1e07b3da3c427 at 1784546606196 ms
encrypt to: 302a300506032b6570032100d495dffc88ed725e56f95b16e5a07255d7b2df2e66ef216e47cbddae3164d8c7"
NA_OK="verified: nitro document of i-0ffff615a409a72d7-enc0195ccf9daaabc5b at 1742915129352 ms
encrypt to: 186aa45e63df8e4ff95cadd08f57b9b2f6715375c1ed30fc8eab15d75daf03f5"

setup_file() {
	local p="$BATS_FILE_TMPDIR/prefix"
	PREFIX=$p "$TOP/scripts/install.sh" "$OUT"
	export PKG_CONFIG_PATH="$p/lib/pkgconfig" PREFIXDIR=$p
	# shellcheck disable=SC2046
	cc -std=c11 -Wall -Wextra -Werror -o "$BATS_FILE_TMPDIR/verify-doc" \
	    "$TOP/examples/relying-party/verify-doc.c" $(pkg-config --cflags --libs qtverify)
}

setup() {
	common_setup
	export LD_LIBRARY_PATH="$PREFIXDIR/lib"
	VD="$BATS_FILE_TMPDIR/verify-doc"
	PY=(python3 "$TOP/examples/relying-party/verify_doc.py")
	# a sanitizer build of the library needs its runtime loaded first
	if [ "${QT_SAN:-}" = 1 ]; then
		export LD_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
		export ASAN_OPTIONS=detect_leaks=0
	fi
}

@test "libqtverify: exports exactly the functions of qt/verify.h, under QTVERIFY_0" {
	want=$(sed -n 's/^[a-z].*[ *]\(qtv_[a-z_0-9]*\)(.*/\1/p' "$TOP/lib/qt/verify.h" | sort)
	[ "$(wc -l <<<"$want")" -eq 34 ]
	map=$(sed -n 's/^\t\(qtv_[a-z_0-9]*\);$/\1/p' "$TOP/lib/libqtverify.map" | sort)
	assert_equal "$map" "$want"
	# every dynamic symbol the library defines: the API and the version node, nothing else
	got=$(nm -D --defined-only "$SO" | awk '{print $2 " " $3}' | sort)
	assert_equal "$got" "$(printf 'A QTVERIFY_0\n'; sed 's/.*/T &@@QTVERIFY_0/' <<<"$want")"
	run -0 objdump -p "$SO"
	assert_line --regexp '^  SONAME +libqtverify\.so\.0$'
	refute_line --partial 'NEEDED               libarchive'
}

@test "libqtverify: every function has a man page name and a synopsis entry" {
	for f in $(sed -n 's/^\t\(qtv_[a-z_0-9]*\);$/\1/p' "$TOP/lib/libqtverify.map"); do
		grep -q "^\.Nm $f\( ,\)\{0,1\}$" "$TOP"/man/qtv*.3 || fail "$f: no .Nm"
		grep -q -E "^\.(Fn|Fo) $f( |$)" "$TOP"/man/qtv*.3 || fail "$f: no .Fn/.Fo"
	done
}

@test "install.sh: library, soname link, header, pkg-config file, man links, completion" {
	p="$PREFIXDIR"
	[ "$(readlink "$p/lib/libqtverify.so.0")" = libqtverify.so.0.1.0 ]
	[ "$(readlink "$p/lib/libqtverify.so")" = libqtverify.so.0 ]
	cmp "$p/include/qt/verify.h" "$TOP/lib/qt/verify.h"
	assert_equal "$(pkg-config --modversion qtverify)" 0.1.0
	libs=$(pkg-config --libs qtverify)
	assert_equal "${libs% }" "-L$p/lib -lqtverify"
	[ "$(readlink "$p/share/man/man3/qtv_result_public_key.3")" = qtv_result_verdict.3 ]
	[ -f "$p/share/man/man3/qtverify.3" ] && [ -f "$p/share/man/man1/qt-measure.1" ]
	[ "$(ls "$p/share/man/man3" | wc -l)" -eq 35 ] # 34 functions + qtverify(3)
	[ "$(readlink "$p/share/bash-completion/completions/qt-sign")" = qt-build ]
	[ -x "$p/bin/qt-measure" ]
	# uninstall leaves nothing but directories
	PREFIX=$p "$TOP/scripts/install.sh" --uninstall "$OUT"
	[ -z "$(find "$p" ! -type d)" ]
	PREFIX=$p "$TOP/scripts/install.sh" "$OUT"
}

@test "C relying party: real QingTian document at its own time: verified, key printed" {
	run -0 --separate-stderr "$VD" --root "$A/qingtian-root-G1.pem" --at doc \
	    --pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	assert_output "$QT_OK"
	assert_equal "$stderr" ""
}

@test "C relying party: real Nitro document (PCR8 of its signer), base64 form and manifest" {
	run -0 --separate-stderr "$VD" --root "$A/aws-nitro-root-G1.pem" --at 1742915129352 \
	    --pcr 8=$NA_PCR8 "$A/nitro-noauth-signed.cose"
	assert_output "$NA_OK"
	run -0 --separate-stderr "$VD" --root "$A/qingtian-root-G1.pem" --at doc \
	    --pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose.b64"
	assert_output "$QT_OK"
}

@test "C relying party: refusals exit 1 naming the check; malformed input exits 2" {
	run -1 --separate-stderr "$VD" --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --nonce 00 "$A/nitro-noauth-signed.cose"
	assert_output "refused: nonce: expected '00' (1 bytes), document has 'null' (0 bytes)"
	run -1 --separate-stderr "$VD" --root "$A/qingtian-root-G1.pem" --pcr 0=$QT_PCR0 \
	    "$A/qingtian-official-signed.cose"
	assert_line --index 0 --regexp '^refused: validity: certificate .* expired \(notAfter 2026-07-20T14:21:28Z, instant '
	head -c 50 "$A/nitro-noauth-signed.cose" >short.cose
	run -2 --separate-stderr "$VD" --root "$A/aws-nitro-root-G1.pem" --at doc --nonce 00 short.cose
	assert_output ""
	assert_equal "$stderr" "verify-doc: short.cose: document: COSE_Sign1: malformed CBOR (truncated) at offset 7 (malformed)"
}

@test "Python relying party (ctypes): the same answers on the real documents" {
	export QTVERIFY_LIB="$PREFIXDIR/lib/libqtverify.so.0"
	run -0 --separate-stderr "${PY[@]}" --root "$A/qingtian-root-G1.pem" --at doc \
	    --pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	assert_output "$QT_OK"
	assert_equal "$stderr" ""
	run -0 --separate-stderr "${PY[@]}" --root "$A/aws-nitro-root-G1.pem" --at 1742915129352 \
	    --pcr 8=$NA_PCR8 "$A/nitro-noauth-signed.cose"
	assert_output "$NA_OK"
	run -1 --separate-stderr "${PY[@]}" --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --nonce 00 "$A/nitro-noauth-signed.cose"
	assert_output "refused: nonce: expected '00' (1 bytes), document has 'null' (0 bytes)"
	head -c 50 "$A/nitro-noauth-signed.cose" >short.cose
	run -2 --separate-stderr "${PY[@]}" --root "$A/aws-nitro-root-G1.pem" --at doc --nonce 00 short.cose
	assert_equal "$stderr" "verify_doc.py: short.cose: document: COSE_Sign1: malformed CBOR (truncated) at offset 7 (malformed)"
}

@test "relying parties: a manifest as expectations (written by qt-measure manifest)" {
	# a manifest of another image: both programs refuse on PCR0 and agree
	qt-measure manifest -o m.json "$GOLD/outputs/c1_x86_1rd.eif"
	run -1 --separate-stderr "$VD" --root "$A/qingtian-root-G1.pem" --at doc --manifest m.json \
	    "$A/qingtian-official-signed.cose"
	assert_output --regexp '^refused: pcr0: expected 031d723b.*, document has 74d6c5fa'
	c=$output
	QTVERIFY_LIB="$PREFIXDIR/lib/libqtverify.so.0" \
	    run -1 --separate-stderr "${PY[@]}" --root "$A/qingtian-root-G1.pem" --at doc \
	    --manifest m.json "$A/qingtian-official-signed.cose"
	assert_equal "$output" "$c"
	echo '{"schema_version": 2}' >bad.json
	run -2 --separate-stderr "$VD" --root "$A/qingtian-root-G1.pem" --manifest bad.json \
	    "$A/qingtian-official-signed.cose"
	assert_equal "$stderr" \
	    "verify-doc: bad.json: manifest: schema_version 2 is not supported (this is 1)"
}
