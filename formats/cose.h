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

/* The first certificate in PEM text, as an X509 (caller frees) or as DER (malloc'd). */
int cose_pem_first_cert(
    const char *name, const uint8_t *pem, size_t len, X509 **ret, struct qt_err *err);
int cose_pem_first_cert_der(const char *name, const uint8_t *pem, size_t len, uint8_t **ret_der,
    size_t *ret_len, struct qt_err *err);

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
