/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest.h: QingTian / AWS Nitro attestation documents (spec/attestation.md):
 * text decoding (hex, base64), the COSE_Sign1 envelope and payload schema
 * (libcbor), and the checks of a document, one function each: platform,
 * pinned root, chain (x509.h), validity, OpenSSL's opinion, the ES384
 * signature (cose.h; big-endian r||s, and for QingTian little-endian
 * halves), freshness, production mode and what the relying party expects.
 * The verdict of every check is recorded; attest_report.h prints it.
 */
#ifndef QT_ATTEST_H
#define QT_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qt.h"

#define ATTEST_DOC_MAX        32768u                /* bytes of a binary document */
#define ATTEST_TEXT_MAX       (4u * ATTEST_DOC_MAX) /* bytes of a hex/base64 document file */
#define ATTEST_CABUNDLE_MAX   8                     /* entries; the QingTian profile allows 4 */
#define ATTEST_MODULE_ID_MAX  127
#define ATTEST_CERT_MAX       4096u /* DER bytes; the Nitro profile allows 1024 */
#define ATTEST_PUBKEY_MAX     1024u
#define ATTEST_USERDATA_MAX   512u
#define ATTEST_NONCE_MAX      512u
#define ATTEST_SIG_LEN        96
#define ATTEST_CBOR_DEPTH_MAX 16 /* nesting of arrays, maps, tags, string chunks */
#define ATTEST_MAX_CHECKS     64

/* An optional byte string of the document: present == false for null/absent. */
struct attest_bytes {
	uint8_t *p;
	size_t len;
	bool present;
};

/*
 * A parsed document. Every field is untrusted until attest_verify() says the
 * chain and signature hold. All memory is owned by the document.
 */
struct attest_doc {
	char *name;             /* file name used in messages */
	bool tagged;            /* COSE_Sign1_Tagged (tag 18) */
	enum qt_profile shape;  /* QINGTIAN or NITRO (the protected header's encoding) */
	uint8_t *protected_hdr; /* protected header bstr content, as received */
	size_t protected_len;
	uint8_t *payload; /* payload bstr content, as received */
	size_t payload_len;
	uint8_t sig[ATTEST_SIG_LEN]; /* r || s as found in the document */
	char module_id[ATTEST_MODULE_ID_MAX + 1];
	uint64_t timestamp_ms;
	uint32_t pcr_mask; /* bit i: PCR i present */
	uint8_t pcrs[PCR_COUNT][PCR_LEN];
	struct attest_bytes certificate;                   /* leaf, DER */
	struct attest_bytes cabundle[ATTEST_CABUNDLE_MAX]; /* root first, DER */
	size_t cabundle_len;
	struct attest_bytes public_key, user_data, nonce;
};

/*
 * If buf is text (hex, or base64 in the standard or the URL-safe alphabet,
 * padded or not, but not both alphabets; whitespace ignored),
 * decode it into a malloc'd buffer; if it is binary CBOR, copy it. name is
 * used in messages. Returns 0 or -1 with err set.
 */
int attest_decode_text(const char *name, const uint8_t *buf, size_t len, uint8_t **ret,
    size_t *ret_len, struct qt_err *err);

/*
 * Parse a binary document (untagged or tag-18 COSE_Sign1). platform selects
 * the size limits (AUTO: from the shape). Rejects trailing bytes, other tags,
 * indefinite byte strings, duplicate keys, unknown keys, wrong types and
 * oversize fields. Nothing is verified here. Returns 0 or -1 with err set
 * ("<name>: payload: nonce: 600 bytes exceeds the limit of 512").
 */
int attest_parse(const char *name, const uint8_t *buf, size_t len, enum qt_profile platform,
    struct attest_doc **ret, struct qt_err *err);
void attest_free(struct attest_doc *doc);

/*
 * A pinned root file (PEM or DER) is loaded with x509_load_der(), an
 * expected public_key file with x509_load_key_bytes() (x509.h).
 */

/* What the relying party expects; at least one item must be set. */
struct attest_expect {
	uint32_t pcr_mask;
	uint8_t pcrs[PCR_COUNT][PCR_LEN];
	struct attest_bytes nonce, user_data, public_key; /* present: compared (empty = null) */
};

enum attest_at {
	ATTEST_AT_NOW = 0, /* the current time (time(2)) */
	ATTEST_AT_DOC,     /* the document's own timestamp (archived documents) */
	ATTEST_AT_TIME,    /* opts.at_ms */
};

struct attest_opts {
	enum qt_profile platform;
	const uint8_t *root_der; /* pinned root (DER), or NULL and root_sha256 */
	size_t root_der_len;
	bool have_root_sha256;
	uint8_t root_sha256[32];
	enum attest_at at_mode;
	int64_t at_ms;    /* unix milliseconds, for ATTEST_AT_TIME */
	int64_t max_age;  /* seconds, compared with the age in milliseconds; < 0: not checked */
	bool allow_debug; /* a debug-mode document passes the production check (development) */
};

enum attest_verdict {
	ATTEST_PASS = 0,
	ATTEST_FAIL,
	ATTEST_SKIP, /* not evaluated (not asked for, or the document is not authentic) */
};

enum attest_sigform {
	ATTEST_SIG_NONE = 0,
	ATTEST_SIG_BE,        /* r || s, each 48 bytes big-endian (RFC 9053) */
	ATTEST_SIG_LE_HALVES, /* each 48-byte half little-endian (QingTian) */
};

struct attest_check {
	char name[24];
	enum attest_verdict verdict;
	char detail[320];
};

struct attest_result {
	struct attest_check checks[ATTEST_MAX_CHECKS];
	size_t n;
	enum qt_profile platform;    /* the profile applied */
	enum attest_sigform sigform; /* which signature form verified */
	int64_t instant_ms;          /* the instant checked at, unix milliseconds */
	bool authentic;              /* chain and signature verified */
	bool debug;                  /* PCR0 all zero */
};

/*
 * Run every check of spec/attestation.md in order: platform, pinned root,
 * chain (order and signatures, then CA constraints), validity at the
 * instant, OpenSSL's path validation, COSE signature, freshness (with
 * max_age: not after the instant, not older than max_age, in milliseconds),
 * production mode, then the expectations (only if the document is
 * authentic). Returns 0 when every check passed, 1 when one failed (res says
 * which), -1 when the checks cannot be run (no root, no expectation) with err
 * set.
 */
int attest_verify(const struct attest_doc *doc, const struct attest_opts *opts,
    const struct attest_expect *exp, struct attest_result *res, struct qt_err *err);

/* Names used in reports and options. */
const char *attest_sigform_name(enum attest_sigform f);

#endif
