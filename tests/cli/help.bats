#!/usr/bin/env bats
# --help of the three tools and of each qt-measure subcommand (every option of the
# option tables, grouped by task, exit status, the man page), and the shape of a
# usage error: its one line, then where help is, never the synopsis again.
load ../helpers/common

setup() {
	common_setup
}

# opts FILE [TABLE]: the long options of FILE's option tables (of TABLE only, if named)
opts() {
	if [ -n "${2:-}" ]; then
		sed -n "/struct option $2\[\] = {/,/^};/p" "$1"
	else
		cat "$1"
	fi | grep -o '{ "[a-z0-9-]*", [a-z_]*_argument' | sed 's/{ "\([^"]*\)".*/--\1/' | sort -u
}

# missing HELP OPTION...: the options that HELP has no line (or synopsis entry) for
missing() {
	local help=$1 o
	shift
	for o in "$@"; do
		grep -q -e "$o[ =,)]" -e "$o\$" <<<"$help" || echo "$o"
	done
}

@test "help: every option of qt-build's and qt-sign's tables has a line in --help" {
	run -0 --separate-stderr qt-build --help
	assert_equal "$stderr" ""
	help=$output
	mapfile -t o < <(opts "$TOP/qt-build/main.c")
	[ "${#o[@]}" -ge 40 ]
	assert_equal "$(missing "$help" "${o[@]}")" ""
	run -0 --separate-stderr qt-sign --help
	help=$output
	mapfile -t o < <(opts "$TOP/qt-sign/main.c")
	[ "${#o[@]}" -ge 18 ]
	assert_equal "$(missing "$help" "${o[@]}")" ""
}

@test "help: every option of each qt-measure subcommand's table is in its --help" {
	for s in :cmd_measure: describe:cmd_measure: pcr:cmd_pcr: extend:cmd_extend: verify:verify: \
		policy:policy: manifest:manifest_cmd: provenance:provenance:provenance_opts \
		verify-provenance:provenance:verify_provenance_opts corim:corim: check:cmd_check: \
		ls:cmd_ls: extract:cmd_extract: diff:cmd_diff:; do
		IFS=: read -r name file table <<<"$s"
		mapfile -t o < <(opts "$TOP/qt-measure/$file.c" "$table")
		[ "${#o[@]}" -ge 1 ]
		# describe shares IMAGE's table; it refuses --profile and --format
		[ "$name" = describe ] && mapfile -t o < <(printf '%s\n' "${o[@]}" | grep -v -x -e --profile -e --format -e --version)
		# shellcheck disable=SC2086 # an empty name is no word: qt-measure --help
		run -0 --separate-stderr qt-measure $name --help
		assert_equal "$stderr" ""
		assert_equal "$name: $(missing "$output" "${o[@]}")" "$name: "
		assert_line --index 0 --regexp "^usage: qt-measure ${name:+$name }"
		assert_line "See qt-measure(1)."
		assert_line --partial "Exit status: 0 "
	done
}

@test "help: qt-build --help names the --rootfs forms, the exit codes and the man page" {
	run -0 qt-build --help
	assert_line --index 0 "usage: qt-build --kernel FILE (--cmdline STRING | --cmdline-file FILE)"
	assert_line "--rootfs SOURCE is one of:"
	assert_line "  DIR                              a directory"
	assert_line "  FILE[.gz|.xz|.zst|.bz2]          a tar archive (docker export)"
	assert_line "  docker-archive:FILE[:IMAGE|@DIGEST]  docker save, podman save"
	assert_line "  oci:DIR[:REF|@DIGEST]            an OCI image layout"
	assert_line "  oci-archive:FILE[:REF|@DIGEST]   an OCI image layout in a tar file"
	assert_line "Exit status: 0 built (or measured); 1 --strict and a warning; 2 usage error,"
	assert_line "See qt-build(1)."
	# grouped by task, one line per option
	assert_line "Signing (PCR8):"
	assert_line "  --sign-key KEY             sign with KEY (PEM file or pkcs11: URI)"
	run -0 qt-sign --help
	assert_line "See qt-sign(1)."
	assert_line "Modes (default: sign):"
	run -0 qt-measure --help
	assert_line "  verify             verify an attestation document"
	assert_line "See qt-measure(1)."
}

