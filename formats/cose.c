/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cose.c: COSE_Sign1 (RFC 9052) with ECDSA (RFC 9053 2.1). Untrusted CBOR
 * is read with qtcbor's reader, one data item head at a time, so that every
 * byte string is a pointer into the caller's buffer: the Sig_structure is
 * rebuilt from the protected header bytes exactly as received, never
 * re-encoded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cose.h"
#include "qtcbor.h"
#include "x509.h"

/* --- COSE_Sign1 ------------------------------------------------------------------ */

#define SIGN1 "COSE_Sign1"

int
cose_protected_parse(const char *name, const uint8_t *p, size_t len, long long *ret_alg,
    size_t *ret_labels, struct qt_err *err)
{
	struct cbor_reader r;
	struct cbor_tok t, v;
	bool have_alg = false;
	long long alg = 0;
	uint64_t i, n;

	if (len == 0)
		return qt_err_set(
		    err, EINVAL, "%s: " SIGN1 ": protected header is empty (no algorithm)", name);
	cbor_reader_init(&r, name, SIGN1 " protected header", p, len);
	if (cbor_next(&r, &t, err) < 0)
		return -1;
	if (t.kind != CBOR_TOK_MAP)
		return qt_err_set(err, EINVAL, "%s: " SIGN1 ": protected header is %s, not a map",
		    name, cbor_tok_name(t.kind));
	n = t.val;
	if (n > cbor_left(&r))
		return qt_err_set(err, EINVAL, "%s: " SIGN1 ": protected header truncated", name);
	for (i = 0; i < n; i++) {
		if (cbor_next(&r, &t, err) < 0)
			return -1;
		if (t.kind == CBOR_TOK_UINT && t.val == 1) {
			if (have_alg)
				return qt_err_set(err, EINVAL,
				    "%s: " SIGN1 ": protected header repeats alg", name);
			if (cbor_next(&r, &v, err) < 0)
				return -1;
			if (v.kind == CBOR_TOK_NEGINT && v.val < 1000)
				alg = -1 - (long long)v.val;
			else if (v.kind == CBOR_TOK_UINT && v.val < 1000)
				alg = (long long)v.val;
			else
				return qt_err_set(err, EINVAL,
				    "%s: " SIGN1 ": unsupported algorithm (alg is %s)", name,
				    v.kind == CBOR_TOK_NEGINT || v.kind == CBOR_TOK_UINT
				        ? "out of range"
				        : cbor_tok_name(v.kind));
			have_alg = true;
			continue;
		}
		if (t.kind == CBOR_TOK_UINT && t.val == 2)
			return qt_err_set(err, EINVAL,
			    "%s: " SIGN1 ": critical header parameters are not supported", name);
		if (t.kind != CBOR_TOK_UINT && t.kind != CBOR_TOK_NEGINT && t.kind != CBOR_TOK_TEXT)
			return qt_err_set(err, EINVAL,
			    "%s: " SIGN1 ": protected header label is %s", name,
			    cbor_tok_name(t.kind));
		if (cbor_skip(&r, 1, err) < 0)
			return -1;
	}
	if (cbor_left(&r) != 0)
		return qt_err_set(err, EINVAL,
		    "%s: " SIGN1 ": %zu trailing bytes in protected header", name, cbor_left(&r));
	if (!have_alg)
		return qt_err_set(err, EINVAL,
		    "%s: " SIGN1 ": protected header has no algorithm (label 1)", name);
	*ret_alg = alg;
	if (ret_labels != NULL)
		*ret_labels = (size_t)n;
	return 0;
}

