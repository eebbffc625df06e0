#!/usr/bin/env bats
# qt-measure corim: CoRIM reference values (qt-corim(5)), golden bytes and a
# golden diagnostic dump made by an independent decoder (Debian's python3-cbor2
# through tests/helpers/supply_check.py), the same bytes from a manifest as from
# the image, PCR selection, and the signed form (COSE_Sign1, tag 18) verified by
# python3-cryptography over a Sig_structure it rebuilds itself.
load ../helpers/common

setup() {
	common_setup
	IN="$GOLD/inputs"
	SF="$FIX/sign"
	C2="$GOLD/outputs/c2_x86_2rd.eif"
	C5="$GOLD/outputs/c5_signed_p384.eif"
	PY=/usr/bin/python3
	CHECK="$TOP/tests/helpers/supply_check.py"
}

need_py() {
	"$PY" -c 'import cbor2, cryptography' 2>/dev/null ||
	    skip "python3-cbor2 / python3-cryptography not installed (scripts/deps.sh)"
}

@test "corim: golden bytes, and the same bytes from the manifest as from the image" {
	run -0 --separate-stderr qt-measure corim --profile nitro --entity "Example Corp" -o c.corim "$C5"
	assert_output ""
	cmp c.corim "$FIX/corim/c5-nitro.corim"
	qt-measure manifest --profile nitro "$C5" >m.json
	qt-measure corim --entity "Example Corp" m.json >m.corim
	cmp m.corim "$FIX/corim/c5-nitro.corim"
	# tag 501, then the id naming the image's sha256
	[ "$(head -c 3 c.corim | xxd -p)" = d901f5 ]
	grep -aq "qt:sha256:$(sha256sum <"$C5" | cut -c1-64)" c.corim
}

@test "corim: golden diagnostic dump by an independent decoder; PCRs are the reference tool's" {
	need_py
	run -0 "$PY" "$CHECK" diag "$FIX/corim/c5-nitro.corim"
	diff -u "$FIX/corim/c5-nitro.diag" <(printf '%s\n' "$output")
	run -0 "$PY" "$CHECK" corim "$FIX/corim/c5-nitro.corim" --image "$C5"
	assert_output "environment: AWS / Nitro Enclave
PCR0: 8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131
PCR1: 031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe
PCR2: 7e84aa3778949e093ee7e9a074a57bc651a8167c287241e4ba60994c8a10a6abae4845a5ad810ebca8b881e6c969065b
PCR8: cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e5dd907e08b3244f207366ce6d4ea80e1
id: names the image
deterministic: yes"
	# the same four values the reference eif_build printed for this image
	for i in 0 1 2 8; do
		v=$(sed -n "s/^  \"PCR$i\": \"\([0-9a-f]*\)\",\{0,1\}\$/\1/p" \
		    "$GOLD/outputs/c5_signed_p384.eif_build.stdout.json")
		assert_line "PCR$i: $v"
	done
}

@test "corim: PCR8 only for a signed image; PCR3/PCR4 only with --parent-pcrs" {
	need_py
	qt-measure corim "$C2" >u.corim
	run -0 "$PY" "$CHECK" corim u.corim --image "$C2"
	assert_line --index 0 "environment: Huawei Cloud / QingTian Enclave"
	assert_line --index 1 --partial "PCR0: 8b7a024c"
	refute_output --partial "PCR8"
	qt-measure manifest --iam-agency 'iam::0a1b:agency:x' "$C5" >m.json
	qt-measure corim m.json >p.corim
	run -0 "$PY" "$CHECK" corim p.corim
	refute_output --partial "PCR3"
	assert_output --partial "PCR8: cc582478"
	# asked for, PCR3 is there (the independent checker refuses it: it is no build value)
	qt-measure corim --parent-pcrs m.json >q.corim
	run -1 "$PY" "$CHECK" corim q.corim
	assert_output --partial "FAILED: no PCR3/PCR4"
	# --corim-profile none: no key 3
	qt-measure corim --corim-profile none "$C2" >n.corim
	run -0 "$PY" "$CHECK" diag n.corim
	refute_output --partial "32(\"https://qt.invalid/profiles/corim-enclave-pcr/v1\")"
	qt-measure corim --corim-profile tag:example.com,2026:x "$C2" >t.corim
	grep -aq 'tag:example.com,2026:x' t.corim
}

