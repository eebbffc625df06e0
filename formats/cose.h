/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cose.h: the signing certificate (PEM -> DER, the PCR8 input), and
 * COSE_Sign1 (RFC 9052) parsing and ECDSA verification through OpenSSL 3
 * EVP. Every input here is untrusted; nothing prints or exits. The EIF
 * signature section that carries them is eif_sig.h.
 */
#ifndef QT_COSE_H
#define QT_COSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "bytes.h"
#include "qt.h"

/* COSE algorithm identifiers we support (RFC 9053 2.1). */
enum cose_alg {
	COSE_ALG_ES256 = -7,  /* P-256, SHA-256, r||s of 2x32 bytes */
	COSE_ALG_ES384 = -35, /* P-384, SHA-384, 2x48 */
	COSE_ALG_ES512 = -36, /* P-521, SHA-512, 2x66 */
};

/* Certificates (PEM/DER loading, chains) live in x509.h. */

/* A parsed COSE_Sign1; every pointer points into the message bytes. */
struct cose_sign1 {
	bool tagged;         /* tag 18 was present */
	const uint8_t *prot; /* protected header bstr contents, as received */
	size_t prot_len;
	long long alg; /* protected header label 1 */
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *sig;
	size_t sig_len;
};

/*
 * Parse a COSE_Sign1 (untagged or tag 18 in any head width); the protected
 * header must be a map holding an integer alg (label 1) and no crit
 * (label 2); the whole input must be that one item. -1 with err on failure.
 */
int cose_sign1_parse(
    const char *name, const uint8_t *cose, size_t len, struct cose_sign1 *ret, struct qt_err *err);

/*
 * A protected header (bstr contents): a definite map holding an integer alg
 * under label 1 (|alg| < 1000) and no crit (label 2), nothing after it.
 * *ret_labels (if not NULL) gets the number of entries. -1 with err
 * ("<name>: COSE_Sign1: ...") otherwise.
 */
int cose_protected_parse(const char *name, const uint8_t *p, size_t len, long long *ret_alg,
    size_t *ret_labels, struct qt_err *err);

/* "ES384", "ES256", ... or "unknown". */
const char *cose_alg_name(long long alg);

/* Digest, curve name and r/s width of a COSE algorithm; -1 if unsupported. */
int cose_alg_info(long long alg, const EVP_MD **ret_md, const char **ret_curve, size_t *ret_n);
/* The COSE algorithm for an EC key's curve (P-256/384/521); -1 with err otherwise. */
int cose_alg_for_key(const char *name, EVP_PKEY *pkey, long long *ret_alg, struct qt_err *err);

/* Sig_structure ["Signature1", protected, external_aad, payload] (RFC 9052 4.4). */
int cose_sig_structure(const uint8_t *prot, size_t prot_len, const uint8_t *aad, size_t aad_len,
    const uint8_t *payload, size_t payload_len, struct wbuf *out, struct qt_err *err);

/* The protected header bytes {1: alg} (a1 01 26 / a1 01 38 22 / a1 01 38 23). */
int cose_protected(long long alg, struct wbuf *out, struct qt_err *err);
/*
 * An untagged COSE_Sign1 as nitro-cli writes it: [bstr({1: alg}), {},
 * bstr(payload), bstr(r||s)].
 */
int cose_sign1_encode(long long alg, const uint8_t *payload, size_t payload_len, const uint8_t *rs,
    size_t rs_len, struct wbuf *out, struct qt_err *err);
/*
 * A COSE_Sign1 with the given protected header bytes (prot, a serialized
 * map), an empty unprotected map, payload and r||s: tag 18 first when
 * tagged (as CoRIM requires).
 */
int cose_sign1_encode_prot(bool tagged, const uint8_t *prot, size_t prot_len,
    const uint8_t *payload, size_t payload_len, const uint8_t *rs, size_t rs_len, struct wbuf *out,
    struct qt_err *err);
/*
 * Sign tbs (a Sig_structure) with key using alg's digest; writes r||s,
 * each left-padded to the curve size n, into ret_rs (2n bytes).
 */
int cose_ecdsa_sign(const char *name, EVP_PKEY *key, long long alg, const uint8_t *tbs,
    size_t tbs_len, uint8_t *ret_rs, struct qt_err *err);

/* Raw r||s (n bytes each) <-> DER ECDSA-Sig-Value. */
int cose_rs_to_der(
    const uint8_t *rs, size_t rs_len, uint8_t **ret_der, size_t *ret_len, struct qt_err *err);
int cose_der_to_rs(
    const uint8_t *der, size_t der_len, size_t n, uint8_t *ret_rs, struct qt_err *err);

/*
 * The two ways a 2n-byte r||s signature is read. RFC 9053 says big-endian;
 * QingTian hardware writes each n-byte half little-endian.
 */
enum cose_sigform {
	COSE_SIGFORM_NONE = 0,
	COSE_SIGFORM_BE = 1,        /* r || s, each half big-endian (RFC 9053 2.1) */
	COSE_SIGFORM_LE_HALVES = 2, /* each half little-endian (QingTian) */
};

/*
 * Verify the r||s signature rs over tbs (a Sig_structure) with pkey and alg's
 * digest, reading it in each form set in the mask forms (COSE_SIGFORM_BE
 * first). Returns 0 valid with *ret_form the form that verified, 1 invalid
 * (wrong length for alg, or no form verifies; err says why), -1 cannot check.
 */
int cose_ecdsa_verify(const char *name, EVP_PKEY *pkey, long long alg, const uint8_t *tbs,
    size_t tbs_len, const uint8_t *rs, size_t rs_len, unsigned forms, enum cose_sigform *ret_form,
    struct qt_err *err);

/*
 * Verify a COSE_Sign1 with pkey and external_aad (may be empty). The alg in
 * the protected header must match the key's curve. Returns 0 valid, 1
 * invalid (bad signature, alg/key mismatch; err says why), -1 malformed or
 * cannot check. On 0, *ret_payload points into cose.
 */
int cose_sign1_verify_pkey(const char *name, const uint8_t *cose, size_t cose_len, EVP_PKEY *pkey,
    const uint8_t *aad, size_t aad_len, const uint8_t **ret_payload, size_t *ret_len,
    struct qt_err *err);

/*
 * Verify a COSE_Sign1 (untagged or tag 18; ES256/384/512 by the protected
 * header, which must match the certificate key's curve) with the first
 * certificate in pem. Returns 0 valid, 1 invalid (bad signature or alg/key
 * mismatch; err says why), -1 malformed/cannot check. On 0, *ret_payload
 * points into cose. The certificate's validity period is not checked here.
 */
int cose_sign1_verify_pem(const char *name, const uint8_t *cose, size_t cose_len,
    const uint8_t *pem, size_t pem_len, const uint8_t **ret_payload, size_t *ret_len,
    struct qt_err *err);

#endif
