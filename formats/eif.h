/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif.h: the Enclave Image File (EIF, versions 2-4; spec/eif.md): header and
 * section layout, a streaming writer (offsets, sizes and CRC patched in at
 * the end, PCRs hashed on the way) and a forward-only, bounds-checked reader
 * that works on a pipe and measures while it reads.
 */
#ifndef QT_EIF_H
#define QT_EIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcr.h"
#include "qt.h"

#define EIF_HEADER_SIZE      548
#define EIF_SECTION_HDR_SIZE 12
#define EIF_CRC_OFFSET       544 /* the CRC covers every byte but these 4 */
#define EIF_VERSION          4   /* what the writer produces */
#define EIF_VERSION_MIN      2   /* oldest the reader accepts */
#define EIF_FLAG_ARM64       0x1u
#define EIF_DEFAULT_MEM      (UINT64_C(1) << 30)
#define EIF_DEFAULT_CPUS     2u

enum eif_section_type {
	EIF_SECTION_INVALID = 0,
	EIF_SECTION_KERNEL = 1,
	EIF_SECTION_CMDLINE = 2,
	EIF_SECTION_RAMDISK = 3,
	EIF_SECTION_SIGNATURE = 4,
	EIF_SECTION_METADATA = 5,
};

/* "kernel", "cmdline", "ramdisk", "signature", "metadata" or "invalid". */
const char *eif_section_name(unsigned type);

/* The 548-byte header as numbers (spec/eif.md 2). */
struct eif_header {
	uint16_t version;
	uint16_t flags;
	uint64_t default_mem;
	uint64_t default_cpus;
	uint16_t num_sections;
	uint64_t offsets[QT_MAX_SECTIONS]; /* file offset of each section header */
	uint64_t sizes[QT_MAX_SECTIONS];   /* data size of each section */
	uint32_t crc;
};

/* Serialize h (crc included as given) into 548 bytes. */
void eif_header_put(const struct eif_header *h, uint8_t out[EIF_HEADER_SIZE]);
/*
 * Parse and check 548 header bytes (untrusted): magic, version 2-4, zero
 * reserved fields, 1-32 sections, unused table slots zero. name is used in
 * messages ("<name>: header: ...").
 */
int eif_header_parse(const char *name, const uint8_t buf[EIF_HEADER_SIZE], struct eif_header *ret,
    struct qt_err *err);

/* ---- writer ---------------------------------------------------------------- */

struct eif_write_opts {
	uint16_t version;      /* 0 = EIF_VERSION */
	uint16_t flags;        /* EIF_FLAG_ARM64 or 0 */
	uint64_t default_mem;  /* 0 = EIF_DEFAULT_MEM */
	uint64_t default_cpus; /* 0 = EIF_DEFAULT_CPUS */
};

struct eif_writer;

/*
 * Start an image on fd (a regular file: sections are written in place with
 * pwrite and the header last), or fd = -1 to measure only. name is used in
 * messages. opts may be NULL (all defaults).
 */
int eif_writer_new(int fd, const char *name, const struct eif_write_opts *opts,
    struct eif_writer **ret, struct qt_err *err);
/*
 * Open the next section. At most one kernel, cmdline, metadata and signature
 * section; ramdisks after the kernel; at most 32 sections.
 */
int eif_writer_section_begin(struct eif_writer *w, enum eif_section_type type, struct qt_err *err);
/* Append data to the open section (buffered; hashed and CRC'd once). */
int eif_writer_write(struct eif_writer *w, const uint8_t *buf, size_t len, struct qt_err *err);
/* A sink writing into the open section (with space/commit when measuring only: fd = -1). */
struct qt_sink eif_writer_sink(struct eif_writer *w);
/* Close the open section: its header (size now known) is written and CRC'd. */
int eif_writer_section_end(struct eif_writer *w, struct qt_err *err);
/* PCR0/1/2 of the section data so far (has_pcr8 = false). */
int eif_writer_pcrs(struct eif_writer *w, struct pcr_set *ret, struct qt_err *err);
/*
 * Check the image is complete (kernel, cmdline, >= 1 ramdisk, metadata for
 * version 4), then write the header with offsets, sizes and CRC. Last call.
 */
int eif_writer_finish(struct eif_writer *w, struct qt_err *err);
/* Bytes written so far (the file size after finish). */
uint64_t eif_writer_size(const struct eif_writer *w);
void eif_writer_free(struct eif_writer *w);

/* ---- reader ---------------------------------------------------------------- */

struct eif_section {
	unsigned index;
	enum eif_section_type type;
	uint64_t offset; /* of the 12-byte section header */
	uint64_t size;   /* of the data */
};

/*
 * Optional callbacks, called in file order as the reader walks the image
 * (every member may be NULL). A callback returning -1 (with err set) stops
 * the read. section_data gets each section's bytes in order, in chunks of
 * at most QT_IO_CHUNK bytes; this is how an image is copied through a writer.
 * progress (fn NULL: none) is told the bytes read of the file's size (0 for
 * a pipe) and the section at work, every QT_PROGRESS_STEP bytes and at the
 * end of a good read.
 */
struct eif_read_cb {
	int (*header)(void *ctx, const struct eif_header *h, struct qt_err *err);
	int (*section_begin)(void *ctx, const struct eif_section *s, struct qt_err *err);
	int (*section_data)(void *ctx, const struct eif_section *s, const uint8_t *buf, size_t len,
	    struct qt_err *err);
	int (*section_end)(void *ctx, const struct eif_section *s, struct qt_err *err);
	void *ctx;
	struct qt_progress_cb progress;
};

#define EIF_READ_NO_PCR 0x1u /* skip PCR0/1/2 (CRC is still checked) */

/* What a read found. Metadata and signature bytes are kept (both are bounded). */
struct eif_info {
	struct eif_header hdr;
	unsigned nsections;
	struct eif_section sections[QT_MAX_SECTIONS];
	struct pcr_set pcrs; /* PCR0/1/2; PCR8 is the caller's (signature section) */
	uint32_t crc_computed;
	bool crc_ok;
	uint64_t file_size;
	uint8_t *metadata; /* NULL if no metadata section; NUL-terminated */
	size_t metadata_len;
	uint8_t *signature; /* NULL if unsigned */
	size_t signature_len;
};

/*
 * Read a whole image from fd, forward only (a pipe works), checking every
 * field and the walk against the header's offsets table. A CRC mismatch is
 * not an error: it is reported in crc_ok. Errors name name, the section and
 * the offset. cb may be NULL; flags: EIF_READ_*.
 */
int eif_read(int fd, const char *name, const struct eif_read_cb *cb, unsigned flags,
    struct eif_info **ret, struct qt_err *err);
/* eif_read on path ("-" = standard input). */
int eif_read_path(const char *path, const struct eif_read_cb *cb, unsigned flags,
    struct eif_info **ret, struct qt_err *err);
void eif_info_free(struct eif_info *info);

/*
 * 0 if the read found the CRC right; else -1 with the one message every tool
 * gives for a damaged image: "<name>: CRC mismatch: the header says
 * <8 hex>, the contents give <8 hex>".
 */
int eif_crc_check(const char *name, const struct eif_info *info, struct qt_err *err);

#endif
