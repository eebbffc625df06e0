#!/bin/bash
# deb-check.sh: what `make deb-check` runs after `make deb`. Prints the packages of
# build/deb/ with their sizes, runs lintian on them (any error or warning fails; the
# overrides in debian/*.lintian-overrides carry their reasons), and installs them into
# a fresh Debian 12 chroot made by debootstrap, where it runs the three tools and builds
# and runs the C relying party against the installed libqtverify-dev. The chroot step
# needs root, debootstrap and a Debian mirror ($QT_DEB_MIRROR, default
# http://deb.debian.org/debian); without them it says so and is skipped (exit 0).
set -eu
cd "$(dirname "$0")/.."
out=build/deb
debs=("$out"/qt-enclave-tools_*.deb "$out"/libqtverify0_*.deb "$out"/libqtverify-dev_*.deb)
for d in "${debs[@]}"; do
	[ -f "$d" ] || { echo "deb-check: $d: missing (make deb)" >&2; exit 2; }
done

echo "== packages"
for d in "$out"/*.deb; do
	printf '%-44s %8s bytes  installed %6s KiB\n' "${d##*/}" "$(stat -c %s "$d")" \
	    "$(dpkg-deb -f "$d" Installed-Size)"
done

echo "== lintian"
if ! command -v lintian >/dev/null 2>&1; then
	echo "deb-check: lintian is missing: apt-get install lintian" >&2
	exit 2
fi
lintian --fail-on error,warning --info "$out"/*.changes
echo "lintian: no errors, no warnings"

echo "== Debian 12 chroot"
mirror=${QT_DEB_MIRROR:-http://deb.debian.org/debian}
if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null 2>&1; then
	echo "deb-check: skipped: the chroot test needs root and debootstrap"
	exit 0
fi
root=$(mktemp -d /tmp/qt-deb-chroot.XXXXXX)
trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$root"' EXIT
if ! debootstrap --variant=minbase --include=gcc,libc6-dev,pkg-config bookworm "$root" \
    "$mirror" >"$out/debootstrap.log" 2>&1; then
	tail -n 5 "$out/debootstrap.log" >&2
	echo "deb-check: skipped: debootstrap from $mirror failed (log: $out/debootstrap.log)"
	exit 0
fi
mkdir -p "$root/pkgs" "$root/t"
cp "${debs[@]}" "$root/pkgs/"
cp tests/fixtures/attest/qingtian-official-signed.cose tests/fixtures/attest/nitro-noauth-signed.cose \
    tests/fixtures/golden/outputs/c1_x86_1rd.eif "$root/t/"
mount -t proc proc "$root/proc"
# apt installs the packages and pulls their dependencies from the mirror
if ! chroot "$root" sh -c 'apt-get install -y -qq /pkgs/*.deb' </dev/null >"$out/chroot-apt.log" 2>&1; then
	tail -n 20 "$out/chroot-apt.log" >&2
	echo "deb-check: installing the packages in the chroot failed" >&2
	exit 1
fi
chroot "$root" sh -ec '
	cd /t
	echo "# dpkg -l"; dpkg-query -W -f="\${Package} \${Version} \${Installed-Size} KiB\n" \
	    qt-enclave-tools libqtverify0 libqtverify-dev
	echo "# qt-build --version"; qt-build --version
	echo "# qt-measure --json=short c1_x86_1rd.eif"; qt-measure --json=short c1_x86_1rd.eif
	echo "# qt-sign --remove c1_x86_1rd.eif -o u.eif"; qt-sign --remove c1_x86_1rd.eif -o u.eif --json=short
	r=/usr/share/qt/roots
	echo "# qt-measure verify --root qingtian (the root the package ships)"
	qt-measure verify --root qingtian --at doc --json=short \
	    --expect-pcr 0=74d6c5fa10418d50e62c5e0422b868a5912d664c7721a9742e2ffdae3ec49c6a4030e3a1f73c37c5ccd297730a77ec89 \
	    qingtian-official-signed.cose | cut -c1-60
	echo "# cc verify-doc.c \$(pkg-config --cflags --libs qtverify)"
	cc -o verify-doc /usr/share/doc/libqtverify-dev/examples/verify-doc.c \
	    $(pkg-config --cflags --libs qtverify)
	./verify-doc --root $r/qingtian-root-G1.pem --at doc \
	    --pcr 0=74d6c5fa10418d50e62c5e0422b868a5912d664c7721a9742e2ffdae3ec49c6a4030e3a1f73c37c5ccd297730a77ec89 \
	    qingtian-official-signed.cose
	./verify-doc --root $r/aws-nitro-root-G1.pem --at doc \
	    --pcr 8=35235575680337d50f604d08eeb7cb220729e4d0f6b0d05476baafb052a7c2413f78058fefface5e1477046534d4fdb2 \
	    nitro-noauth-signed.cose
	echo "# bash completion files"; ls /usr/share/bash-completion/completions/qt-*
' </dev/null
echo "chroot: packages installed, tools and the C relying party ran"
