#!/usr/bin/env bats
# qt-measure verify against documents made by tests/gen/attest-gen with the
# test CA in tests/fixtures/attest/ca (openssl CLI: root -> int1 -> int2 -> leaf,
# P-384; leaf valid 2026-07-01T00:00:00Z .. 03:00:00Z). One test per check.
load ../helpers/common

C="$FIX/attest/ca"
GEN="$QT_ATTEST_GEN"
AT=2026-07-01T01:00:00Z
P0=$(printf '01%.0s' {1..48})

setup() {
	common_setup
}

gen() { # gen OUT [attest-gen options]
	local out=$1
	shift
	"$GEN" --key "$C/leaf.key" --cert "$C/leaf.pem" \
	    --bundle "$C/root.pem,$C/int1.pem,$C/int2.pem" -o "$out" "$@"
}

verify() {
	local at=(--at "$AT")
	[[ " $* " != *" --at "* ]] || at=() # an option given twice is an error
	qt-measure verify --root "$C/root.pem" "${at[@]}" --expect-pcr 0=$P0 "$@"
}

verdict_of() {
	awk -v c="\"check\": \"$1\"," '$0 ~ c { getline; sub(/.*"verdict": "/, ""); sub(/".*/, ""); print; exit }'
}

detail_of() {
	awk -v c="\"check\": \"$1\"," '$0 ~ c { getline; getline; sub(/.*"detail": "/, ""); sub(/"$/, ""); print; exit }'
}

@test "attest-gen: QingTian shape (non-minimal header, LE halves, 2-byte PCR keys, empty user_data) verifies" {
	gen d.cose
	# the shape, checked with xxd as an independent oracle
	[ "$(head -c 13 d.cose | xxd -p)" = 844ba11a000000013a00000022 ]
	xxd -p d.cose | tr -d '\n' | grep -q 6470637273b0190000583001
	run -0 --separate-stderr qt-measure verify --root-sha256 "$(cat "$C/root.sha256")" --at $AT \
	    --expect-pcr 0=$P0 --user-data "" d.cose
	assert_output --partial '"signature_form": "little-endian-halves"'
	assert_output --partial '"user_data": "",'
	[ "$(verdict_of user_data <<<"$output")" = pass ]
}

@test "attest-gen: QingTian shape signed big-endian also verifies, and says so" {
	gen d.cose --be
	run -0 --separate-stderr verify d.cose
	assert_output --partial '"signature_form": "big-endian"'
}

@test "attest-gen: Nitro shape (minimal, big-endian, null optionals), untagged and tagged" {
	gen n.cose --shape nitro
	[ "$(head -c 6 n.cose | xxd -p)" = 8444a1013822 ]
	run -0 --separate-stderr verify --platform nitro n.cose
	assert_output --partial '"user_data": null,'
	assert_output --partial '"tagged": false'
	gen t.cose --shape nitro --tag
	[ "$(head -c 2 t.cose | xxd -p)" = d284 ]
	run -0 --separate-stderr verify t.cose
	assert_output --partial '"tagged": true'
	gen q.cose --tag
	run -0 --separate-stderr verify q.cose
}

@test "attest-gen: Nitro document signed with little-endian halves is rejected" {
	gen n.cose --shape nitro --le
	run -1 --separate-stderr verify n.cose
	[ "$(detail_of signature <<<"$output")" = "ES384 signature does not verify (big-endian r || s)" ]
}

@test "attest-gen: flipped payload byte -> signature fails (exit 1)" {
	gen d.cose --mutate flip-payload
	run -1 --separate-stderr verify d.cose
	[ "$(verdict_of signature <<<"$output")" = fail ]
	[ "$(verdict_of chain <<<"$output")" = pass ]
	[ "$(verdict_of pcr0 <<<"$output")" = skip ]
}

@test "attest-gen: flipped signature byte -> signature fails (exit 1)" {
	gen d.cose --shape nitro --mutate flip-signature
	run -1 --separate-stderr verify d.cose
	[ "$(verdict_of signature <<<"$output")" = fail ]
}

@test "attest-gen: truncated document -> exit 2" {
	gen d.cose --mutate truncate
	run -2 --separate-stderr verify d.cose
	[[ "$stderr" == "qt-measure: d.cose: COSE_Sign1: malformed CBOR (truncated) at offset "* ]]
	assert_line --index 1 '  "verdict": "error",'
}

