/* SPDX-License-Identifier: Apache-2.0 */
/*
 * corim.h: CoRIM reference values of an enclave image (draft-ietf-rats-corim-11,
 * profile qt-corim(5)): an unsigned CoRIM (tag 501) holding one CoMID (tag
 * 506) with one reference triple whose environment class names the platform
 * and whose one measurement carries the PCRs as integrity registers (key 14,
 * SHA-384 = algorithm 7). Encoded deterministically (RFC 8949 4.2.1): the
 * same manifest gives the same bytes. Signed, it is a tagged COSE_Sign1
 * (tag 18) with content type "application/rim+cbor" and corim-meta (label 8)
 * naming the signer. Reading back (corim_read) accepts exactly this profile.
 */
#ifndef QT_CORIM_H
#define QT_CORIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "manifest.h"
#include "qt.h"
#include "signer.h"

#define CORIM_PROFILE_URI "https://qt.invalid/profiles/corim-enclave-pcr/v1"
#define CORIM_MAX         (1u << 20) /* bytes of a CoRIM we read */
#define CORIM_ALG_SHA384  7          /* IANA Named Information Hash Algorithm */

struct corim_opts {
	const char *profile; /* profile URI (key 3), or NULL for none */
	const char *entity;  /* creator entity name, or NULL for none */
	bool parent_pcrs;    /* also PCR3/PCR4 when the manifest has them */
};

/*
 * The unsigned CoRIM of m into out: id "qt:sha256:<image sha256>", PCRs of
 * m except PCR8 when the image is unsigned and PCR3/PCR4 unless asked.
 */
int corim_encode(
    const struct manifest *m, const struct corim_opts *o, struct wbuf *out, struct qt_err *err);

/*
 * Wrap an unsigned CoRIM into a COSE_Sign1 (tag 18) signed with s: protected
 * {1: alg, 3: "application/rim+cbor", 8: << {0: {0: signer name}} >>}, where
 * the signer name is the certificate subject (RFC 2253).
 */
int corim_sign(
    const struct signer *s, const uint8_t *corim, size_t len, struct wbuf *out, struct qt_err *err);

/* What corim_read finds in a CoRIM of this profile. */
struct corim_info {
	bool is_signed;
	char id[128];
	char vendor[64], model[64];
	uint32_t pcr_mask;
	uint8_t pcrs[PCR_COUNT][PCR_LEN];
};

/*
 * Read an untrusted CoRIM, signed (its signature is NOT checked here) or
 * not, in the shape corim_encode writes: every item bounded, registers
 * 0..31 with exactly one SHA-384 digest each. -1 with err ("<name>: CoRIM:
 * ...") otherwise.
 */
int corim_read(
    const char *name, const uint8_t *buf, size_t len, struct corim_info *ret, struct qt_err *err);

/*
 * Does the CoRIM in buf describe the image measured into m: id naming its
 * sha256, the platform's class, and exactly the PCRs corim_encode would
 * write? 0 yes, 1 no (err names the first difference), -1 unreadable.
 */
int corim_agrees(
    const char *name, const uint8_t *buf, size_t len, const struct manifest *m, struct qt_err *err);

#endif
