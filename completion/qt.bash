# shellcheck shell=bash
# Bash completion for qt-build, qt-measure and qt-sign (installed as
# .../bash-completion/completions/qt-build, with qt-measure and qt-sign linked
# to it). Subcommands, options, files where a file is expected, the --rootfs
# source forms (DIR, TARBALL, docker-archive:FILE, oci:DIR), and the values of
# --profile, --platform, --json, --arch, --compress, --at and --pass.

# _qt_w words [add]: complete one of words (added to the candidates with "add").
_qt_w() {
	if [ "${2:-}" = add ]; then
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "$1" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
	fi
}

# _qt_files [dir|add]: complete file names (directories only with "dir"; added with "add").
_qt_files() {
	case ${1:-} in
	dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	add) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur") ;;
	*) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
	compopt -o filenames 2>/dev/null || true
}

# _qt_prefixed prefix kind: complete "prefix" followed by a file (or dir) name.
_qt_prefixed() {
	local p=$1 rest=${cur#"$1"} f
	COMPREPLY=()
	while IFS= read -r f; do
		[ -d "$f" ] && f="$f/"
		COMPREPLY+=("$p$f")
	done < <(if [ "$2" = dir ]; then compgen -d -- "$rest"; else compgen -f -- "$rest"; fi)
	compopt -o nospace 2>/dev/null || true
}

# _qt_value tool subcommand option: complete the value of an option; 1 if it takes none.
_qt_value() {
	local tool=$1 sub=$2 opt=$3
	case $opt in
	--profile)
		if [ "$sub" = verify ]; then
			_qt_w "qingtian nitro auto"
		else
			_qt_w "qingtian nitro"
		fi
		;;
	--platform)
		# qt-build: the container platform; qt-measure: the old spelling of --profile
		if [ "$tool" = qt-build ]; then
			_qt_w "linux/amd64 linux/arm64 linux/arm64/v8"
		elif [ "$sub" = verify ]; then
			_qt_w "qingtian nitro auto"
		else
			_qt_w "qingtian nitro"
		fi
		;;
	--json) _qt_w "pretty short" ;;
	--predicate) _qt_w "slsa measurement" ;;
	--arch) _qt_w "x86_64 aarch64" ;;
	--compress) _qt_w "gzip none" ;;
	--format)
		if [ "$sub" = policy ]; then
			_qt_w "huawei aws"
		else
			_qt_w "qingtian nitro"
		fi
		;;
	--at)
		if [ "$sub" = verify ]; then
			_qt_w "now doc"
		else
			COMPREPLY=()
		fi
		;;
	--rootfs)
		case $cur in
		docker-archive:*) _qt_prefixed docker-archive: file ;;
		oci:*) _qt_prefixed oci: dir ;;
		*)
			_qt_files
			_qt_w "docker-archive: oci:" add
			compopt -o nospace 2>/dev/null || true
			;;
		esac
		;;
	--pass | --sign-pass)
		case $cur in
		file:*) _qt_prefixed file: file ;;
		*)
			_qt_w "pass: env: file: fd:"
			compopt -o nospace 2>/dev/null || true
			;;
		esac
		;;
	--bootstrap) _qt_files dir ;;
	--root)
		# a shipped root by name, or a file
		_qt_files
		_qt_w "qingtian nitro" add
		;;
	--kernel | --cmdline-file | --ramdisk | --metadata | --kernel-config | --init | --driver | \
		--sign-key | --sign-cert | --pkcs11-module | --manifest | -o | --output | --key | \
		--cert | --ca | --attach | --input | --signing-certificate | --file | \
		--public-key | --provenance | --provenance-key | --provenance-cert | --corim)
		_qt_files
		;;
	--cmdline | --cmd | --entrypoint | --env | --max-entries | --max-bytes | --image-name | \
		--image-version | --build-time | --build-tool | --build-tool-version | --img-os | \
		--img-kernel | --from | --digest | --string | --iam-agency | --instance-id | \
		--root-sha256 | --expect-pcr | --nonce | --user-data | --max-age | --corim-profile | \
		--entity | --iam-role | --pcr | --action | --resource | --principal | --sid)
		COMPREPLY=()
		;;
	*) return 1 ;;
	esac
	return 0
}

# qt-measure's subcommands (the table in qt-measure/main.c; a test keeps them equal).
_qt_subcommands="describe pcr extend verify policy manifest provenance verify-provenance corim
check ls extract diff"

