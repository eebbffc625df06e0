/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.h: the reference-value manifest (man/qt-manifest.5, JSON Schema
 * formats/qt-manifest.schema.json): what an image measures to, written by
 * `qt-build --manifest` and `qt-measure manifest`, read by `qt-measure
 * verify --manifest` and by `qt-measure policy` (policy.h). All JSON goes through jansson; key
 * order is fixed; hex is lower-case; nothing depends on the clock, locale or time zone.
 */
#ifndef QT_MANIFEST_H
#define QT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "qt.h"

#define MANIFEST_SCHEMA_VERSION 1
#define MANIFEST_MAX            (1u << 20) /* bytes of a manifest file we read */
#define MANIFEST_RAMDISKS_MAX   QT_MAX_SECTIONS

struct manifest {
	enum qt_profile platform;
	/* image */
	char *file; /* base name */
	uint64_t size;
	uint8_t sha256[32], sha384[48];
	char *name, *version, *build_time; /* from the metadata section; NULL = null */
	char *arch;                        /* "x86_64" or "aarch64" */
	unsigned eif_version;
	/* the container image it was built from (metadata DockerInfo); NULL = no "source" */
	json_t *source;
	/* PCRs by index */
	uint32_t pcr_mask;
	uint8_t pcrs[PCR_COUNT][PCR_LEN];
	/* signer; is_signed false = null */
	bool is_signed;
	char *signer_subject, *signer_issuer, *signer_not_before, *signer_not_after;
	uint8_t signer_sha256[32];
	/* section digests (SHA-384 of the data) */
	uint8_t kernel[48], cmdline[48];
	size_t nramdisks;
	uint8_t ramdisks[MANIFEST_RAMDISKS_MAX][48];
	/* the parent identities behind PCR3/PCR4, NULL when not given: PCR3 is
	   the IAM agency on qingtian, the IAM role on nitro */
	char *iam_agency, *instance_id;
	char *iam_role;
	char *tool_version;
};

/*
 * Measure the EIF image at path ("-" = standard input) in one forward read:
 * file size, SHA-256 and SHA-384 of the file, section digests, PCR0/1/2
 * (profile: qingtian keeps 0 and 8, nitro 0, 1, 2 and 8), PCR8 and the signer
 * from the signature section (which must verify against PCR0), name, version
 * and build time from the metadata section. A bad CRC or a signature that
 * does not verify is an error: reference values are only made from a sound
 * image. file is the base name recorded in the manifest (NULL: from path).
 * progress (NULL: none) is told the bytes read as eif_read tells them.
 */
int manifest_from_image(const char *path, const char *file, enum qt_profile platform,
    const struct qt_progress_cb *progress, struct manifest **ret, struct qt_err *err);
/*
 * PCR3 = SHA384(0^48 || UTF-8 agency URN "iam::<domain id>:agency:<name>"),
 * PCR4 = SHA384(0^48 || instance id): the lower-case hyphenated UUID on
 * QingTian (upper case is folded), "i-<hex>" on Nitro. The rule is pcr.h's
 * (pcr_iam_agency_check, pcr_instance_id_canon); the raw strings are kept in
 * the manifest. Malformed values: -1 with err.
 */
int manifest_set_iam_agency(struct manifest *m, const char *urn, struct qt_err *err);
/* Nitro's PCR3: SHA384(0^48 || IAM role ARN) (pcr_iam_role_check). */
int manifest_set_iam_role(struct manifest *m, const char *arn, struct qt_err *err);
int manifest_set_instance_id(struct manifest *m, const char *id, struct qt_err *err);

/*
 * The manifest as JSON (key order of qt-manifest(5)); a new reference or NULL
 * on allocation failure. manifest_dump: the exact bytes written to files and
 * stdout (2-space indent, final newline), malloc'd.
 */
json_t *manifest_to_json(const struct manifest *m);
int manifest_dump(const struct manifest *m, char **ret, size_t *ret_len, struct qt_err *err);
/* Write the manifest to path atomically (temporary file, fsync, rename). */
int manifest_write_file(const struct manifest *m, const char *path, struct qt_err *err);

/*
 * Parse a manifest (untrusted): schema version, platform, every type, hex
 * exactly 96 lower-case digits, PCR indexes 0..31 in canonical decimal,
 * unknown keys rejected; a parent identity follows the rule of pcr.h and
 * its PCR (3 or 4) is its extend. name is used in messages. -1 with err.
 */
int manifest_parse(
    const char *name, const uint8_t *buf, size_t len, struct manifest **ret, struct qt_err *err);
void manifest_free(struct manifest *m);

#endif
