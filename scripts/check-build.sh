#!/bin/bash
# check-build.sh: the Makefile's promises, checked with `make -n` (nothing is
# built, nothing written): the user's CFLAGS/CPPFLAGS/LDFLAGS add to the
# project's flags and never replace them; each compiler and sanitizer choice
# builds in a directory of its own under build/; no object, archive or program
# is written outside build/ except the copies of the three tools. Run by
# `make lint`. Prints one line per check; exit 1 if any fails.
set -u
cd "$(dirname "$0")/.." || exit 2
unset MAKEFLAGS MAKELEVEL MFLAGS

fail=0
ok() { echo "check-build: ok: $1"; }
bad() {
	echo "check-build: FAIL: $1" >&2
	fail=1
}

# make -n -B of a target under the given variables: every command it would run
dry() { # target var=value...
	local t=$1
	shift
	make --no-print-directory -n -B "$@" "$t" 2>&1
}

# Project flags kept under the user's CFLAGS, CPPFLAGS, LDFLAGS.
out=$(dry all CFLAGS=-O0 CPPFLAGS=-DUSER_CPP LDFLAGS=-Wl,--as-needed)
cc_lines=$(grep -E -- ' -c -o build/[^ ]+\.o ' <<<"$out")
ld_lines=$(grep -E -- ' -o build/[^ ]+/qt-(build|measure|sign) ' <<<"$out")
if [ -z "$cc_lines" ] || [ -z "$ld_lines" ]; then
	bad "make -n all printed no compile or link command"
else
	for f in -std=c11 -Wall -Wextra -Wconversion -Wshadow -fstack-protector-strong -fPIE -pthread \
	    -D_GNU_SOURCE -DUSER_CPP -O0; do
		n=$(grep -c -v -F -e " $f " <<<"$cc_lines")
		[ "$n" -eq 0 ] || bad "CFLAGS=-O0: $n compile commands lack $f"
	done
	# the user's -O0 comes after the project's flags, so it wins
	n=$(grep -c -v -E -e '-std=c11 .* -O0 ' <<<"$cc_lines")
	[ "$n" -eq 0 ] || bad "CFLAGS=-O0: $n compile commands put -O0 before the project's flags"
	for f in -pie -Wl,-z,relro,-z,now -pthread -Wl,--as-needed; do
		n=$(grep -c -v -F -e " $f " <<<"$ld_lines")
		[ "$n" -eq 0 ] || bad "LDFLAGS=...: $n link commands lack $f"
	done
	[ $fail -ne 0 ] || ok "CFLAGS=-O0 CPPFLAGS=... LDFLAGS=... keep the project's flags"
fi
# The default build is optimised and fortified.
if grep -E -- ' -c -o build/' <<<"$(dry all)" | grep -v -q -e '-D_FORTIFY_SOURCE=2 .*-O2 '; then
	bad "make: a compile command without -D_FORTIFY_SOURCE=2 and -O2"
else
	ok "make: -O2 and -D_FORTIFY_SOURCE=2"
fi

# One directory per configuration; nothing written beside the sources.
check_dir() { # want-dir var=value...
	local want=$1 out w
	shift
	out=$(dry test "$@")
	w=$(grep -oE -- ' -o [^ ]+' <<<"$out" | awk '{print $2}' | sort -u)
	if [ -z "$w" ]; then
		bad "make $* test: no output file"
	elif grep -v -q -E "^$want/" <<<"$w"; then
		bad "make $* test writes outside $want/: $(grep -v -E "^$want/" <<<"$w" | head -n 3 | tr '\n' ' ')"
	else
		ok "make $* test: every object and program under $want/"
	fi
}
check_dir build/gcc CC=gcc
check_dir build/gcc-san CC=gcc SAN=1
check_dir build/clang CC=clang
check_dir build/clang-san CC=clang SAN=1
out=$(dry fuzz-build)
if grep -oE -- ' -o [^ ]+' <<<"$out" | awk '{print $2}' | grep -v -q '^build/fuzz/'; then
	bad "make fuzz-build writes outside build/fuzz/"
else
	ok "make fuzz-build: everything under build/fuzz/"
fi
# SAN=1 objects carry the sanitizers and not _FORTIFY_SOURCE (it conflicts with ASan).
out=$(dry all CC=gcc SAN=1 | grep -E -- ' -c -o build/')
if grep -v -q -e '-fsanitize=address,undefined' <<<"$out" || grep -q -e '-D_FORTIFY_SOURCE' <<<"$out"; then
	bad "SAN=1: a compile command without the sanitizers or with _FORTIFY_SOURCE"
else
	ok "SAN=1: sanitizers on, _FORTIFY_SOURCE off"
fi

exit $fail