int
cose_sign1_parse(
    const char *name, const uint8_t *cose, size_t len, struct cose_sign1 *ret, struct qt_err *err)
{
	struct cose_sign1 m = { 0 };
	struct cbor_reader r;
	struct cbor_tok t;

	cbor_reader_init(&r, name, SIGN1, cose, len);

	if (cbor_next(&r, &t, err) < 0)
		return -1;
	if (t.kind == CBOR_TOK_TAG) {
		if (t.val == 98)
			return qt_err_set(err, EINVAL,
			    "%s: " SIGN1 ": tag 98 is COSE_Sign (multiple signers), not COSE_Sign1",
			    name);
		if (t.val != 18)
			return qt_err_set(err, EINVAL,
			    "%s: " SIGN1 ": unexpected tag %llu (expected none or 18)", name,
			    (unsigned long long)t.val);
		m.tagged = true;
		if (cbor_next(&r, &t, err) < 0)
			return -1;
	}
	if (t.kind != CBOR_TOK_ARRAY || t.val != 4)
		return qt_err_set(err, EINVAL,
		    "%s: " SIGN1 ": not a COSE_Sign1 (expected an array of 4 at offset %zu)", name,
		    t.off);
	if (cbor_expect(&r, CBOR_TOK_BYTES, "protected header", &t, err) < 0)
		return -1;
	m.prot = t.data;
	m.prot_len = t.len;
	if (cose_protected_parse(name, m.prot, m.prot_len, &m.alg, NULL, err) < 0)
		return -1;
	if (cbor_expect(&r, CBOR_TOK_MAP, "unprotected header", &t, err) < 0)
		return -1;
	if (t.val > cbor_left(&r) || cbor_skip(&r, 2 * t.val, err) < 0)
		return qt_err_set(err, EINVAL, "%s: " SIGN1 ": unprotected header truncated", name);
	if (cbor_next(&r, &t, err) < 0)
		return -1;
	if (t.kind != CBOR_TOK_BYTES)
		return qt_err_set(err, EINVAL, "%s: " SIGN1 ": payload at offset %zu is %s%s", name,
		    t.off, cbor_tok_name(t.kind),
		    t.kind == CBOR_TOK_SIMPLE ? " (detached payloads are not supported)" : "");
	m.payload = t.data;
	m.payload_len = t.len;
	if (cbor_expect(&r, CBOR_TOK_BYTES, "signature", &t, err) < 0)
		return -1;
	m.sig = t.data;
	m.sig_len = t.len;
	if (cbor_left(&r) != 0)
		return qt_err_set(err, EINVAL, "%s: " SIGN1 ": %zu trailing bytes at offset %zu",
		    name, cbor_left(&r), r.in.off);
	*ret = m;
	return 0;
}

int
cose_alg_info(long long alg, const EVP_MD **ret_md, const char **ret_curve, size_t *ret_n)
{
	switch (alg) {
	case COSE_ALG_ES256:
		*ret_md = EVP_sha256();
		*ret_curve = "P-256";
		*ret_n = 32;
		return 0;
	case COSE_ALG_ES384:
		*ret_md = EVP_sha384();
		*ret_curve = "P-384";
		*ret_n = 48;
		return 0;
	case COSE_ALG_ES512:
		*ret_md = EVP_sha512();
		*ret_curve = "P-521";
		*ret_n = 66;
		return 0;
	default:
		return -1;
	}
}

const char *
cose_alg_name(long long alg)
{
	switch (alg) {
	case COSE_ALG_ES256:
		return "ES256";
	case COSE_ALG_ES384:
		return "ES384";
	case COSE_ALG_ES512:
		return "ES512";
	case -8:
		return "EdDSA";
	case -37:
		return "PS256";
	default:
		return "unknown";
	}
}

int
cose_alg_for_key(const char *name, EVP_PKEY *pkey, long long *ret_alg, struct qt_err *err)
{
	char group[64];
	size_t glen = 0;
	int id = EVP_PKEY_get_base_id(pkey);

	if (id != EVP_PKEY_EC)
		return qt_err_set(err, EINVAL,
		    "%s: unsupported key type %s (only EC P-256, P-384 and P-521 keys)", name,
		    id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS ? "RSA"
		    : OBJ_nid2sn(id) != NULL                     ? OBJ_nid2sn(id)
		                                                 : "unknown");
	if (EVP_PKEY_get_utf8_string_param(
	        pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) != 1) {
		ERR_clear_error();
		return qt_err_set(err, EINVAL, "%s: EC key without a named curve", name);
	}
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
		*ret_alg = COSE_ALG_ES256;
	else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
		*ret_alg = COSE_ALG_ES384;
	else if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
		*ret_alg = COSE_ALG_ES512;
	else
		return qt_err_set(err, EINVAL,
		    "%s: unsupported curve %s (only P-256, P-384 and P-521)", name, group);
	return 0;
}