@test "attest-gen: trailing bytes -> exit 2" {
	gen d.cose --mutate trailing
	size=$(($(stat -c %s d.cose) - 1))
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: COSE_Sign1: 1 trailing bytes at offset $size"
}

@test "attest-gen: wrong tag -> exit 2" {
	gen d.cose --mutate tag=98
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: tag 98 (COSE_Sign) at offset 0: not a COSE_Sign1 (tag 18)"
}

@test "attest-gen: wrong alg -> exit 2" {
	gen d.cose --shape nitro --alg -36
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: protected header: alg -36 (ES512) is not ES384 (-35), the only algorithm accepted"
}

@test "attest-gen: duplicate payload key -> exit 2" {
	gen d.cose --mutate dup-key
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: duplicate key 'nonce'"
}

@test "attest-gen: unknown payload key and a non-ASCII module_id -> exit 2, shown safely" {
	gen d.cose --mutate unknown-key
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: unknown key 'extra?'"
	gen d.cose --module-id "$(printf 'i-0123\033[2J')"
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: module_id: byte 6 is not printable ASCII"
	assert_line --index 1 '  "verdict": "error",'
}

@test "attest-gen: oversize fields -> exit 2 naming the field and the limit" {
	gen d.cose --mutate oversize=nonce
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: nonce: 513 bytes exceeds the limit of 512"
	gen d.cose --mutate oversize=user_data
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: user_data: 513 bytes exceeds the limit of 512"
	gen d.cose --mutate oversize=public_key
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: public_key: 1025 bytes exceeds the limit of 1024"
	gen d.cose --mutate oversize=module_id
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: module_id: 128 bytes, 1..127 allowed"
	gen d.cose --mutate oversize=pcrs
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: pcrs: 33 entries, 1..32 allowed"
	gen d.cose --mutate oversize=cabundle
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: cabundle: 5 entries, 1..4 allowed"
	gen d.cose --shape nitro --mutate oversize=cabundle
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: cabundle: 9 entries, 1..8 allowed"
}

@test "attest-gen: missing required field -> exit 2; missing optional field is null" {
	for f in module_id timestamp digest pcrs certificate cabundle; do
		gen d.cose --mutate missing=$f
		run -2 --separate-stderr verify d.cose
		assert_equal "$stderr" "qt-measure: d.cose: payload: missing key '$f'"
	done
	gen d.cose --mutate missing=nonce
	run -0 --separate-stderr verify d.cose
	assert_output --partial '"nonce": null'
}

@test "attest-gen: digest other than SHA384 -> exit 2" {
	gen d.cose --digest SHA256
	run -2 --separate-stderr verify d.cose
	assert_equal "$stderr" "qt-measure: d.cose: payload: digest: 'SHA256' is not SHA384"
}

@test "attest-gen: cabundle out of order -> root and chain fail (exit 1)" {
	gen d.cose --mutate bundle-reverse
	run -1 --separate-stderr verify d.cose
	[ "$(verdict_of root <<<"$output")" = fail ]
	[ "$(verdict_of chain <<<"$output")" = fail ]
	[ "$(verdict_of signature <<<"$output")" = pass ]
}

@test "attest-gen: cabundle missing a link -> chain fails (exit 1)" {
	gen d.cose --mutate bundle-drop=1
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "cabundle[1] (CN=qt test instance CA): issuer (CN=qt test region CA) is not the subject of the next cabundle entry, cabundle[0] (CN=qt test root)" ]
	[ "$(verdict_of x509 <<<"$output")" = fail ]
}

@test "attest-gen: leaf not signed by the bundle -> chain fails (exit 1)" {
	"$GEN" --key "$C/leaf.key" --cert "$C/rogueleaf.pem" \
	    --bundle "$C/root.pem,$C/int1.pem,$C/int2.pem" -o d.cose
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "certificate (CN=qt test enclave): not signed by cabundle[2] (CN=qt test instance CA)" ]
}

@test "attest-gen: CA flag missing on an intermediate -> chain fails (exit 1)" {
	gen d.cose --bundle "$C/root.pem,$C/int1.pem,$C/int2noca.pem"
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "cabundle[2] (CN=qt test instance CA): not a CA (BasicConstraints CA:TRUE missing)" ]
	[ "$(detail_of x509 <<<"$output")" = "OpenSSL: invalid CA certificate (error 79 at depth 1)" ]
}

