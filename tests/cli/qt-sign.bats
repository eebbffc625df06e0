#!/usr/bin/env bats
# qt-sign: signing, re-signing, removal, verification and detached signing,
# checked with independent oracles (openssl, gzip's CRC-32, awk, dd).
load ../helpers/common
load ../helpers/eifsig

setup() {
	common_setup
	mkdir w && cd w
	IN="$GOLD/inputs"
	OUTS="$GOLD/outputs"
	SF="$FIX/sign"
	KEY="$IN/key-p384.pem"
	CERT="$IN/cert-p384.pem"
	C2PCR0=8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131
	C5PCR8=cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e5dd907e08b3244f207366ce6d4ea80e1
	cp "$OUTS/c2_x86_2rd.eif" c2.eif
	cp "$OUTS/c1_x86_1rd.eif" c1.eif
}

# The oracle: take the signature section apart with awk, rebuild the
# Sig_structure from PCR0 by hand, turn r||s into DER with openssl and verify
# with `openssl dgst -sha384 -verify` and the certificate's public key.
openssl_verify() { # image pcr0hex certfile
	local cose
	last_section "$1" sec.bin
	sigsec_fields sec.bin >fields.txt
	cose=$(awk '$1 == "signature" { print $2 }' fields.txt)
	rs_to_der "${cose: -192}" sig.der
	sig_structure "$2" tbs.bin
	openssl x509 -in "$3" -pubkey -noout >pub.pem
	openssl dgst -sha384 -verify pub.pem -signature sig.der tbs.bin
}

@test "qt-sign: signing c2 gives c5's PCRs, layout and section structure" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	assert_output - <<JSON
{
  "digest": "SHA384",
  "PCR0": "$C2PCR0",
  "PCR1": "031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe",
  "PCR2": "7e84aa3778949e093ee7e9a074a57bc651a8167c287241e4ba60994c8a10a6abae4845a5ad810ebca8b881e6c969065b",
  "PCR8": "$C5PCR8"
}
JSON
	assert_equal "$stderr" ""
	# "signed later" layout: c2 unchanged plus one section at the end
	cmp <(tail -c +549 c2.eif) <(head -c 13848 s.eif | tail -c +549)
	assert_equal "$(nsections s.eif)" 6
	assert_equal "$(sec_off s.eif 5)" 13848
	assert_equal "$(sec_type s.eif 5)" 4
	assert_equal "$(($(stat -c %s s.eif) - 13860))" "$(sec_size s.eif 5)"
	# header identical to c5's except the last section's size and the CRC
	cmp <(head -c 284 s.eif) <(head -c 284 "$OUTS/c5_signed_p384.eif")
	cmp <(hexat s.eif 0 324) <(hexat "$OUTS/c5_signed_p384.eif" 0 324)
	cmp <(hexat s.eif 332 212) <(hexat "$OUTS/c5_signed_p384.eif" 332 212)
	# CRC recomputed with gzip's CRC-32
	assert_equal "$(hexat s.eif 544 4)" "$(eif_crc s.eif)"
	# section: the golden prefix, the certificate file verbatim, c5's COSE bytes but r||s
	last_section s.eif sec.bin
	[[ $(xxd -p sec.bin | tr -d '\n') == 81a2737369676e696e675f63657274696669636174659902a8* ]]
	sigsec_fields sec.bin >fields.txt
	assert_equal "$(awk '$1 == "signing_certificate" { print $2 }' fields.txt)" "$(xxd -p "$CERT" | tr -d '\n')"
	cose=$(awk '$1 == "signature" { print $2 }' fields.txt)
	assert_equal "${#cose}" 462
	assert_equal "${cose:0:270}" "8444a1013822a0587ca26e72656769737465725f696e646578006e72656769737465725f76616c75659830188b187a02184c18aa1841184818ff18aa1864111846185618e318391892181c18fc18e618a018701882188a18aa18391892184918210418b41852186318bf18b9189e187618fb18ba081318921883187d18b9183418fa1118315860"
}