int
cose_sig_structure(const uint8_t *prot, size_t prot_len, const uint8_t *aad, size_t aad_len,
    const uint8_t *payload, size_t payload_len, struct wbuf *out, struct qt_err *err)
{
	if (cbor_enc_head(out, CBOR_MAJOR_ARRAY, 4, err) < 0 ||
	    cbor_enc_text(out, "Signature1", err) < 0 ||
	    cbor_enc_bstr(out, prot, prot_len, err) < 0 ||
	    cbor_enc_bstr(out, aad, aad_len, err) < 0 ||
	    cbor_enc_bstr(out, payload, payload_len, err) < 0)
		return -1;
	return 0;
}

int
cose_protected(long long alg, struct wbuf *out, struct qt_err *err)
{
	if (alg >= 0 || alg < -1000)
		return qt_err_set(err, EINVAL, "unsupported COSE algorithm %lld", alg);
	if (cbor_enc_head(out, CBOR_MAJOR_MAP, 1, err) < 0 ||
	    cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err) < 0 ||
	    cbor_enc_head(out, CBOR_MAJOR_NEGINT, (uint64_t)(-1 - alg), err) < 0)
		return -1;
	return 0;
}

int
cose_sign1_encode_prot(bool tagged, const uint8_t *prot, size_t prot_len, const uint8_t *payload,
    size_t payload_len, const uint8_t *rs, size_t rs_len, struct wbuf *out, struct qt_err *err)
{
	if ((tagged && cbor_enc_head(out, CBOR_MAJOR_TAG, 18, err) < 0) ||
	    cbor_enc_head(out, CBOR_MAJOR_ARRAY, 4, err) < 0 ||
	    cbor_enc_bstr(out, prot, prot_len, err) < 0 ||
	    cbor_enc_head(out, CBOR_MAJOR_MAP, 0, err) < 0 ||
	    cbor_enc_bstr(out, payload, payload_len, err) < 0 ||
	    cbor_enc_bstr(out, rs, rs_len, err) < 0)
		return -1;
	return 0;
}

int
cose_sign1_encode(long long alg, const uint8_t *payload, size_t payload_len, const uint8_t *rs,
    size_t rs_len, struct wbuf *out, struct qt_err *err)
{
	struct wbuf prot = { 0 };
	int rv = -1;

	if (cose_protected(alg, &prot, err) < 0 ||
	    cose_sign1_encode_prot(
	        false, prot.p, prot.len, payload, payload_len, rs, rs_len, out, err) < 0)
		goto out;
	rv = 0;
out:
	wbuf_free(&prot);
	return rv;
}

