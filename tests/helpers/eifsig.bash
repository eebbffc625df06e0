# tests/helpers/eifsig.bash: independent (openssl, gzip, awk, dd) tools to take
# EIF signature sections apart, for qt-sign's tests. Load after common.bash.

# hex of bytes [off, off+len) of a file
hexat() { dd if="$1" bs=1 skip="$2" count="$3" status=none | xxd -p | tr -d '\n'; }
# big-endian unsigned integer of len bytes at off
beat() { printf '%d' "0x$(hexat "$1" "$2" "$3")"; }

# number of sections; offset and data size of section i
nsections() { beat "$1" 26 2; }
sec_off() { beat "$1" $((28 + 8 * $2)) 8; }
sec_size() { beat "$1" $((284 + 8 * $2)) 8; }
sec_type() { beat "$1" "$(sec_off "$1" "$2")" 2; }

# the data of the last section (the signature section of a signed image) into a file
last_section() { # image out
	local n off size
	n=$(nsections "$1")
	off=$(sec_off "$1" $((n - 1)))
	size=$(sec_size "$1" $((n - 1)))
	dd if="$1" of="$2" bs=1 skip=$((off + 12)) count="$size" status=none
}

# Decode a serde_cbor signature section (array of {text: array of uints}):
# prints "signing_certificate HEX" and "signature HEX" lines. mawk-compatible.
sigsec_fields() { # section-file
	xxd -p -c 1 "$1" | awk '
	BEGIN { for (i = 0; i < 256; i++) v[sprintf("%02x", i)] = i }
	{ b[n++] = v[$1] }
	function head(   ai, x) {
		ai = b[p] % 32; p++
		if (ai < 24) return ai
		if (ai == 24) { x = b[p]; p += 1; return x }
		if (ai == 25) { x = b[p] * 256 + b[p + 1]; p += 2; return x }
		if (ai == 26) { x = ((b[p] * 256 + b[p + 1]) * 256 + b[p + 2]) * 256 + b[p + 3]; p += 4; return x }
		print "bad head" > "/dev/stderr"; exit 3
	}
	END {
		p = 0; head(); head()
		for (f = 0; f < 2; f++) {
			l = head(); key = ""
			for (i = 0; i < l; i++) key = key sprintf("%c", b[p++])
			m = head(); out = ""
			for (i = 0; i < m; i++) out = out sprintf("%02x", head())
			print key, out
		}
	}'
}

# PcrInfo{0, PCR0} as serde_cbor writes it, from PCR0 hex
pcr_info_hex() {
	local h=$1 out="a26e72656769737465725f696e646578006e72656769737465725f76616c75659830" i byte
	for ((i = 0; i < 96; i += 2)); do
		byte=${h:i:2}
		if ((16#$byte < 24)); then out+=$byte; else out+="18$byte"; fi
	done
	printf '%s' "$out"
}

# the ES384 Sig_structure for PCR0 hex, written to a file
sig_structure() { # pcr0hex out
	local pl
	pl=$(pcr_info_hex "$1")
	printf '%s' "846a5369676e61747572653144a101382240" "58$(printf '%02x' $((${#pl} / 2)))" "$pl" |
	    xxd -r -p >"$2"
}

# r||s hex -> DER file (openssl asn1parse builds the SEQUENCE of two INTEGERs)
rs_to_der() { # rshex out
	local n=$((${#1} / 2))
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "${1:0:n}" "${1:n}" >rs.cnf
	openssl asn1parse -genconf rs.cnf -out "$2" >/dev/null
}

# zlib CRC-32 of a file (gzip's trailer, little-endian) as 8 hex digits, big-endian
crc32_of() {
	local t
	t=$(gzip -c <"$1" | tail -c 8 | head -c 4 | xxd -p)
	printf '%s' "${t:6:2}${t:4:2}${t:2:2}${t:0:2}"
}

# the EIF CRC of an image: CRC-32 of everything but bytes 544..547
eif_crc() {
	{ head -c 544 "$1"; tail -c +549 "$1"; } >crc.in
	crc32_of crc.in
}

# rewrite the header CRC after a test edited the image
fix_crc() {
	eif_crc "$1" | xxd -r -p | dd of="$1" bs=1 seek=544 conv=notrunc status=none
}

# put_be64 file off value
put_be64() {
	printf '%016x' "$3" | xxd -r -p | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# PCR8 of a PEM certificate: extend(0^48, SHA384(DER)), with openssl only
oracle_pcr8() {
	local d
	d=$(openssl x509 -in "$1" -outform DER | openssl dgst -sha384 -binary | xxd -p -c 256)
	{ head -c 48 /dev/zero; printf '%s' "$d" | xxd -r -p; } | openssl dgst -sha384 -binary |
	    xxd -p -c 256
}
