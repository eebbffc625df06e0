#!/usr/bin/env bats
# qt-measure verify: real QingTian and Nitro documents (tests/fixtures/attest).
load ../helpers/common

A="$FIX/attest"
QT_PCR0=74d6c5fa10418d50e62c5e0422b868a5912d664c7721a9742e2ffdae3ec49c6a4030e3a1f73c37c5ccd297730a77ec89
QT_PCR8=5d130027a732cb97a378d0dd0563b7a1e43cb220699a2739870558753fb5620bb71e7c9053310aee01ec50c00f502e03
QT_PCR4=6ccd06a953f53b37610636e8c7f0f1aa9d2489512776f8a4a22e0790ac62102a736ff160fbff9a293c3a275f19bacc70
NA_PCR0=bdc771e5c6483c54a0ff20c905d258bd230e1edae9dee3702ee9afeb95d9ce08e7174336ce4f5352222c154318c9e285
NA_PCR8=35235575680337d50f604d08eeb7cb220729e4d0f6b0d05476baafb052a7c2413f78058fefface5e1477046534d4fdb2
QT_ROOT_SHA=f23443b4eb52a70719df49bdda0e57bb25f1c04530885dbecdbde241c8c4f581
Z96=$(printf '0%.0s' {1..96})

setup() {
	common_setup
}

# jq-free field extraction: the report is pretty JSON, one key per line
verdict_of() { # check name -> verdict
	awk -v c="\"check\": \"$1\"," '$0 ~ c { getline; sub(/.*"verdict": "/, ""); sub(/".*/, ""); print; exit }'
}

@test "qt-measure verify: real QingTian document verifies at its own time, little-endian halves" {
	run -0 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" --at doc \
	    --expect-pcr 0=$QT_PCR0 --expect-pcr 8=$QT_PCR8 --expect-pcr 4=$QT_PCR4 \
	    "$A/qingtian-official-signed.cose"
	assert_equal "$stderr" ""
	assert_line --index 1 '  "verdict": "pass",'
	assert_output --partial '"signature_form": "little-endian-halves"'
	assert_output --partial '"instant": "2026-07-20T11:23:26Z"'
	[ "$(verdict_of signature <<<"$output")" = pass ]
	[ "$(verdict_of pcr4 <<<"$output")" = pass ]
}

@test "qt-measure verify: QingTian document is expired now (exit 1, validity fails)" {
	run -1 --separate-stderr qt-measure verify --root-sha256 $QT_ROOT_SHA \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	[ "$(verdict_of validity <<<"$output")" = fail ]
	[ "$(verdict_of signature <<<"$output")" = pass ]
	[ "$(verdict_of pcr0 <<<"$output")" = skip ]
	assert_output --partial 'expired (notAfter 2026-07-20T14:21:28Z, instant '
}

@test "qt-measure verify: QingTian document is untrusted under the AWS root" {
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	[ "$(verdict_of root <<<"$output")" = fail ]
	assert_output --partial '"authentic": false'
}

@test "qt-measure verify: QingTian document fails as nitro (big-endian only)" {
	run -1 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" --at doc \
	    --platform nitro --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	[ "$(verdict_of signature <<<"$output")" = fail ]
	[ "$(verdict_of platform <<<"$output")" = fail ]
}

@test "qt-measure verify: base64 form and stdin give the same verdict" {
	run -0 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" --at doc \
	    --expect-pcr 0=$QT_PCR0 - <"$A/qingtian-official-signed.cose.b64"
	assert_line --index 1 '  "verdict": "pass",'
}

@test "qt-measure verify: Nitro signed document: PCR0, PCR8 and public_key match" {
	# public_key of the document (32 raw bytes), written with xxd as an independent oracle
	echo 186aa45e63df8e4ff95cadd08f57b9b2f6715375c1ed30fc8eab15d75daf03f5 | xxd -r -p >pk.bin
	run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
	    --at 2025-03-25T15:05:29Z --expect-pcr 0=$NA_PCR0 --expect-pcr 8=$NA_PCR8 \
	    --public-key pk.bin "$A/nitro-noauth-signed.cose"
	assert_output --partial '"signature_form": "big-endian"'
	[ "$(verdict_of public_key <<<"$output")" = pass ]
	# PCR8 is extend(0, SHA384(DER of the signing certificate)): openssl as the oracle
	d=$(openssl dgst -sha384 -binary "$A/nitro-noauth-signing-cert.der" | xxd -p -c 48)
	p=$( (head -c 48 /dev/zero; echo "$d" | xxd -r -p) | openssl dgst -sha384 -binary | xxd -p -c 48)
	[ "$p" = "$NA_PCR8" ]
}