@test "attest-gen: intermediate without keyCertSign -> chain fails (exit 1)" {
	gen d.cose --bundle "$C/root.pem,$C/int1.pem,$C/int2noku.pem"
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "cabundle[2] (CN=qt test instance CA): KeyUsage lacks keyCertSign" ]
}

@test "attest-gen: a leaf with CA:TRUE -> chain fails even though OpenSSL accepts the path" {
	"$GEN" --key "$C/leaf.key" --cert "$C/leafca.pem" \
	    --bundle "$C/root.pem,$C/int1.pem,$C/int2.pem" -o d.cose
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "certificate (CN=qt test enclave): the leaf is a CA (CA:TRUE)" ]
	[ "$(verdict_of x509 <<<"$output")" = pass ]
	[ "$(verdict_of signature <<<"$output")" = pass ]
	assert_output --partial '"authentic": false'
}

@test "attest-gen: expired and not yet valid at the instant (notAfter exclusive, notBefore inclusive)" {
	gen d.cose
	run -0 --separate-stderr verify d.cose --at 2026-07-01T00:00:00Z
	run -0 --separate-stderr verify d.cose --at 2026-07-01T02:59:59Z
	run -1 --separate-stderr verify d.cose --at 2026-07-01T03:00:00Z
	[ "$(detail_of validity <<<"$output")" = "certificate (CN=qt test enclave): expired (notAfter 2026-07-01T03:00:00Z, instant 2026-07-01T03:00:00Z)" ]
	run -1 --separate-stderr verify d.cose --at 2026-06-30T23:59:59Z
	[ "$(detail_of validity <<<"$output")" = "certificate (CN=qt test enclave): not yet valid (notBefore 2026-07-01T00:00:00Z, instant 2026-06-30T23:59:59Z)" ]
	# --at doc uses the document's timestamp (2026-07-01T01:00:00Z)
	run -0 --separate-stderr verify d.cose --at doc
}

@test "attest-gen: wrong root -> root fails (exit 1)" {
	gen d.cose
	run -1 --separate-stderr qt-measure verify --root "$C/root2.pem" --at $AT --expect-pcr 0=$P0 d.cose
	[ "$(verdict_of root <<<"$output")" = fail ]
	[ "$(verdict_of x509 <<<"$output")" = skip ]
	[ "$(verdict_of signature <<<"$output")" = pass ]
}

@test "attest-gen: PCR, nonce, user_data and public_key mismatches fail, each named" {
	gen d.cose --shape nitro --nonce 0102 --user-data aabb --public-key 3059
	run -0 --separate-stderr verify d.cose --nonce 0102 --user-data AABB --expect-pcr 1=$(printf '0%.0s' {1..96})
	printf '\x30\x59' >pk.bin
	run -0 --separate-stderr verify d.cose --public-key pk.bin
	printf '\x30\x58' >pk2.bin
	run -1 --separate-stderr qt-measure verify --root "$C/root.pem" --at $AT \
	    --expect-pcr 0=$(printf '02%.0s' {1..48}) --nonce 0103 --user-data aa \
	    --public-key pk2.bin d.cose
	assert_output --partial '"failed": [
    "pcr0",
    "nonce",
    "user_data",
    "public_key"
  ]'
	[ "$(detail_of user_data <<<"$output")" = "expected 'aa' (1 bytes), document has 'aabb' (2 bytes)" ]
}

@test "attest-gen: debug-mode document (PCR0 zero) fails production" {
	Z=$(printf '0%.0s' {1..96})
	gen d.cose --pcr 0=$Z --pcr 8=$Z
	run -1 --separate-stderr qt-measure verify --root "$C/root.pem" --at $AT --expect-pcr 0=$Z d.cose
	[ "$(verdict_of production <<<"$output")" = fail ]
	[ "$(verdict_of pcr0 <<<"$output")" = pass ]
}

