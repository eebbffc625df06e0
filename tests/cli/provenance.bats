#!/usr/bin/env bats
# qt-measure provenance / verify-provenance: in-toto statements about an image,
# golden and reproducible, valid against formats/qt-statement.schema.json, signed
# into DSSE envelopes that the openssl CLI and an independent Python reader
# (tests/helpers/supply_check.py: Debian's python3-cryptography) verify over the
# PAE they rebuild themselves; tampered envelopes, wrong subjects, wrong keys,
# expired or unchained certificates refused with exit 1.
load ../helpers/common

setup() {
	common_setup
	IN="$GOLD/inputs"
	SF="$FIX/sign"
	C2="$GOLD/outputs/c2_x86_2rd.eif"
	C5="$GOLD/outputs/c5_signed_p384.eif"
	PY=/usr/bin/python3
	CHECK="$TOP/tests/helpers/supply_check.py"
	VERSION=$(qt-measure --version | cut -d' ' -f2)
}

need_py() {
	"$PY" -c 'import cbor2, cryptography, jsonschema' 2>/dev/null ||
	    skip "python3-cbor2 / python3-cryptography / python3-jsonschema not installed (scripts/deps.sh)"
}

# The payload and the first signature of an envelope, decoded, into $1.payload and $1.sig.
unpack() {
	sed -n 's/^  "payload": "\(.*\)",$/\1/p' "$1" | base64 -d >"$1.payload"
	sed -n 's/^      "sig": "\(.*\)"$/\1/p' "$1" | base64 -d >"$1.sig"
}

# PAE(type, body) as the DSSE protocol defines it, built here with printf.
pae() {
	printf 'DSSEv1 %d %s %d ' "${#1}" "$1" "$(stat -c %s "$2")"
	cat "$2"
}

@test "provenance: golden statements (SLSA and measurement), byte-reproducible" {
	cp "$C2" c2_x86_2rd.eif
	run -0 --separate-stderr qt-measure provenance --predicate measurement c2_x86_2rd.eif
	sed "s/@VERSION@/$VERSION/" "$FIX/provenance/c2.measurement.json" >want.json
	diff -u want.json <(printf '%s\n' "$output")
	qt-measure provenance --profile nitro c2_x86_2rd.eif >a.json
	qt-measure provenance --profile nitro c2_x86_2rd.eif >b.json
	cmp a.json b.json
	sed "s/@VERSION@/$VERSION/" "$FIX/provenance/c2-nitro.slsa.json" | diff -u - a.json
	# nitro: PCR0/1/2 (and PCR8, as the manifest has it) are subject annotations
	grep -q '"qt.pcr1": "031d723b' a.json
	grep -q '"qt.pcr2": "7e84aa37' a.json
	# subject digests are the file's
	grep -q "\"sha256\": \"$(sha256sum <"$C2" | cut -c1-64)\"" a.json
	grep -q "\"sha384\": \"$(sha384sum <"$C2" | cut -c1-96)\"" a.json
}

@test "provenance: statements validate against qt-statement.schema.json; damaged ones do not" {
	need_py
	qt-measure provenance "$C5" >slsa.json
	qt-measure provenance --predicate measurement --profile nitro "$C2" >meas.json
	sed 's/"eifVersion": 4/"eifVersion": "4"/' slsa.json >bad1.json
	sed 's/"hashAlgorithm": "sha384"/"hashAlgorithm": "sha256"/' meas.json >bad2.json
	run -1 "$PY" "$CHECK" schema "$TOP/formats/qt-statement.schema.json" slsa.json meas.json \
	    bad1.json bad2.json
	assert_line --index 0 "slsa.json valid"
	assert_line --index 1 "meas.json valid"
	assert_line --index 2 --partial "bad1.json invalid"
	assert_line --index 3 --partial "bad2.json invalid"
}

