#!/bin/bash
# bench/measure.sh: how fast qt-measure measures a ~1 GiB image compared with
# `openssl dgst -sha384` reading the same file (the floor: one SHA-384 pass),
# and qt-measure's peak RSS. Prints both from one run of each (page cache warm).
# Targets (issue 2, point 10): ratio <= 1.15, peak RSS <= 64 MiB.
# Usage: bench/measure.sh [SIZE_MIB]   (default 1024; needs 2x that in $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
top=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/qt-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# generated stand-ins: 8 MiB "kernel", 8 MiB bootstrap ramdisk, the rest one app ramdisk
openssl rand -out "$work/kernel" $((8 << 20))
openssl rand -out "$work/rd0" $((8 << 20))
head -c $(((size_mib - 16) << 20)) /dev/zero |
    openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 -nosalt >"$work/rd1"
"$top/qt-build/qt-build" --kernel "$work/kernel" --cmdline "console=ttyS0" \
    --ramdisk "$work/rd0" --ramdisk "$work/rd1" -o "$work/image.eif" >/dev/null
rm -f "$work/rd1"
bytes=$(stat -c %s "$work/image.eif")

cat "$work/image.eif" >/dev/null # warm the page cache for both tools alike
load=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/time -f '%e %M %U %S' -o "$work/t.qt" "$top/qt-measure/qt-measure" "$work/image.eif" >/dev/null
/usr/bin/time -f '%e %M %U %S' -o "$work/t.ssl" openssl dgst -sha384 "$work/image.eif" >/dev/null
read -r qt_s qt_kb qt_u qt_sys <"$work/t.qt"
read -r ssl_s _ ssl_u ssl_sys <"$work/t.ssl"

# qt-measure hashes application ramdisks twice (PCR0 and PCR2) on two threads:
# its wall time only approaches openssl's when a second core is free (load shown).
awk -v b="$bytes" -v q="$qt_s" -v s="$ssl_s" -v kb="$qt_kb" -v l="$load" -v nc="$(nproc)" \
    -v qu="$qt_u" -v qy="$qt_sys" -v su="$ssl_u" -v sy="$ssl_sys" 'BEGIN {
	qc = qu + qy; sc = su + sy
	printf "image: %.0f MiB; %d cores, load average %s before the run\n", b / 1048576, nc, l
	printf "qt-measure IMAGE:        %.2f s wall, %.2f s CPU (%.0f MiB/s)\n", q, qc, b / 1048576 / q
	printf "openssl dgst -sha384:    %.2f s wall, %.2f s CPU (%.0f MiB/s)\n", s, sc, b / 1048576 / s
	printf "ratio qt-measure/openssl: %.3f (target <= 1.15)\n", q / s
	printf "qt-measure peak RSS:     %.1f MiB (target <= 64)\n", kb / 1024
}'