@test "attest-gen: openssl agrees with the chain verdicts (independent oracle)" {
	run -0 openssl verify -attime 1782867600 -CAfile "$C/root.pem" -untrusted "$C/int1.pem" \
	    -untrusted "$C/int2.pem" "$C/leaf.pem"
	run -2 openssl verify -attime 1782867600 -CAfile "$C/root.pem" -untrusted "$C/int1.pem" \
	    -untrusted "$C/int2.pem" "$C/rogueleaf.pem"
	run -2 openssl verify -attime 1782878400 -CAfile "$C/root.pem" -untrusted "$C/int1.pem" \
	    -untrusted "$C/int2.pem" "$C/leaf.pem"
}

# ---- the chain rules of the one verifier (x509.c) and millisecond time checks ----

@test "attest-gen: intermediate without any keyUsage -> chain fails (exit 1), though OpenSSL accepts it" {
	gen d.cose --bundle "$C/root.pem,$C/int1.pem,$C/int2kunone.pem"
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "cabundle[2] (CN=qt test instance CA): no KeyUsage (keyCertSign required)" ]
	[ "$(verdict_of x509 <<<"$output")" = pass ]
	assert_output --partial '"authentic": false'
}

@test "attest-gen: leaf without any keyUsage -> chain fails (exit 1), though OpenSSL accepts it" {
	"$GEN" --key "$C/leaf.key" --cert "$C/leafkunone.pem" \
	    --bundle "$C/root.pem,$C/int1.pem,$C/int2.pem" -o d.cose
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "certificate (CN=qt test enclave): no KeyUsage (digitalSignature required)" ]
	[ "$(verdict_of x509 <<<"$output")" = pass ]
}

@test "attest-gen: a self-issued CA (key rollover) does not count toward pathLen (RFC 5280 6.1.4 (l))" {
	# int1 (pathLen 1) -> int1roll (same name, new key) -> int2roll -> leaf; root has pathLen 2
	gen d.cose --bundle "$C/root.pem,$C/int1.pem,$C/int1roll.pem,$C/int2roll.pem"
	run -0 --separate-stderr verify d.cose
	[ "$(verdict_of chain <<<"$output")" = pass ]
	[ "$(verdict_of x509 <<<"$output")" = pass ]
	# OpenSSL, the independent oracle, accepts the same path
	run -0 openssl verify -attime 1782867600 -CAfile "$C/root.pem" -untrusted "$C/int1.pem" \
	    -untrusted "$C/int1roll.pem" -untrusted "$C/int2roll.pem" "$C/leaf.pem"
}

@test "attest-gen: a CA that is not self-issued still counts toward pathLen (exit 1)" {
	"$GEN" --key "$C/leaf.key" --cert "$C/leaf3.pem" \
	    --bundle "$C/root.pem,$C/int1.pem,$C/int2.pem,$C/int3.pem" -o d.cose
	run -1 --separate-stderr verify d.cose
	[ "$(detail_of chain <<<"$output")" = "cabundle[0] (CN=qt test root): pathLen 2, but 3 CA(s) below it" ]
	[ "$(detail_of x509 <<<"$output")" = "OpenSSL: path length constraint exceeded (error 25 at depth 2)" ]
}

@test "attest-gen: a document stamped 999 ms after the instant is refused (--max-age)" {
	gen d.cose --timestamp 1782867600999
	run -1 --separate-stderr verify d.cose --max-age 60
	[ "$(verdict_of freshness <<<"$output")" = fail ]
	[ "$(detail_of freshness <<<"$output")" = "timestamp is 0.999 s after the instant" ]
	[ "$(verdict_of chain <<<"$output")" = pass ]
	gen d.cose --timestamp 1782867600000
	run -0 --separate-stderr verify d.cose --max-age 60
	[ "$(detail_of freshness <<<"$output")" = "document is 0 s old (max 60 s)" ]
}

@test "attest-gen: --max-age compares milliseconds: 60.000 s passes, 60.001 s fails" {
	gen d.cose # stamped 2026-07-01T01:00:00.000Z
	run -0 --separate-stderr verify d.cose --at 2026-07-01T01:01:00Z --max-age 60
	[ "$(detail_of freshness <<<"$output")" = "document is 60 s old (max 60 s)" ]
	run -1 --separate-stderr verify d.cose --at 2026-07-01T01:01:00.001Z --max-age 60
	[ "$(detail_of freshness <<<"$output")" = "document is 60.001 s old, more than 60 s" ]
	assert_output --partial '"instant": "2026-07-01T01:01:00Z"'
}
