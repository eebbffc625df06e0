#!/bin/sh
# deb.sh: what `make deb` runs. Copies the source tree (the files git knows, committed
# or not, without build products) to build/deb/qt-enclave-tools-VERSION/ and runs
# `dpkg-buildpackage -us -uc -b` there, so the working tree's build/ is left alone.
# The packages (qt-enclave-tools, libqtverify0, libqtverify-dev and their debug
# symbols) land in build/deb/; their paths are printed.
set -eu
cd "$(dirname "$0")/.."
for c in dpkg-buildpackage dh; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "deb.sh: $c is missing: apt-get install dpkg-dev debhelper" >&2
		exit 2
	fi
done
version=$(sed -n 's/^#define QT_VERSION "\(.*\)"$/\1/p' formats/qt.h)
changelog=$(sed -n '1s/^qt-enclave-tools (\([^)]*\)).*/\1/p' debian/changelog)
if [ "$version" != "$changelog" ]; then
	echo "deb.sh: formats/qt.h says $version, debian/changelog $changelog" >&2
	exit 2
fi
out=build/deb
src=$out/qt-enclave-tools-$version
rm -rf "$out"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard | xargs -0 sh -c \
	    'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh | xargs -0 tar -cf - |
	    tar -xf - -C "$src"
else
	tar --exclude=./build --exclude=./debian/tmp -cf - . | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
}
ls "$out"/*.deb
