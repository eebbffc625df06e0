/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x509.h: every X.509 certificate load (DER, PEM, "PEM or DER" files, PEM
 * chains, a relying party's public-key file) and the one chain verifier,
 * used by qt-sign --verify --ca and by attestation documents. The rules are
 * RFC 5280 path validation as OpenSSL does it, plus what OpenSSL leaves out
 * (fail-closed): every CA has a critical BasicConstraints CA:TRUE and a
 * keyUsage with keyCertSign, the leaf is no CA and has a keyUsage with
 * digitalSignature, and a CA's pathLenConstraint counts the CAs below it that
 * are not self-issued (RFC 5280 6.1.4 (l)). Nothing prints or exits.
 */
#ifndef QT_X509_H
#define QT_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "qt.h"

/* Certificates in one path: a trust anchor, up to 7 CAs, the leaf. */
#define X509_PATH_MAX (QT_CHAIN_MAX + 1u)

/* ---- loading ---- */

/* One DER certificate covering all len bytes (no trailing bytes); caller frees. */
int x509_from_der(const char *name, const uint8_t *der, size_t len, X509 **ret, struct qt_err *err);
/* The first certificate in PEM text, as an X509 (caller frees) or as DER (malloc'd). */
int x509_pem_first(
    const char *name, const uint8_t *pem, size_t len, X509 **ret, struct qt_err *err);
int x509_pem_first_der(const char *name, const uint8_t *pem, size_t len, uint8_t **ret_der,
    size_t *ret_len, struct qt_err *err);
/*
 * The certificates after the first in PEM text (a signing certificate's
 * intermediates), at most max - 1 of them ("<name>: signing certificate
 * chain: more than <max> certificates" otherwise). *ret is a new stack.
 */
int x509_pem_rest(const char *name, const uint8_t *pem, size_t len, size_t max,
    STACK_OF(X509) * *ret, struct qt_err *err);
/* Trusted certificates from a PEM file (qt-sign --ca) as a new store. */
int x509_load_anchors(const char *path, X509_STORE **ret, struct qt_err *err);
/* A certificate file, PEM or DER, as DER (malloc'd) — e.g. a pinned root. */
int x509_load_der(const char *name, const uint8_t *buf, size_t len, uint8_t **ret_der,
    size_t *ret_len, struct qt_err *err);
/*
 * A public-key file as the bytes to compare with a document's public_key:
 * PEM (any type) as its DER body, anything else byte for byte; at most max
 * bytes. *ret is malloc'd.
 */
int x509_load_key_bytes(const char *name, const uint8_t *buf, size_t len, size_t max, uint8_t **ret,
    size_t *ret_len, struct qt_err *err);

/* RFC 2253 text of a name ("CN=qt test root,O=qt test,C=XX"), truncated to len. */
void x509_name_rfc2253(const X509_NAME *nm, char *out, size_t len);
/* An ASN1_TIME as unix seconds: 0, or -1 if unreadable. */
int x509_time_unix(const ASN1_TIME *t, int64_t *ret);
/*
 * A certificate time as OpenSSL prints it ("Jan  1 00:00:00 2120 GMT"), as
 * nitro-cli describe-eif shows it. buf is always NUL-terminated (empty on
 * failure, then -1).
 */
int x509_time_text(const ASN1_TIME *t, char *buf, size_t size);

/* ---- the chain verifier ---- */

/*
 * A path, trust anchor first: cert[0] is the root, cert[n-1] the leaf.
 * Certificates are borrowed. label[i] names position i in messages
 * ("cabundle[2]", "certificate"); the subject is appended in parentheses.
 */
struct x509_path {
	X509 *cert[X509_PATH_MAX];
	char label[X509_PATH_MAX][24];
	size_t n;
};

/* Append cert (borrowed) labelled label; -1 with err if the path is full. */
int x509_path_push(struct x509_path *p, X509 *cert, const char *label, struct qt_err *err);
/* "cabundle[2] (CN=qt test instance CA)" for position i. */
void x509_path_label(const struct x509_path *p, size_t i, char *out, size_t len);

/*
 * Each check returns 0 when it holds and 1 when it does not, with the first
 * problem written into why ("<label> (<subject>): <problem>").
 *
 * constraints: the CA rules above for cert[0..n-2], the leaf rules for
 * cert[n-1], and no invalid or duplicate extensions anywhere.
 */
int x509_path_constraints(const struct x509_path *p, char *why, size_t len);
/* links: each certificate's issuer is the subject above it and its signature verifies. */
int x509_path_links(const struct x509_path *p, char *why, size_t len);
/* times: notBefore <= t_ms < notAfter for every certificate (OpenSSL's rule). */
int x509_path_times(const struct x509_path *p, int64_t t_ms, char *why, size_t len);
/*
 * openssl: OpenSSL's own path validation at t_ms (whole seconds) from the
 * leaf through cert[1..n-2] to anchor (cert[0] itself, or a pinned copy of
 * it), which must build exactly this path. No strict mode: real Nitro
 * chains lack key identifiers. why says "OpenSSL path validation ...: ok"
 * on success.
 */
int x509_path_openssl(const struct x509_path *p, X509 *anchor, int64_t t_ms, char *why, size_t len);

#define X509_VERIFY_NO_TIME 1u /* validity periods are not checked */

/*
 * The one chain verifier for a leaf, untrusted intermediates (may be NULL)
 * and trusted anchors: OpenSSL builds and validates the path at t_ms (at most
 * QT_CHAIN_MAX certificates below the anchor), then x509_path_constraints
 * applies the rules OpenSSL leaves out to the path it built. Returns 0
 * trusted, 1 untrusted (why: OpenSSL's reason, or "<label> (<subject>):
 * <problem>"), -1 if it cannot check (err set).
 */
int x509_verify_chain(X509 *leaf, STACK_OF(X509) * untrusted, X509_STORE *anchors, int64_t t_ms,
    unsigned flags, char *why, size_t len, struct qt_err *err);

#endif
