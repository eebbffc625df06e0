#!/bin/bash
# build-example.sh: build the example enclave image from real parts:
#   - Debian's cloud kernel (linux-image-cloud-amd64 resolved to the real
#     package, fetched with apt-get download, vmlinuz extracted with dpkg-deb),
#   - our static init (examples/init.c) as the bootstrap ramdisk,
#   - a rootfs holding Debian's busybox-static, whose shell is the command.
# Downloads are cached in $QT_EXAMPLE_CACHE (default examples/cache/, git-ignored).
# Output: $QT_EXAMPLE_OUT (default examples/out/)/example.eif; the measurements
# JSON goes to stdout, progress to stderr. The command prints a marker only a
# running shell can compute: "QT-EXAMPLE-$((6*7))" becomes QT-EXAMPLE-42.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${QT_EXAMPLE_CACHE:-$top/examples/cache}
out=${QT_EXAMPLE_OUT:-$top/examples/out}
mkdir -p "$cache" "$out"

say() { echo "example: $*" >&2; }

# fetch PACKAGE: print the path of its .deb in the cache, downloading it once.
fetch() {
	deb=$(find "$cache" -maxdepth 1 -name "$1_*.deb" | LC_ALL=C sort | tail -n 1)
	if [ -z "$deb" ]; then
		say "downloading $1"
		if ! (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$1") \
		    >"$cache/apt.log" 2>&1; then
			cat "$cache/apt.log" >&2
			say "apt-get download $1 failed (run 'apt-get update' first?)"
			exit 2
		fi
		deb=$(find "$cache" -maxdepth 1 -name "$1_*.deb" | LC_ALL=C sort | tail -n 1)
	fi
	echo "$deb"
}

# The metapackage only depends on the real kernel package: resolve it.
if [ ! -s "$cache/vmlinuz" ] || [ ! -s "$cache/vmlinuz.config" ]; then
	resolve() {
		apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n 1
	}
	kpkg=$(resolve)
	if [ -z "$kpkg" ] && [ "$(id -u)" = 0 ]; then
		say "no package lists: apt-get update"
		apt-get update -qq >&2 || true
		kpkg=$(resolve)
	fi
	if [ -z "$kpkg" ]; then
		say "cannot resolve linux-image-cloud-amd64 (run 'apt-get update' first?)"
		exit 2
	fi
	kdeb=$(fetch "$kpkg")
	dpkg-deb --fsys-tarfile "$kdeb" | tar -xO --wildcards './boot/vmlinuz-*' >"$cache/vmlinuz.tmp"
	dpkg-deb --fsys-tarfile "$kdeb" | tar -xO --wildcards './boot/config-*' >"$cache/vmlinuz.config"
	mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
	echo "$kpkg" >"$cache/vmlinuz.package"
fi
if [ ! -s "$cache/busybox" ]; then
	bdeb=$(fetch busybox-static)
	dpkg-deb --fsys-tarfile "$bdeb" | tar -xO ./bin/busybox >"$cache/busybox.tmp"
	chmod 755 "$cache/busybox.tmp"
	mv "$cache/busybox.tmp" "$cache/busybox"
fi

# Our init, static (no loader or libc in the bootstrap ramdisk).
if [ ! -x "$out/init" ] || [ "$top/examples/init.c" -nt "$out/init" ]; then
	say "building the static init"
	${CC:-cc} -static -O2 -Wall -Wextra -o "$out/init.tmp" "$top/examples/init.c"
	mv "$out/init.tmp" "$out/init"
fi

# The rootfs: busybox and the applets the command uses.
rm -rf "$out/rootfs"
mkdir -p "$out/rootfs/bin" "$out/rootfs/etc"
cp "$cache/busybox" "$out/rootfs/bin/busybox"
for a in sh echo cat uname ls; do
	ln -s busybox "$out/rootfs/bin/$a"
done
echo example >"$out/rootfs/etc/hostname"

say "packing $out/example.eif (kernel $(cat "$cache/vmlinuz.package" 2>/dev/null || echo cached))"
"$top/qt-build/qt-build" --kernel "$cache/vmlinuz" \
    --kernel-config "$cache/vmlinuz.config" --cmdline "console=ttyS0 panic=-1 loglevel=4" \
    --init "$out/init" --rootfs "$out/rootfs" \
    --cmd '["/bin/sh", "-c", "echo \"qt example: $(uname -sr): QT-EXAMPLE-$((6*7))\""]' \
    --env PATH=/bin --image-name example --image-version 1.0 \
    -o "$out/example.eif"
