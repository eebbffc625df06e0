#!/usr/bin/env bats
# qt-sign --verify --ca through the one chain verifier (formats/x509.c), with
# the test CA of tests/fixtures/attest/ca (root -> int1 -> int2 -> leaf, P-384;
# the leaf is valid 2026-07-01T00:00:00Z .. 03:00:00Z). OpenSSL builds the
# path; the keyUsage rules it leaves out and its verdicts are checked here.
load ../helpers/common

C="$FIX/attest/ca"
AT=2026-07-01T01:00:00Z

setup() {
	common_setup
	cp "$GOLD/outputs/c2_x86_2rd.eif" c2.eif
}

sign_with() { # sign_with LEAF.pem [CA.pem...]: the signing certificate file holds the chain
	cat "$@" >chain.pem
	qt-sign c2.eif --key "$C/leaf.key" --cert chain.pem --allow-expired-cert -o s.eif >/dev/null
}

@test "qt-sign --verify --ca: the test CA's chain verifies; openssl agrees" {
	sign_with "$C/leaf.pem" "$C/int2.pem" "$C/int1.pem"
	run -0 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at $AT
	assert_equal "$stderr" ""
	# after the leaf's notAfter: refused, unless expired certificates are allowed (chain too)
	run -1 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at 2026-07-02
	run -0 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at 2026-07-02 \
	    --allow-expired-cert
	run -0 openssl verify -attime 1782867600 -CAfile "$C/root.pem" -untrusted "$C/int1.pem" \
	    -untrusted "$C/int2.pem" "$C/leaf.pem"
}

@test "qt-sign --verify --ca: an intermediate without keyUsage is untrusted (exit 1)" {
	sign_with "$C/leaf.pem" "$C/int2kunone.pem" "$C/int1.pem"
	run -1 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at $AT
	assert_equal "$stderr" "qt-sign: s.eif: signing certificate does not chain to $C/root.pem: CA (CN=qt test instance CA): no KeyUsage (keyCertSign required)"
	assert_output --partial '"Verified": false'
	# OpenSSL alone would accept it
	run -0 openssl verify -attime 1782867600 -CAfile "$C/root.pem" -untrusted "$C/int1.pem" \
	    -untrusted "$C/int2kunone.pem" "$C/leaf.pem"
}

@test "qt-sign --verify --ca: an intermediate whose keyUsage lacks keyCertSign is untrusted (exit 1)" {
	sign_with "$C/leaf.pem" "$C/int2noku.pem" "$C/int1.pem"
	run -1 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at $AT
	# OpenSSL refuses this one itself
	assert_equal "$stderr" "qt-sign: s.eif: signing certificate does not chain to $C/root.pem: invalid CA certificate"
}

@test "qt-sign --verify --ca: a signing certificate without keyUsage is untrusted (exit 1)" {
	sign_with "$C/leafkunone.pem" "$C/int2.pem" "$C/int1.pem"
	run -1 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at $AT
	assert_equal "$stderr" "qt-sign: s.eif: signing certificate does not chain to $C/root.pem: certificate (CN=qt test enclave): no KeyUsage (digitalSignature required)"
	# without --ca the certificate is only checked for the signature and validity
	run -0 --separate-stderr qt-sign --verify s.eif --at $AT
}

@test "qt-sign --verify --ca: a self-issued CA (key rollover) does not count toward pathLen" {
	sign_with "$C/leaf.pem" "$C/int2roll.pem" "$C/int1roll.pem" "$C/int1.pem"
	run -0 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at $AT
	run -0 openssl verify -attime 1782867600 -CAfile "$C/root.pem" -untrusted "$C/int1.pem" \
	    -untrusted "$C/int1roll.pem" -untrusted "$C/int2roll.pem" "$C/leaf.pem"
}

@test "qt-sign --verify --ca: a CA that is not self-issued exceeds pathLen (exit 1)" {
	sign_with "$C/leaf3.pem" "$C/int3.pem" "$C/int2.pem" "$C/int1.pem"
	run -1 --separate-stderr qt-sign --verify s.eif --ca "$C/root.pem" --at $AT
	assert_equal "$stderr" "qt-sign: s.eif: signing certificate does not chain to $C/root.pem: path length constraint exceeded"
}
