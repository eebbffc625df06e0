#!/bin/sh
# demo.sh: what `make demo` runs. Builds the example enclave image from real parts
# (Debian's cloud kernel, our static init, a busybox-static rootfs: see
# build-example.sh), prints its measurements, describes it, rebuilds it under
# another umask and time zone to show the bytes are reproducible, and says where
# the image is. tests/cli/boot.bats boots the same image under qemu.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/qt-build:$PWD/qt-measure:$PATH"
out=${QT_EXAMPLE_OUT:-$PWD/examples/out}
export QT_EXAMPLE_OUT="$out"
mkdir -p "$out"

echo "== qt-build (measurements on stdout)"
examples/build-example.sh | tee "$out/build.json"

echo "== qt-measure describe"
qt-measure describe "$out/example.eif"

echo "== rebuild with a different umask and time zone: same bytes?"
cp "$out/example.eif" "$out/example-first.eif"
(umask 077 && TZ=Asia/Shanghai examples/build-example.sh >/dev/null 2>&1)
cmp "$out/example-first.eif" "$out/example.eif"
echo "identical: $(sha256sum <"$out/example.eif" | cut -c1-64)"
rm -f "$out/example-first.eif"

echo "== qt-measure agrees with qt-build"
qt-measure "$out/example.eif" | cmp - "$out/build.json"
echo "image: $out/example.eif"