@test "provenance --key: a DSSE envelope over the statement's exact bytes; openssl verifies the PAE" {
	qt-measure provenance "$C5" >st.json
	run -0 --separate-stderr qt-measure provenance --key "$IN/key-p384.pem" \
	    --cert "$IN/cert-p384.pem" -o env.json "$C5"
	assert_output ""
	grep -q '^  "payloadType": "application/vnd.in-toto+json",$' env.json
	keyid=$(openssl x509 -in "$IN/cert-p384.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
	    sha256sum | cut -c1-64)
	grep -q "^      \"keyid\": \"$keyid\",\$" env.json
	unpack env.json
	cmp st.json env.json.payload # the payload is the unsigned statement, byte for byte
	pae application/vnd.in-toto+json env.json.payload >pae.bin
	want="DSSEv1 28 application/vnd.in-toto+json $(stat -c %s st.json) {"
	[ "$(head -c ${#want} pae.bin)" = "$want" ]
	openssl x509 -in "$IN/cert-p384.pem" -noout -pubkey >pub.pem
	run -0 openssl dgst -sha384 -verify pub.pem -signature env.json.sig pae.bin
	assert_output "Verified OK"
	# DER, not r||s: openssl's ASN.1 parser reads it as a SEQUENCE of two INTEGERs
	run -0 openssl asn1parse -inform DER -in env.json.sig
	assert_line --index 0 --partial "SEQUENCE"
}

@test "provenance --key: P-256 signs SHA-256 of the PAE; the Python reader verifies it" {
	need_py
	qt-measure provenance --key "$SF/key-p256.pem" --cert "$SF/cert-p256.pem" "$C2" >env.json
	unpack env.json
	pae application/vnd.in-toto+json env.json.payload >pae.bin
	openssl x509 -in "$SF/cert-p256.pem" -noout -pubkey >pub.pem
	run -0 openssl dgst -sha256 -verify pub.pem -signature env.json.sig pae.bin
	run -0 "$PY" "$CHECK" dsse env.json --cert "$SF/cert-p256.pem" --image "$C2"
	assert_output "signature: ok (secp256r1, sha256)
predicateType: https://slsa.dev/provenance/v1
subject: matches the image"
}

@test "verify-provenance: signature, certificate at --at, subject of IMAGE" {
	qt-measure provenance --key "$IN/key-p384.pem" --cert "$IN/cert-p384.pem" -o env.json "$C5"
	keyid=$(sed -n 's/^      "keyid": "\(.\{16\}\).*/\1/p' env.json)
	run -0 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" \
	    --at 2030-01-01 env.json "$C5"
	assert_output "signature: ok (signatures[0], CN=qt-golden-p384,O=QingTian Golden Test,C=CN, keyid $keyid...)
certificate: valid at 2030-01-01T00:00:00Z
statement: https://slsa.dev/provenance/v1
subject: c5_signed_p384.eif (sha256 and sha384 of $C5)"
	# without IMAGE: signature and certificate only
	run -0 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" \
	    --at 2030-01-01 env.json
	assert_line --index 2 "statement: https://slsa.dev/provenance/v1"
	refute_output --partial "subject:"
}

@test "verify-provenance: wrong image, tampered payload, wrong key, expired: exit 1" {
	qt-measure provenance --key "$IN/key-p384.pem" --cert "$IN/cert-p384.pem" -o env.json "$C5"
	run -1 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" \
	    --at 2030-01-01 env.json "$C2"
	[[ "$stderr" == "qt-measure: env.json: no subject has sha256 $(sha256sum <"$C2" | cut -c1-64) and sha384 $(sha384sum <"$C2" | cut -c1-16)..." ]]
	# one character of the payload changed (still base64, still JSON-shaped)
	sed 's/^\(  "payload": "ewogICJfdHlwZSI6ICJodHRwczovL2lu\)/\1/; s/^  "payload": "ew/  "payload": "eW/' \
	    env.json >t.json
	! cmp -s env.json t.json
	run -1 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" t.json
	assert_equal "$stderr" "qt-measure: t.json: no signature verifies with $IN/cert-p384.pem"
	# a statement for another image under the same key: the signature is fine, the subject not
	run -1 --separate-stderr qt-measure verify-provenance --cert "$SF/cert-p384b.pem" env.json
	assert_equal "$stderr" "qt-measure: env.json: no signature verifies with $SF/cert-p384b.pem"
	run -1 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" \
	    --at 2121-01-01 env.json
	assert_equal "$stderr" \
	    "qt-measure: $IN/cert-p384.pem: certificate expired on Jan  1 00:00:00 2120 GMT"
	run -0 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" \
	    --at 2121-01-01 --allow-expired-cert env.json
}

