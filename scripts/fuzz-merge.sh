#!/bin/bash
# fuzz-merge.sh TARGET...: fold a campaign's working corpus (build/corpus/TARGET)
# into the committed seeds (tests/fuzz/corpus/TARGET). Named seeds (anything not
# called by its SHA-1, i.e. taken from tests/fixtures) are always kept; the
# hash-named inputs are replaced by libFuzzer's coverage-minimal merge of the old
# ones and the campaign's, so the committed corpus grows only with coverage.
set -eu
cd "$(dirname "$0")/.."
for t in "$@"; do
	seeds="tests/fuzz/corpus/$t"
	work="build/corpus/$t"
	new=$(mktemp -d "build/fuzz/merge-$t.XXXXXX")
	old=$(mktemp -d "build/fuzz/old-$t.XXXXXX")
	find "$seeds" -maxdepth 1 -regextype posix-extended -type f ! -regex '.*/[0-9a-f]{40}' -exec cp {} "$new/" \;
	find "$seeds" -maxdepth 1 -regextype posix-extended -type f -regex '.*/[0-9a-f]{40}' -exec cp {} "$old/" \;
	mkdir -p "$work"
	nice -n 19 "build/fuzz/fuzz_$t" -merge=1 -rss_limit_mb=2048 -timeout=20 \
	    "$new" "$old" "$work" >"build/fuzz/merge-$t.out" 2>&1 ||
	    { echo "fuzz-merge: $t: libFuzzer -merge failed, see build/fuzz/merge-$t.out" >&2; exit 1; }
	before=$(find "$seeds" -type f | wc -l)
	find "$seeds" -maxdepth 1 -regextype posix-extended -type f -regex '.*/[0-9a-f]{40}' -delete
	find "$new" -maxdepth 1 -regextype posix-extended -type f -regex '.*/[0-9a-f]{40}' -exec cp {} "$seeds/" \;
	echo "fuzz-merge $t: $before -> $(find "$seeds" -type f | wc -l) files ($(du -sh "$seeds" | cut -f1))"
	rm -rf "$new" "$old"
done
