#!/bin/sh
# demo.sh: what `make demo` runs. Builds an enclave image from small generated
# stand-ins (a pseudo-random "kernel", a bootstrap and an application ramdisk:
# not bootable, they show the tools), measures and describes it, rebuilds it to
# show the bytes are reproducible. Output in examples/out/.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/qt-build:$PWD/qt-measure:$PATH"
out=examples/out
rm -rf "$out"
mkdir -p "$out/boot/dev" "$out/app/rootfs/bin" "$out/app/rootfs/dev" "$out/app/rootfs/tmp"

# stand-ins, the same bytes on every machine
head -c 262144 /dev/zero |
    openssl enc -aes-128-ctr -K 71742d6b65726e656c2d7374616e642d -iv 00000000000000000000000000000000 \
        -nosalt >"$out/kernel.bin"
head -c 4096 /dev/zero >"$out/boot/init"
printf '#!/bin/sh\necho hello from the enclave\n' >"$out/app/rootfs/bin/hello"
printf '/bin/hello\n' >"$out/app/cmd"
printf 'PATH=/bin\n' >"$out/app/env"
chmod 0755 "$out/boot/init" "$out/app/rootfs/bin/hello"
# reproducible newc archives: sorted names, owner 0, mtime 0
for d in boot app; do
	find "$out/$d" -exec touch -h -d @0 {} +
	(cd "$out/$d" && find . -mindepth 1 | LC_ALL=C sort |
	    cpio --quiet -o -H newc --reproducible -R 0:0) >"$out/$d.cpio"
done

echo "== qt-build (measurements on stdout)"
qt-build --kernel "$out/kernel.bin" --cmdline-file examples/cmdline \
    --ramdisk "$out/boot.cpio" --ramdisk "$out/app.cpio" --image-name demo \
    --image-version 1.0 -o "$out/demo.eif" | tee "$out/build.json"

echo "== qt-measure describe"
qt-measure describe "$out/demo.eif"

echo "== rebuild with a different umask and time zone: same bytes?"
(umask 077; TZ=Asia/Shanghai qt-build --kernel "$out/kernel.bin" --cmdline-file examples/cmdline \
    --ramdisk "$out/boot.cpio" --ramdisk "$out/app.cpio" --image-name demo \
    --image-version 1.0 -o "$out/demo-again.eif" >/dev/null)
cmp "$out/demo.eif" "$out/demo-again.eif"
echo "identical: $(sha256sum <"$out/demo.eif" | cut -c1-64)"

echo "== qt-measure agrees with qt-build"
qt-measure "$out/demo.eif" | cmp - "$out/build.json"
echo "demo: ok ($out/demo.eif)"