@test "qt-measure verify: wrong nonce and user_data fail, named in failed" {
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --nonce 00 --user-data "" "$A/nitro-noauth-signed.cose"
	[ "$(verdict_of nonce <<<"$output")" = fail ]
	[ "$(verdict_of user_data <<<"$output")" = pass ]
	assert_output --partial '"failed": [
    "nonce"
  ]'
}

@test "qt-measure verify: debug-mode document never matches" {
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$(printf '0%.0s' {1..96}) "$A/nitro-evervault-debug.cose"
	[ "$(verdict_of production <<<"$output")" = fail ]
	[ "$(verdict_of signature <<<"$output")" = pass ]
}

@test "qt-measure verify: max-age against the instant" {
	run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
	    --at 2025-03-25T15:06:29Z --max-age 60 --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
	    --at 2025-03-25T15:06:30Z --max-age 60 --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	[ "$(verdict_of freshness <<<"$output")" = fail ]
	assert_output --partial 'document is 60.648 s old, more than 60 s'
}

@test "qt-measure verify: --max-age with --at doc is refused (it would always pass)" {
	run -2 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --max-age 60 --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	[[ "$stderr" == "qt-measure: --max-age with --at doc measures nothing"* ]]
}

@test "qt-measure verify: no expectation is an error (exit 2), not a pass" {
	run -2 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
	    "$A/nitro-noauth-signed.cose"
	assert_output ""
	[[ "$stderr" == "qt-measure: verify: no expectations: give --manifest"* ]]
}

@test "qt-measure verify/policy/manifest: an unknown option names the subcommand (exit 2)" {
	run -2 --separate-stderr qt-measure verify --bogus "$A/nitro-noauth-signed.cose"
	assert_output ""
	[ "${stderr%%$'\n'*}" = "qt-measure: verify: unknown option or missing argument: '--bogus'" ]
	run -2 --separate-stderr qt-measure policy --format
	[ "${stderr%%$'\n'*}" = "qt-measure: policy: unknown option or missing argument: '--format'" ]
	run -2 --separate-stderr qt-measure manifest -x image.eif
	[ "${stderr%%$'\n'*}" = "qt-measure: manifest: unknown option or missing argument: '-x'" ]
}

@test "qt-measure verify: no root is an error (exit 2)" {
	run -2 --separate-stderr qt-measure verify --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	[[ "$stderr" == "qt-measure: verify: give exactly one of --root and --root-sha256"* ]]
}

@test "qt-measure verify: malformed documents exit 2 with a precise message" {
	run -2 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$NA_PCR0 "$A/broken/marlin-2024-08-07T0638-prod.trailing-byte.bin"
	assert_equal "$stderr" "qt-measure: $A/broken/marlin-2024-08-07T0638-prod.trailing-byte.bin: COSE_Sign1: 1 trailing bytes at offset 4532"
	assert_line --index 1 '  "verdict": "error",'
	run -2 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$NA_PCR0 "$A/broken/marlin-2024-08-07T0638-prod.wrong-tag-17.bin"
	[[ "$stderr" == *": tag 17 (COSE_Mac0) at offset 0: not a COSE_Sign1 (tag 18)" ]]
	run -2 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$NA_PCR0 "$A/broken/marlin-2024-08-07T0638-prod.alg-es256.bin"
	[[ "$stderr" == *": protected header: alg -7 (ES256) is not ES384 (-35), the only algorithm accepted" ]]
	head -c 1000 "$A/nitro-noauth-signed.cose" >cut.cose
	run -2 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$NA_PCR0 cut.cose
	[[ "$stderr" == "qt-measure: cut.cose: COSE_Sign1: malformed CBOR (truncated) at offset"* ]]
}

@test "qt-measure verify: tampered real documents exit 1 (signature)" {
	for f in payload-byte-flipped pcr0-changed cabundle-reversed; do
		run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
		    --at 2024-08-07T06:38:09Z --expect-pcr 4=$(printf '0%.0s' {1..96}) \
		    "$A/broken/marlin-2024-08-07T0638-prod.$f.bin"
		[ "$(verdict_of signature <<<"$output")" = fail ]
	done
}

