#!/usr/bin/env bats
# qt-measure manifest / policy, qt-build --manifest, verify --manifest.
load ../helpers/common

C5="$GOLD/outputs/c5_signed_p384.eif"
C1="$GOLD/outputs/c1_x86_1rd.eif"
C5_PCR0=8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131
C5_PCR8=cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e5dd907e08b3244f207366ce6d4ea80e1
C1_PCR0=031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe
C1_PCR2=21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a
Z96=$(printf '0%.0s' {1..96})

setup() {
	common_setup
}

field() { # key -> first string/number value after "key":
	grep -m1 "\"$1\": " | sed 's/.*": "\{0,1\}//; s/"\{0,1\},\{0,1\}$//'
}

sha384_of() { openssl dgst -sha384 -r | cut -c1-96; }

section_sha384() { # file offset size (offset of the 12-byte section header)
	dd if="$1" bs=1 skip=$(($2 + 12)) count="$3" status=none | sha384_of
}

@test "qt-measure manifest: signed image: every value matches an independent oracle" {
	run -0 --separate-stderr qt-measure manifest "$C5"
	assert_equal "$stderr" ""
	m=$output
	[ "$(field size <<<"$m")" = "$(stat -c %s "$C5")" ]
	[ "$(field sha256 <<<"$m")" = "$(sha256sum "$C5" | cut -c1-64)" ]
	[ "$(field sha384 <<<"$m")" = "$(sha384_of <"$C5")" ]
	[ "$(field 0 <<<"$m")" = $C5_PCR0 ]
	[ "$(field 8 <<<"$m")" = $C5_PCR8 ]
	[ "$(field file <<<"$m")" = c5_signed_p384.eif ]
	[ "$(field arch <<<"$m")" = x86_64 ]
	[ "$(field eif_version <<<"$m")" = 4 ]
	[ "$(field name <<<"$m")" = kernel.bin ]
	[ "$(field build_time <<<"$m")" = 2024-01-01T00:00:00+00:00 ]
	# signer: SHA-256 of the certificate's DER, subject
	[ "$(grep -A3 '"signer"' <<<"$m" | field sha256)" = "$(sha256sum "$GOLD/inputs/cert-p384.der" | cut -c1-64)" ]
	[ "$(field subject <<<"$m")" = "$(openssl x509 -in "$GOLD/inputs/cert-p384.der" -inform DER -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" ]
	# section digests: dd + openssl over the layout of layout-summary.json
	[ "$(field kernel <<<"$m")" = "$(section_sha384 "$C5" 548 8269)" ]
	[ "$(field cmdline <<<"$m")" = "$(section_sha384 "$C5" 8829 119)" ]
	r0=$(section_sha384 "$C5" 9216 2048)
	r1=$(section_sha384 "$C5" 11276 2560)
	assert_output --partial "\"ramdisks\": [
      \"$r0\",
      \"$r1\"
    ]"
	# QingTian profile: PCR0 and PCR8 only
	refute_output --partial '"1": '
	assert_output --partial '"tool": {
    "name": "qt",
    "version": "0.1.0"
  }'
}

@test "qt-measure manifest: unsigned image: PCR8 all zero, signer null; nitro profile adds PCR1/PCR2" {
	run -0 --separate-stderr qt-measure manifest --profile nitro "$C1"
	[ "$(field 0 <<<"$output")" = $C1_PCR0 ]
	[ "$(field 1 <<<"$output")" = $C1_PCR0 ]
	[ "$(field 2 <<<"$output")" = $C1_PCR2 ]
	[ "$(field 8 <<<"$output")" = $Z96 ]
	assert_output --partial '"signer": null,'
	assert_output --partial '"platform": "nitro",'
}

@test "qt-measure manifest: deterministic; -o writes the same bytes; stdin works" {
	qt-measure manifest "$C5" >a.json
	qt-measure manifest "$C5" >b.json
	cmp a.json b.json
	cp "$C5" c5_signed_p384.eif
	run -0 qt-measure manifest -o c.json c5_signed_p384.eif
	assert_output ""
	cmp a.json c.json
	run -0 --separate-stderr qt-measure manifest - <"$C5"
	[ "$(field file <<<"$output")" = - ]
	[ "$(field 0 <<<"$output")" = $C5_PCR0 ]
}

