#!/bin/bash
# bench/build.sh: qt-build on a generated tree of ~2 GiB in ~50 000 files against
#   (a) find | sort | cpio -o -H newc --reproducible | openssl dgst -sha384
#   (b) tar -cf - DIR | openssl dgst -sha384
# One timed run of each (after one untimed pass that warms the page cache);
# prints the wall times, the ratios and qt-build's peak RSS. Targets (issue 3):
# --measure-only <= 0.5 x (a) and <= 0.75 x (b); full build <= 1.3 x (b);
# peak RSS <= 64 MiB. BENCH_DIR (default: a temporary directory) holds the tree
# and the image; BENCH_KEEP=1 keeps it for another run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
qb="$top/qt-build/qt-build"
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/qt-bench.XXXXXX")}
tree="$work/tree"
mkdir -p "$work"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# 100 directories x 500 files, 8..80 KiB each (AES-CTR keystream: incompressible,
# the same bytes on every machine).
if [ ! -d "$tree" ]; then
	echo "bench: generating the tree in $tree" >&2
	mkdir -p "$tree"
	for i in $(seq -w 0 99); do
		size=$(((10#$i % 10 + 1) * 8192))
		mkdir "$tree/d$i"
		head -c $((size * 500)) /dev/zero |
		    openssl enc -aes-128-ctr -nosalt -K 717462656e6368000000000000000000 \
			-iv "$(printf '%032x' $((10#$i)))" |
		    (cd "$tree/d$i" && split -b "$size" -a 3 - f)
	done
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
echo "bench: tree: $files files, $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1073741824 }') GiB)"

head -c 65536 /dev/zero >"$work/kernel"
printf '\177ELF-stand-in-init' >"$work/init"
qbargs=(--kernel "$work/kernel" --cmdline "console=ttyS0" --init "$work/init"
    --rootfs "$tree" --cmd /bin/true)

now() { date +%s.%N; }
timed() { # timed VAR cmd...: wall seconds of one run into VAR
	local t0 t1
	t0=$(now)
	"${@:2}" >/dev/null
	t1=$(now)
	printf -v "$1" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
}
run_a() { (cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet |
    openssl dgst -sha384); }
run_b() { tar -cf - -C "$work" tree | openssl dgst -sha384; }
run_m() { "$qb" "${qbargs[@]}" --measure-only; }
run_f() { "$qb" "${qbargs[@]}" -o "$work/bench.eif"; }

run_b >/dev/null # warm the page cache
timed ta run_a
timed tb run_b
timed tm run_m
timed tf run_f
rss_m=$( { /usr/bin/time -f %M "$qb" "${qbargs[@]}" --measure-only >/dev/null; } 2>&1 | tail -n 1)
rss_f=$( { /usr/bin/time -f %M "$qb" "${qbargs[@]}" -o "$work/bench.eif" >/dev/null; } 2>&1 | tail -n 1)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "ok" : "MISSED" }'; }
echo "bench: (a) find|sort|cpio|openssl: ${ta} s"
echo "bench: (b) tar|openssl:            ${tb} s"
echo "bench: qt-build --measure-only:    ${tm} s"
echo "bench: qt-build -o image:          ${tf} s"
r1=$(ratio "$tm" "$ta")
r2=$(ratio "$tm" "$tb")
r3=$(ratio "$tf" "$tb")
echo "bench: --measure-only / (a) = $r1 (target <= 0.50: $(verdict "$r1" 0.50))"
echo "bench: --measure-only / (b) = $r2 (target <= 0.75: $(verdict "$r2" 0.75))"
echo "bench: full build / (b)     = $r3 (target <= 1.30: $(verdict "$r3" 1.30))"
echo "bench: peak RSS --measure-only $((rss_m / 1024)) MiB, full build $((rss_f / 1024)) MiB" \
    "(target <= 64: $(verdict "$(( (rss_m > rss_f ? rss_m : rss_f) / 1024 ))" 64))"