@test "qt-sign: the signature verifies with openssl dgst -sha384 over the Sig_structure" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	run -0 openssl_verify s.eif "$C2PCR0" "$CERT"
	assert_output "Verified OK"
	# the hand-built Sig_structure is the golden one
	assert_equal "$(xxd -p tbs.bin | tr -d '\n')" "$(grep -o '"sig_structure_hex": "[0-9a-f]*' "$OUTS/signature-vectors.json" | cut -d'"' -f4)"
	# and the oracle rejects a signature over other bytes
	run -1 openssl dgst -sha384 -verify pub.pem -signature sig.der "$IN/cmdline.txt"
}

@test "qt-sign: c5 (signed by the reference tool) passes --verify and the oracle" {
	run -0 --separate-stderr qt-sign --verify "$OUTS/c5_signed_p384.eif" --cert "$CERT"
	assert_output - <<JSON
{
  "PCR0": "$C2PCR0",
  "PCR8": "$C5PCR8",
  "Verified": true,
  "SignerPinned": true
}
JSON
	assert_equal "$stderr" ""
	run -0 openssl_verify "$OUTS/c5_signed_p384.eif" "$C2PCR0" "$CERT"
}

@test "qt-sign: signs in place atomically and keeps the file mode" {
	chmod 640 c2.eif
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" --json=short
	assert_equal "$(stat -c %a c2.eif)" 640
	assert_equal "$(nsections c2.eif)" 6
	run -0 --separate-stderr qt-sign --verify c2.eif
	[ -z "$(ls -A | grep -v '^c[12].eif$')" ] # no temporary file left behind
}

@test "qt-sign: re-signing replaces the signature section and nothing else" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	run -0 --separate-stderr qt-sign s.eif --key "$SF/key-p256.pem" --cert "$SF/cert-p256.pem" -o r.eif --json=short
	assert_output --partial "\"PCR0\":\"$C2PCR0\""
	assert_output --partial "\"PCR8\":\"$(oracle_pcr8 "$SF/cert-p256.pem")\""
	assert_equal "$(nsections r.eif)" 6
	cmp <(tail -c +549 c2.eif) <(head -c 13848 r.eif | tail -c +549)
	last_section r.eif sec.bin
	sigsec_fields sec.bin >fields.txt
	assert_equal "$(awk '$1 == "signing_certificate" { print $2 }' fields.txt)" "$(xxd -p "$SF/cert-p256.pem" | tr -d '\n')"
	cose=$(awk '$1 == "signature" { print $2 }' fields.txt)
	assert_equal "${cose:0:10}" 8443a10126 # ES256
	run -0 --separate-stderr qt-sign --verify r.eif --cert "$SF/cert-p256.pem"
}

@test "qt-sign: --remove restores the unsigned image byte for byte" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	run -0 --separate-stderr qt-sign --remove s.eif
	cmp s.eif "$OUTS/c2_x86_2rd.eif"
	run -0 --separate-stderr qt-sign --remove s.eif
	assert_equal "$stderr" "qt-sign: s.eif: not signed, nothing to remove; left unchanged"
	cmp s.eif "$OUTS/c2_x86_2rd.eif"
}

@test "qt-sign: --verify of an unsigned image exits 1" {
	run -1 --separate-stderr qt-sign --verify c2.eif
	assert_equal "$stderr" "qt-sign: c2.eif: the image is not signed"
	assert_output --partial '"Verified": false'
}

