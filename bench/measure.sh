#!/bin/bash
# bench/measure.sh: qt-measure on a generated image (default 800 MiB) against
# the floor and, if given, a baseline build, over alternating rounds (bench/lib.sh).
#   floor-1pass: openssl dgst -sha384 IMAGE (one SHA-384 pass: the wall floor,
#                since qt-measure's two passes run on two cores)
#   floor-2pass: two such passes at once (the CPU floor: PCR0 and PCR2 both
#                cover every application byte)
# Targets (issue 15, idle 2-core machine): qt-measure <= 1.08 x floor-1pass
# wall and <= 2.10 x its CPU; peak RSS <= 64 MiB.
# Usage: bench/measure.sh [SIZE_MIB [ROUNDS]]   (default 800 and 5)
# BASE=DIR: a checkout built the same way whose qt-measure/qt-measure is the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-800}
rounds=${2:-5}
top=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/qt-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

# generated stand-ins: 8 MiB "kernel", 8 MiB bootstrap ramdisk, the rest one app ramdisk
openssl rand -out "$work/kernel" $((8 << 20))
openssl rand -out "$work/rd0" $((8 << 20))
head -c $(((size_mib - 16) << 20)) /dev/zero |
    openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 -nosalt >"$work/rd1"
"$top/qt-build/qt-build" --kernel "$work/kernel" --cmdline "console=ttyS0" \
    --ramdisk "$work/rd0" --ramdisk "$work/rd1" -o "$work/image.eif" >/dev/null
rm -f "$work/rd1"
echo "bench: image $(($(stat -c %s "$work/image.eif") >> 20)) MiB, $rounds rounds"
cat "$work/image.eif" >/dev/null # warm the page cache for every contender alike

export work
bench_snapshot "$top" new
if [ -n "${BASE:-}" ]; then
	bench_snapshot "$BASE" base
	bench_add base '"$work/base/qt-measure/qt-measure" "$work/image.eif"'
fi
bench_add qt-measure '"$work/new/qt-measure/qt-measure" "$work/image.eif"'
bench_add floor-1pass 'openssl dgst -sha384 "$work/image.eif"'
bench_add floor-2pass 'openssl dgst -sha384 "$work/image.eif" & openssl dgst -sha384 "$work/image.eif"; wait'
bench_run "$rounds"
bench_report
[ -z "${BASE:-}" ] || bench_ratio qt-measure base
bench_ratio qt-measure floor-1pass 1.08 2.10
bench_ratio qt-measure floor-2pass
bench_rss_check 64 qt-measure
