#!/bin/bash
# bench/build.sh: qt-build --rootfs against the floor and, if given, a baseline
# build, over alternating rounds (bench/lib.sh), on two trees:
#   synthetic: ~2 GiB in 50 000 files of 8-80 KiB (generated, incompressible)
#   small-files: many small files and symbolic links: BENCH_TREE2 if set, else a
#                debootstrap minbase rootfs with BENCH_DEBOOTSTRAP=1 (needs
#                debootstrap and a Debian mirror), else /usr/share of this machine
# Contenders per tree:
#   measure-only     qt-build ... --measure-only
#   floor-measure    tar -cf - -C DIR . | openssl dgst -sha384
#   build            qt-build ... -o FILE (temporary file, fsync, rename)
#   floor-build      tar -cf FILE -C DIR . && sync
#   base-*           the same qt-build commands from BASE=DIR (a checkout built the same way)
# Before every run the outputs are removed and the dirty pages synced, untimed.
# With strace installed, the system calls per entry of --measure-only (the
# directory walk and the reads) follow each tree's figures.
# CPU of the full build: qt-build starts the writeback itself while it writes
# (sync_file_range), so that kernel work is charged to it; tar leaves it to the
# kernel's flusher threads, which no timer here sees (sync only waits). The
# CPU ratio of the build therefore overstates qt-build's share; the machine's
# busy cores during the rounds include both.
# Targets (issue 15, idle 2-core machine, synthetic tree): --measure-only <= 0.90 x
# floor-measure, the build <= 1.15 x floor-build, peak RSS <= 64 MiB.
# Usage: bench/build.sh [ROUNDS]   (default 3). BENCH_DIR (default: a temporary
# directory) holds the synthetic tree; BENCH_KEEP=1 keeps it for the next run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/qt-bench.XXXXXX")}
mkdir -p "$work"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

# 100 directories x 500 files, 8..80 KiB each (AES-CTR keystream: incompressible,
# the same bytes on every machine).
tree="$work/tree"
if [ ! -d "$tree" ]; then
	echo "bench: generating the tree in $tree" >&2
	mkdir -p "$tree.part"
	for i in $(seq -w 0 99); do
		size=$(((10#$i % 10 + 1) * 8192))
		mkdir "$tree.part/d$i"
		head -c $((size * 500)) /dev/zero |
		    openssl enc -aes-128-ctr -nosalt -K 717462656e6368000000000000000000 \
			-iv "$(printf '%032x' $((10#$i)))" |
		    (cd "$tree.part/d$i" && split -b "$size" -a 3 - f)
	done
	mv "$tree.part" "$tree"
fi
tree2=${BENCH_TREE2:-}
if [ -z "$tree2" ] && [ "${BENCH_DEBOOTSTRAP:-0}" = 1 ] && command -v debootstrap >/dev/null; then
	tree2="$work/minbase"
	[ -d "$tree2" ] || debootstrap --variant=minbase stable "$tree2" >&2
fi
tree2=${tree2:-/usr/share}

head -c 65536 /dev/zero >"$work/kernel"
printf '\177ELF-stand-in-init' >"$work/init"
export work
bench_snapshot "$top" new
[ -z "${BASE:-}" ] || bench_snapshot "$BASE" base

# bench_syscalls DIR ENTRIES NAME: the system calls of NAME's --measure-only build of DIR per
# entry (strace -f, every call but futex; one untimed run), if strace is installed.
bench_syscalls() {
	local dir=$1 entries=$2 name=$3 n
	command -v strace >/dev/null || return 0
	strace -f -o "$work/strace" "$work/$name/qt-build/qt-build" --kernel "$work/kernel" \
	    --cmdline console=ttyS0 --init "$work/init" --rootfs "$dir" --cmd /bin/true \
	    --measure-only >/dev/null 2>&1 || true
	n=$(grep -c -v -e ' futex(' -e 'resumed>' -e '^[0-9]* +++' -e '^[0-9]* ---' "$work/strace" || true)
	rm -f "$work/strace"
	echo "bench: $name --measure-only: $n system calls, $(awk -v n="$n" -v e="$entries" \
	    'BEGIN { printf "%.2f", n / e }') per entry"
}

# bench_tree LABEL DIR
bench_tree() {
	local label=$1 dir=$2 qbs entries
	entries=$(find "$dir" | wc -l)
	echo "== $label: $dir: $entries entries, $(du -sm "$dir" | cut -f1) MiB"
	export dir
	bench_names=()
	qbs='--kernel "$work/kernel" --cmdline console=ttyS0 --init "$work/init" --rootfs "$dir" --cmd /bin/true'
	if [ -n "${BASE:-}" ]; then
		bench_add base-measure-only "\"\$work/base/qt-build/qt-build\" $qbs --measure-only"
	fi
	bench_add measure-only "\"\$work/new/qt-build/qt-build\" $qbs --measure-only"
	bench_add floor-measure 'tar -cf - -C "$dir" . | openssl dgst -sha384'
	if [ -n "${BASE:-}" ]; then
		bench_add base-build "\"\$work/base/qt-build/qt-build\" $qbs -o \"\$work/image.eif\""
	fi
	bench_add build "\"\$work/new/qt-build/qt-build\" $qbs -o \"\$work/image.eif\""
	bench_add floor-build 'tar -cf "$work/tree.tar" -C "$dir" . && sync'
	tar -cf - -C "$dir" . >/dev/null # warm the page cache for every contender alike
	bench_run "$rounds" 'rm -f "$work/image.eif" "$work/tree.tar"; sync'
	bench_report
	if [ -n "${BASE:-}" ]; then
		bench_ratio measure-only base-measure-only
		bench_ratio build base-build
	fi
	if [ "$label" = synthetic ]; then
		bench_ratio measure-only floor-measure 0.90
		bench_ratio build floor-build 1.15
	else
		bench_ratio measure-only floor-measure
		bench_ratio build floor-build
	fi
	bench_rss_check 64 measure-only build
	bench_syscalls "$dir" "$entries" new
	[ -z "${BASE:-}" ] || bench_syscalls "$dir" "$entries" base
}

echo "bench: $rounds rounds per tree"
bench_tree synthetic "$tree"
bench_tree small-files "$tree2"
rm -f "$work/image.eif" "$work/tree.tar"
