#!/bin/bash
# bench/sign.sh: qt-sign signing (copy + hash + sign + fsync, one pass) a
# generated image (default 512 MiB) against the floor and, if given, a
# baseline build, over alternating rounds (bench/lib.sh).
#   floor: cp IMAGE COPY && sync -f COPY && openssl dgst -sha384 COPY (what any
#          re-signing tool must at least do: read, write, hash once)
# Usage: bench/sign.sh [SIZE_MIB [ROUNDS]]   (default 512 and 5; needs 3x the size in $TMPDIR)
# BASE=DIR: a checkout built the same way whose qt-sign/qt-sign is the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-512}
rounds=${2:-5}
top=$PWD
G=$top/tests/fixtures/golden/inputs
work=$(mktemp -d "${TMPDIR:-/tmp}/qt-bench-sign.XXXXXX")
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

openssl rand -out "$work/kernel" $((8 << 20))
openssl rand -out "$work/rd0" $((8 << 20))
head -c $(((size_mib - 16) << 20)) /dev/zero |
    openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 -nosalt >"$work/rd1"
"$top/qt-build/qt-build" --kernel "$work/kernel" --cmdline "console=ttyS0" \
    --ramdisk "$work/rd0" --ramdisk "$work/rd1" -o "$work/image.eif" >/dev/null
rm -f "$work/rd1"
echo "bench: image $(($(stat -c %s "$work/image.eif") >> 20)) MiB, $rounds rounds"
cat "$work/image.eif" >/dev/null

export work G
bench_snapshot "$top" new
sign='--key "$G/key-p384.pem" --cert "$G/cert-p384.pem" -o "$work/signed.eif"'
if [ -n "${BASE:-}" ]; then
	bench_snapshot "$BASE" base
	bench_add base "\"\$work/base/qt-sign/qt-sign\" \"\$work/image.eif\" $sign"
fi
bench_add qt-sign "\"\$work/new/qt-sign/qt-sign\" \"\$work/image.eif\" $sign"
bench_add floor 'cp "$work/image.eif" "$work/copy.eif" && sync -f "$work/copy.eif" && openssl dgst -sha384 "$work/copy.eif"'
# once untimed: the signed image verifies
bash -c "\"\$work/new/qt-sign/qt-sign\" \"\$work/image.eif\" $sign" >/dev/null
"$work/new/qt-sign/qt-sign" --verify "$work/signed.eif" >/dev/null
bench_run "$rounds" 'rm -f "$work/signed.eif" "$work/copy.eif"; sync'
bench_report
[ -z "${BASE:-}" ] || bench_ratio qt-sign base
bench_ratio qt-sign floor
bench_rss_check 64 qt-sign
