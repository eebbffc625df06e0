#!/usr/bin/env bats
# completion/qt.bash: the bash completion of the three tools, called as bash calls it
# (COMP_WORDS, COMP_CWORD), and its option lists checked against the tools' own tables.
load ../helpers/common

setup() {
	common_setup
	# shellcheck source=../../completion/qt.bash
	source "$TOP/completion/qt.bash"
	mkdir app oci-dir && touch app.tar key.pem doc.cose
}

# complete WORD...: the candidates for the last word, one a line, sorted
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_qt_complete
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

@test "completion: qt-measure subcommands, then files" {
	run complete_words qt-measure ve
	assert_output "$(printf '%s\n' verify verify-provenance)"
	run complete_words qt-measure co
	assert_output corim
	run complete_words qt-measure ""
	assert_output "$(printf '%s\n' app app.tar check corim describe diff doc.cose extend extract key.pem ls \
	    manifest oci-dir pcr policy provenance verify verify-provenance | sort)"
	run complete_words qt-measure provenance --predicate ""
	assert_output "$(printf '%s\n' measurement slsa)"
	run complete_words qt-measure verify --root key.pem d
	assert_output doc.cose
}

@test "completion: options per tool and per subcommand" {
	run complete_words qt-measure verify --ro
	assert_output "$(printf '%s\n' --root --root-sha256)"
	run complete_words qt-measure pcr --
	assert_output "$(printf '%s\n' --help --input --json= --signing-certificate)"
	run complete_words qt-sign --re
	assert_output --remove
	run complete_words qt-build --sign-
	assert_output "$(printf '%s\n' --sign-cert --sign-key --sign-pass)"
}

@test "completion: --profile and --platform values" {
	run complete_words qt-measure verify --profile ""
	assert_output "$(printf '%s\n' auto nitro qingtian)"
	run complete_words qt-measure policy --profile ""
	assert_output "$(printf '%s\n' nitro qingtian)"
	run complete_words qt-sign in.eif --profile n
	assert_output nitro
	run complete_words qt-build --rootfs app --platform linux/a
	assert_output "$(printf '%s\n' linux/amd64 linux/arm64 linux/arm64/v8)"
	run complete_words qt-measure manifest --platform ""
	assert_output "$(printf '%s\n' nitro qingtian)"
}

@test "completion: --rootfs source forms: directory, tarball, docker-archive:FILE, oci:DIR" {
	run complete_words qt-build --rootfs ap
	assert_output "$(printf '%s\n' app app.tar)"
	run complete_words qt-build --rootfs do
	assert_output "$(printf '%s\n' doc.cose docker-archive:)"
	run complete_words qt-build --rootfs o
	assert_output "$(printf '%s\n' oci-dir oci:)"
	run complete_words qt-build --rootfs docker-archive:app
	assert_output "$(printf '%s\n' docker-archive:app.tar docker-archive:app/)"
	run complete_words qt-build --rootfs oci:
	assert_output "$(printf '%s\n' oci:app/ oci:oci-dir/)"
}

@test "completion: --json= in one word and as bash splits it; --pass forms; files" {
	run complete_words qt-build --json=p
	assert_output --json=pretty
	run complete_words qt-sign --json = ""
	assert_output "$(printf '%s\n' pretty short)"
	run complete_words qt-sign --json = s
	assert_output short
	run complete_words qt-sign in.eif --pass ""
	assert_output "$(printf '%s\n' env: fd: file: pass:)"
	run complete_words qt-sign in.eif --pass file:k
	assert_output file:key.pem
	run complete_words qt-build --kernel a
	assert_output "$(printf '%s\n' app app.tar)"
	run complete_words qt-build --cmdline ""
	assert_output ""
	run complete_words qt-measure verify --root n
	assert_output nitro
	run complete_words qt-measure verify --at ""
	assert_output "$(printf '%s\n' doc now)"
}

@test "completion: every option of the tools' tables is offered (deprecated spellings aside)" {
	# opts FILE [TABLE]: the long options of FILE (of its option table TABLE only, if named)
	opts() {
		if [ -n "${2:-}" ]; then
			sed -n "/struct option $2\[\] = {/,/^};/p" "$1"
		else
			cat "$1"
		fi | grep -o '{ "[a-z0-9-]*", [a-z_]*_argument' | sed 's/{ "\([^"]*\)".*/--\1/' | sort -u
	}
	offered() { _qt_options "$1" | tr -s ' \t' '\n\n' | sed '/^$/d; s/=$//' | sort -u; }
	assert_equal "$(offered qt-build)" "$( (opts "$TOP/qt-build/main.c"; echo -o) | grep -v -x -e --format | sort)"
	assert_equal "$(offered qt-sign | grep -v -x -e -o)" "$(opts "$TOP/qt-sign/main.c" | grep -v -x -e --format)"
	for s in describe:cmd_measure pcr:cmd_pcr extend:cmd_extend verify:verify policy:policy manifest:manifest_cmd; do
		want=$(opts "$TOP/qt-measure/${s#*:}.c" | grep -v -x -e --format -e --platform -e --version)
		[ "${s%%:*}" = describe ] && want=$(grep -v -x -e --profile <<<"$want")
		assert_equal "$(offered "qt-measure:${s%%:*}" | grep -v -x -e -o)" "$want"
	done
	for s in provenance:provenance:provenance_opts verify-provenance:provenance:verify_provenance_opts \
		corim:corim:corim_opts check:cmd_check:check_opts ls:cmd_ls:ls_opts \
		extract:cmd_extract:extract_opts diff:cmd_diff:diff_opts; do
		IFS=: read -r name file table <<<"$s"
		want=$(opts "$TOP/qt-measure/$file.c" "$table" | grep -v -x -e --format -e --platform)
		assert_equal "$(offered "qt-measure:$name" | grep -v -x -e -o)" "$want"
	done
	# every subcommand of qt-measure's table is completed
	want=$(sed -n 's/^\t{ "\([a-z-]*\)", cmd_[a-z_]* },$/\1/p' "$TOP/qt-measure/main.c" | sort)
	assert_equal "$(tr ' ' '\n' <<<"$_qt_subcommands" | sort)" "$want"
}

@test "completion: installed for all three tools by install.sh" {
	PREFIX="$PWD/p" "$TOP/scripts/install.sh" "${QT_OUT:-$TOP/build/gcc}"
	d=p/share/bash-completion/completions
	cmp "$d/qt-build" "$TOP/completion/qt.bash"
	[ "$(readlink "$d/qt-measure")" = qt-build ] && [ "$(readlink "$d/qt-sign")" = qt-build ]
	run bash -c "source $d/qt-sign && complete -p qt-build qt-measure qt-sign"
	assert_output "$(printf 'complete -F _qt_complete %s\n' qt-build qt-measure qt-sign)"
}
