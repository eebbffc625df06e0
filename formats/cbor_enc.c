/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cbor_enc.c: serde_cbor-compatible encoding of the EIF signature section
 * (spec/eif.md 5.1). Every head is the shortest one (RFC 8949 4.2.1), which
 * is also what serde_cbor 0.11 writes.
 */
#include <errno.h>
#include <string.h>

#include "cbor_enc.h"

int
cbor_enc_head(struct wbuf *out, enum cbor_major major, uint64_t val, struct qt_err *err)
{
	uint8_t head[9];
	size_t n;
	uint8_t mt = (uint8_t)((unsigned)major << 5);

	if (val < 24) {
		head[0] = (uint8_t)(mt | val);
		n = 1;
	} else if (val <= UINT8_MAX) {
		head[0] = mt | 24;
		head[1] = (uint8_t)val;
		n = 2;
	} else if (val <= UINT16_MAX) {
		head[0] = mt | 25;
		be16_put(head + 1, (uint16_t)val);
		n = 3;
	} else if (val <= UINT32_MAX) {
		head[0] = mt | 26;
		be32_put(head + 1, (uint32_t)val);
		n = 5;
	} else {
		head[0] = mt | 27;
		be64_put(head + 1, val);
		n = 9;
	}
	return wbuf_put(out, head, n, err);
}

int
cbor_enc_bstr(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err)
{
	if (cbor_enc_head(out, CBOR_MAJOR_BYTES, len, err) < 0)
		return -1;
	return wbuf_put(out, buf, len, err);
}

int
cbor_enc_text(struct wbuf *out, const char *text, struct qt_err *err)
{
	size_t len = strlen(text);

	if (cbor_enc_head(out, CBOR_MAJOR_TEXT, len, err) < 0)
		return -1;
	return wbuf_put(out, text, len, err);
}

int
cbor_enc_u8_array(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err)
{
	size_t i;

	/* At most 2 bytes per element: reserve once. */
	if (len > (SIZE_MAX - 9) / 2)
		return qt_err_set(err, ENOMEM, "byte vector of %zu bytes too large", len);
	if (wbuf_reserve(out, 9 + 2 * len, err) < 0)
		return -1;
	if (cbor_enc_head(out, CBOR_MAJOR_ARRAY, len, err) < 0)
		return -1;
	for (i = 0; i < len; i++)
		if (cbor_enc_head(out, CBOR_MAJOR_UINT, buf[i], err) < 0)
			return -1;
	return 0;
}

int
cbor_enc_pcr_info(const uint8_t *pcr, size_t pcr_len, struct wbuf *out, struct qt_err *err)
{
	/* struct PcrInfo { register_index: i32, register_value: Vec<u8> } */
	if (cbor_enc_head(out, CBOR_MAJOR_MAP, 2, err) < 0 ||
	    cbor_enc_text(out, "register_index", err) < 0 ||
	    cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err) < 0 ||
	    cbor_enc_text(out, "register_value", err) < 0 ||
	    cbor_enc_u8_array(out, pcr, pcr_len, err) < 0)
		return -1;
	return 0;
}

int
cbor_enc_sigsec(const uint8_t *pem, size_t pem_len, const uint8_t *cose, size_t cose_len,
    struct wbuf *out, struct qt_err *err)
{
	/* Vec<PcrSignature>, one element; PcrSignature { signing_certificate, signature } */
	if (cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err) < 0 ||
	    cbor_enc_head(out, CBOR_MAJOR_MAP, 2, err) < 0 ||
	    cbor_enc_text(out, "signing_certificate", err) < 0 ||
	    cbor_enc_u8_array(out, pem, pem_len, err) < 0 ||
	    cbor_enc_text(out, "signature", err) < 0 ||
	    cbor_enc_u8_array(out, cose, cose_len, err) < 0)
		return -1;
	return 0;
}
