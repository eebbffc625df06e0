/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt/verify.h: libqtverify, the attestation-document verifier of qt for
 * relying parties (qtverify(3)). Decode and verify a QingTian or AWS Nitro
 * attestation document against a pinned root at an instant, compare it with
 * what the relying party expects, and read every check and decoded field
 * from the result. Every type is opaque; every function that can fail
 * returns a status code and writes a one-line message into a buffer the
 * caller owns. No global state, no printing, no exit: objects may be used
 * from any thread, one thread at a time per object (a const object by many).
 */
#ifndef QT_VERIFY_H
#define QT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: 0 verified, 1 a check failed, >= 2 the check could not be done. */
#define QTV_OK            0   /* done; for a verification: every check passed */
#define QTV_MISMATCH      1   /* the checks ran and one failed (the result says which) */
#define QTV_ERR_ARGUMENT  2   /* a bad argument (NULL, index, length, name) */
#define QTV_ERR_MALFORMED 3   /* an input is not well-formed (document, manifest, root, key) */
#define QTV_ERR_NOMEM     4   /* out of memory */
#define QTV_ERR_INTERNAL  5   /* the crypto library failed */
#define QTV_ERRMSG_MAX    512 /* a message buffer of this size holds any message whole */

/* Verdicts of one check. */
#define QTV_CHECK_PASS 0
#define QTV_CHECK_FAIL 1
#define QTV_CHECK_SKIP 2 /* not evaluated: not asked for, or the document is not authentic */

/* The instant of a verification, as unix milliseconds, or one of these. */
#define QTV_AT_NOW      INT64_MIN       /* the current time */
#define QTV_AT_DOCUMENT (INT64_MIN + 1) /* the document's own timestamp (archived documents) */

/* Flags of qtv_result_report_json(). */
#define QTV_JSON_PRETTY 1 /* indented, one member a line (else one line) */

#define QTV_PCR_LEN   48 /* bytes of a PCR value (SHA-384) */
#define QTV_PCR_COUNT 32 /* PCR indexes 0..31 */

typedef struct qtv_expect qtv_expect;
typedef struct qtv_result qtv_result;

/* "0.1.0": the version of the library. */
const char *qtv_version(void);
/* "ok", "mismatch", "argument", "malformed", "nomem", "internal"; "unknown" otherwise. */
const char *qtv_status_name(int status);

/* Expectations: what the relying party requires of a document. */
qtv_expect *qtv_expect_new(void);
void qtv_expect_free(qtv_expect *e);
int qtv_expect_from_manifest(
    const uint8_t *json, size_t len, qtv_expect **ret, char *msg, size_t msglen);
int qtv_expect_set_pcr(
    qtv_expect *e, unsigned index, const uint8_t *value, size_t len, char *msg, size_t msglen);
int qtv_expect_set_nonce(qtv_expect *e, const uint8_t *p, size_t len, char *msg, size_t msglen);
int qtv_expect_set_user_data(qtv_expect *e, const uint8_t *p, size_t len, char *msg, size_t msglen);
int qtv_expect_set_public_key(
    qtv_expect *e, const uint8_t *p, size_t len, char *msg, size_t msglen);
int qtv_expect_set_max_age(qtv_expect *e, int64_t seconds, char *msg, size_t msglen);
int qtv_expect_set_profile(qtv_expect *e, const char *name, char *msg, size_t msglen);
int qtv_expect_set_allow_debug(qtv_expect *e, int allow, char *msg, size_t msglen);
int qtv_expect_set_root_sha256(
    qtv_expect *e, const uint8_t *sha256, size_t len, char *msg, size_t msglen);

/* Verification. */
int qtv_verify(const uint8_t *doc, size_t doc_len, const uint8_t *root, size_t root_len,
    int64_t at_ms, const qtv_expect *e, qtv_result **ret, char *msg, size_t msglen);
int qtv_verify_named(const char *name, const uint8_t *doc, size_t doc_len, const uint8_t *root,
    size_t root_len, int64_t at_ms, const qtv_expect *e, qtv_result **ret, char *msg,
    size_t msglen);
void qtv_result_free(qtv_result *r);

/* The result: verdict, checks, decoded fields (untrusted unless authentic). */
int qtv_result_verdict(const qtv_result *r);
int qtv_result_authentic(const qtv_result *r);
const char *qtv_result_profile(const qtv_result *r);
int64_t qtv_result_instant_ms(const qtv_result *r);
size_t qtv_result_check_count(const qtv_result *r);
const char *qtv_result_check_name(const qtv_result *r, size_t i);
int qtv_result_check_verdict(const qtv_result *r, size_t i);
const char *qtv_result_check_detail(const qtv_result *r, size_t i);
const char *qtv_result_module_id(const qtv_result *r);
uint64_t qtv_result_timestamp_ms(const qtv_result *r);
const uint8_t *qtv_result_pcr(const qtv_result *r, unsigned index, size_t *len);
const uint8_t *qtv_result_public_key(const qtv_result *r, size_t *len);
const uint8_t *qtv_result_user_data(const qtv_result *r, size_t *len);
const uint8_t *qtv_result_nonce(const qtv_result *r, size_t *len);
int qtv_result_report_json(const qtv_result *r, int flags, char **ret, char *msg, size_t msglen);
int qtv_result_summary(const qtv_result *r, char *buf, size_t len);

/* ExtendPCR: reg = SHA384(reg || data); and extend(0^48, SHA384(data)). */
int qtv_pcr_extend(
    uint8_t reg[QTV_PCR_LEN], const uint8_t *data, size_t len, char *msg, size_t msglen);
int qtv_pcr_measure(
    const uint8_t *data, size_t len, uint8_t ret[QTV_PCR_LEN], char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif

#endif
