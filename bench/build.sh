#!/bin/bash
# bench/build.sh: qt-build on a generated tree of ~2 GiB in ~50 000 files against
#   (a) find | sort | cpio -o -H newc --reproducible | openssl dgst -sha384
#   (b) tar -cf - DIR | openssl dgst -sha384
# One timed run of each (after one untimed pass that warms the page cache);
# prints the wall and CPU times, their ratios, the load and qt-build's peak RSS. Targets (issue 3):
# --measure-only <= 0.5 x (a) and <= 0.75 x (b); full build <= 1.3 x (b);
# peak RSS <= 64 MiB. BENCH_DIR (default: a temporary directory) holds the tree
# and the image; BENCH_KEEP=1 keeps it for another run.
# t_a, t_b, t_m and t_f are set by printf -v in timed():
# shellcheck disable=SC2154
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

export tree work qb
qbs="\"\$qb\" --kernel \"\$work/kernel\" --cmdline console=ttyS0 --init \"\$work/init\" --rootfs \"\$tree\" --cmd /bin/true"
cmd_a='cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet | openssl dgst -sha384'
cmd_b='tar -cf - -C "$work" tree | openssl dgst -sha384'
cmd_m="$qbs --measure-only"
cmd_f="$qbs -o \"\$work/bench.eif\""
# timed NAME COMMAND: wall s, peak RSS KiB, CPU s (user + sys, children included) into t_NAME
timed() {
	local w m u s
	/usr/bin/time -f '%e %M %U %S' -o "$work/t" bash -c "$2" >/dev/null
	read -r w m u s <"$work/t"
	printf -v "t_$1" '%s %s %s' "$w" "$m" "$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
}
bash -c "$cmd_b" >/dev/null # warm the page cache for every contender alike
# Start every timed run with no dirty pages: otherwise the writeback of the
# freshly generated tree (or of an earlier image) is charged to whoever writes.
rm -f "$work/bench.eif"
sync
load=$(cut -d' ' -f1 /proc/loadavg)
timed a "$cmd_a"
timed b "$cmd_b"
timed m "$cmd_m"
sync
timed f "$cmd_f"
read -r ta _ ca <<<"$t_a"
read -r tb _ cb <<<"$t_b"
read -r tm rss_m cm <<<"$t_m"
read -r tf rss_f cf <<<"$t_f"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "ok" : "MISSED" }'; }
echo "bench: $(nproc) cores, load average $load before the timed runs"
echo "bench: (a) find|sort|cpio|openssl: ${ta} s wall, ${ca} s CPU"
echo "bench: (b) tar|openssl:            ${tb} s wall, ${cb} s CPU"
echo "bench: qt-build --measure-only:    ${tm} s wall, ${cm} s CPU"
echo "bench: qt-build -o image:          ${tf} s wall, ${cf} s CPU"
r1=$(ratio "$tm" "$ta")
r2=$(ratio "$tm" "$tb")
r3=$(ratio "$tf" "$tb")
echo "bench: --measure-only / (a) = $r1 (target <= 0.50: $(verdict "$r1" 0.50))"
echo "bench: --measure-only / (b) = $r2 (target <= 0.75: $(verdict "$r2" 0.75))"
echo "bench: full build / (b)     = $r3 (target <= 1.30: $(verdict "$r3" 1.30))"
# What bounds these ratios: --measure-only hashes the application bytes twice
# (PCR0 and PCR2 both cover them), so on two cores its floor is one SHA-384
# pass in wall time, which is what (b) costs when tar runs on the other core:
# against (b) a ratio near 1.0 is the floor, not 0.75. The full build also
# writes and fsyncs the image, so its wall time follows the disk.
# Wall times need two free cores (qt-build hashes PCR0 and PCR2 on two threads);
# the CPU ratios do not depend on what else the machine runs.
echo "bench: CPU ratios: --measure-only / (a) = $(ratio "$cm" "$ca"), / (b) = $(ratio "$cm" "$cb");" \
    "full build / (b) = $(ratio "$cf" "$cb")"
echo "bench: peak RSS --measure-only $((rss_m / 1024)) MiB, full build $((rss_f / 1024)) MiB" \
    "(target <= 64: $(verdict "$(( (rss_m > rss_f ? rss_m : rss_f) / 1024 ))" 64))"