@test "corim --sign: COSE_Sign1 tag 18, ES384, rim+cbor, corim-meta; verified independently" {
	need_py
	run -0 --separate-stderr qt-measure corim --sign --key "$IN/key-p384.pem" \
	    --cert "$IN/cert-p384.pem" -o s.corim "$C5"
	[ "$(head -c 1 s.corim | xxd -p)" = d2 ]
	run -0 "$PY" "$CHECK" corim s.corim --cert "$IN/cert-p384.pem" --image "$C5"
	assert_line --index 0 \
	    "COSE_Sign1: tag 18, alg -35, signer CN=qt-golden-p384,O=QingTian Golden Test,C=CN"
	assert_line --index 1 "signature: ok"
	assert_line --index 6 "deterministic: yes"
	# the payload is the unsigned CoRIM, byte for byte
	qt-measure corim "$C5" >u.corim
	"$PY" -c 'import cbor2,sys; sys.stdout.buffer.write(cbor2.loads(open("s.corim","rb").read()).value[2])' >p.bin
	cmp u.corim p.bin
	# the wrong certificate, and one flipped signature byte: refused
	run -1 "$PY" "$CHECK" corim s.corim --cert "$SF/cert-p384b.pem"
	assert_output --partial "FAILED: COSE signature verifies with"
	size=$(stat -c %s s.corim)
	cp s.corim t.corim
	# flip every bit of one signature byte (setting it to a fixed value is a no-op when the
	# random signature already holds that value: 1 run in 256)
	b=$(od -An -tu1 -j $((size - 5)) -N1 s.corim | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" | dd of=t.corim bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null
	run -1 cmp -s s.corim t.corim
	run -1 "$PY" "$CHECK" corim t.corim --cert "$IN/cert-p384.pem"
	assert_output --partial "FAILED: COSE signature verifies with"
	# a P-256 key: ES256
	qt-measure corim --sign --key "$SF/key-p256.pem" --cert "$SF/cert-p256.pem" "$C2" >e.corim
	run -0 "$PY" "$CHECK" corim e.corim --cert "$SF/cert-p256.pem"
	assert_line --index 0 --partial "COSE_Sign1: tag 18, alg -7, signer CN=qt-test-p256,O=qt test"
}

@test "corim: bad inputs exit 2 with no output; usage errors" {
	printf 'not an image' >x.eif
	run -2 --separate-stderr qt-measure corim -o out.corim x.eif
	[[ "$stderr" == "qt-measure: x.eif: "* ]]
	[ ! -e out.corim ]
	printf '{"schema_version": 9}' >m.json
	run -2 --separate-stderr qt-measure corim -o out.corim m.json
	[[ "$stderr" == "qt-measure: m.json: "* ]]
	[ ! -e out.corim ]
	qt-measure manifest "$C2" >q.json
	run -2 --separate-stderr qt-measure corim --profile nitro q.json
	assert_equal "$stderr" "qt-measure: q.json: manifest is for qingtian, not nitro"
	run -2 --separate-stderr qt-measure corim --sign "$C2"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: corim: --sign needs --key and --cert"
	run -2 --separate-stderr qt-measure corim --key "$IN/key-p384.pem" "$C2"
	assert_equal "${stderr%%$'\n'*}" \
	    "qt-measure: corim: --key, --cert, --pass, --pkcs11-module and --allow-expired-cert need --sign"
	run -2 --separate-stderr qt-measure corim --corim-profile nocolon "$C2"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --corim-profile: 'nocolon' is not a URI"
	run -2 --separate-stderr qt-measure corim --entity "" "$C2"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --entity: 1 to 255 bytes"
	run -2 --separate-stderr qt-measure corim --sign --key "$IN/key-p384.pem" \
	    --cert "$IN/cert-p384.pem" --at x "$C2"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: corim: unknown option or missing argument: '--at'"
}
