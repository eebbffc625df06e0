/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cbor_enc.h: the few exact CBOR byte shapes the EIF signature section needs,
 * compatible with serde_cbor 0.11 (spec/eif.md 5.1): shortest heads, struct
 * maps with text keys in declaration order, Vec<u8> as an array of unsigned
 * integers. Encoding only; untrusted CBOR is parsed in cose.c (libcbor).
 */
#ifndef QT_CBOR_ENC_H
#define QT_CBOR_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "qt.h"

/* CBOR major types (RFC 8949 3.1). */
enum cbor_major {
	CBOR_MAJOR_UINT = 0,
	CBOR_MAJOR_NEGINT = 1,
	CBOR_MAJOR_BYTES = 2,
	CBOR_MAJOR_TEXT = 3,
	CBOR_MAJOR_ARRAY = 4,
	CBOR_MAJOR_MAP = 5,
	CBOR_MAJOR_TAG = 6,
};

/* Append the shortest head of major type major with argument val. */
int cbor_enc_head(struct wbuf *out, enum cbor_major major, uint64_t val, struct qt_err *err);
/* Append a definite byte string (head + bytes). */
int cbor_enc_bstr(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err);
/* Append a definite text string (head + bytes of the NUL-terminated text). */
int cbor_enc_text(struct wbuf *out, const char *text, struct qt_err *err);
/* Append buf as serde_cbor writes a Vec<u8>: an array of shortest unsigned integers. */
int cbor_enc_u8_array(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err);

/* serde_cbor bytes of PcrInfo{register_index: 0, register_value: pcr} (the COSE payload). */
int cbor_enc_pcr_info(const uint8_t *pcr, size_t pcr_len, struct wbuf *out, struct qt_err *err);

/*
 * serde_cbor bytes of an EIF signature section: Vec<PcrSignature> with one
 * element {signing_certificate: pem (file bytes verbatim), signature: cose}.
 */
int cbor_enc_sigsec(const uint8_t *pem, size_t pem_len, const uint8_t *cose, size_t cose_len,
    struct wbuf *out, struct qt_err *err);

#endif
