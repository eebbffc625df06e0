#!/bin/bash
# bench/sign.sh: how long qt-sign takes to sign (copy + hash + sign, one pass)
# a ~512 MiB image, compared with `cp` plus `openssl dgst -sha384` of the same
# file (what any re-signing tool must at least do: read, write, hash once),
# and qt-sign's peak RSS. One run of each, page cache warm.
# Usage: bench/sign.sh [SIZE_MIB]   (default 512; needs 3x that in $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-512}
top=$PWD
G=$top/tests/fixtures/golden/inputs
work=$(mktemp -d "${TMPDIR:-/tmp}/qt-bench-sign.XXXXXX")
trap 'rm -rf "$work"' EXIT

openssl rand -out "$work/kernel" $((8 << 20))
openssl rand -out "$work/rd0" $((8 << 20))
head -c $(((size_mib - 16) << 20)) /dev/zero |
    openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 -nosalt >"$work/rd1"
"$top/qt-build/qt-build" --kernel "$work/kernel" --cmdline "console=ttyS0" \
    --ramdisk "$work/rd0" --ramdisk "$work/rd1" -o "$work/image.eif" >/dev/null
rm -f "$work/rd1"
bytes=$(stat -c %s "$work/image.eif")

cat "$work/image.eif" >/dev/null
load=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/time -f '%e %M' -o "$work/t.qt" "$top/qt-sign/qt-sign" "$work/image.eif" \
    --key "$G/key-p384.pem" --cert "$G/cert-p384.pem" -o "$work/signed.eif" >/dev/null
/usr/bin/time -f '%e %M' -o "$work/t.base" sh -c \
    'cp "$1" "$2" && sync -f "$2" && openssl dgst -sha384 "$2" >/dev/null' _ "$work/image.eif" "$work/copy.eif"
read -r qt_s qt_kb <"$work/t.qt"
read -r base_s _ <"$work/t.base"
"$top/qt-sign/qt-sign" --verify "$work/signed.eif" >/dev/null

awk -v b="$bytes" -v q="$qt_s" -v s="$base_s" -v kb="$qt_kb" -v l="$load" -v nc="$(nproc)" 'BEGIN {
	printf "image: %.0f MiB; %d cores, load average %s before the run\n", b / 1048576, nc, l
	printf "qt-sign (copy, PCR0/1/2, sign, fsync): %.2f s (%.0f MiB/s)\n", q, b / 1048576 / q
	printf "cp + sync + openssl dgst -sha384:      %.2f s (%.0f MiB/s)\n", s, b / 1048576 / s
	printf "ratio qt-sign/baseline: %.3f\n", q / s
	printf "qt-sign peak RSS: %.1f MiB\n", kb / 1024
}'