@test "verify-provenance --ca: a CA-issued signing certificate chains; another CA does not" {
	qt-measure provenance --key "$SF/leaf-key.pem" --cert "$SF/leaf.pem" -o env.json "$C2"
	run -0 --separate-stderr qt-measure verify-provenance --cert "$SF/leaf.pem" --ca "$SF/ca.pem" \
	    --at 2030-01-01 env.json "$C2"
	assert_line --index 2 "chain: ok ($SF/ca.pem)"
	run -1 --separate-stderr qt-measure verify-provenance --cert "$SF/leaf.pem" \
	    --ca "$SF/ca-other.pem" --at 2030-01-01 env.json "$C2"
	assert_equal "${stderr%%: does not chain*}" "qt-measure: $SF/leaf.pem"
	[[ "$stderr" == *"does not chain to $SF/ca-other.pem: "* ]]
}

@test "verify-provenance: malformed envelopes and usage errors exit 2" {
	printf '{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}' >e.json
	run -2 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" e.json
	assert_equal "$stderr" "qt-measure: e.json: signatures is not a non-empty array"
	printf 'not json' >n.json
	run -2 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" n.json
	[[ "$stderr" == "qt-measure: n.json: not JSON: "* ]]
	run -2 --separate-stderr qt-measure verify-provenance n.json
	assert_equal "${stderr%%$'\n'*}" "qt-measure: verify-provenance: --cert is required"
	run -2 --separate-stderr qt-measure verify-provenance --cert a --cert b n.json
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --cert given twice"
	run -2 --separate-stderr qt-measure verify-provenance --cert a --at tomorrow n.json
	[[ "${stderr%$'\n'*}" == "qt-measure: --at: 'tomorrow' is not a valid time"* ]]
	run -2 --separate-stderr qt-measure verify-provenance --cert a n.json b c
	assert_equal "${stderr%%$'\n'*}" "qt-measure: verify-provenance: expected ENVELOPE and an optional IMAGE"
}

@test "verify-provenance: a payloadType other than in-toto's is refused with exit 1" {
	need_py
	# a validly signed envelope of another type, made with the Python reader's library
	"$PY" - "$IN/key-p384.pem" >other.json <<'PY'
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
t, body = "application/json", b'{"_type":"https://in-toto.io/Statement/v1"}'
pae = b"DSSEv1 %d %s %d %s" % (len(t), t.encode(), len(body), body)
sig = key.sign(pae, ec.ECDSA(hashes.SHA384()))
print(json.dumps({"payloadType": t, "payload": base64.b64encode(body).decode(),
                  "signatures": [{"sig": base64.urlsafe_b64encode(sig).decode().rstrip("=")}]}))
PY
	run -1 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" other.json
	# the signature (url-safe, unpadded base64) verified: the type is what is refused
	assert_equal "$stderr" "qt-measure: other.json: payloadType is not application/vnd.in-toto+json"
}

@test "provenance --manifest --corim: byproducts by sha256, and they must describe the image" {
	qt-measure manifest "$C5" >m.json
	qt-measure corim "$C5" >c.corim
	run -0 --separate-stderr qt-measure provenance --manifest m.json --corim c.corim "$C5"
	printf '%s\n' "$output" >s.json
	grep -q "\"sha256\": \"$(sha256sum <m.json | cut -c1-64)\"" s.json
	grep -q "\"sha256\": \"$(sha256sum <c.corim | cut -c1-64)\"" s.json
	grep -q '"mediaType": "application/rim+cbor"' s.json
	run -0 --separate-stderr qt-measure provenance --predicate measurement --manifest m.json "$C5"
	assert_output --partial '"referenceManifests": ['
	# a manifest or CoRIM of another image: exit 1, nothing written
	qt-measure manifest "$C2" >m2.json
	run -1 --separate-stderr qt-measure provenance --manifest m2.json -o out.json "$C5"
	assert_equal "$stderr" "qt-measure: m2.json: is not the manifest of c5_signed_p384.eif (image digests differ)"
	[ ! -e out.json ]
	qt-measure corim --profile nitro "$C5" >n.corim
	run -1 --separate-stderr qt-measure provenance --corim n.corim "$C5"
	assert_equal "$stderr" \
	    "qt-measure: n.corim: CoRIM environment is AWS / Nitro Enclave, not Huawei Cloud / QingTian Enclave"
	printf 'junk' >j.corim
	run -2 --separate-stderr qt-measure provenance --corim j.corim "$C5"
	[[ "$stderr" == "qt-measure: j.corim: CoRIM: "* ]]
}