@test "qt-measure manifest: PCR3/PCR4 from --iam-agency/--instance-id (openssl oracle)" {
	urn='iam::0a1b2c3d4e5f:agency:kms-decrypt'
	uuid=4662b7a3-7898-46c9-a6c5-20e9025e50bc
	run -0 --separate-stderr qt-measure manifest --iam-agency "$urn" --instance-id "$uuid" "$C5"
	[ "$(field 3 <<<"$output")" = "$( (head -c 48 /dev/zero; printf %s "$urn") | sha384_of)" ]
	# the real QingTian document's PCR4 for this parent instance
	[ "$(field 4 <<<"$output")" = 6ccd06a953f53b37610636e8c7f0f1aa9d2489512776f8a4a22e0790ac62102a736ff160fbff9a293c3a275f19bacc70 ]
	[ "$(field instance_id <<<"$output")" = "$uuid" ]
	run -0 --separate-stderr qt-measure manifest --profile nitro --instance-id i-0ffff615a409a72d7 "$C5"
	# PCR4 of the real Nitro document from that instance
	[ "$(field 4 <<<"$output")" = 6386cee86c94b2a713c98e1d883134e8f2c019a17a712eb950fde15e9d6667575569c4e5c5e66eb9c920369961025fd2 ]
}

@test "qt-measure manifest: bad identities and damaged images exit 2; no file is left" {
	run -2 --separate-stderr qt-measure manifest --instance-id i-0123 "$C5"
	assert_equal "$stderr" "qt-measure: --instance-id: 'i-0123' is not a hyphenated instance UUID (qingtian)"
	run -2 --separate-stderr qt-measure manifest --iam-agency nobody "$C5"
	[[ "$stderr" == "qt-measure: --iam-agency: 'nobody' is not an agency URN"* ]]
	cp "$C5" bad.eif
	printf '\xff' | dd of=bad.eif bs=1 seek=1000 conv=notrunc status=none
	run -2 --separate-stderr qt-measure manifest -o bad.json bad.eif
	[[ "$stderr" =~ ^"qt-measure: bad.eif: CRC mismatch: the header says "[0-9a-f]{8}", the contents give "[0-9a-f]{8}$ ]]
	[ ! -e bad.json ]
	[ -z "$(ls -A | grep -v -e '^bad.eif$' -e '^separate-stderr-')" ] # no temporary file left
	run -2 --separate-stderr qt-measure manifest missing.eif
	[[ "$stderr" == "qt-measure: missing.eif: "* ]]
}

@test "qt-build --manifest: same bytes as qt-measure manifest, written atomically" {
	I="$GOLD/inputs"
	run -0 --separate-stderr qt-build --kernel "$I/kernel.bin" --cmdline-file "$I/cmdline.txt" \
	    --ramdisk "$I/ramdisk0.cpio" --profile nitro -o app.eif --manifest app.json
	qt-measure manifest --profile nitro app.eif | cmp - app.json
	[ "$(field 0 <<<"$(cat app.json)")" = "$(qt-measure app.eif | field PCR0)" ]
	[ -z "$(ls -A | grep '\.qt-')" ]
	run -2 --separate-stderr qt-build --kernel "$I/kernel.bin" --cmdline x --ramdisk "$I/ramdisk0.cpio" \
	    --measure-only --manifest m.json
	[[ "$stderr" == "qt-build: --manifest needs the image file: not with --measure-only"* ]]
}

@test "qt-measure policy: huawei and aws conditions from a signed image's manifest" {
	qt-measure manifest --iam-agency 'iam::0a1b:agency:x' "$C5" >m.json
	P3=$(field 3 <m.json)
	run -0 --separate-stderr qt-measure policy --profile qingtian m.json
	assert_output "{
  \"Condition\": {
    \"StringEqualsIgnoreCase\": {
      \"kms:RecipientAttestation/PCR0\": [
        \"$C5_PCR0\"
      ],
      \"kms:RecipientAttestation/PCR3\": [
        \"$P3\"
      ],
      \"kms:RecipientAttestation/PCR8\": [
        \"$C5_PCR8\"
      ]
    }
  }
}"
	run -0 --separate-stderr qt-measure policy --profile nitro --json=short m.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:ImageSha384\":\"$C5_PCR0\",\"kms:RecipientAttestation:PCR3\":\"$P3\",\"kms:RecipientAttestation:PCR8\":\"$C5_PCR8\"}}}"
}