@test "qt-sign: --verify with another certificate, an unrelated CA, a later time exits 1" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	run -1 --separate-stderr qt-sign --verify s.eif --cert "$SF/cert-p384b.pem"
	assert_equal "$stderr" "qt-sign: s.eif: signed with another certificate than $SF/cert-p384b.pem"
	run -1 --separate-stderr qt-sign --verify s.eif --ca "$SF/ca.pem"
	assert_equal "$stderr" "qt-sign: s.eif: signing certificate does not chain to $SF/ca.pem: self-signed certificate"
	run -1 --separate-stderr qt-sign --verify s.eif --at 2121-01-01
	assert_equal "$stderr" "qt-sign: s.eif: signing certificate: certificate expired on Jan  1 00:00:00 2120 GMT"
	run -0 --separate-stderr qt-sign --verify s.eif --at 2121-01-01 --allow-expired-cert
	run -0 --separate-stderr qt-sign --verify s.eif --ca "$CERT" --at 2030-01-01T00:00:00Z
}

@test "qt-sign: --verify --ca accepts a certificate issued by that CA" {
	run -0 --separate-stderr qt-sign c2.eif --key "$SF/leaf-key.pem" --cert "$SF/leaf.pem" -o s.eif
	run -0 --separate-stderr qt-sign --verify s.eif --ca "$SF/ca.pem"
	run -1 --separate-stderr qt-sign --verify s.eif --ca "$SF/ca-other.pem"
	assert_equal "$stderr" "qt-sign: s.eif: signing certificate does not chain to $SF/ca-other.pem: unable to get local issuer certificate"
}