@test "provenance: usage errors" {
	run -2 --separate-stderr qt-measure provenance --predicate slsa2 "$C2"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: --predicate: 'slsa2' is not slsa or measurement"
	run -2 --separate-stderr qt-measure provenance --key "$IN/key-p384.pem" "$C2"
	assert_equal "${stderr%%$'\n'*}" "qt-measure: provenance: --key and --cert go together"
	run -2 --separate-stderr qt-measure provenance --pass pass:x "$C2"
	assert_equal "${stderr%%$'\n'*}" \
	    "qt-measure: provenance: --pass, --pkcs11-module and --allow-expired-cert need --key"
	run -2 --separate-stderr qt-measure provenance --key "$SF/key-p256.pem" \
	    --cert "$IN/cert-p384.pem" -o env.json "$C2"
	assert_equal "$stderr" "qt-measure: $SF/key-p256.pem: key does not match certificate $IN/cert-p384.pem"
	[ ! -e env.json ]
}

@test "provenance --key pkcs11: signs inside a SoftHSM token; openssl verifies" {
	for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
		[ -e "$m" ] && MOD=$m && break
	done
	if [ -z "${MOD:-}" ] || ! command -v softhsm2-util pkcs11-tool >/dev/null; then
		skip "SoftHSM 2 / OpenSC not installed (scripts/deps.sh installs them)"
	fi
	mkdir tokens
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
	    "$PWD" >softhsm2.conf
	export SOFTHSM2_CONF="$PWD/softhsm2.conf"
	softhsm2-util --init-token --free --label qt --pin 1234 --so-pin 5678 >/dev/null
	pkcs11-tool --module "$MOD" --login --pin 1234 --keypairgen --key-type EC:secp384r1 \
	    --label qtkey --id 01 >/dev/null 2>&1
	pt=$(pkcs11-tool --module "$MOD" --list-objects --type pubkey 2>/dev/null |
	    awk '/EC_POINT:/ { print $2 }')
	printf '%s%s' 3076301006072a8648ce3d020106052b81040022036200 "${pt#0461}" | xxd -r -p >pub.der
	openssl pkey -pubin -inform DER -in pub.der -out pub.pem
	openssl req -new -key "$SF/ca-key.pem" -subj "/CN=qt-hsm" -out hsm.csr
	printf 'keyUsage=critical,digitalSignature\n' >hsm.ext
	openssl x509 -req -in hsm.csr -CA "$SF/ca.pem" -CAkey "$SF/ca-key.pem" -force_pubkey pub.pem \
	    -days 36500 -sha384 -CAcreateserial -CAserial ca.srl -extfile hsm.ext -out hsm.pem 2>/dev/null
	run -0 --separate-stderr qt-measure provenance --key "pkcs11:token=qt;object=qtkey;type=private" \
	    --pass pass:1234 --pkcs11-module "$MOD" --cert hsm.pem -o env.json "$C2"
	unpack env.json
	pae application/vnd.in-toto+json env.json.payload >pae.bin
	run -0 openssl dgst -sha384 -verify pub.pem -signature env.json.sig pae.bin
	run -0 --separate-stderr qt-measure verify-provenance --cert hsm.pem --ca "$SF/ca.pem" env.json "$C2"
}

