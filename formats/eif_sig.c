/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_sig.c: the EIF signature section (spec/eif.md 5.1, 5.4): parsing its
 * serde_cbor bytes with qtcbor's reader, encoding them with qtcbor's
 * encoder, PCR8 of the signing certificate, and the check "this section
 * signs this PCR0".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>

#include "cose.h"
#include "eif_sig.h"
#include "qtcbor.h"
#include "x509.h"

#define SIGSEC "signature section"

/* --- parsing ----------------------------------------------------------------------- */

/*
 * A serde_cbor Vec<u8>: an array of unsigned integers, each <= 255 and in
 * its shortest form (what serde_cbor writes and what QEMU requires). With
 * ret NULL the bytes are checked and dropped.
 */
static int
parse_u8_array(
    struct cbor_reader *r, const char *field, uint8_t **ret, size_t *ret_len, struct qt_err *err)
{
	struct cbor_tok t;
	uint8_t *buf = NULL;
	size_t i, n;
	int rv = -1;

	if (cbor_expect(r, CBOR_TOK_ARRAY, field, &t, err) < 0)
		goto out;
	if (t.val == 0) {
		qt_err_set(err, EINVAL, "%s: " SIGSEC ": %s at offset %zu is empty", r->name, field,
		    t.off);
		goto out;
	}
	if (t.val > cbor_left(r)) {
		qt_err_set(err, EINVAL,
		    "%s: " SIGSEC ": %s at offset %zu announces %llu bytes, only %zu bytes left",
		    r->name, field, t.off, (unsigned long long)t.val, cbor_left(r));
		goto out;
	}
	n = (size_t)t.val;
	if (ret != NULL && (buf = malloc(n + 1)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: " SIGSEC ": out of memory", r->name);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (cbor_next(r, &t, err) < 0)
			goto out;
		if (t.kind != CBOR_TOK_UINT || t.val > 255 || t.size != (t.val < 24 ? 1u : 2u)) {
			qt_err_set(err, EINVAL,
			    "%s: " SIGSEC
			    ": %s byte %zu at offset %zu is not a one-byte unsigned integer",
			    r->name, field, i, t.off);
			goto out;
		}
		if (buf != NULL)
			buf[i] = (uint8_t)t.val;
	}
	if (buf != NULL) {
		buf[n] = '\0';
		*ret = buf;
		*ret_len = n;
		buf = NULL;
	}
	rv = 0;
out:
	free(buf);
	return rv;
}

/* One PcrSignature map; keep selects whether its byte vectors are returned. */
static int
parse_pcr_signature(struct cbor_reader *r, struct eif_sig *sig, bool keep, struct qt_err *err)
{
	static const char k_cert[] = "signing_certificate", k_sig[] = "signature";
	struct cbor_tok t;
	bool have_cert = false, have_sig = false;
	uint64_t i;

	if (cbor_expect(r, CBOR_TOK_MAP, "element", &t, err) < 0)
		return -1;
	if (t.val != 2)
		return qt_err_set(err, EINVAL,
		    "%s: " SIGSEC ": map at offset %zu has %llu entries, expected 2", r->name,
		    t.off, (unsigned long long)t.val);
	for (i = 0; i < 2; i++) {
		if (cbor_expect(r, CBOR_TOK_TEXT, "map key", &t, err) < 0)
			return -1;
		if (t.len == sizeof(k_cert) - 1 && memcmp(t.data, k_cert, t.len) == 0 &&
		    !have_cert) {
			have_cert = true;
			if (parse_u8_array(r, k_cert, keep ? &sig->cert_pem : NULL,
			        &sig->cert_pem_len, err) < 0)
				return -1;
		} else if (t.len == sizeof(k_sig) - 1 && memcmp(t.data, k_sig, t.len) == 0 &&
		           !have_sig) {
			have_sig = true;
			if (parse_u8_array(
			        r, k_sig, keep ? &sig->cose : NULL, &sig->cose_len, err) < 0)
				return -1;
		} else {
			return qt_err_set(err, EINVAL,
			    "%s: " SIGSEC ": unexpected or repeated key at offset %zu "
			    "(expected signing_certificate and signature)",
			    r->name, t.off);
		}
	}
	return 0;
}

int
eif_sig_parse(
    const char *name, const uint8_t *buf, size_t len, struct eif_sig *ret, struct qt_err *err)
{
	struct eif_sig sig = { 0 };
	struct cbor_reader r;
	struct cbor_tok t;
	uint64_t i;
	int rv = -1;

	if (len > QT_SIGNATURE_MAX) {
		qt_err_set(err, EINVAL, "%s: " SIGSEC ": %zu bytes exceeds the limit of %u", name,
		    len, QT_SIGNATURE_MAX);
		goto out;
	}
	if (len == 0) {
		qt_err_set(err, EINVAL, "%s: " SIGSEC ": empty", name);
		goto out;
	}
	cbor_reader_init(&r, name, SIGSEC, buf, len);
	if (cbor_expect(&r, CBOR_TOK_ARRAY, "top-level item", &t, err) < 0)
		goto out;
	if (t.val == 0) {
		qt_err_set(err, EINVAL, "%s: " SIGSEC ": no signatures in the list", name);
		goto out;
	}
	if (t.val > cbor_left(&r)) {
		qt_err_set(err, EINVAL,
		    "%s: " SIGSEC ": %llu signatures announced, only %zu bytes left", name,
		    (unsigned long long)t.val, cbor_left(&r));
		goto out;
	}
	/* Readers use element [0] (the PCR0 signature); the rest must still parse. */
	for (i = 0; i < t.val; i++)
		if (parse_pcr_signature(&r, &sig, i == 0, err) < 0)
			goto out;
	if (cbor_left(&r) != 0) {
		qt_err_set(err, EINVAL, "%s: " SIGSEC ": %zu trailing bytes at offset %zu", name,
		    cbor_left(&r), r.in.off);
		goto out;
	}
	*ret = sig;
	memset(&sig, 0, sizeof(sig));
	rv = 0;
out:
	eif_sig_free(&sig);
	return rv;
}

void
eif_sig_free(struct eif_sig *sig)
{
	if (sig == NULL)
		return;
	free(sig->cert_pem);
	free(sig->cose);
	memset(sig, 0, sizeof(*sig));
}

/* --- encoding ---------------------------------------------------------------------- */

int
eif_sig_encode(const uint8_t *pem, size_t pem_len, const uint8_t *cose, size_t cose_len,
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

int
eif_sig_pcr_info(const uint8_t pcr0[PCR_LEN], struct wbuf *out, struct qt_err *err)
{
	/* struct PcrInfo { register_index: i32, register_value: Vec<u8> } */
	if (cbor_enc_head(out, CBOR_MAJOR_MAP, 2, err) < 0 ||
	    cbor_enc_text(out, "register_index", err) < 0 ||
	    cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err) < 0 ||
	    cbor_enc_text(out, "register_value", err) < 0 ||
	    cbor_enc_u8_array(out, pcr0, PCR_LEN, err) < 0)
		return -1;
	return 0;
}

/* --- PCR8 -------------------------------------------------------------------------- */

int
eif_sig_cert_pcr8(
    const char *name, const uint8_t *pem, size_t pem_len, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rv = -1;

	if (x509_pem_first_der(name, pem, pem_len, &der, &der_len, err) < 0 ||
	    pcr_of_bytes(der, der_len, ret, err) < 0)
		goto out;
	rv = 0;
out:
	free(der);
	return rv;
}

int
eif_sig_pcr8(const char *name, const struct eif_sig *sig, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	if (eif_sig_cert_pcr8("signing certificate", sig->cert_pem, sig->cert_pem_len, ret, err) <
	    0)
		return qt_err_prefix(err, "%s", name);
	return 0;
}

int
eif_sig_image_pcr8(
    const char *name, const struct eif_info *info, struct pcr_set *p, struct qt_err *err)
{
	struct eif_sig sig = { 0 };
	int rv = -1;

	p->has_pcr8 = false;
	memset(p->pcr8, 0, sizeof(p->pcr8));
	if (info->signature == NULL)
		return 0;
	if (eif_sig_parse(name, info->signature, info->signature_len, &sig, err) < 0 ||
	    eif_sig_pcr8(name, &sig, p->pcr8, err) < 0)
		goto out;
	p->has_pcr8 = true;
	rv = 0;
out:
	eif_sig_free(&sig);
	return rv;
}

/* --- the check against PCR0 ---------------------------------------------------------- */

int
eif_sig_check_pcr0(const char *name, const struct eif_sig *sig, const uint8_t pcr0[PCR_LEN],
    struct qt_err *why, struct qt_err *err)
{
	struct wbuf want = { 0 };
	struct qt_err verr = { 0 };
	const uint8_t *payload = NULL;
	size_t payload_len = 0;
	int v, rv = -1;

