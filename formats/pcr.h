/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcr.h: ExtendPCR (SHA-384, 48 zero bytes start) and the streaming engine
 * that turns EIF section data into PCR0/1/2 (spec/eif.md 4.1-4.2) while
 * computing the CRC-32 of the same bytes (libdeflate's). PCR0 and PCR2 (or
 * PCR1) are two chains of hashing over a ring of buffers, run by a worker
 * thread and by the caller while the ring is full (two workers from three
 * processors on); each chunk's CRC is split between them.
 */
#ifndef QT_PCR_H
#define QT_PCR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qt.h"

struct pcr_set {
	uint8_t pcr0[PCR_LEN], pcr1[PCR_LEN], pcr2[PCR_LEN], pcr8[PCR_LEN];
	bool has_pcr8;
};

/* reg = SHA384(reg || data): one TPM-style extend (any data length). */
int pcr_extend(uint8_t reg[PCR_LEN], const uint8_t *data, size_t len, struct qt_err *err);
/*
 * extend(0^48, text) over the raw bytes of text (no hashing first): PCR3 and
 * PCR4 as QingTian and Nitro compute them from the parent's identities.
 */
int pcr_of_text(const char *text, uint8_t ret[PCR_LEN], struct qt_err *err);
/* SHA-384 of buf. */
int pcr_sha384(const uint8_t *buf, size_t len, uint8_t ret[PCR_LEN], struct qt_err *err);
/* extend(0^48, SHA384(buf)): what nitro-cli pcr --input prints, and PCR8 of a DER cert. */
int pcr_of_bytes(const uint8_t *buf, size_t len, uint8_t ret[PCR_LEN], struct qt_err *err);

/*
 * Check s is a hyphenated 8-4-4-4-12 UUID and fold it to lower case in place:
 * QingTian's PCR4 extends that text (spec/qingtian.md). Returns false if not.
 */
bool pcr_uuid_canon(char *s);

/*
 * The parents' identities behind PCR3 and PCR4 (spec/qingtian.md,
 * spec/attestation.md 4), one rule for `extend`, `manifest` and the
 * manifests `verify` reads. Both are extended as raw text, at most
 * PCR_PARENT_ID_MAX bytes, no control bytes.
 *
 * PCR3: the IAM agency URN "iam::<domain id>:agency:<name>". ':' separates
 * the URN's fields, so the domain id and the name are non-empty and hold no
 * ':'. 0, or -1 with err "--iam-agency: '<urn>' is not an agency URN ...".
 */
#define PCR_PARENT_ID_MAX 512
int pcr_iam_agency_check(const char *urn, struct qt_err *err);
/*
 * PCR3 on Nitro: the parent instance's IAM role ARN
 * "arn:<partition>:iam::<12-digit account>:role/<path/name>" (name and path
 * of [A-Za-z0-9+=,.@_/-], not ending in '/'). 0, or -1 with err
 * "--iam-role: '<arn>' is not an IAM role ARN ...".
 */
int pcr_iam_role_check(const char *arn, struct qt_err *err);
/*
 * PCR4: the instance id, checked and made canonical in place: on QingTian a
 * hyphenated 8-4-4-4-12 UUID (upper case folded to lower), on Nitro "i-"
 * and 1-30 lower-case hex digits; QT_PROFILE_AUTO takes either. 0, or -1
 * with err "--instance-id: '<id>' is not ...".
 */
int pcr_instance_id_canon(enum qt_profile profile, char *id, struct qt_err *err);

/* pcr_of_bytes over a file's contents, streamed ("-" = standard input). */
int pcr_of_file(const char *path, uint8_t ret[PCR_LEN], struct qt_err *err);
/* SHA-384 of a file's contents, streamed ("-" = standard input). */
int pcr_sha384_file(const char *path, uint8_t ret[PCR_LEN], struct qt_err *err);

/* Which registers a section's data feeds. */
enum pcr_role {
	PCR_ROLE_NONE, /* metadata, signature: CRC only */
	PCR_ROLE_BOOT, /* kernel, cmdline, first ramdisk: PCR0 and PCR1 */
	PCR_ROLE_APP,  /* later ramdisks: PCR0 and PCR2 */
};

/*
 * Streaming PCR0/1/2 + CRC-32 state. While only boot data has been seen PCR0
 * and PCR1 share one SHA-384 context; the first app byte forks PCR1 off as a
 * copy. Data goes through a ring of buffers owned by the stream; PCR0's and
 * PCR2's hashing each take the buffers in order, each at its own pace, on
 * whichever thread is free: a worker, or the caller when the ring is full
 * (rather than sleep). The caller fills the next buffer while the earlier
 * ones are hashed. Small pieces with nothing in flight are hashed on the
 * calling thread; on one processor everything is.
 */
struct pcr_stream;

int pcr_stream_new(struct pcr_stream **ret, struct qt_err *err);
/*
 * Stop computing the CRC (call before the first update): for a writer that
 * writes nowhere (measure only), where nobody reads it. pcr_stream_crc_take
 * then returns 0.
 */
void pcr_stream_skip_crc(struct pcr_stream *s);
/*
 * Hash buf into the registers of role (none for PCR_ROLE_NONE) and the CRC.
 * The bytes are copied into the ring (or hashed here): buf is free on return.
 */
int pcr_stream_update(
    struct pcr_stream *s, enum pcr_role role, const uint8_t *buf, size_t len, struct qt_err *err);
/*
 * Without a copy: the next free buffer of the ring (waits for one), *ret_cap
 * bytes long (QT_IO_CHUNK); NULL with err on failure. Fill it and hand it over
 * with pcr_stream_submit; it stays readable (not writable) by the caller
 * until the next pcr_stream_buf or pcr_stream_update. Calling
 * pcr_stream_update between the two loses what was put in the buffer.
 */
uint8_t *pcr_stream_buf(struct pcr_stream *s, size_t *ret_cap, struct qt_err *err);
/* Hash the first len bytes of the buffer pcr_stream_buf gave, as pcr_stream_update would. */
int pcr_stream_submit(struct pcr_stream *s, enum pcr_role role, size_t len, struct qt_err *err);
/* Wait until the hashing threads are done with every buffer (their errors are reported here). */
int pcr_stream_sync(struct pcr_stream *s, struct qt_err *err);
/*
 * CRC-32 (zlib's polynomial and values) of the bytes since the last take (or
 * the start); starts a new one.
 */
int pcr_stream_crc_take(struct pcr_stream *s, uint32_t *ret, struct qt_err *err);
/* PCR0/1/2 of everything so far (the stream can go on). has_pcr8 = false. */
int pcr_stream_final(struct pcr_stream *s, struct pcr_set *ret, struct qt_err *err);
void pcr_stream_free(struct pcr_stream *s);

#endif