@test "qt-build --provenance: written with the image and its manifest, signed with the image's key" {
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline "$(cat "$IN/cmdline.txt")" \
	    --ramdisk "$IN/ramdisk0.cpio" --ramdisk "$IN/ramdisk1.cpio" --sign-key "$IN/key-p384.pem" \
	    --sign-cert "$IN/cert-p384.pem" -o app.eif --manifest app.json --provenance app.intoto.json
	run -0 --separate-stderr qt-measure verify-provenance --cert "$IN/cert-p384.pem" \
	    --at 2030-01-01 app.intoto.json app.eif
	assert_line --index 3 "subject: app.eif (sha256 and sha384 of app.eif)"
	unpack app.intoto.json
	grep -q '"id": "https://qt.invalid/builders/qt-build/v1"' app.intoto.json.payload
	grep -q "\"sha256\": \"$(sha256sum <app.json | cut -c1-64)\"" app.intoto.json.payload
	# what qt-measure makes of the image, plus what only the build knows (qt-provenance(5))
	qt-measure provenance --manifest app.json app.eif >measured.json
	run -0 "$PY" "$TOP/tests/helpers/prov_diff.py" measured.json app.intoto.json.payload
	assert_output "builder qt-measure -> qt-build
externalParameters + cmdline sourceDateEpoch
resolvedDependencies + kernel.bin (kernel) ramdisk0.cpio (ramdisk) ramdisk1.cpio (ramdisk)"
	# unsigned image, own key: P-256
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" -o u.eif --provenance u.intoto.json \
	    --provenance-key "$SF/key-p256.pem" --provenance-cert "$SF/cert-p256.pem"
	run -0 --separate-stderr qt-measure verify-provenance --cert "$SF/cert-p256.pem" u.intoto.json u.eif
	# no key at all: the plain statement
	qt-build --kernel "$IN/kernel.bin" --cmdline x --ramdisk "$IN/ramdisk0.cpio" -o p.eif \
	    --provenance p.json >/dev/null
	qt-measure provenance p.eif >pm.json
	run -0 "$PY" "$TOP/tests/helpers/prov_diff.py" pm.json p.json
	assert_line --index 2 "resolvedDependencies + kernel.bin (kernel) ramdisk0.cpio (ramdisk)"
	# a key that does not match its certificate: refused before the image is written
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" -o bad.eif --provenance bad.json \
	    --provenance-key "$SF/key-p256.pem" --provenance-cert "$IN/cert-p384.pem"
	assert_equal "$stderr" "qt-build: $SF/key-p256.pem: key does not match certificate $IN/cert-p384.pem"
	[ ! -e bad.eif ] && [ ! -e bad.json ]
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" --measure-only --provenance bad.json
	assert_equal "${stderr%%$'\n'*}" "qt-build: --provenance needs the image file: not with --measure-only"
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" -o bad.eif --provenance-key "$SF/key-p256.pem" \
	    --provenance-cert "$SF/cert-p256.pem"
	assert_equal "${stderr%%$'\n'*}" "qt-build: --provenance-key needs --provenance"
}

