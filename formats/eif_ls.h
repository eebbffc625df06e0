/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_ls.h: what is inside an image's ramdisks. One forward read scans the
 * image (sections, the SHA-384 of each, PCR0/1/2/8, CRC); a second read
 * walks each ramdisk's cpio (newc, as nitro-cli and qt-build write it)
 * through libarchive, entry by entry, hashing the section again so that a
 * file changed between the two reads is an error, never a wrong answer.
 * Memory is bounded by one entry's header and three I/O buffers, whatever
 * the image's size: each newc header is checked (eif_newc_feed) as its
 * bytes reach libarchive, decompressed first for a gzip ramdisk, so a
 * length libarchive would trust is refused before it allocates for it.
 * Nothing prints or exits.
 */
#ifndef QT_EIF_LS_H
#define QT_EIF_LS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eif.h"
#include "pcr.h"
#include "qt.h"

#define EIF_LS_ENTRIES_MAX (1u << 20) /* entries in one image's ramdisks */
#define EIF_LS_PATH_MAX    4096u      /* bytes of an entry's path or link target */
#define EIF_LS_CMD_MAX     (1u << 20) /* bytes of the "cmd" and "env" files kept */
#define EIF_NEWC_HDR_SIZE  110u       /* "070701" or "070702" and 13 fields of 8 hex digits */

/* One forward read of an image. */
struct eif_scan {
	struct eif_info *info;               /* sections, PCR0/1/2, CRC, metadata, signature */
	uint8_t digest[QT_MAX_SECTIONS][48]; /* SHA-384 of each section's data */
	struct pcr_set pcrs;                 /* info's PCRs and PCR8 (has_pcr8 when signed) */
	unsigned nramdisks;
};

/*
 * Scan the regular file at path (not a pipe: the ramdisks are read again),
 * checking every field; a bad CRC or a malformed signature section is an
 * error ("<path>: CRC mismatch: ..."). *ret is freed with eif_scan_free.
 * progress (NULL or fn NULL: none) is told the bytes read as the first part
 * of a scan and a walk: its total is the file's size plus its ramdisks',
 * which eif_walk's progress goes on from.
 */
int eif_scan_path(const char *path, const struct qt_progress_cb *progress, struct eif_scan **ret,
    struct qt_err *err);
void eif_scan_free(struct eif_scan *s);

enum eif_entry_type {
	EIF_ENTRY_FILE = '-',
	EIF_ENTRY_DIR = 'd',
	EIF_ENTRY_SYMLINK = 'l',
	EIF_ENTRY_HARDLINK = 'h', /* another name of an earlier file (link = its path) */
	EIF_ENTRY_CHAR = 'c',
	EIF_ENTRY_BLOCK = 'b',
	EIF_ENTRY_FIFO = 'p',
	EIF_ENTRY_SOCKET = 's',
};

/* One entry of a ramdisk, as stored (untrusted: the path is not checked here). */
struct eif_entry {
	unsigned ramdisk; /* 0-based among the ramdisk sections */
	unsigned section; /* the section's index in the image */
	const char *path; /* as stored, NUL-free, at most EIF_LS_PATH_MAX bytes */
	enum eif_entry_type type;
	uint32_t mode; /* permission bits, 07777 */
	int64_t uid, gid;
	uint64_t size;    /* data bytes (0 for all but files) */
	int64_t mtime;    /* seconds since the epoch */
	const char *link; /* symlink target or hard link's first name; NULL otherwise */
	uint32_t rdev_major, rdev_minor;
	bool has_sha256; /* regular files and hard links with data, in entry_end */
	uint8_t sha256[32];
};

/*
 * What a walk reports, in archive order (every member may be NULL): each
 * ramdisk's start (also an empty one), then each entry's header, its data in chunks of at most
 * QT_IO_CHUNK bytes, then its end with the SHA-256 of a regular file's data. A callback returning
 * -1 (err set) stops the walk. The entry is only valid during the calls.
 * progress (fn NULL: none) is told the bytes and entries done, going on
 * from the scan's report (the file's size, then the ramdisks read again,
 * of both together), every QT_PROGRESS_STEP bytes and at the end.
 */
struct eif_walk_cb {
	int (*ramdisk_begin)(void *ctx, unsigned ramdisk, unsigned section, struct qt_err *err);
	int (*entry_begin)(void *ctx, const struct eif_entry *e, struct qt_err *err);
	int (*entry_data)(void *ctx, const struct eif_entry *e, const uint8_t *buf, size_t len,
	    struct qt_err *err);
	int (*entry_end)(void *ctx, const struct eif_entry *e, struct qt_err *err);
	void *ctx;
	struct qt_progress_cb progress;
};

