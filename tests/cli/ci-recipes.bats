#!/usr/bin/env bats
# docs/ci/: the GitHub Actions and GitLab CI recipes parsed as YAML (python3-yaml) and
# their shell steps run in order (tests/helpers/ci_recipe.py) against the bundled test
# inputs: the golden kernel, cmdline, init and NSM driver as enclave/, the docker-archive
# of tests/fixtures/ramdisk as the container archive, the test signing key and
# certificate as the secrets. Three commands are stand-ins, on PATH first: apt-get
# (checks that every package named is installed; docker.io is the runner's), make
# (`make -C qt` checks the tools are built, `make -C qt install PREFIX=P` runs
# scripts/install.sh, which `make install` runs) and docker (`save -o F` copies the
# bundled archive). Everything else runs for real; QT_PREFIX is a temporary directory.
load ../helpers/common

IN="$GOLD/inputs"

setup() {
	common_setup
	OUT=${QT_OUT:-$TOP/build/gcc}
	mkdir -p ws/enclave shims prefix
	cp "$IN/kernel.bin" ws/enclave/bzImage
	cp "$IN/cmdline.txt" ws/enclave/cmdline
	cp "$IN/init.bin" ws/enclave/init
	cp "$IN/nsm.ko.bin" ws/enclave/nsm.ko
	echo 'FROM scratch' >ws/Dockerfile
	ln -s "$TOP" ws/qt
	cat >shims/apt-get <<-'SH'
	#!/bin/bash
	# stand-in: "install" only checks the packages are there
	[ "$1" = install ] || exit 0
	for p in "$@"; do
		case $p in -* | install | docker.io) continue ;; esac
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		    { echo "apt-get stand-in: $p is not installed" >&2; exit 100; }
	done
	SH
	cat >shims/make <<-SH
	#!/bin/bash
	# stand-in: make -C qt [-jN] | make -C qt install PREFIX=P
	[ "\$1" = -C ] && [ "\$(cd "\$2" && pwd -P)" = "$TOP" ] || { echo "make stand-in: \$*" >&2; exit 2; }
	shift 2
	if [ "\${1:-}" = install ]; then
		export "\${2?}"
		exec "$TOP/scripts/install.sh" "$OUT"
	fi
	for t in qt-build qt-measure qt-sign; do [ -x "$TOP/\$t/\$t" ] || exit 2; done
	SH
	cat >shims/docker <<-SH
	#!/bin/bash
	# stand-in: build is a no-op, save -o FILE copies the bundled archive
	case \$1 in
	build) [ -f Dockerfile ] ;;
	save) [ "\$2" = -o ] && cp "$FIX/ramdisk/docker.tar" "\$3" ;;
	*) exit 2 ;;
	esac
	SH
	chmod +x shims/*
	export PATH="$PWD/shims:$PATH" QT_PREFIX="$PWD/prefix"
	QT_SIGNING_KEY=$(cat "$IN/key-p384.pem")
	QT_SIGNING_CERT=$(cat "$IN/cert-p384.pem")
	export QT_SIGNING_KEY QT_SIGNING_CERT
	# the recipes must find the installed tools, not the ones of the tree under test
	PATH=$(tr ':' '\n' <<<"$PATH" | grep -v -x -e "$TOP/qt-build" -e "$TOP/qt-measure" -e "$TOP/qt-sign" | paste -sd:)
}

# the artifacts: a signed image, a manifest of it, the policy of that manifest, a signed
# provenance naming the image, its inputs and the manifest, a signed CoRIM of the manifest;
# each checked with the tree's tools and independently (openssl, python3-cbor2/-cryptography)
check_artifacts() {
	o=ws/out
	"$TOP/qt-sign/qt-sign" --verify "$o/app.eif" --cert "$IN/cert-p384.pem" >/dev/null
	want=$("$TOP/qt-measure/qt-measure" manifest --profile qingtian "$o/app.eif")
	assert_equal "$(cat "$o/app.manifest.json")" "$want"
	run -0 --separate-stderr "$TOP/qt-measure/qt-measure" verify-provenance \
	    --cert "$IN/cert-p384.pem" "$o/app.intoto.json" "$o/app.eif"
	assert_line --index 3 "subject: app.eif (sha256 and sha384 of ws/out/app.eif)"
	# the manifest and the CoRIM both describe the image (qt-measure checks before naming them)
	"$TOP/qt-measure/qt-measure" provenance --manifest "$o/app.manifest.json" \
	    --corim "$o/app.corim" "$o/app.eif" >/dev/null
	if /usr/bin/python3 -c 'import cbor2, cryptography, jsonschema' 2>/dev/null; then
		chk="$TOP/tests/helpers/supply_check.py"
		/usr/bin/python3 "$chk" dsse "$o/app.intoto.json" --cert "$IN/cert-p384.pem" --image "$o/app.eif"
		/usr/bin/python3 "$chk" corim "$o/app.corim" --cert "$IN/cert-p384.pem" --image "$o/app.eif"
		sed -n 's/^  "payload": "\(.*\)",$/\1/p' "$o/app.intoto.json" | base64 -d >"$o.st"
		/usr/bin/python3 "$chk" schema "$TOP/formats/qt-statement.schema.json" "$o.st"
		# the inputs of the recipe, by the digests sha256sum gives, and the manifest by its own
		for f in bzImage cmdline init nsm.ko; do
			grep -q "\"sha256\": \"$(sha256sum <"ws/enclave/$f" | cut -c1-64)\"" "$o.st"
		done
		grep -q "\"sha256\": \"$(sha256sum <"$o/app.manifest.json" | cut -c1-64)\"" "$o.st"
		grep -q "\"sha256\": \"$(sha256sum <"$o/app.corim" | cut -c1-64)\"" "$o.st"
		grep -q '"mediaType": "application/rim+cose"' "$o.st"
		grep -q '"name": "container-config"' "$o.st"
	fi
	pcr0=$("$TOP/qt-measure/qt-measure" --json=short "$o/app.eif" | sed 's/.*"PCR0":"\([0-9a-f]*\)".*/\1/')
	[ ${#pcr0} -eq 96 ]
	grep -q "\"$pcr0\"" "$o/app.policy.json"
	grep -q '"kms:RecipientAttestation/PCR8"' "$o/app.policy.json"
	grep -q "\"PCR0\": \"$pcr0\"" "$o/build.json"
	[ ! -e ws/signing-key.pem ]
	[ -x "$QT_PREFIX/bin/qt-build" ] && [ -f "$QT_PREFIX/lib/pkgconfig/qtverify.pc" ]
}

@test "CI recipes: both files parse as YAML and name the steps they promise" {
	run -0 python3 -c 'import sys, yaml
g = yaml.safe_load(open(sys.argv[1])); l = yaml.safe_load(open(sys.argv[2]))
print(sorted(g["jobs"]), [s.get("name", s.get("uses")) for s in g["jobs"]["enclave"]["steps"]])
print(l["stages"], l["enclave-image"]["artifacts"]["paths"])' "$TOP/docs/ci/github-actions.yml" "$TOP/docs/ci/gitlab-ci.yml"
	assert_line --index 0 "['enclave'] ['actions/checkout@v4', 'Install qt', 'Container archive', 'Build and sign the enclave image, its manifest, provenance and CoRIM', 'Verify', 'Policy', 'actions/upload-artifact@v4']"
	assert_line --index 1 "['container', 'enclave'] ['out/']"
}

@test "CI recipes: GitHub Actions steps run: install, archive, build and sign, verify, policy" {
	run -0 python3 "$TOP/tests/helpers/ci_recipe.py" github "$TOP/docs/ci/github-actions.yml" ws
	sed "s/^/# /" <<<"$output" >&3 # the steps as they ran, in the test log
	assert_line '# enclave: Build and sign the enclave image, its manifest, provenance and CoRIM'
	assert_line '# enclave: Verify'
	assert_line '# enclave: Policy'
	check_artifacts
}

@test "CI recipes: GitLab CI jobs run in stage order with the same artifacts" {
	run -0 python3 "$TOP/tests/helpers/ci_recipe.py" gitlab "$TOP/docs/ci/gitlab-ci.yml" ws
	sed "s/^/# /" <<<"$output" >&3
	assert_line --index 0 '# container-archive (stage container)'
	assert_line '$ qt-sign --verify out/app.eif --cert out/signing-cert.pem'
	assert_line '$ qt-measure verify-provenance --cert out/signing-cert.pem out/app.intoto.json out/app.eif'
	check_artifacts
}

@test "CI recipes: a failing step stops the run with its status" {
	rm ws/enclave/bzImage
	run -2 python3 "$TOP/tests/helpers/ci_recipe.py" github "$TOP/docs/ci/github-actions.yml" ws
	refute_line '# enclave: Verify'
	[ ! -e ws/signing-key.pem ] # the trap removed the key
	assert_output --partial 'qt-build: enclave/bzImage: '
}
