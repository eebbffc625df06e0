/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt.h: what every formats/ module shares: the error object, exit-code
 * values, hard limits on untrusted input and the byte sink that streams
 * section data between modules. Nothing here prints or exits.
 */
#ifndef QT_H
#define QT_H

#include <stdarg.h>
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
/* Drop a recorded error (used when a failure is expected and handled). */
void qt_err_clear(struct qt_err *err);

/*
 * A byte sink: where a producer (ramdisk writer, file reader) pushes bytes
 * and a consumer (EIF writer, hashers) takes them. write() returns 0 or -1
 * with err set; it must consume all len bytes.
 */
struct qt_sink {
	int (*write)(void *ctx, const uint8_t *buf, size_t len, struct qt_err *err);
	void *ctx;
};

/* Hard limits on untrusted input (documented in the man pages). */
#define QT_MAX_SECTIONS        32
#define QT_SIGNATURE_MAX       32768u     /* bytes of an EIF signature section */
#define QT_METADATA_MAX        (1u << 20) /* bytes of an EIF metadata section we read */
#define QT_CUSTOM_METADATA_MAX 4096u      /* --metadata file, as nitro-cli */
#define QT_CMDLINE_MAX         (1u << 16)
#define QT_IO_CHUNK            (1u << 20) /* read/hash granularity of streams */
#define QT_CHAIN_MAX           8u /* certificates in a signing chain (leaf + intermediates) */

/* Lower-case hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void qt_hex(const uint8_t *buf, size_t len, char *out);
/* Value of one hex digit (either case), or -1. */
int qt_hex_digit(int c);
/*
 * Decode exactly 2*len hex digits (either case) from text into out.
 * Returns 0, or -1 if text has another length or a non-hex digit.
 */
int qt_unhex(const char *text, uint8_t *out, size_t len);

#endif