/*
 * Walk every ramdisk of the image scanned into scan (read again from path).
 * A ramdisk that is not a cpio newc archive (or one gzip stream of them), a
 * header out of eif_newc_feed's rules ("<path>: ramdisk N: offset O: ...",
 * "decompressed offset" for gzip), an entry past the limits, or a
 * section whose bytes differ from the scan's is an error naming the file,
 * the ramdisk and the entry.
 */
int eif_walk(const char *path, const struct eif_scan *scan, const struct eif_walk_cb *cb,
    struct qt_err *err);

/*
 * The check of a cpio newc stream as it goes past, before libarchive sees
 * it: libarchive trusts a header's c_namesize, and reads a symlink's whole
 * body (c_filesize bytes) into memory as its target, so a crafted header
 * would make it allocate gigabytes. Every header must be "070701" or
 * "070702" with 13 fields of 8 hex digits, a name of 1 to
 * EIF_LS_PATH_MAX + 1 bytes (with its NUL), and a symlink at most
 * EIF_LS_PATH_MAX bytes of target; the name and the data are each padded to
 * 4 bytes from the header's start. After a trailer (a name starting with
 * "TRAILER!!!"), zero bytes are padding and the next non-zero byte starts
 * another header, as for the archives one after another in a ramdisk.
 * Fed the bytes of one archive from its first byte, in order, in pieces of
 * any size; state only, no allocation.
 */
struct eif_newc {
	uint64_t off;     /* bytes fed so far */
	uint64_t hdr_off; /* where the current header starts */
	uint64_t left;    /* bytes of name, padding or data still to pass */
	uint8_t hdr[EIF_NEWC_HDR_SIZE];
	uint8_t name[10]; /* the name's first bytes, to find the trailer */
	uint32_t namesize, filesize;
	size_t have;  /* header or name bytes collected */
	bool trailer; /* the current entry is a trailer */
	enum { EIF_NEWC_HDR, EIF_NEWC_NAME, EIF_NEWC_SKIP, EIF_NEWC_ZEROS } state;
};

void eif_newc_init(struct eif_newc *c);
/*
 * The next len bytes; -1 with err (the reason; c->hdr_off is the offending
 * header's offset from the archive's first byte) for a header out of the
 * rules above. Once failed, the state must not be fed again.
 */
int eif_newc_feed(struct eif_newc *c, const uint8_t *buf, size_t len, struct qt_err *err);

/* "file", "directory", "symlink", "hardlink", "char", "block", "fifo", "socket". */
const char *eif_entry_type_name(enum eif_entry_type t);

/*
 * The "cmd" and "env" files of a walk (top level, with or without "./"),
 * kept as they go past: [0] cmd, [1] env, NULL while absent. A later file of
 * the same name replaces an earlier one. Zero-initialise, then capture = -1.
 */
struct eif_cmdenv {
	uint8_t *buf[2];
	size_t len[2];
	int capture; /* -1, or which of the two the current entry is */
};

/* "cmd" -> 0, "env" -> 1 (top level, "./" or not), anything else -1. */
int eif_cmdenv_index(const char *path);
/*
 * From entry_begin: keep e's data if it is a file named cmd or env; past
 * EIF_LS_CMD_MAX bytes -1 with "<name>: ramdisk N: <path>: more than ... bytes".
 */
int eif_cmdenv_begin(
    struct eif_cmdenv *c, const char *name, const struct eif_entry *e, struct qt_err *err);
/* From entry_data: the next piece of the entry being kept, if any. */
void eif_cmdenv_data(
    struct eif_cmdenv *c, const struct eif_entry *e, const uint8_t *buf, size_t len);
void eif_cmdenv_free(struct eif_cmdenv *c);

/*
 * The lines of a "cmd" or "env" file (one element per line, each ended by a
 * newline, as qt-build and nitro-cli write them): *ret_n pointers into a
 * malloc'd copy (*ret, a NULL-terminated vector; free with free()). A last
 * element without its newline is kept. -1 with err on allocation failure.
 */
int eif_lines(const uint8_t *buf, size_t len, char ***ret, size_t *ret_n, struct qt_err *err);

/*
 * Untrusted bytes as a JSON string: as they are when they are UTF-8 without
 * control characters, else with every byte outside printable ASCII shown as
 * '?'. A new reference, NULL on allocation failure.
 */
json_t *eif_text_json(const char *s, size_t len);
/*
 * An entry as `qt-measure ls` prints it: path, type, mode ("0755"), uid,
 * gid, size, mtime, sha256 (null but for files), link (null but for links),
 * rdev ([major, minor] for devices, else null). A new reference or NULL.
 */
json_t *eif_entry_json(const struct eif_entry *e);
/* "-rwxr-xr-x"-style mode with the type letter; out has >= 11 bytes. */
void eif_entry_mode_text(const struct eif_entry *e, char out[11]);

#endif