@test "qt-measure policy: an unsigned image pins PCR0 only; its PCR8 and an all-zero PCR0 need --allow-zero" {
	qt-measure manifest "$C1" >u.json
	run -0 --separate-stderr qt-measure policy --profile qingtian --json=short u.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR0\":[\"$C1_PCR0\"]}}}"
	run -2 --separate-stderr qt-measure policy --profile qingtian --pcr 0,8 u.json
	assert_output ""
	assert_equal "$stderr" "qt-measure: u.json: the image is unsigned (PCR8 all zero): pinning PCR8 proves nothing; sign the image or pass --allow-zero"
	run -0 --separate-stderr qt-measure policy --profile qingtian --pcr 0,8 --allow-zero u.json
	assert_output --partial "\"kms:RecipientAttestation/PCR8\": [
        \"$Z96\""
	sed "s/$C1_PCR0/$Z96/" u.json >z.json
	run -2 --separate-stderr qt-measure policy --profile nitro z.json
	[[ "$stderr" == "qt-measure: z.json: PCR0 is all zero"* ]]
	run -2 --separate-stderr qt-measure policy --format gcp u.json
	[[ "$stderr" == "qt-measure: --format: 'gcp' is not huawei or aws"* ]]
	echo '{"schema_version": 1}' >short.json
	run -2 --separate-stderr qt-measure policy --profile nitro short.json
	assert_equal "$stderr" "qt-measure: short.json: manifest: missing key 'platform'"
}

@test "qt-measure verify --manifest: a document of that image passes; another image's fails" {
	CA="$FIX/attest/ca"
	qt-measure manifest "$C5" >m.json
	"$QT_ATTEST_GEN" --key "$CA/leaf.key" --cert "$CA/leaf.pem" \
	    --bundle "$CA/root.pem,$CA/int1.pem,$CA/int2.pem" --pcr 0=$C5_PCR0 --pcr 8=$C5_PCR8 -o good.cose
	"$QT_ATTEST_GEN" --key "$CA/leaf.key" --cert "$CA/leaf.pem" \
	    --bundle "$CA/root.pem,$CA/int1.pem,$CA/int2.pem" --pcr 0=$C1_PCR0 --pcr 8=$C5_PCR8 -o other.cose
	run -0 --separate-stderr qt-measure verify --root "$CA/root.pem" --at doc --manifest m.json good.cose
	assert_output --partial '"failed": []'
	run -1 --separate-stderr qt-measure verify --root "$CA/root.pem" --at doc --manifest m.json other.cose
	assert_output --partial '"failed": [
    "pcr0"
  ]'
	# a contradicting --expect-pcr is refused
	run -2 --separate-stderr qt-measure verify --root "$CA/root.pem" --at doc --manifest m.json \
	    --expect-pcr 0=$C1_PCR0 good.cose
	assert_equal "$stderr" "qt-measure: --expect-pcr 0 contradicts the manifest m.json"
	# the manifest's profile applies: a Nitro-shaped document fails the platform check
	"$QT_ATTEST_GEN" --key "$CA/leaf.key" --cert "$CA/leaf.pem" --shape nitro \
	    --bundle "$CA/root.pem,$CA/int1.pem,$CA/int2.pem" --pcr 0=$C5_PCR0 --pcr 8=$C5_PCR8 -o n.cose
	run -1 --separate-stderr qt-measure verify --root "$CA/root.pem" --at doc --manifest m.json n.cose
	assert_output --partial '"failed": [
    "platform"
  ]'
}

@test "qt-manifest.schema.json: manifests of both profiles validate; a damaged one does not" {
	python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed"
	qt-measure manifest --iam-agency 'iam::0a1b:agency:x' "$C5" >q.json
	qt-measure manifest --profile nitro "$C1" >n.json
	qt-measure manifest --profile nitro --iam-role arn:aws:iam::123456789012:role/parent "$C1" >r.json
	sed 's/"schema_version": 1/"schema_version": 2/' q.json >bad.json
	# a nitro manifest written before iam_role: a null agency is still valid
	sed 's/"iam_role": null/"iam_agency": null/' n.json >old.json
	# an agency on nitro, a role on qingtian: invalid
	sed 's/"iam_role": "arn[^"]*"/"iam_agency": "iam::0a1b:agency:x"/' r.json >bad2.json
	sed 's/"iam_agency": "[^"]*"/"iam_role": "arn:aws:iam::123456789012:role\/parent"/' q.json >bad3.json
	cat >check.py <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
for f in sys.argv[2:]:
    errs = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(f))))
    print(f, "valid" if not errs else "invalid")
PY
	run -0 python3 check.py "$TOP/formats/qt-manifest.schema.json" q.json n.json r.json old.json \
	    bad.json bad2.json bad3.json
	assert_output "q.json valid
n.json valid
r.json valid
old.json valid
bad.json invalid
bad2.json invalid
bad3.json invalid"
	# qt-measure reads the same way
	qt-measure policy --profile nitro old.json >/dev/null
	run -2 --separate-stderr qt-measure policy --profile nitro bad2.json
	assert_equal "$stderr" "qt-measure: bad2.json: parent.iam_agency: an agency URN is Huawei's (qingtian); on nitro PCR3 is the parent instance's IAM role (parent.iam_role)"
	run -2 --separate-stderr qt-measure policy --profile nitro bad3.json
	assert_equal "$stderr" "qt-measure: bad3.json: parent: unknown key 'iam_role'"
}

