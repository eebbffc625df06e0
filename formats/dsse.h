/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dsse.h: the DSSE envelope (secure-systems-lab DSSE protocol v1.0):
 * the pre-authentication encoding PAE(type, body), signing it with a
 * signer (PEM or pkcs11: key) as an ASN.1 DER ECDSA signature over the
 * curve's digest (SHA-256 for P-256, SHA-384 for P-384, SHA-512 for
 * P-521), the JSON envelope, and parsing and verifying an untrusted one.
 * The signature covers the payload bytes exactly: nothing here re-encodes
 * a payload. Nothing prints or exits.
 */
#ifndef QT_DSSE_H
#define QT_DSSE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "bytes.h"
#include "qt.h"
#include "signer.h"

#define DSSE_INTOTO_TYPE "application/vnd.in-toto+json"
#define DSSE_MAX         (4u << 20) /* bytes of an envelope file we read */
#define DSSE_SIGS_MAX    16u        /* signatures in one envelope */
#define DSSE_SIG_MAX     256u       /* bytes of one decoded signature */
#define DSSE_TYPE_MAX    256u       /* bytes of a payloadType */
#define DSSE_KEYID_MAX   256u       /* bytes of a keyid */

struct dsse_sig {
	char *keyid; /* NULL when absent */
	uint8_t *sig;
	size_t sig_len;
};

struct dsse_env {
	char *type;
	uint8_t *payload;
	size_t payload_len;
	size_t nsigs;
	struct dsse_sig sigs[DSSE_SIGS_MAX];
};

/* "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, appended to out. */
int dsse_pae(const char *type, size_t type_len, const uint8_t *body, size_t body_len,
    struct wbuf *out, struct qt_err *err);

/* Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo of cert (65 bytes with the NUL). */
int dsse_keyid(X509 *cert, char ret[65], struct qt_err *err);

/*
 * Sign payload (of type) with s and write the envelope: {"payloadType",
 * "payload" (standard base64), "signatures": [{"keyid", "sig"}]}, 2-space
 * indent, final newline. The signature is checked with the certificate
 * before it is returned. *ret is malloc'd.
 */
int dsse_sign(const struct signer *s, const char *type, const uint8_t *payload, size_t len,
    char **ret, size_t *ret_len, struct qt_err *err);

/*
 * Parse an untrusted envelope (name is used in messages): a JSON object
 * (duplicate keys refused) with a string payloadType, a base64 payload
 * (standard or URL-safe) and 1..DSSE_SIGS_MAX signatures, each a base64
 * sig and an optional string keyid; other keys are ignored.
 */
int dsse_parse(
    const char *name, const uint8_t *buf, size_t len, struct dsse_env **ret, struct qt_err *err);
void dsse_free(struct dsse_env *e);

/*
 * Verify one DER ECDSA signature over pae with pkey (digest by the key's
 * curve). 0 valid, 1 invalid (err says why), -1 cannot check.
 */
int dsse_verify_sig(const char *name, EVP_PKEY *pkey, const uint8_t *pae, size_t pae_len,
    const uint8_t *sig, size_t sig_len, struct qt_err *err);

/*
 * Verify the envelope with pkey: 0 if some signature verifies (its index in
 * *ret_index), 1 if none does ("<name>: no signature verifies with <keyname>"),
 * -1 cannot check.
 */
int dsse_verify(const char *name, const struct dsse_env *e, EVP_PKEY *pkey, const char *keyname,
    size_t *ret_index, struct qt_err *err);

#endif