@test "qt-build --provenance: every input file by sha256 and sha384, the container image, the options" {
	need_py
	IMG="$FIX/images/hello-docker.tar"
	echo '{"team":"a"}' >meta.json
	build() {
		qt-build --kernel "$IN/kernel.bin" --cmdline-file "$IN/cmdline.txt" \
		    --init "$IN/init.bin" --driver "$IN/nsm.ko.bin" --ramdisk "$IN/ramdisk1.cpio" \
		    --rootfs "docker-archive:$IMG" --cmd '["/bin/hello","x"]' --env A=1 \
		    --platform linux/amd64 --compress gzip --metadata meta.json \
		    --sign-key "$IN/key-p384.pem" --sign-cert "$IN/cert-p384.pem" \
		    -o "$1/a.eif" --manifest "$1/a.json" --provenance "$1/a.intoto.json" \
		    --provenance-key "$SF/key-p256.pem" --provenance-cert "$SF/cert-p256.pem" \
		    >/dev/null 2>&1
	}
	mkdir one two
	build one
	build two
	# byte-reproducible but for what ECDSA randomises: the image's signature section (so
	# the image's digests, and the digest of the manifest holding them)
	unpack one/a.intoto.json
	unpack two/a.intoto.json
	for d in one two; do
		sed -e "s/$(sha256sum <$d/a.eif | cut -c1-64)/IMAGE256/" \
		    -e "s/$(sha384sum <$d/a.eif | cut -c1-96)/IMAGE384/" \
		    -e "s/$(sha256sum <$d/a.json | cut -c1-64)/MANIFEST256/" \
		    $d/a.intoto.json.payload >$d/st
	done
	cmp one/st two/st
	[ "$(grep -c -e IMAGE256 -e IMAGE384 -e MANIFEST256 one/st)" -eq 3 ]
	mv one/* .
	"$PY" "$CHECK" schema "$TOP/formats/qt-statement.schema.json" a.intoto.json.payload
	# each file's digests as sha256sum/sha384sum compute them, in the documented order
	run -0 "$PY" - a.intoto.json.payload a.json <<'PY'
import json, sys
st = json.load(open(sys.argv[1])); man = json.load(open(sys.argv[2]))
bd = st["predicate"]["buildDefinition"]
for d in bd["resolvedDependencies"]:
    role = d.get("annotations", {}).get("qt.role", "-")
    print(d["name"], role, " ".join("%s:%s" % (k, v[:16]) for k, v in d["digest"].items()))
src = man["source"]
deps = {d["name"]: d["digest"] for d in bd["resolvedDependencies"]}
assert "sha256:" + deps["container-config"]["sha256"] == src["config_digest"]
assert ["sha256:" + deps["container-layer[%d]" % i]["sha256"] for i in range(len(src["layers"]))] == src["layers"]
print(json.dumps(bd["externalParameters"]["rootfs"], sort_keys=False))
print(" ".join(bd["externalParameters"]))
PY
	k256=$(sha256sum <"$IN/kernel.bin" | cut -c1-16) k384=$(sha384sum <"$IN/kernel.bin" | cut -c1-16)
	c256=$(sha256sum <"$IN/cmdline.txt" | cut -c1-16) c384=$(sha384sum <"$IN/cmdline.txt" | cut -c1-16)
	m256=$(sha256sum <meta.json | cut -c1-16) m384=$(sha384sum <meta.json | cut -c1-16)
	i256=$(sha256sum <"$IN/init.bin" | cut -c1-16) i384=$(sha384sum <"$IN/init.bin" | cut -c1-16)
	d256=$(sha256sum <"$IN/nsm.ko.bin" | cut -c1-16) d384=$(sha384sum <"$IN/nsm.ko.bin" | cut -c1-16)
	r256=$(sha256sum <"$IN/ramdisk1.cpio" | cut -c1-16) r384=$(sha384sum <"$IN/ramdisk1.cpio" | cut -c1-16)
	assert_line --index 9 "kernel.bin kernel sha256:$k256 sha384:$k384"
	assert_line --index 10 "cmdline.txt cmdline-file sha256:$c256 sha384:$c384"
	assert_line --index 11 "meta.json metadata sha256:$m256 sha384:$m384"
	assert_line --index 12 "init.bin init sha256:$i256 sha384:$i384"
	assert_line --index 13 "nsm.ko.bin driver sha256:$d256 sha384:$d384"
	assert_line --index 14 "ramdisk1.cpio ramdisk sha256:$r256 sha384:$r384"
	assert_line --index 15 '{"form": "docker-archive", "reference": "docker.io/library/hello:1.0", "platform": "linux/amd64", "cmd": ["[\"/bin/hello\",\"x\"]"], "env": ["A=1"], "keepOwner": false}'
	assert_line --index 16 "profile arch eifVersion cmdline imageName imageVersion buildTime sourceDateEpoch rootfs compress signingPcr8"
	assert_line --index 0 "kernel - sha384:$(head -c 16 <<<"$(grep -o '"kernel": "[0-9a-f]*' a.json | cut -d'"' -f4)")"
	assert_line --index 6 "container-config - sha256:54990dc2639b07e0"
	[ "${#lines[@]}" -eq 17 ]
	# an image built elsewhere: what its sections and metadata tell, extended by the build
	qt-measure provenance --manifest a.json a.eif >measured.json
	run -0 "$PY" "$TOP/tests/helpers/prov_diff.py" measured.json a.intoto.json.payload
	assert_output "builder qt-measure -> qt-build
externalParameters + cmdline sourceDateEpoch compress
resolvedDependencies + kernel.bin (kernel) cmdline.txt (cmdline-file) meta.json (metadata) init.bin (init) nsm.ko.bin (driver) ramdisk1.cpio (ramdisk)"
	grep -q '"name": "container-layer\[1\]"' measured.json
	# a parameter that is not UTF-8 cannot be recorded: refused before anything is written
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x --rootfs "docker-archive:$IMG" \
	    --env A=1 --env "$(printf 'B=\377')" -o u.eif --provenance u.json
	assert_equal "${stderr%%$'\n'*}" "qt-build: --env: value 2 is not UTF-8, which --provenance cannot record"
	[ ! -e u.json ] && [ ! -e u.eif ]
	# without --provenance the bytes go into the image as they are
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x --rootfs "docker-archive:$IMG" \
	    --env "$(printf 'B=\377')" -o u.eif
}

@test "one build: manifest, provenance and CoRIM agree (PCRs, input digests, digests of each other)" {
	need_py
	qt-measure manifest --profile nitro -o app.json "$C5"
	qt-measure corim --profile nitro --sign --key "$IN/key-p384.pem" --cert "$IN/cert-p384.pem" \
	    -o app.corim app.json
	qt-measure provenance --profile nitro --manifest app.json --corim app.corim \
	    --key "$IN/key-p384.pem" --cert "$IN/cert-p384.pem" -o app.intoto.json "$C5"
	# read independently of qt: json, cbor2, hashlib
	run -0 "$PY" - app.json app.corim app.intoto.json <<'PY'
import base64, hashlib, json, sys
import cbor2
man = json.load(open(sys.argv[1]))
corim_bytes = open(sys.argv[2], "rb").read()
env = json.load(open(sys.argv[3]))
st = json.loads(base64.b64decode(env["payload"]))
corim = cbor2.loads(cbor2.loads(corim_bytes).value[2]).value
comid = cbor2.loads(corim[1][0].value)
regs = comid[4][0][0][1][0][1][14]
pcr_c = {str(k): v[0][1].hex() for k, v in regs.items()}
ann = st["subject"][0]["annotations"]
pcr_s = {k[len("qt.pcr"):]: v for k, v in ann.items() if k.startswith("qt.pcr")}
assert man["pcrs"] == pcr_c == pcr_s, (man["pcrs"], pcr_c, pcr_s)
deps = {d["name"]: list(d["digest"].values())[0]
        for d in st["predicate"]["buildDefinition"]["resolvedDependencies"]}
assert deps["kernel"] == man["digests"]["kernel"] and deps["cmdline"] == man["digests"]["cmdline"]
assert [deps["ramdisk[%d]" % i] for i in range(len(man["digests"]["ramdisks"]))] == man["digests"]["ramdisks"]
assert deps["signing-certificate"] == man["signer"]["sha256"]
by = {b["name"]: b for b in st["predicate"]["runDetails"]["byproducts"]}
assert by["app.json"]["digest"]["sha256"] == hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()
assert by["app.corim"]["digest"]["sha256"] == hashlib.sha256(corim_bytes).hexdigest()
assert by["app.corim"]["mediaType"] == "application/rim+cose"
assert corim[0] == "qt:sha256:" + man["image"]["sha256"] == "qt:sha256:" + st["subject"][0]["digest"]["sha256"]
assert st["subject"][0]["digest"]["sha384"] == man["image"]["sha384"]
print("agree: PCRs %s; %d inputs; manifest and CoRIM by sha256; image by sha256/sha384" %
      (",".join(sorted(pcr_c, key=int)), len(deps)))
PY
	assert_output "agree: PCRs 0,1,2,8; 5 inputs; manifest and CoRIM by sha256; image by sha256/sha384"
	run -0 "$PY" "$CHECK" dsse app.intoto.json --cert "$IN/cert-p384.pem" --image "$C5"
	run -0 "$PY" "$CHECK" corim app.corim --cert "$IN/cert-p384.pem" --image "$C5"
}

@test "qt-build --corim: the CoRIM of the written image, signed with the provenance key, a byproduct" {
	need_py
	# no key: the unsigned CoRIM, byte for byte what qt-measure corim makes of the manifest
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" -o u.eif --manifest u.json --corim u.corim
	qt-measure corim u.json | cmp - u.corim
	[ "$(head -c 3 u.corim | od -An -tx1 | tr -d ' ')" = d901f5 ] # tag 501
	# signed image: CoRIM signed with its key (PCR8 in it), named by the provenance
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" --sign-key "$IN/key-p384.pem" --sign-cert "$IN/cert-p384.pem" \
	    -o s.eif --manifest s.json --corim s.corim --provenance s.intoto.json
	"$PY" "$CHECK" corim s.corim --cert "$IN/cert-p384.pem" --image s.eif
	qt-measure provenance --manifest s.json --corim s.corim s.eif >/dev/null
	unpack s.intoto.json
	run -0 "$PY" - s.intoto.json.payload <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
for b in st["predicate"]["runDetails"]["byproducts"]:
    print(b["name"], b["mediaType"], b["digest"]["sha256"])
PY
	assert_output "s.json application/json $(sha256sum <s.json | cut -c1-64)
s.corim application/rim+cose $(sha256sum <s.corim | cut -c1-64)"
	# its own key for both: P-256
	run -0 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" -o p.eif --corim p.corim --provenance p.intoto.json \
	    --provenance-key "$SF/key-p256.pem" --provenance-cert "$SF/cert-p256.pem"
	"$PY" "$CHECK" corim p.corim --cert "$SF/cert-p256.pem" --image p.eif
	run -2 --separate-stderr qt-build --kernel "$IN/kernel.bin" --cmdline x \
	    --ramdisk "$IN/ramdisk0.cpio" --measure-only --corim bad.corim
	assert_equal "${stderr%%$'\n'*}" "qt-build: --corim needs the image file: not with --measure-only"
	[ ! -e bad.corim ]
}

# The walkthrough's files: blobs/ from the golden inputs, app.tar a docker save of
# tests/fixtures/images, and a release CA with the certificate it issued to "release".
walkthrough_files() {
	mkdir blobs
	cp "$IN/kernel.bin" blobs/bzImage
	cp "$IN/cmdline.txt" blobs/cmdline
	cp "$IN/init.bin" blobs/init
	cp "$IN/nsm.ko.bin" blobs/nsm.ko
	cp "$FIX/images/hello-docker.tar" app.tar
	openssl ecparam -name secp384r1 -genkey -noout -out ca-key.pem
	openssl req -x509 -new -key ca-key.pem -out release-ca.pem -days 3650 -sha384 \
	    -subj "/O=Example Corp/CN=Example Release CA" \
	    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign
	openssl ecparam -name secp384r1 -genkey -noout -out key.pem
	openssl req -new -key key.pem -subj "/O=Example Corp/CN=release" -out cert.csr
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' >cert.ext
	openssl x509 -req -in cert.csr -CA release-ca.pem -CAkey ca-key.pem -CAcreateserial \
	    -days 3650 -sha384 -extfile cert.ext -out cert.pem 2>/dev/null
}

@test "walkthrough of qt-provenance(5): container image to signed image, provenance, CoRIM, policy" {
	need_py
	walkthrough_files
	run -0 "$PY" "$TOP/tests/helpers/man_walk.py" "$TOP/man/qt-provenance.5" \
	    "From a container image to a signed image" "The independent check the tests make"
	assert_line --index 0 '$ qt-build --bootstrap blobs/ --rootfs docker-archive:app.tar \'
	assert_line 'man_walk: 4 commands as the page shows them'
	# what it made, checked without qt: the envelope, the CoRIM, the statement's schema
	"$PY" "$CHECK" dsse app.intoto.json --cert cert.pem --image app.eif
	"$PY" "$CHECK" corim app.corim --cert cert.pem --image app.eif
	unpack app.intoto.json
	"$PY" "$CHECK" schema "$TOP/formats/qt-statement.schema.json" app.intoto.json.payload
	grep -q "\"sha256\": \"$(sha256sum <blobs/nsm.ko | cut -c1-64)\"" app.intoto.json.payload
	grep -q "\"$(grep -o '"0": "[0-9a-f]*' app.manifest.json | cut -d'"' -f4)\"" policy.json
	# the page's promise that a mismatch is refused: another image's manifest, exit 1
	qt-measure manifest -o other.json "$C5"
	run -1 --separate-stderr qt-measure provenance --manifest other.json --corim app.corim app.eif
	# a tampered envelope fails the walkthrough at the consumer's first step
	sed -i 's/"sig": "M/"sig": "N/' app.intoto.json
	run -1 "$PY" "$TOP/tests/helpers/man_walk.py" "$TOP/man/qt-provenance.5" \
	    "A consumer checks the envelope" "The independent check the tests make"
	assert_line --index 2 --partial 'man_walk: exit 1: '
}

@test "walkthrough of qt-measure(1): the same pipeline with qt-measure provenance" {
	need_py
	walkthrough_files
	run -0 "$PY" "$TOP/tests/helpers/man_walk.py" "$TOP/man/qt-measure.1" \
	    "From a container image to a signed image" ".Sh DIAGNOSTICS"
	assert_line 'man_walk: 6 commands as the page shows them'
	"$PY" "$CHECK" dsse app.intoto.json --cert cert.pem --image app.eif
	"$PY" "$CHECK" corim app.corim --cert cert.pem --image app.eif
}
