#!/usr/bin/env bats
# limits.bats: the hard limits on untrusted input (qt-measure(1), qt-build(1),
# qt-sign(1) LIMITS) are enforced with a clear message and exit 2, and inputs
# that once crashed or exhausted memory (tests/fixtures/fuzz/) stay harmless.
load ../helpers/common

setup() {
	common_setup
	ROOT="$FIX/attest/aws-nitro-root-G1.pem"
	ZERO=$(printf '%096d' 0)
}

@test "qt-measure verify: a CBOR map announcing 1e9 pairs is refused before any allocation" {
	# fuzz finding: libcbor 0.8 allocated 16 GB for this 4.6 KB document
	cp "$FIX/fuzz/attest/map-count-16g.cose" doc.cose
	run -2 --separate-stderr qt-measure verify --root "$ROOT" --expect-pcr "0=$ZERO" doc.cose
	[ "$stderr" = "qt-measure: doc.cose: COSE_Sign1: 1013940677 elements announced at offset 4434, only 198 bytes left" ]
}

@test "qt-measure verify: an array head inside an indefinite-length string is refused before libcbor allocates" {
	# fuzz finding: libcbor 0.8 allocated 12 GB for this chunk before calling it a syntax error
	cp "$FIX/fuzz/attest/array-in-indef-bstr.cose" doc.cose
	run -2 --separate-stderr qt-measure verify --root "$ROOT" --expect-pcr "0=$ZERO" doc.cose
	[ "$stderr" = "qt-measure: doc.cose: COSE_Sign1: malformed CBOR (syntax error) at offset 4302" ]
}

@test "qt-measure verify: CBOR nested deeper than 16 levels exits 2" {
	cp "$FIX/fuzz/attest/nested-40.cbor" deep.cbor
	run -2 --separate-stderr qt-measure verify --root "$ROOT" --expect-pcr "0=$ZERO" deep.cbor
	[ "$stderr" = "qt-measure: deep.cbor: COSE_Sign1: nested deeper than 16 levels at offset 15" ]
	cp "$FIX/fuzz/attest/nested-30000.cbor" deeper.cbor
	run -2 --separate-stderr qt-measure verify --root "$ROOT" --expect-pcr "0=$ZERO" deeper.cbor
	[ "$stderr" = "qt-measure: deeper.cbor: COSE_Sign1: nested deeper than 16 levels at offset 15" ]
}

@test "qt-measure verify: 16 levels of nesting are still parsed (the limit is not off by one)" {
	# 15 one-element arrays around an integer: depth 16 with the outer item
	printf '\x81%.0s' $(seq 15) >d16.cbor
	printf '\x00' >>d16.cbor
	run -2 --separate-stderr qt-measure verify --root "$ROOT" --expect-pcr "0=$ZERO" d16.cbor
	[ "$stderr" = "qt-measure: d16.cbor: offset 0: not a COSE_Sign1: expected an array of 4 items" ]
	printf '\x81' >d17.cbor
	cat d16.cbor >>d17.cbor
	run -2 --separate-stderr qt-measure verify --root "$ROOT" --expect-pcr "0=$ZERO" d17.cbor
	[ "$stderr" = "qt-measure: d17.cbor: COSE_Sign1: nested deeper than 16 levels at offset 15" ]
}

@test "qt-measure policy: control characters from the input never reach the terminal (fuzz finding)" {
	# an escape sequence and a newline inside a JSON key quoted by the error message
	printf '{"schema_version": 1, "evil\\u001b[2J\\nkey": 1}' >m.json
	run -2 --separate-stderr qt-measure policy --profile qingtian m.json
	assert_output ""
	[ "$stderr" = "qt-measure: m.json: manifest: unknown key 'evil?[2J?key'" ]
	# the input the fuzzer found: a raw newline in a key
	run -2 --separate-stderr qt-measure policy --profile qingtian "$FIX/fuzz/manifest/newline-in-key.json"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"manifest: unknown key 'par?t'" ]]
}

@test "qt-sign --verify: a signing chain of more than 8 certificates exits 2; 8 verify" {
	S="$FIX/sign"
	cp "$GOLD/outputs/c2_x86_2rd.eif" c2.eif
	for n in 7 8; do
		{ cat "$S/leaf.pem"; for i in $(seq $n); do cat "$S/ca.pem"; done; } >chain$n.pem
		qt-sign c2.eif --key "$S/leaf-key.pem" --cert chain$n.pem -o s$n.eif >/dev/null
	done
	run -0 --separate-stderr qt-sign --verify s7.eif --ca "$S/ca.pem" --json=short
	[[ "$output" == *'"Verified":true'* ]]
	run -2 --separate-stderr qt-sign --verify s8.eif --ca "$S/ca.pem"
	assert_output ""
	[ "$stderr" = "qt-sign: s8.eif: signing certificate chain: more than 8 certificates" ]
}

@test "qt-measure policy: JSON nested deeper than 2048 levels exits 2" {
	printf '%.0s[' $(seq 2049) >deep.json
	printf '%.0s]' $(seq 2049) >>deep.json
	run -2 --separate-stderr qt-measure policy --profile qingtian deep.json
	[ "$stderr" = "qt-measure: deep.json: line 1, column 2049: maximum parsing depth reached near '['" ]
}

@test "qt-measure verify: a document over 32768 bytes exits 2" {
	head -c 32769 /dev/zero >big.cbor
	run -2 --separate-stderr qt-measure verify --root "$ROOT" --expect-pcr "0=$ZERO" big.cbor
	[[ "$stderr" == "qt-measure: big.cbor: "*"32768"* ]]
}