	v = cose_sign1_verify_pem(name, sig->cose, sig->cose_len, sig->cert_pem, sig->cert_pem_len,
	    &payload, &payload_len, &verr);
	if (v != 0) {
		/* 1: the answer is no (why); -1: the check could not be made (err) */
		qt_err_move(v == 1 ? why : err, &verr);
		rv = v == 1 ? 1 : -1;
		goto out;
	}
	/* the signed payload must be PcrInfo{0, computed PCR0} (spec/eif.md 5.4) */
	if (eif_sig_pcr_info(pcr0, &want, err) < 0)
		goto out;
	if (payload_len != want.len || CRYPTO_memcmp(payload, want.p, want.len) != 0) {
		qt_err_set(why, EINVAL,
		    "%s: " SIGSEC ": the signature is valid but does not sign this image's PCR0",
		    name);
		rv = 1;
		goto out;
	}
	rv = 0;
out:
	wbuf_free(&want);
	return rv;
}

int
eif_sig_image_check(const char *name, const struct eif_info *info, const uint8_t pcr0[PCR_LEN],
    struct qt_err *why, struct qt_err *err)
{
	struct eif_sig sig = { 0 };
	int rv = -1;

	if (info->signature == NULL)
		return qt_err_set(err, EINVAL, "%s: the image is not signed", name);
	if (eif_sig_parse(name, info->signature, info->signature_len, &sig, err) < 0)
		goto out;
	rv = eif_sig_check_pcr0(name, &sig, pcr0, why, err);
out:
	eif_sig_free(&sig);
	return rv;
}
