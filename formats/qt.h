/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt.h: what every formats/ module shares: the error object, exit-code
 * values, hard limits on untrusted input and the byte sink that streams
 * section data between modules. Nothing here prints or exits.
 */
#ifndef QT_H
#define QT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QT_VERSION "0.1.0"

#if defined(__GNUC__)
#define QT_NORETURN     __attribute__((noreturn))
#define QT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define QT_NORETURN
#define QT_PRINTF(f, a)
#endif

/* Exit codes of every tool (DESIGN.md "Exit codes"). */
enum qt_exit {
	QT_EXIT_OK = 0,       /* done; for a check: everything matched */
	QT_EXIT_MISMATCH = 1, /* the check ran and the answer is no */
	QT_EXIT_TROUBLE = 2,  /* the check could not be done */
};

/*
 * Error object filled by the library, printed by the front-end (libarchive's
 * archive_set_error model). The first error set wins: the innermost context
 * is the most precise one. msg carries "<file>: <context>: <problem>"; the
 * front-end only prepends its program name.
 */
struct qt_err {
	int code; /* errno value, or EINVAL for malformed input; 0 = no error */
	char msg[512];
};

/* Record an error unless one is already recorded. Always returns -1. */
int qt_err_set(struct qt_err *err, int code, const char *fmt, ...) QT_PRINTF(3, 4);
int qt_err_setv(struct qt_err *err, int code, const char *fmt, va_list ap) QT_PRINTF(3, 0);
/*
 * Record an error followed by ": <OpenSSL reason>" taken from the thread's
 * OpenSSL error queue, and drain that queue. Always returns -1.
 */
int qt_err_ssl(struct qt_err *err, const char *fmt, ...) QT_PRINTF(2, 3);
/*
 * Prepend "<context>: " to a recorded error (no-op if none is recorded or
 * the message would not fit whole): the one way to add what the caller
 * knows, e.g. the source an archive error came from. Always returns -1.
 */
int qt_err_prefix(struct qt_err *err, const char *fmt, ...) QT_PRINTF(2, 3);
/*
 * Hand the error recorded in from (if any) to to, under the same first-error
 * rule, and clear from: for a function that collects a reason on the side
 * (a verdict's "why") and then learns it is an error after all.
 * Always returns -1.
 */
int qt_err_move(struct qt_err *to, struct qt_err *from);
/* Drop a recorded error (used when a failure is expected and handled). */
void qt_err_clear(struct qt_err *err);

/*
 * A byte sink: where a producer (ramdisk writer, file reader) pushes bytes
 * and a consumer (EIF writer, hashers) takes them. write() returns 0 or -1
 * with err set; it must consume all len bytes.
 * Optionally (both NULL if not) the producer may fill the consumer's own
 * buffer instead, saving a copy: space() gives room for *ret_cap (> 0)
 * bytes, NULL with err on failure; commit() takes the first n of them, as
 * write() would, and ends the room. One room at a time; write() may be used
 * in between.
 */
struct qt_sink {
	int (*write)(void *ctx, const uint8_t *buf, size_t len, struct qt_err *err);
	void *ctx;
	uint8_t *(*space)(void *ctx, size_t *ret_cap, struct qt_err *err);
	int (*commit)(void *ctx, size_t n, struct qt_err *err);
};

/*
 * How far a long read or write is, told to the caller's function (the
 * library prints nothing) at most every QT_PROGRESS_STEP bytes and once at
 * the end. A zero total or nentries means unknown (nentries: no entries are
 * counted unless entries > 0); section 0 of nsections 0: not shown.
 */
struct qt_progress {
	uint64_t bytes;    /* done */
	uint64_t total;    /* bytes in all; 0 = unknown */
	uint64_t entries;  /* cpio entries done */
	uint64_t nentries; /* of how many; 0 = unknown */
	unsigned section;  /* at work, 1-based */
	unsigned nsections;
};
typedef void (*qt_progress_fn)(void *ctx, const struct qt_progress *p);
/* A progress function and its context, for the readers' entry points (NULL: none). */
struct qt_progress_cb {
	qt_progress_fn fn;
	void *ctx;
};
#define QT_PROGRESS_STEP (4u << 20)

/*
 * The platform whose conventions are meant (--profile): QingTian or AWS
 * Nitro. AUTO is "from the input" where an input says (an attestation
 * document's shape); everywhere else the default is QINGTIAN.
 */
enum qt_profile {
	QT_PROFILE_AUTO = 0,
	QT_PROFILE_QINGTIAN,
	QT_PROFILE_NITRO,
};

/* "qingtian", "nitro" or "auto". */
const char *qt_profile_name(enum qt_profile p);
/* "qingtian" / "nitro" (and "auto" only if allow_auto); 0, or -1 for anything else. */
int qt_profile_parse(const char *text, bool allow_auto, enum qt_profile *ret);

/* Every PCR is a SHA-384 value; a document or manifest holds PCRs 0..31. */
#define PCR_LEN   48
#define PCR_COUNT 32

/* Hard limits on untrusted input (documented in the man pages). */
#define QT_MAX_SECTIONS        32
#define QT_SIGNATURE_MAX       32768u     /* bytes of an EIF signature section */
#define QT_METADATA_MAX        (1u << 20) /* bytes of an EIF metadata section we read */
#define QT_CUSTOM_METADATA_MAX 4096u      /* --metadata file, as nitro-cli */
#define QT_CMDLINE_MAX         (1u << 16)
#define QT_IO_CHUNK            (1u << 20) /* read/hash granularity of streams */
#define QT_CHAIN_MAX           8u /* certificates in a signing chain (leaf + intermediates) */

#endif
