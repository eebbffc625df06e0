/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11.h: private keys that live in a PKCS#11 token (HSM, smart card,
 * SoftHSM), named by an RFC 7512 "pkcs11:" URI. The key never leaves the
 * token: OpenSSL signs through Debian's PKCS#11 engine (libp11). This is
 * the only place that uses the OpenSSL ENGINE API (see pkcs11.c).
 */
#ifndef QT_PKCS11_H
#define QT_PKCS11_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "qt.h"

struct pkcs11_key;

/* True if text is a PKCS#11 URI ("pkcs11:" prefix, case-insensitive). */
bool pkcs11_is_uri(const char *text);

/*
 * Open the private key uri. module is the PKCS#11 module (.so) to load; NULL
 * uses the URI's module-path attribute, then $QT_PKCS11_MODULE, then the
 * engine's default (p11-kit's proxy). pin may be NULL (the URI may carry
 * pin-value). Errors name the URI without its pin-value.
 */
int pkcs11_key_open(const char *uri, const char *module, const char *pin, struct pkcs11_key **ret,
    struct qt_err *err);
/* The key as an EVP_PKEY usable with EVP_DigestSign (owned by k). */
EVP_PKEY *pkcs11_key_pkey(const struct pkcs11_key *k);
/* The URI without its pin-value (for messages). */
const char *pkcs11_key_name(const struct pkcs11_key *k);
void pkcs11_key_free(struct pkcs11_key *k);

#endif
