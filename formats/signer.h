/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signer.h: everything qt-sign and qt-build --sign-key need between "key
 * and certificate named on the command line" and "bytes of an EIF signature
 * section" (spec/eif.md 5): key and certificate loading and their checks
 * (key matches certificate, supported curve, validity period), signing
 * PCR0, the detached (two-phase) flow and checking a signature section.
 * The section's bytes, PCR8 and the PCR0 check are eif_sig.h's.
 * Every check happens before a caller writes anything.
 */
#ifndef QT_SIGNER_H
#define QT_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "bytes.h"
#include "qt.h"

struct signer_opts {
	const char *key;  /* PEM file (PKCS#8 or SEC1) or pkcs11: URI; NULL = certificate only */
	const char *cert; /* PEM file, stored verbatim in the image */
	const char *pass; /* pass:TEXT, env:VAR, file:PATH, fd:N (OpenSSL forms) or NULL */
	const char *pkcs11_module; /* PKCS#11 module for pkcs11: keys, or NULL */
	bool allow_expired;        /* skip the validity-period check */
	int64_t now; /* the time the certificate must be valid at (seconds since the epoch) */
};

struct signer;

/*
 * Load the certificate (and the key, unless o->key is NULL) and check
 * them: supported curve (P-256/384/521), key matches certificate, certificate
 * valid at o->now. Errors name the file ("cert.pem: ...").
 */
int signer_new(const struct signer_opts *o, struct signer **ret, struct qt_err *err);
void signer_free(struct signer *s);

/* COSE algorithm, r/s width and certificate PEM bytes of s. */
long long signer_alg(const struct signer *s);
/* PCR8 of the certificate: extend(0, SHA384(DER of the first certificate)); eif_sig_cert_pcr8. */
int signer_pcr8(const struct signer *s, uint8_t ret[48], struct qt_err *err);

/*
 * Sign arbitrary bytes (a DSSE PAE, a COSE Sig_structure) with the key's
 * COSE algorithm digest; r||s of 2 * n bytes (n = 32/48/66) into ret_rs,
 * checked against the certificate before it is returned (a token holding
 * another key is caught here). *ret_n gets n.
 */
int signer_sign_bytes(const struct signer *s, const uint8_t *tbs, size_t tbs_len, uint8_t *ret_rs,
    size_t *ret_n, struct qt_err *err);
/* The signing certificate (borrowed). */
X509 *signer_cert(const struct signer *s);

/* The Sig_structure for pcr0 (what --digest prints and the key signs). */
int signer_tbs(
    const struct signer *s, const uint8_t pcr0[48], struct wbuf *ret_tbs, struct qt_err *err);

/*
 * Sign pcr0 and build the whole signature section; the new signature is
 * verified with the certificate before it is returned.
 */
int signer_section(
    const struct signer *s, const uint8_t pcr0[48], struct wbuf *ret_section, struct qt_err *err);

/*
 * Detached signing: build the signature section from a signature made
 * elsewhere over signer_tbs() (raw r||s of the curve's size, or DER,
 * detected). Returns 0, 1 if the signature does not verify with the
 * certificate (err says why), -1 if it is malformed.
 */
int signer_attach(const struct signer *s, const char *sig_name, const uint8_t *sig, size_t sig_len,
    const uint8_t pcr0[48], struct wbuf *ret_section, struct qt_err *err);

/*
 * Check an image's signature section against its computed PCR0: the COSE
 * signature verifies with the embedded certificate and the payload is
 * PcrInfo of pcr0 (eif_sig_check_pcr0, its messages), the certificate is
 * valid at `at` (unless allow_expired), and,
 * if given, equals the certificate in cert_pem or chains to a CA in ca_pem,
 * and, if pcr8_pin is set, its PCR8 equals *pcr8_pin (a manifest's; pin_name
 * names it in the message).
 * Returns 0 good, 1 bad (err says why), -1 cannot tell. ret_pcr8 is filled
 * whenever the certificate could be read (also on 1).
 */
struct signer_verify_opts {
	const char *cert_path; /* expected signing certificate, or NULL */
	const char *ca_path;   /* trusted CA certificates (PEM), or NULL */
	int64_t at;            /* validity time (seconds since the epoch) */
	bool allow_expired;
	const uint8_t *pcr8_pin; /* expected PCR8 (48 bytes), or NULL */
	const char *pin_name;    /* where pcr8_pin comes from, for messages */
};
int signer_verify(const char *name, const uint8_t *section, size_t len, const uint8_t pcr0[48],
    const struct signer_verify_opts *o, uint8_t ret_pcr8[48], bool *ret_have_pcr8,
    struct qt_err *err);

/* Resolve an OpenSSL-style passphrase argument; *ret is malloc'd (wipe + free). */
int signer_pass(const char *spec, char **ret, struct qt_err *err);

/* Check cert is valid at t: 0 yes, 1 no (err says "expired on ..."), -1 error. */
int signer_cert_valid_at(const char *name, X509 *cert, int64_t t, struct qt_err *err);

#endif
