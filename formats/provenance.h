/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provenance.h: in-toto Statement v1 about an enclave image (qt-provenance(5)):
 * a SLSA Provenance v1 predicate, or qt's own measurement predicate, built
 * from what the image measures to (struct manifest). JSON through jansson,
 * keys in the order of qt-provenance(5), 2-space indent and a final newline,
 * nothing from the clock, the host or the environment: the same image gives
 * the same bytes. Reading a statement back (an untrusted DSSE payload) is
 * prov_check_subject. Nothing prints or exits.
 */
#ifndef QT_PROVENANCE_H
#define QT_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "qt.h"
#include "signer.h"

#define PROV_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PROV_SLSA_TYPE      "https://slsa.dev/provenance/v1"
#define PROV_MEASURE_TYPE   "https://qt.invalid/predicates/enclave-image-measurement/v1"
#define PROV_BUILD_TYPE     "https://qt.invalid/buildtypes/eif/v1"
#define PROV_REFS_MAX       4u         /* byproducts of one statement */
#define PROV_MAX            (4u << 20) /* bytes of a statement we read */

enum prov_predicate {
	PROV_SLSA = 0,    /* https://slsa.dev/provenance/v1 */
	PROV_MEASUREMENT, /* PROV_MEASURE_TYPE */
};

/* A document written with the image (manifest, CoRIM), named by its digest. */
struct prov_ref {
	const char *name;       /* base name */
	const char *media_type; /* "application/json", "application/rim+cbor", ... */
	uint8_t sha256[32];
};

/* An input file of a build (qt-build): role as eif_build.h names it, base name, digests. */
struct prov_input {
	const char *role;
	const char *name;
	uint8_t sha256[32], sha384[48];
};

/*
 * What qt-build knows beyond the image: the input files it read and the
 * options that changed the image's bytes (qt-provenance(5), the buildType's
 * external parameters). NULL members are left out.
 */
struct prov_build {
	const struct prov_input *inputs;
	size_t ninputs;
	const char *cmdline;           /* as in the image */
	const char *source_date_epoch; /* SOURCE_DATE_EPOCH, when set */
	bool rootfs;                   /* --rootfs given: the members below */
	const char *platform;          /* --platform */
	const char *const *entrypoint; /* --entrypoint, --cmd, --env as given */
	size_t nentrypoint;
	const char *const *cmd;
	size_t ncmd;
	const char *const *env;
	size_t nenv;
	bool keep_owner;
	const char *compress; /* "gzip" / "none" when a ramdisk was generated, else NULL */
};

struct prov_opts {
	enum prov_predicate predicate;
	const char *builder; /* "qt-measure" or "qt-build": names runDetails.builder.id */
	const struct prov_ref *refs;
	size_t nrefs;
	const struct prov_build *build; /* NULL: what the image tells only */
};

/* "slsa" / "measurement"; 0, or -1 for anything else. */
int prov_predicate_parse(const char *text, enum prov_predicate *ret);

/* The statement for m; *ret is malloc'd text (final newline, NUL-terminated). */
int prov_statement(const struct manifest *m, const struct prov_opts *o, char **ret, size_t *ret_len,
    struct qt_err *err);

/*
 * The statement of m, signed into a DSSE envelope when s is not NULL,
 * written to path atomically (temporary file, fsync, rename).
 */
int prov_write_file(const struct manifest *m, const struct prov_opts *o, const struct signer *s,
    const char *path, struct qt_err *err);

/* SHA-256 and SHA-384 of a whole file ("-" = standard input), read once. */
int prov_file_digests(const char *path, uint8_t sha256[32], uint8_t sha384[48], struct qt_err *err);

/*
 * Check an untrusted statement (name in messages): a JSON object whose
 * _type is PROV_STATEMENT_TYPE with a non-empty subject array. Returns 0
 * if one subject's digest has both sha256 and sha384 equal to the given
 * ones (its name copied into ret_subject), 1 if none has ("<name>: no
 * subject has sha256 <hex> and sha384 <hex prefix>..."), -1 if malformed.
 * ret_predicate gets the predicateType; both buffers have size bytes and
 * get printable text only (control characters become '?'). With sha256
 * or sha384 NULL only the shape is checked (0, first subject's name).
 */
int prov_check_subject(const char *name, const uint8_t *buf, size_t len, const uint8_t sha256[32],
    const uint8_t sha384[48], char *ret_subject, char *ret_predicate, size_t size,
    struct qt_err *err);

/*
 * Does the manifest ref (read from ref_name) describe the image measured
 * into img: same image digests, profile, PCRs (every PCR of img) and input
 * digests? 0 yes, 1 no (err names ref_name and the first difference).
 */
int prov_manifest_agrees(const struct manifest *img, const struct manifest *ref,
    const char *ref_name, struct qt_err *err);

#endif