@test "qt-measure: one IAM agency and instance-id rule for extend, manifest and verify --manifest" {
	# ':' separates the URN's fields: neither the domain id nor the name may hold one
	for bad in 'iam::0a:1b:agency:x' 'iam::0a1b:agency:x:' 'iam::0a1b:agency:' 'iam:::agency:x' \
	    'iam::0a1b:role:x' "$(printf 'iam::0a1b:agency:a\tb')"; do
		shown=${bad//$'\t'/?} # control bytes are never echoed
		msg="qt-measure: --iam-agency: '$shown' is not an agency URN 'iam::<domain id>:agency:<name>'"
		run -2 --separate-stderr qt-measure extend --iam-agency "$bad"
		assert_equal "${stderr%%$'\n'*}" "$msg"
		run -2 --separate-stderr qt-measure manifest --iam-agency "$bad" "$C5"
		assert_equal "$stderr" "$msg"
	done
	urn='iam::0a1b2c3d:agency:kms-reader'
	run -0 --separate-stderr qt-measure extend --json=short --iam-agency "$urn"
	p3=$(sed 's/.*"PCR":"//; s/".*//' <<<"$output")
	run -0 --separate-stderr qt-measure manifest --iam-agency "$urn" "$C5"
	assert_output --partial "\"3\": \"$p3\""
	# the same messages for the instance id, per profile
	run -2 --separate-stderr qt-measure extend --instance-id i-0123
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --instance-id: 'i-0123' is not a hyphenated instance UUID (qingtian)"
	run -2 --separate-stderr qt-measure manifest --profile nitro --instance-id 4662b7a3-7898-46c9-a6c5-20e9025e50bc "$C5"
	assert_equal "$stderr" "qt-measure: --instance-id: '4662b7a3-7898-46c9-a6c5-20e9025e50bc' is not an instance id 'i-<hex>' (nitro)"
	# a manifest read by verify or policy: the parent identities obey the rule and match their PCR
	qt-measure manifest --iam-agency "$urn" "$C5" >m.json
	run -0 --separate-stderr qt-measure policy --profile qingtian m.json
	sed 's/"iam::0a1b2c3d:agency:kms-reader"/"iam::0a:1b:agency:kms-reader"/' m.json >colon.json
	run -2 --separate-stderr qt-measure verify --root-sha256 "${Z96:0:64}" --manifest colon.json x.cose
	assert_equal "$stderr" "qt-measure: colon.json: parent.iam_agency: --iam-agency: 'iam::0a:1b:agency:kms-reader' is not an agency URN 'iam::<domain id>:agency:<name>'"
	sed 's/"iam::0a1b2c3d:agency:kms-reader"/"iam::0a1b2c3d:agency:kms-writer"/' m.json >other.json
	run -2 --separate-stderr qt-measure policy --profile qingtian other.json
	assert_equal "$stderr" "qt-measure: other.json: parent.iam_agency: pcrs.3 is not its extend"
}

@test "qt-measure: the old --platform (manifest, verify) and policy --format spellings still work, with one deprecation line" {
	run -0 --separate-stderr qt-measure manifest --profile nitro "$C1"
	want=$output
	run -0 --separate-stderr qt-measure manifest --platform nitro "$C1"
	assert_equal "$output" "$want"
	assert_equal "$stderr" "qt-measure: --platform qingtian|nitro is deprecated; use --profile qingtian|nitro"
	qt-measure manifest --iam-agency 'iam::0a1b:agency:x' "$C5" >m.json
	run -0 --separate-stderr qt-measure policy --profile nitro m.json
	want=$output
	run -0 --separate-stderr qt-measure policy --format aws m.json
	assert_equal "$output" "$want"
	assert_equal "$stderr" "qt-measure: --format huawei|aws is deprecated; use --profile qingtian|nitro"
	run -0 --separate-stderr qt-measure policy --profile qingtian m.json
	want=$output
	run -0 --separate-stderr qt-measure policy --format huawei m.json
	assert_equal "$output" "$want"
	run -2 --separate-stderr qt-measure policy m.json
	assert_equal "${stderr%%$'\n'*}" "qt-measure: policy: --profile is required"
	run -2 --separate-stderr qt-measure verify --root-sha256 "${Z96:0:64}" --platform aws --nonce 00 x.cose
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --platform: 'aws' is not qingtian, nitro or auto"
	run -2 --separate-stderr qt-measure verify --root-sha256 "${Z96:0:64}" --platform nitro --nonce 00 missing.cose
	assert_equal "$stderr" "qt-measure: --platform qingtian|nitro|auto is deprecated; use --profile qingtian|nitro|auto
qt-measure: missing.cose: cannot open: No such file or directory"
}
