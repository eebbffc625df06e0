#!/bin/sh
# install.sh [--uninstall] OUT: install (or remove) what `make` built in the build
# directory OUT: the three tools, libqtverify (the real file, its soname link and the
# development link), qt/verify.h, qtverify.pc, the man pages (section 3 with one link
# per function), the bash completion, the attestation roots. The Makefile's install and uninstall targets run
# it with DESTDIR PREFIX BINDIR MANDIR LIBDIR INCLUDEDIR PKGCONFIGDIR COMPLETIONDIR set;
# tests/cli/sdk.bats runs it into a temporary DESTDIR.
set -eu
cd "$(dirname "$0")/.."

uninstall=0
if [ "${1:-}" = "--uninstall" ]; then
	uninstall=1
	shift
fi
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: install.sh [--uninstall] BUILD-DIR" >&2
	exit 2
fi
out=$1
: "${DESTDIR:=}" "${PREFIX:=/usr/local}"
: "${BINDIR:=$PREFIX/bin}" "${MANDIR:=$PREFIX/share/man}" "${LIBDIR:=$PREFIX/lib}"
: "${INCLUDEDIR:=$PREFIX/include}" "${PKGCONFIGDIR:=$LIBDIR/pkgconfig}"
: "${COMPLETIONDIR:=$PREFIX/share/bash-completion/completions}"
# the pinned attestation roots; the tools are built with this path (QT_ROOTS_DIR)
: "${ROOTSDIR:=$PREFIX/share/qt/roots}"
roots="qingtian-root-G1.pem aws-nitro-root-G1.pem"
version=$(sed -n 's/^#define QT_VERSION "\(.*\)"$/\1/p' formats/qt.h)
real=libqtverify.so.$version
tools="qt-build qt-measure qt-sign"
d=$DESTDIR

# The functions a section 3 page documents: its .Nm lines (the first names the page).
page_names() {
	sed -n 's/^\.Nm \([a-z_0-9]*\).*/\1/p' "$1" | sort -u
}

if [ $uninstall -eq 1 ]; then
	for t in $tools; do rm -f "$d$BINDIR/$t" "$d$COMPLETIONDIR/$t"; done
	rm -f "$d$LIBDIR/$real" "$d$LIBDIR/libqtverify.so.0" "$d$LIBDIR/libqtverify.so" \
	    "$d$INCLUDEDIR/qt/verify.h" "$d$PKGCONFIGDIR/qtverify.pc"
	rmdir "$d$INCLUDEDIR/qt" 2>/dev/null || true
	for r in $roots; do rm -f "$d$ROOTSDIR/$r"; done
	for m in man/*.[15]; do rm -f "$d$MANDIR/man${m##*.}/${m##*/}"; done
	for m in man/*.3; do
		for n in $(page_names "$m"); do rm -f "$d$MANDIR/man3/$n.3"; done
		rm -f "$d$MANDIR/man3/${m##*/}"
	done
	exit 0
fi

install -d "$d$BINDIR" "$d$MANDIR/man1" "$d$MANDIR/man3" "$d$MANDIR/man5" "$d$LIBDIR" \
    "$d$INCLUDEDIR/qt" "$d$PKGCONFIGDIR" "$d$COMPLETIONDIR"
for t in $tools; do install -m 0755 "$t/$t" "$d$BINDIR/$t"; done
install -d "$d$ROOTSDIR"
for r in $roots; do install -m 0644 "roots/$r" "$d$ROOTSDIR/$r"; done
# one completion file for the three tools; bash-completion loads it by command name
install -m 0644 completion/qt.bash "$d$COMPLETIONDIR/qt-build"
ln -sf qt-build "$d$COMPLETIONDIR/qt-measure"
ln -sf qt-build "$d$COMPLETIONDIR/qt-sign"
install -m 0644 "$out/lib/$real" "$d$LIBDIR/$real"
ln -sf "$real" "$d$LIBDIR/libqtverify.so.0"
ln -sf libqtverify.so.0 "$d$LIBDIR/libqtverify.so"
install -m 0644 lib/qt/verify.h "$d$INCLUDEDIR/qt/verify.h"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@LIBDIR@|$LIBDIR|" -e "s|@INCLUDEDIR@|$INCLUDEDIR|" \
    -e "s|@VERSION@|$version|" lib/qtverify.pc.in >"$d$PKGCONFIGDIR/qtverify.pc"
chmod 0644 "$d$PKGCONFIGDIR/qtverify.pc"
for m in man/*.1 man/*.5; do install -m 0644 "$m" "$d$MANDIR/man${m##*.}/"; done
for m in man/*.3; do
	page=${m##*/}
	install -m 0644 "$m" "$d$MANDIR/man3/$page"
	for n in $(page_names "$m"); do
		[ "$n.3" = "$page" ] || ln -sf "$page" "$d$MANDIR/man3/$n.3"
	done
done