@test "qt-measure verify: tag 18 accepted; hex-encoded document accepted" {
	M0=5fec1b73727425848d725d68f4a062c634061a035067bd0b9a6dc73e25ed5013dfe7ccbf8a7e9857eceb0841c4cb6ae6
	run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.der" \
	    --at 2024-08-07T06:38:09Z --expect-pcr 0=$M0 \
	    "$A/broken/marlin-2024-08-07T0638-prod.VALID-tag18-added.bin"
	assert_output --partial '"tagged": true'
	run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.der" \
	    --at 2024-08-07T06:43:12Z --expect-pcr 0=$M0 --json=short \
	    "$A/encoded/marlin-2024-08-07T0643-prod.hex"
	[[ "$output" == '{"verdict":"pass","platform":"nitro","instant":"2024-08-07T06:43:12Z",'* ]]
}

@test "qt-measure verify: all 16 real documents keep their verdicts at their own time" {
	n=0
	while read -r name ts from to pcr0; do
		[[ "$name" == "#"* || -z "$name" ]] && continue
		if [ "$pcr0" = "$(printf '0%.0s' {1..96})" ]; then
			run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.der" --at doc \
			    --expect-pcr 0=$pcr0 "$A/real/$name"
			[ "$(verdict_of production <<<"$output")" = fail ]
		else
			run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.der" --at doc \
			    --expect-pcr 0=$pcr0 "$A/real/$name"
		fi
		assert_output --partial '"authentic": true'
		n=$((n + 1))
	done <"$A/real/expected.txt"
	run -0 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" --at doc \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$(printf '0%.0s' {1..96}) "$A/nitro-evervault-debug.cose"
	assert_output --partial '"authentic": true'
	[ $((n + 3)) -eq 16 ]
}

@test "qt-measure verify: --max-age and 'not after the instant' compare milliseconds" {
	# the document is stamped 2025-03-25T15:05:29.352Z
	run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
	    --at 2025-03-25T15:06:29.352Z --max-age 60 --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	assert_output --partial 'document is 60 s old (max 60 s)'
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
	    --at 2025-03-25T15:06:29.353Z --max-age 60 --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	assert_output --partial 'document is 60.001 s old, more than 60 s'
	# stamped 999 ms after the instant, within the same second: refused
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" \
	    --at 2025-03-25T15:05:28.353Z --max-age 60 --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	[ "$(verdict_of freshness <<<"$output")" = fail ]
	assert_output --partial 'timestamp is 0.999 s after the instant'
}

@test "qt-measure verify: --root qingtian and --root nitro use the shipped roots" {
	export QT_ROOTS_DIR="$TOP/roots"
	run -0 --separate-stderr qt-measure verify --root qingtian --at doc \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	assert_line --index 1 '  "verdict": "pass",'
	[ "$(verdict_of root <<<"$output")" = pass ]
	run -0 --separate-stderr qt-measure verify --root nitro --at 2025-03-25T15:05:29Z \
	    --expect-pcr 0=$NA_PCR0 "$A/nitro-noauth-signed.cose"
	[ "$(verdict_of root <<<"$output")" = pass ]
	# the other platform's root: the document is not authentic (exit 1)
	run -1 --separate-stderr qt-measure verify --root nitro --at doc \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	[ "$(verdict_of root <<<"$output")" = fail ]
}

@test "qt-measure verify: the shipped roots are the fixtures, with the man page's fingerprints" {
	cmp "$TOP/roots/qingtian-root-G1.pem" "$A/qingtian-root-G1.pem"
	cmp "$TOP/roots/aws-nitro-root-G1.pem" "$A/aws-nitro-root-G1.pem"
	q=$(openssl x509 -in "$TOP/roots/qingtian-root-G1.pem" -outform DER | sha256sum | cut -c1-64)
	n=$(openssl x509 -in "$TOP/roots/aws-nitro-root-G1.pem" -outform DER | sha256sum | cut -c1-64)
	[ "$q" = f23443b4eb52a70719df49bdda0e57bb25f1c04530885dbecdbde241c8c4f581 ]
	[ "$n" = 641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b ]
	grep -qx "$q" "$TOP/man/qt-measure.1"
	grep -qx "$n" "$TOP/man/qt-measure.1"
}