int
cose_ecdsa_sign(const char *name, EVP_PKEY *key, long long alg, const uint8_t *tbs, size_t tbs_len,
    uint8_t *ret_rs, struct qt_err *err)
{
	EVP_MD_CTX *ctx = NULL;
	const EVP_MD *md;
	const char *curve;
	uint8_t *der = NULL;
	size_t n, der_len = 0;
	int rv = -1;

	if (cose_alg_info(alg, &md, &curve, &n) < 0) {
		qt_err_set(err, EINVAL, "%s: unsupported COSE algorithm %lld", name, alg);
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &der_len, tbs, tbs_len) != 1) {
		qt_err_ssl(err, "%s: cannot sign", name);
		goto out;
	}
	if ((der = malloc(der_len)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (EVP_DigestSign(ctx, der, &der_len, tbs, tbs_len) != 1) {
		qt_err_ssl(err, "%s: signing failed", name);
		goto out;
	}
	if (cose_der_to_rs(der, der_len, n, ret_rs, err) < 0)
		goto out;
	rv = 0;
out:
	free(der);
	EVP_MD_CTX_free(ctx);
	return rv;
}

/* r||s (each half big-endian, or little-endian with le) as a DER ECDSA-Sig-Value. */
static int
rs_to_der(const uint8_t *rs, size_t rs_len, bool le, uint8_t **ret_der, size_t *ret_len,
    struct qt_err *err)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int h, n, rv = -1;

	if (rs_len == 0 || rs_len % 2 != 0 || rs_len > 2 * 66) {
		qt_err_set(err, EINVAL, "signature of %zu bytes is not r||s", rs_len);
		goto out;
	}
	h = (int)(rs_len / 2);
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = le ? BN_lebin2bn(rs, h, NULL) : BN_bin2bn(rs, h, NULL)) == NULL ||
	    (s = le ? BN_lebin2bn(rs + h, h, NULL) : BN_bin2bn(rs + h, h, NULL)) == NULL) {
		qt_err_ssl(err, "cannot convert r||s");
		goto out;
	}
	if (ECDSA_SIG_set0(sig, r, s) != 1) {
		qt_err_ssl(err, "cannot convert r||s");
		goto out;
	}
	r = s = NULL; /* owned by sig now */
	if ((n = i2d_ECDSA_SIG(sig, &der)) <= 0) {
		qt_err_ssl(err, "cannot encode the signature as DER");
		goto out;
	}
	*ret_der = der;
	*ret_len = (size_t)n;
	der = NULL;
	rv = 0;
out:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return rv;
}

int
cose_rs_to_der(
    const uint8_t *rs, size_t rs_len, uint8_t **ret_der, size_t *ret_len, struct qt_err *err)
{
	return rs_to_der(rs, rs_len, false, ret_der, ret_len, err);
}

int
cose_der_to_rs(const uint8_t *der, size_t der_len, size_t n, uint8_t *ret_rs, struct qt_err *err)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int rv = -1;

	if (der_len > 256 || n == 0 || n > 66) {
		qt_err_set(err, EINVAL, "DER signature of %zu bytes is malformed", der_len);
		goto out;
	}
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL) {
		qt_err_ssl(err, "DER signature is malformed");
		goto out;
	}
	if ((size_t)(p - der) != der_len) {
		qt_err_set(err, EINVAL, "DER signature has %zu trailing bytes",
		    der_len - (size_t)(p - der));
		goto out;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_is_negative(r) || BN_is_negative(s) || BN_num_bytes(r) > (int)n ||
	    BN_num_bytes(s) > (int)n) {
		qt_err_set(err, EINVAL, "DER signature values do not fit %zu bytes", n);
		goto out;
	}
	if (BN_bn2binpad(r, ret_rs, (int)n) != (int)n ||
	    BN_bn2binpad(s, ret_rs + n, (int)n) != (int)n) {
		qt_err_ssl(err, "cannot convert the DER signature to r||s");
		goto out;
	}
	rv = 0;
out:
	ECDSA_SIG_free(sig);
	return rv;
}

/* One signature form: 0 valid, 1 invalid, -1 error. */
static int
verify_form(const char *name, EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *tbs, size_t tbs_len,
    const uint8_t *rs, size_t rs_len, bool le, struct qt_err *err)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int v, rv = -1;

	if (rs_to_der(rs, rs_len, le, &der, &der_len, err) < 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1) {
		qt_err_ssl(err, "%s: " SIGN1 ": cannot set up verification", name);
		goto out;
	}
	v = EVP_DigestVerify(ctx, der, der_len, tbs, tbs_len);
	ERR_clear_error();
	rv = v == 1 ? 0 : 1;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return rv;
}

int
cose_ecdsa_verify(const char *name, EVP_PKEY *pkey, long long alg, const uint8_t *tbs,
    size_t tbs_len, const uint8_t *rs, size_t rs_len, unsigned forms, enum cose_sigform *ret_form,
    struct qt_err *err)
{
	const EVP_MD *md;
	const char *curve;
	size_t n;
	int v;