@test "help: a usage error is its line and \"try '... --help'\", not the synopsis" {
	run -2 --separate-stderr qt-build --kernel k --cmdline x --ramdisk r
	assert_output ""
	assert_equal "$stderr" "qt-build: -o OUT is required (or --measure-only)
try 'qt-build --help'"
	run -2 --separate-stderr qt-build --bogus
	assert_equal "$stderr" "qt-build: unrecognized option '--bogus'
try 'qt-build --help'"
	run -2 --separate-stderr qt-sign --verify --remove c2.eif
	assert_equal "$stderr" "qt-sign: --remove cannot be combined with another mode
try 'qt-sign --help'"
	run -2 --separate-stderr qt-measure --json=wide x.eif
	assert_equal "$stderr" "qt-measure: --json: unknown style 'wide'
try 'qt-measure --help'"
	run -2 --separate-stderr qt-measure verify --nonce zz doc.cose
	assert_equal "$stderr" "qt-measure: --nonce: 'zz' is not hex
try 'qt-measure verify --help'"
	run -2 --separate-stderr qt-measure verify-provenance x
	assert_equal "${stderr_lines[1]}" "try 'qt-measure verify-provenance --help'"
	run -2 --separate-stderr qt-measure extend
	assert_equal "${stderr_lines[1]}" "try 'qt-measure extend --help'"
	run -2 --separate-stderr qt-measure pcr
	assert_equal "$stderr" "qt-measure: pcr: give exactly one of --input and --signing-certificate
try 'qt-measure pcr --help'"
	run -2 --separate-stderr qt-measure describe --profile nitro x.eif
	assert_equal "$stderr" "qt-measure: describe: --profile is not an option here
try 'qt-measure describe --help'"
	run -2 --separate-stderr qt-measure extract x.eif
	assert_equal "$stderr" "qt-measure: extract: expected IMAGE and DIR
try 'qt-measure extract --help'"
	for s in policy manifest provenance corim check ls diff; do
		run -2 --separate-stderr qt-measure "$s" --bogus
		assert_equal "${#stderr_lines[@]}" 2
		assert_equal "${stderr_lines[1]}" "try 'qt-measure $s --help'"
	done
}

@test "help: a mistyped subcommand is named as one; files and other words are operands" {
	run -2 --separate-stderr qt-measure descibe
	assert_output ""
	assert_equal "$stderr" "qt-measure: 'descibe' is not a subcommand (did you mean 'describe'?)
try 'qt-measure --help'"
	run -2 --separate-stderr qt-measure descibe x.eif
	assert_equal "${stderr_lines[0]}" "qt-measure: 'descibe' is not a subcommand (did you mean 'describe'?)"
	run -2 --separate-stderr qt-measure verfy --root nitro doc.cose
	assert_equal "${stderr_lines[0]}" "qt-measure: 'verfy' is not a subcommand (did you mean 'verify'?)"
	run -2 --separate-stderr qt-measure dif a b
	assert_equal "${stderr_lines[0]}" "qt-measure: 'dif' is not a subcommand (did you mean 'diff'?)"
	# not close to any subcommand: a missing IMAGE, as before
	run -2 --separate-stderr qt-measure image
	assert_equal "$stderr" "qt-measure: image: cannot open: No such file or directory"
	# an existing file of that name is measured as an IMAGE
	qt-build --kernel "$GOLD/inputs/kernel.bin" --cmdline x --ramdisk "$GOLD/inputs/ramdisk0.cpio" \
	    -o descibe 2>/dev/null >built.json
	run -0 --separate-stderr qt-measure --json=pretty descibe
	pcr0=$(grep '"PCR0": "[0-9a-f]\{96\}"' built.json)
	assert_line "$pcr0"
}