# The options of each tool (and qt-measure subcommand).
_qt_options() {
	case $1 in
	qt-build)
		echo "--kernel --cmdline --cmdline-file --ramdisk -o --output --measure-only
		--bootstrap --init --driver --rootfs --cmd --entrypoint --env --platform --keep-owner
		--max-entries --max-bytes --compress --arch --image-name --image-version --metadata
		--build-time --build-tool --build-tool-version --img-os --img-kernel --kernel-config
		--profile --json= --sign-key --sign-cert --sign-pass --pkcs11-module
		--allow-expired-cert --manifest --corim --provenance --provenance-key --provenance-cert
		--strict --progress --quiet --help --version"
		;;
	qt-sign)
		echo "--key --cert --ca --pass --pkcs11-module --allow-expired-cert --remove --verify
		--digest --attach --at --manifest -o --output --profile --json= --progress --quiet
		--help --version"
		;;
	qt-measure:) echo "--profile --json= --progress --quiet --help --version" ;;
	qt-measure:describe) echo "--json= --progress --quiet --help" ;;
	qt-measure:pcr) echo "--input --signing-certificate --json= --help" ;;
	qt-measure:extend)
		echo "--from --digest --string --file --iam-agency --iam-role --instance-id --profile
		--json= --help"
		;;
	qt-measure:verify)
		echo "--root --root-sha256 --manifest --expect-pcr --nonce --user-data --public-key
		--at --max-age --allow-debug --profile --json= --help"
		;;
	qt-measure:policy)
		echo "--profile --pcr --statement --action --resource --principal --sid --iam-agency
		--iam-role --instance-id --allow-zero --json= --help"
		;;
	qt-measure:manifest)
		echo "--profile --iam-agency --iam-role --instance-id -o --output --progress --quiet --help"
		;;
	qt-measure:check) echo "--manifest --progress --quiet --help" ;;
	qt-measure:ls) echo "--long --json= --progress --quiet --help" ;;
	qt-measure:extract) echo "--progress --quiet --help" ;;
	qt-measure:diff) echo "--json= --progress --quiet --help" ;;
	qt-measure:provenance)
		echo "--profile --predicate --manifest --corim --key --cert --pass --pkcs11-module
		--allow-expired-cert -o --output --progress --quiet --help"
		;;
	qt-measure:verify-provenance) echo "--cert --ca --at --allow-expired-cert --help" ;;
	qt-measure:corim)
		echo "--profile --corim-profile --entity --parent-pcrs --sign --key --cert --pass
		--pkcs11-module --allow-expired-cert -o --output --progress --quiet --help"
		;;
	esac
}

_qt_complete() {
	local cur prev tool sub="" i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	tool=${COMP_WORDS[0]##*/}
	COMPREPLY=()

	# qt-measure: the first operand may be a subcommand
	if [ "$tool" = qt-measure ]; then
		for ((i = 1; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			case $w in
			describe | pcr | extend | verify | policy | manifest | provenance | \
				verify-provenance | corim | check | ls | extract | diff)
				sub=$w
				break
				;;
			-*) ;;
			*) break ;;
			esac
		done
	fi

	# --opt=value (bash splits at '=' when it is in COMP_WORDBREAKS)
	if [ "$cur" = "=" ] && [[ $prev == --* ]]; then
		cur=""
		_qt_value "$tool" "$sub" "$prev"
		return 0
	fi
	if [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
		_qt_value "$tool" "$sub" "${COMP_WORDS[COMP_CWORD - 2]}"
		return 0
	fi
	if [[ $cur == --*=* ]]; then
		local opt=${cur%%=*}
		cur=${cur#*=}
		_qt_value "$tool" "$sub" "$opt" || return 0
		for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]="$opt=${COMPREPLY[i]}"; done
		return 0
	fi
	# the value of the option before
	if [[ $prev == -* ]] && _qt_value "$tool" "$sub" "$prev"; then
		return 0
	fi
	if [[ $cur == -* ]]; then
		local key=$tool
		[ "$tool" = qt-measure ] && key="qt-measure:$sub"
		_qt_w "$(_qt_options "$key")"
		[[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null || true
		return 0
	fi
	# operands: images, documents, manifests, signatures
	if [ "$tool" = qt-measure ] && [ -z "$sub" ]; then
		_qt_w "$_qt_subcommands"
		_qt_files add
		return 0
	fi
	_qt_files
	return 0
}

complete -F _qt_complete qt-build qt-measure qt-sign
