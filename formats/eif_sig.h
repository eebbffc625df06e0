/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_sig.h: the EIF signature section (spec/eif.md 5): its serde_cbor
 * bytes both ways, PCR8 of its signing certificate, and the one check that
 * a section signs an image: its COSE_Sign1 verifies with its certificate
 * and the payload is PcrInfo{0, PCR0} of that image. Every reader of a
 * signature section (describe, manifest, qt-sign --verify) goes through
 * here, so each failure has one message. Nothing prints or exits.
 */
#ifndef QT_EIF_SIG_H
#define QT_EIF_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>

#include "bytes.h"
#include "eif.h"
#include "pcr.h"
#include "qt.h"

/* Element [0] of a signature section; both buffers malloc'd, cert_pem NUL-terminated. */
struct eif_sig {
	uint8_t *cert_pem; /* the signing-certificate file bytes, verbatim */
	size_t cert_pem_len;
	uint8_t *cose; /* untagged COSE_Sign1 over PcrInfo{0, PCR0} */
	size_t cose_len;
};

/*
 * Parse a signature section (serde_cbor shape: an array of
 * {signing_certificate, signature} maps whose values are arrays of one-byte
 * unsigned integers). Every element is checked; element [0] is returned.
 * Messages read "<name>: signature section: ...".
 */
int eif_sig_parse(
    const char *name, const uint8_t *buf, size_t len, struct eif_sig *ret, struct qt_err *err);
/* Free what eif_sig_parse returned and zero *sig; NULL is fine. */
void eif_sig_free(struct eif_sig *sig);

/*
 * The section bytes as nitro-cli writes them: Vec<PcrSignature> with one
 * element {signing_certificate: pem (file bytes verbatim), signature: cose}.
 */
int eif_sig_encode(const uint8_t *pem, size_t pem_len, const uint8_t *cose, size_t cose_len,
    struct wbuf *out, struct qt_err *err);
/* serde_cbor bytes of PcrInfo{register_index: 0, register_value: pcr0}: the COSE payload. */
int eif_sig_pcr_info(const uint8_t pcr0[PCR_LEN], struct wbuf *out, struct qt_err *err);

/*
 * PCR8 of a signing certificate: extend(0^48, SHA384(DER of the first
 * certificate in pem)). Errors name name ("<name>: no PEM certificate found").
 */
int eif_sig_cert_pcr8(
    const char *name, const uint8_t *pem, size_t pem_len, uint8_t ret[PCR_LEN], struct qt_err *err);
/* PCR8 of a parsed section ("<name>: signing certificate: ..." on error). */
int eif_sig_pcr8(
    const char *name, const struct eif_sig *sig, uint8_t ret[PCR_LEN], struct qt_err *err);
/*
 * PCR8 of an image into p->pcr8 and p->has_pcr8 (false and all zero when
 * unsigned). A malformed section or certificate is an error (-1).
 */
int eif_sig_image_pcr8(
    const char *name, const struct eif_info *info, struct pcr_set *p, struct qt_err *err);

/*
 * THE check: sig's COSE_Sign1 verifies with the key of its certificate and
 * its payload is PcrInfo{0, pcr0}. Returns 0 pass, 1 fail (why says why),
 * -1 cannot check (malformed COSE, unsupported algorithm; err says why).
 * why and err may be the same object. The certificate's validity period
 * and chain are the caller's business (signer_verify).
 */
int eif_sig_check_pcr0(const char *name, const struct eif_sig *sig, const uint8_t pcr0[PCR_LEN],
    struct qt_err *why, struct qt_err *err);
/* eif_sig_check_pcr0 on an image's signature section; an unsigned image is an error. */
int eif_sig_image_check(const char *name, const struct eif_info *info, const uint8_t pcr0[PCR_LEN],
    struct qt_err *why, struct qt_err *err);

#endif