@test "qt-measure verify: a replaced shipped root is refused (exit 2), not trusted" {
	mkdir r
	cp "$A/aws-nitro-root-G1.pem" r/qingtian-root-G1.pem
	QT_ROOTS_DIR=$PWD/r run -2 --separate-stderr qt-measure verify --root qingtian --at doc \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	assert_equal "$stderr" "qt-measure: $PWD/r/qingtian-root-G1.pem: not the shipped qingtian root (CN=huaweicloud.qingtian-enclaves): its SHA-256 is 641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b; reinstall qt or pass --root FILE"
	QT_ROOTS_DIR=$PWD/empty run -2 --separate-stderr qt-measure verify --root nitro --at doc \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	assert_equal "$stderr" "qt-measure: $PWD/empty/aws-nitro-root-G1.pem: cannot open: No such file or directory"
	# a file named like a word is reached by its path
	cp "$A/qingtian-root-G1.pem" qingtian
	run -0 --separate-stderr qt-measure verify --root ./qingtian --at doc \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
}

@test "qt-measure verify: base64url and unpadded base64 give the same verdict" {
	base64 -w0 "$A/qingtian-official-signed.cose" | tr -d = >std-unpadded.txt
	base64 -w0 "$A/qingtian-official-signed.cose" | tr '+/' '-_' >url-padded.txt
	tr -d = <url-padded.txt >url-unpadded.txt
	# the fixture's base64 uses both + and /, and needs padding
	grep -q + std-unpadded.txt
	grep -q / std-unpadded.txt
	[ $(($(wc -c <std-unpadded.txt) % 4)) -ne 0 ]
	for f in std-unpadded.txt url-padded.txt url-unpadded.txt; do
		run -0 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" --at doc \
		    --expect-pcr 0=$QT_PCR0 "$f"
		assert_line --index 1 '  "verdict": "pass",'
		assert_equal "$stderr" ""
	done
	# one alphabet only
	sed 's/-/+/' url-unpadded.txt >mixed.txt
	run -2 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" --at doc \
	    --expect-pcr 0=$QT_PCR0 mixed.txt
	assert_equal "$stderr" "qt-measure: mixed.txt: text document mixes the standard (+/) and URL-safe (-_) base64 alphabets"
}

@test "qt-measure verify: --allow-debug accepts a debug-mode document, the report still says debug" {
	run -1 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --expect-pcr 0=$Z96 "$A/nitro-evervault-debug.cose"
	assert_equal "$stderr" "qt-measure: $A/nitro-evervault-debug.cose: not verified: production: PCR0 is all zero: a debug-mode document never matches a production expectation; for a development enclave use --allow-debug"
	run -0 --separate-stderr qt-measure verify --root "$A/aws-nitro-root-G1.pem" --at doc \
	    --allow-debug --expect-pcr 0=$Z96 "$A/nitro-evervault-debug.cose"
	assert_equal "$stderr" ""
	assert_line --index 1 '  "verdict": "pass",'
	[ "$(verdict_of production <<<"$output")" = pass ]
	assert_output --partial '"detail": "PCR0 is all zero: a debug-mode document, accepted by --allow-debug (development only: a debug enclave can be inspected by its host)"'
}

@test "qt-measure verify: an expired document checked now: one stderr line hints at --at doc" {
	run -1 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" \
	    --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	[ "$(verdict_of validity <<<"$output")" = fail ]
	[ "${#lines[@]}" -gt 10 ] # the report is still on stdout
	[[ "$stderr" =~ ^"qt-measure: $A/qingtian-official-signed.cose: not verified: validity: certificate (CN=4662b7a3-7898-46c9-a6c5-20e9025e50bc.3da3c427.cn-south-1,".*"): expired (notAfter 2026-07-20T14:21:28Z, instant "[-0-9T:]+"Z) (and 1 more failed check); to check an archived document use --at doc"$ ]]
	# at a given time no hint: the time was chosen
	run -1 --separate-stderr qt-measure verify --root "$A/qingtian-root-G1.pem" \
	    --at 2030-01-01T00:00:00Z --expect-pcr 0=$QT_PCR0 "$A/qingtian-official-signed.cose"
	[[ "$stderr" == *"(and 1 more failed check)" ]]
}