	if (cose_alg_info(alg, &md, &curve, &n) < 0)
		return qt_err_set(
		    err, EINVAL, "%s: " SIGN1 ": unsupported algorithm %lld", name, alg);
	if (rs_len != 2 * n) {
		qt_err_set(err, EINVAL, "%s: " SIGN1 ": signature is %zu bytes, %s needs %zu", name,
		    rs_len, cose_alg_name(alg), 2 * n);
		return 1;
	}
	/* big-endian first: RFC 9053 2.1; the little-endian halves only where asked for */
	if (forms & COSE_SIGFORM_BE) {
		v = verify_form(name, pkey, md, tbs, tbs_len, rs, rs_len, false, err);
		if (v <= 0) {
			if (v == 0)
				*ret_form = COSE_SIGFORM_BE;
			return v;
		}
	}
	if (forms & COSE_SIGFORM_LE_HALVES) {
		v = verify_form(name, pkey, md, tbs, tbs_len, rs, rs_len, true, err);
		if (v <= 0) {
			if (v == 0)
				*ret_form = COSE_SIGFORM_LE_HALVES;
			return v;
		}
	}
	qt_err_set(err, EINVAL, "%s: " SIGN1 ": signature does not verify", name);
	return 1;
}

int
cose_sign1_verify_pkey(const char *name, const uint8_t *cose, size_t cose_len, EVP_PKEY *pkey,
    const uint8_t *aad, size_t aad_len, const uint8_t **ret_payload, size_t *ret_len,
    struct qt_err *err)
{
	struct cose_sign1 m;
	struct wbuf tbs = { 0 };
	const EVP_MD *md;
	const char *curve;
	enum cose_sigform form;
	size_t n;
	long long key_alg;
	struct qt_err kerr = { 0 };
	int rv = -1;

	if (cose_sign1_parse(name, cose, cose_len, &m, err) < 0)
		goto out;
	if (cose_alg_info(m.alg, &md, &curve, &n) < 0) {
		qt_err_set(err, EINVAL, "%s: " SIGN1 ": unsupported algorithm %lld", name, m.alg);
		goto out;
	}
	if (cose_alg_for_key("key", pkey, &key_alg, &kerr) < 0) {
		qt_err_set(err, EINVAL, "%s: " SIGN1 ": algorithm %s does not match the %s", name,
		    cose_alg_name(m.alg), kerr.msg);
		rv = 1;
		goto out;
	}
	if (key_alg != m.alg) {
		qt_err_set(err, EINVAL,
		    "%s: " SIGN1 ": algorithm %s needs a %s key, but the key is %s", name,
		    cose_alg_name(m.alg), curve,
		    key_alg == COSE_ALG_ES256   ? "P-256"
		    : key_alg == COSE_ALG_ES384 ? "P-384"
		                                : "P-521");
		rv = 1;
		goto out;
	}
	if (cose_sig_structure(
	        m.prot, m.prot_len, aad, aad_len, m.payload, m.payload_len, &tbs, err) < 0)
		goto out;
	rv = cose_ecdsa_verify(
	    name, pkey, m.alg, tbs.p, tbs.len, m.sig, m.sig_len, COSE_SIGFORM_BE, &form, err);
	if (rv != 0)
		goto out;
	*ret_payload = m.payload;
	*ret_len = m.payload_len;
out:
	wbuf_free(&tbs);
	return rv;
}

int
cose_sign1_verify_pem(const char *name, const uint8_t *cose, size_t cose_len, const uint8_t *pem,
    size_t pem_len, const uint8_t **ret_payload, size_t *ret_len, struct qt_err *err)
{
	X509 *cert = NULL;
	EVP_PKEY *pkey;
	int rv = -1;

	if (x509_pem_first(name, pem, pem_len, &cert, err) < 0)
		goto out;
	if ((pkey = X509_get0_pubkey(cert)) == NULL) {
		qt_err_ssl(err, "%s: certificate public key cannot be decoded", name);
		goto out;
	}
	rv = cose_sign1_verify_pkey(name, cose, cose_len, pkey, NULL, 0, ret_payload, ret_len, err);
out:
	X509_free(cert);
	return rv;
}
