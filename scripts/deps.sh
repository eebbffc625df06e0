#!/bin/sh
# deps.sh: install the Debian packages qt needs to build and test, when they
# are missing. As root on Debian it runs apt-get; otherwise it prints the
# exact command and fails. Called by `make demo` and `make check`; .ci/run
# passes --ci for its extra tools.
set -eu

# build: compiler, pkg-config and the libraries found through it
# test:  bats + helpers, the openssl CLI (independent oracle), mandoc (man lint), time;
#        python3-jsonschema (checks formats/qt-manifest.schema.json, qt-statement.schema.json);
#        python3-cbor2, python3-cryptography (tests/helpers/supply_check.py: CoRIM, COSE, DSSE);
#        python3-yaml (parses the CI recipes of docs/ci/, tests/cli/ci-recipes.bats);
#        SoftHSM 2, OpenSC (pkcs11-tool) and the PKCS#11 engine for qt-sign's pkcs11: keys;
#        qemu for the boot test (tests/cli/boot.bats; the example's kernel and busybox-static
#        are fetched with apt-get download by examples/build-example.sh, not installed)
PKGS="gcc libc6-dev make pkg-config libssl-dev libarchive-dev libcbor-dev zlib1g-dev libdeflate-dev
libjansson-dev openssl bats bats-support bats-assert mandoc time cpio xxd python3-cbor2 python3-cryptography
softhsm2 opensc libengine-pkcs11-openssl qemu-system-x86 python3-jsonschema python3-yaml"
# --ci (.ci/run): clang and its libFuzzer/sanitizer runtimes (make fuzz, CC=clang), valgrind;
#       make lint: cppcheck, shellcheck (and mandoc, above); make format-check: clang-format
if [ "${1:-}" = "--ci" ]; then
	PKGS="$PKGS clang libclang-rt-14-dev valgrind cppcheck shellcheck clang-format"
fi
# --fixtures: umoci, skopeo and buildah, which made tests/fixtures/images (mk-images.sh); tests never run them
if [ "${1:-}" = "--fixtures" ]; then
	PKGS="$PKGS umoci skopeo buildah"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; install the equivalents of:$missing" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