@test "qt-sign: a tampered payload fails --verify (exit 1)" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	# PCR0 ends in …fa 11 31; inside the COSE bytes (serde array) the payload bytes
	# 18 fa 11 18 31 read "18 18 18 fa 11 18 18 18 31": change that 0x11 to 0x10, fix the CRC
	last_section s.eif sec.bin
	hex=$(xxd -p sec.bin | tr -d '\n')
	before=${hex%%181818fa1118181831*}
	[ "$before" != "$hex" ]
	p=$(($(sec_off s.eif 5) + 12 + ${#before} / 2 + 4))
	assert_equal "$(hexat s.eif "$p" 1)" 11
	printf '\x10' | dd of=s.eif bs=1 seek="$p" conv=notrunc status=none
	fix_crc s.eif
	run -1 --separate-stderr qt-sign --verify s.eif
	assert_equal "$stderr" "qt-sign: s.eif: COSE_Sign1: signature does not verify"
}

@test "qt-sign: a signature over another image's PCR0 fails --verify (exit 1)" {
	run -0 --separate-stderr qt-sign c1.eif --key "$KEY" --cert "$CERT" -o s1.eif
	# graft c1's signature section onto c2 by hand (header fields + CRC)
	last_section s1.eif sec.bin
	size=$(stat -c %s sec.bin)
	cp c2.eif g.eif
	{ printf '\x00\x04\x00\x00'; printf '%016x' "$size" | xxd -r -p; cat sec.bin; } >>g.eif
	printf '\x00\x06' | dd of=g.eif bs=1 seek=26 conv=notrunc status=none
	put_be64 g.eif $((28 + 8 * 5)) 13848
	put_be64 g.eif $((284 + 8 * 5)) "$size"
	fix_crc g.eif
	run -1 --separate-stderr qt-sign --verify g.eif
	assert_equal "$stderr" "qt-sign: g.eif: signature section: the signature is valid but does not sign this image's PCR0"
	assert_output --partial '"PCR8": "'"$C5PCR8"'"'
}

@test "qt-sign: a truncated or oversized signature section: exit 2, no output" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	head -c $(($(stat -c %s s.eif) - 10)) s.eif >t.eif
	run -2 --separate-stderr qt-sign --verify t.eif
	assert_output ""
	[[ $stderr == "qt-sign: t.eif: section 5 (signature) at offset 13848: "* ]]
	run -2 --separate-stderr qt-sign t.eif --key "$KEY" --cert "$CERT" -o u.eif
	[ ! -e u.eif ]
	# a section whose CBOR is cut short, header and CRC consistent
	size=$(sec_size s.eif 5)
	head -c $(($(stat -c %s s.eif) - 10)) s.eif >c.eif
	put_be64 c.eif $((284 + 8 * 5)) $((size - 10))
	printf '%016x' $((size - 10)) | xxd -r -p | dd of=c.eif bs=1 seek=$((13848 + 4)) conv=notrunc status=none
	fix_crc c.eif
	run -2 --separate-stderr qt-sign --verify c.eif
	[[ $stderr == "qt-sign: c.eif: signature section: truncated"* ]]
	assert_output ""
	# oversized: 40000 bytes of signature section
	cp c2.eif o.eif
	{ printf '\x00\x04\x00\x00'; printf '%016x' 40000 | xxd -r -p; head -c 40000 /dev/zero; } >>o.eif
	printf '\x00\x06' | dd of=o.eif bs=1 seek=26 conv=notrunc status=none
	put_be64 o.eif $((28 + 8 * 5)) 13848
	put_be64 o.eif $((284 + 8 * 5)) 40000
	fix_crc o.eif
	run -2 --separate-stderr qt-sign --verify o.eif
	assert_equal "$stderr" "qt-sign: o.eif: section 5 (signature) at offset 13848: size 40000 exceeds the limit of 32768 bytes"
	run -2 --separate-stderr qt-sign o.eif --key "$KEY" --cert "$CERT" -o p.eif
	[ ! -e p.eif ]
}

# Every refusal: exit 2, the reason, no output file, input untouched.
refused() { # expected-stderr qt-sign-args...
	local want=$1
	shift
	cp c2.eif in.eif
	run -2 --separate-stderr qt-sign in.eif -o out.eif "$@"
	assert_equal "$stderr" "$want"
	assert_output ""
	[ ! -e out.eif ]
	cmp in.eif c2.eif
	run -2 --separate-stderr qt-sign in.eif "$@"
	cmp in.eif c2.eif
	[ -z "$(ls -A | grep '\.qt-')" ] # no temporary file left behind
}

@test "qt-sign: a key that does not match the certificate: exit 2, nothing written" {
	refused "qt-sign: $SF/key-p384b.pem: key does not match certificate $CERT" --key "$SF/key-p384b.pem" --cert "$CERT"
	refused "qt-sign: $SF/key-p256.pem: key does not match certificate $CERT" --key "$SF/key-p256.pem" --cert "$CERT"
}

@test "qt-sign: RSA and P-192 keys are refused: exit 2, nothing written" {
	refused "qt-sign: $SF/cert-rsa.pem: unsupported key type RSA (only EC P-256, P-384 and P-521 keys)" --key "$SF/key-rsa.pem" --cert "$SF/cert-rsa.pem"
	refused "qt-sign: $SF/cert-p192.pem: unsupported curve prime192v1 (only P-256, P-384 and P-521)" --key "$SF/key-p192.pem" --cert "$SF/cert-p192.pem"
	refused "qt-sign: $SF/key-rsa.pem: unsupported key type RSA (only EC P-256, P-384 and P-521 keys)" --key "$SF/key-rsa.pem" --cert "$CERT"
}

@test "qt-sign: an expired or not yet valid certificate: exit 2 unless --allow-expired-cert" {
	refused "qt-sign: $SF/cert-p384-expired.pem: certificate expired on Jan  1 00:00:00 2021 GMT (--allow-expired-cert signs anyway)" --key "$KEY" --cert "$SF/cert-p384-expired.pem"
	refused "qt-sign: $SF/cert-p384-future.pem: certificate is not valid before Jan  1 00:00:00 2100 GMT (--allow-expired-cert signs anyway)" --key "$KEY" --cert "$SF/cert-p384-future.pem"
	run -0 --separate-stderr qt-sign c2.eif -o s.eif --key "$KEY" --cert "$SF/cert-p384-expired.pem" --allow-expired-cert
	run -1 --separate-stderr qt-sign --verify s.eif
	run -0 --separate-stderr qt-sign --verify s.eif --at 2020-06-01
}

@test "qt-sign: encrypted and SEC1 keys; --pass pass:, env:, file:, fd:" {
	run -0 --separate-stderr qt-sign c2.eif -o a.eif --key "$SF/key-p384-enc.pem" --cert "$CERT" --pass pass:hunter2
	QT_PW=hunter2 run -0 --separate-stderr qt-sign c2.eif -o b.eif --key "$SF/key-p384-enc.pem" --cert "$CERT" --pass env:QT_PW
	printf 'hunter2\n' >pw.txt
	run -0 --separate-stderr qt-sign c2.eif -o c.eif --key "$SF/key-p384-enc.pem" --cert "$CERT" --pass file:pw.txt
	run -0 --separate-stderr bash -c 'qt-sign c2.eif -o d.eif --key "$1" --cert "$2" --pass fd:3 3<pw.txt' _ "$SF/key-p384-enc.pem" "$CERT"
	run -0 --separate-stderr qt-sign c2.eif -o e.eif --key "$SF/key-p384-sec1.pem" --cert "$CERT"
	for f in a b c d e; do run -0 openssl_verify $f.eif "$C2PCR0" "$CERT"; done
	rm -f [a-e].eif pw.txt
	refused "qt-sign: $SF/key-p384-enc.pem: the key is encrypted: give its passphrase with --pass" --key "$SF/key-p384-enc.pem" --cert "$CERT"
	run -2 --separate-stderr qt-sign c2.eif -o x.eif --key "$SF/key-p384-enc.pem" --cert "$CERT" --pass pass:wrong
	[[ $stderr == "qt-sign: $SF/key-p384-enc.pem: cannot decrypt the key (wrong passphrase?)"* ]]
	[ ! -e x.eif ]
}

@test "qt-sign: detached signing: --digest, openssl pkeyutl elsewhere, --attach (DER and raw r||s)" {
	run -0 qt-sign --digest c2.eif --cert "$CERT" -o tbs.bin
	sig_structure "$C2PCR0" want.bin
	cmp tbs.bin want.bin
	qt-sign --digest c2.eif --cert "$CERT" >tbs2.bin
	cmp tbs.bin tbs2.bin
	# on the machine holding the key
	openssl pkeyutl -sign -inkey "$KEY" -rawin -digest sha384 -in tbs.bin -out sig.der
	run -0 --separate-stderr qt-sign --attach sig.der --cert "$CERT" c2.eif -o s.eif --json=short
	assert_output --partial "\"PCR8\":\"$C5PCR8\""
	run -0 --separate-stderr qt-sign --verify s.eif --cert "$CERT"
	run -0 openssl_verify s.eif "$C2PCR0" "$CERT"
	# the same signature as raw r||s (what HSMs and KMS return)
	openssl asn1parse -in sig.der -inform DER | awk -F: '/INTEGER/ { print $NF }' >ints.txt
	r=$(sed -n 1p ints.txt) s=$(sed -n 2p ints.txt)
	printf '%096s%096s' "$r" "$s" | tr ' ' 0 | xxd -r -p >sig.raw
	assert_equal "$(stat -c %s sig.raw)" 96
	run -0 --separate-stderr qt-sign --attach sig.raw --cert "$CERT" c2.eif -o t.eif
	run -0 --separate-stderr qt-sign --verify t.eif
}

@test "qt-sign: --attach refuses a signature over another image, or garbage: no output" {
	qt-sign --digest c1.eif --cert "$CERT" >tbs1.bin
	openssl pkeyutl -sign -inkey "$KEY" -rawin -digest sha384 -in tbs1.bin -out sig.der
	run -1 --separate-stderr qt-sign --attach sig.der --cert "$CERT" c2.eif -o s.eif
	assert_equal "$stderr" "qt-sign: sig.der: the signature does not verify with certificate $CERT"
	[ ! -e s.eif ]
	head -c 50 /dev/urandom | tr '\0' x | sed 's/^./x/' >junk.bin
	run -2 --separate-stderr qt-sign --attach junk.bin --cert "$CERT" c2.eif -o s.eif
	[[ $stderr == "qt-sign: junk.bin: "*" bytes is neither a raw r||s signature (96 bytes for this certificate's curve) nor DER" ]]
	[ ! -e s.eif ]
	cp c2.eif in.eif
	run -1 --separate-stderr qt-sign --attach sig.der --cert "$CERT" in.eif
	cmp in.eif c2.eif
}

@test "qt-sign: usage errors exit 2 with their line and where help is" {
	run -2 --separate-stderr qt-sign c2.eif --cert "$CERT"
	assert_equal "$stderr" "qt-sign: --key KEY is required to sign
try 'qt-sign --help'"
	run -2 --separate-stderr qt-sign --verify --remove c2.eif
	[[ ${stderr_lines[0]} == "qt-sign: --remove cannot be combined with another mode" ]]
	run -2 --separate-stderr qt-sign --verify c2.eif --at tomorrow
	[[ ${stderr_lines[0]} == "qt-sign: --at: 'tomorrow' is not a valid time (now, @SECONDS, YYYY-MM-DD or RFC 3339 such as 2026-07-20T11:23:26Z)" ]]
	run -2 --separate-stderr qt-sign --verify c2.eif --at 2026-02-31T00:00:00Z
	[[ ${stderr_lines[0]} == "qt-sign: --at: '2026-02-31T00:00:00Z' is not a valid time (now, @SECONDS, YYYY-MM-DD or RFC 3339 such as 2026-07-20T11:23:26Z)" ]]
	run -2 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" --pass hunter2
	assert_equal "$stderr" "qt-sign: --pass: unknown form 'hunter2' (use pass:TEXT, env:VAR, file:PATH or fd:N)"
	run -2 --separate-stderr qt-sign nonexistent.eif --key "$KEY" --cert "$CERT"
	assert_equal "$stderr" "qt-sign: nonexistent.eif: cannot open: No such file or directory"
	[ ! -e nonexistent.eif ]
	run -0 qt-sign --help
	assert_line --index 0 --partial "usage: qt-sign IMAGE"
}

@test "qt-sign: PCR8 printed after signing equals the openssl oracle (golden value)" {
	assert_equal "$(oracle_pcr8 "$CERT")" "$C5PCR8"
	run -0 --separate-stderr qt-sign c2.eif -o s.eif --key "$SF/key-p521.pem" --cert "$SF/cert-p521.pem" --json=short
	assert_output --partial "\"PCR8\":\"$(oracle_pcr8 "$SF/cert-p521.pem")\""
	run -0 --separate-stderr qt-sign --verify s.eif --json=short
	assert_output "{\"PCR0\":\"$C2PCR0\",\"PCR8\":\"$(oracle_pcr8 "$SF/cert-p521.pem")\",\"Verified\":true,\"SignerPinned\":false}"
}

build_c2() {
	qt-build --kernel "$IN/kernel.bin" --cmdline "$(cat "$IN/cmdline.txt")" \
	    --ramdisk "$IN/ramdisk0.cpio" --ramdisk "$IN/ramdisk1.cpio" \
	    --build-time 2024-01-01T00:00:00+00:00 --build-tool eif_build --build-tool-version 0.3.1 "$@"
}

@test "qt-build --sign-key/--sign-cert: c5's PCRs, layout and header; verifies with openssl" {
	run -0 --separate-stderr build_c2 --sign-key "$KEY" --sign-cert "$CERT" -o b.eif --format nitro
	# the reference tool's measurements map, wrapped as nitro-cli build-enclave does
	assert_output "$(printf '{\n  "Measurements": '; sed 's/^/  /; 1s/^  //' "$OUTS/c5_signed_p384.eif_build.stdout.json"; printf '}')"
	cmp <(head -c 13848 b.eif | tail -c +549) <(head -c 13848 "$OUTS/c5_signed_p384.eif" | tail -c +549)
	cmp <(hexat b.eif 0 324) <(hexat "$OUTS/c5_signed_p384.eif" 0 324)
	cmp <(hexat b.eif 332 212) <(hexat "$OUTS/c5_signed_p384.eif" 332 212)
	assert_equal "$(sec_type b.eif 5)" 4
	assert_equal "$(hexat b.eif 544 4)" "$(eif_crc b.eif)"
	run -0 openssl_verify b.eif "$C2PCR0" "$CERT"
	# built signed == built unsigned, then signed: same sections but the signature
	run -0 --separate-stderr build_c2 -o u.eif
	run -0 --separate-stderr qt-sign u.eif --key "$KEY" --cert "$CERT"
	cmp <(head -c 13848 b.eif | tail -c +549) <(head -c 13848 u.eif | tail -c +549)
}

@test "qt-build --sign-key: a bad key or certificate fails before anything is written" {
	run -2 --separate-stderr build_c2 --sign-key "$SF/key-p384b.pem" --sign-cert "$CERT" -o b.eif
	assert_equal "$stderr" "qt-build: $SF/key-p384b.pem: key does not match certificate $CERT"
	assert_output ""
	[ ! -e b.eif ]
	run -2 --separate-stderr build_c2 --sign-key "$KEY" --sign-cert "$SF/cert-p384-expired.pem" -o b.eif
	[[ $stderr == "qt-build: $SF/cert-p384-expired.pem: certificate expired on "* ]]
	[ ! -e b.eif ]
	run -2 --separate-stderr build_c2 --sign-key "$KEY" -o b.eif
	[[ ${stderr_lines[0]} == "qt-build: --sign-key and --sign-cert go together" ]]
	[ -z "$(ls -A | grep -v '^c[12].eif$')" ]
}

@test "qt-measure describe of images signed by qt-sign / qt-build equals nitro-cli's for c5" {
	run -0 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" -o s.eif
	run -0 --separate-stderr qt-measure describe s.eif
	assert_output "$(cat "$OUTS/c5_signed_p384.describe.json")"
	# re-signed over a P-256 signature, and attached from a detached signature
	run -0 --separate-stderr qt-sign s.eif --key "$SF/key-p256.pem" --cert "$SF/cert-p256.pem"
	run -0 --separate-stderr qt-sign s.eif --key "$KEY" --cert "$CERT"
	run -0 --separate-stderr qt-measure describe s.eif
	assert_output "$(cat "$OUTS/c5_signed_p384.describe.json")"
	qt-sign --digest c2.eif --cert "$CERT" >tbs.bin
	openssl pkeyutl -sign -inkey "$KEY" -rawin -digest sha384 -in tbs.bin -out sig.der
	run -0 --separate-stderr qt-sign --attach sig.der --cert "$CERT" c2.eif -o a.eif
	run -0 --separate-stderr qt-measure describe a.eif
	assert_output "$(cat "$OUTS/c5_signed_p384.describe.json")"
	run -0 --separate-stderr build_c2 --sign-key "$KEY" --sign-cert "$CERT" -o b.eif
	run -0 --separate-stderr qt-measure describe b.eif
	assert_output "$(cat "$OUTS/c5_signed_p384.describe.json")"
}

@test "qt-measure describe: a signature made for another image says SignatureCheck false" {
	run -0 --separate-stderr qt-sign c1.eif --key "$KEY" --cert "$CERT" -o s1.eif
	last_section s1.eif sec.bin
	size=$(stat -c %s sec.bin)
	cp c2.eif g.eif
	{ printf '\x00\x04\x00\x00'; printf '%016x' "$size" | xxd -r -p; cat sec.bin; } >>g.eif
	printf '\x00\x06' | dd of=g.eif bs=1 seek=26 conv=notrunc status=none
	put_be64 g.eif $((28 + 8 * 5)) 13848
	put_be64 g.eif $((284 + 8 * 5)) "$size"
	fix_crc g.eif
	run -1 --separate-stderr qt-measure describe g.eif
	assert_output --partial '"IsSigned": true'
	assert_output --partial '"CheckCRC": true'
	assert_output --partial '"SignatureCheck": false'
}

@test "qt-sign --verify: without --cert, --ca or --manifest it says the signer was not pinned" {
	run -0 --separate-stderr qt-sign --verify "$OUTS/c5_signed_p384.eif" --at 2030-01-01T00:00:00Z
	assert_output - <<JSON
{
  "PCR0": "$C2PCR0",
  "PCR8": "$C5PCR8",
  "Verified": true,
  "SignerPinned": false
}
JSON
	assert_equal "$stderr" "qt-sign: $OUTS/c5_signed_p384.eif: the signer was not pinned (no --cert, --ca or --manifest): the signature is consistent, but anyone's key could have made it"
	# re-signed by someone else: still "Verified" alone, so the warning is the point
	run -0 --separate-stderr qt-sign c2.eif -o other.eif --key "$SF/key-p521.pem" --cert "$SF/cert-p521.pem"
	run -0 --separate-stderr qt-sign --verify other.eif
	assert_output --partial '"SignerPinned": false'
	[[ "$stderr" == "qt-sign: other.eif: the signer was not pinned"* ]]
}

@test "qt-sign --verify --manifest: PCR8 pinned by the approved manifest" {
	qt-measure manifest -o approved.json "$OUTS/c5_signed_p384.eif"
	run -0 --separate-stderr qt-sign --verify "$OUTS/c5_signed_p384.eif" --manifest approved.json
	assert_equal "$stderr" ""
	assert_line '  "Verified": true,'
	assert_line '  "SignerPinned": true'
	# the same image re-signed with another key: exit 1, the manifest named
	run -0 --separate-stderr qt-sign c2.eif -o other.eif --key "$SF/key-p521.pem" --cert "$SF/cert-p521.pem"
	run -1 --separate-stderr qt-sign --verify other.eif --manifest approved.json --json=short
	assert_output "{\"PCR0\":\"$C2PCR0\",\"PCR8\":\"$(oracle_pcr8 "$SF/cert-p521.pem")\",\"Verified\":false,\"SignerPinned\":true}"
	assert_equal "$stderr" "qt-sign: other.eif: signed with another certificate than approved.json pins (PCR8 differs)"
	# a manifest of an unsigned image pins nothing: cannot check (2)
	qt-measure manifest -o unsigned.json c2.eif
	run -2 --separate-stderr qt-sign --verify other.eif --manifest unsigned.json
	assert_output ""
	assert_equal "$stderr" "qt-sign: unsigned.json: the manifest is of an unsigned image: it pins no signer"
	run -2 --separate-stderr qt-sign --verify other.eif --manifest missing.json
	[[ "$stderr" == "qt-sign: missing.json: "* ]]
	run -2 --separate-stderr qt-sign c2.eif --key "$KEY" --cert "$CERT" --manifest approved.json
	assert_equal "${stderr%%$'\n'*}" "qt-sign: --ca, --manifest and --at are for --verify only"
}

@test "qt-sign --verify: a signed image with a bad CRC still shows its PCR8 (not null)" {
	cp "$OUTS/c5_signed_p384.eif" bad.eif
	printf '\xff' | dd of=bad.eif bs=1 seek=1000 conv=notrunc status=none
	run -1 --separate-stderr qt-sign --verify bad.eif --cert "$CERT" --json=short
	assert_output --regexp "^\{\"PCR0\":\"[0-9a-f]{96}\",\"PCR8\":\"$C5PCR8\",\"Verified\":false,\"SignerPinned\":true\}$"
	[[ "$stderr" =~ ^"qt-sign: bad.eif: CRC mismatch: the header says "[0-9a-f]{8}", the contents give "[0-9a-f]{8}$ ]]
	# an unsigned image: PCR8 null
	run -1 --separate-stderr qt-sign --verify c2.eif --json=short
	assert_output "{\"PCR0\":\"$C2PCR0\",\"PCR8\":null,\"Verified\":false,\"SignerPinned\":false}"
	assert_equal "$stderr" "qt-sign: c2.eif: the image is not signed"
}
