/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text.h: the text forms every module shares: hex, base64 (standard and
 * url-safe), and the one time grammar of every --at, --build-time and
 * similar option, plus SOURCE_DATE_EPOCH. Nothing here prints, exits or
 * reads the environment: callers pass the text.
 */
#ifndef QT_TEXT_H
#define QT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "qt.h"

/* Lower-case hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void qt_hex(const uint8_t *buf, size_t len, char *out);
/* Value of one hex digit (either case), or -1. */
int qt_hex_digit(int c);
/*
 * Decode exactly 2*len hex digits (either case) from text into out.
 * Returns 0, or -1 if text has another length or a non-hex digit.
 */
int qt_unhex(const char *text, uint8_t *out, size_t len);

enum qt_base64 {
	QT_BASE64_STD, /* RFC 4648 section 4: A-Z a-z 0-9 + /, padded to 4 */
	QT_BASE64_URL, /* RFC 4648 section 5: A-Z a-z 0-9 - _, padding optional */
};

/*
 * Decode len characters of base64 (no whitespace) into a malloc'd buffer.
 * Padding must be canonical where present; the unused bits of the last
 * character must be zero. Errors name name and the position of the first bad
 * character. Returns 0 or -1 with err set.
 */
int qt_base64_decode(const char *name, enum qt_base64 variant, const char *text, size_t len,
    uint8_t **ret, size_t *ret_len, struct qt_err *err);
/* Encode len bytes as padded (STD) or unpadded (URL) base64; *ret is malloc'd, NUL-terminated. */
int qt_base64_encode(
    enum qt_base64 variant, const uint8_t *buf, size_t len, char **ret, struct qt_err *err);

/*
 * The one time grammar (man pages, TIME): "now", "doc" (only where
 * QT_TIME_ALLOW_DOC is given), "@SECONDS" (decimal, optional sign), RFC 3339
 * "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" (T and Z in either case),
 * and a bare "YYYY-MM-DD" meaning 00:00:00Z. Every field is zero-padded to
 * its width; an impossible date or time (Feb 30, hour 24, minute 60) is
 * refused; a leap second (:60) is refused too, as time_t cannot hold it.
 */
enum qt_time_kind {
	QT_TIME_AT = 0, /* an instant: ms is set */
	QT_TIME_NOW,    /* the clock, read by the caller */
	QT_TIME_DOC,    /* the attestation document's own timestamp */
};

struct qt_time {
	enum qt_time_kind kind;
	int64_t ms;   /* milliseconds since 1970-01-01T00:00:00Z (fraction truncated) */
	bool rfc3339; /* the text was a full RFC 3339 date-time */
};

#define QT_TIME_ALLOW_DOC 1u

/*
 * Parse text under the grammar above. opt names the option in the message
 * ("--at: '2026-02-31' is not a valid time (...)"). Returns 0 or -1 with err
 * set (code EINVAL).
 */
int qt_time_parse(
    const char *opt, const char *text, unsigned flags, struct qt_time *ret, struct qt_err *err);

/*
 * Unix seconds of a broken-down UTC time (struct tm fields: years since
 * 1900, months 0-11), as certificates give it (ASN1_TIME_to_tm). No time
 * zone and no normalising: the fields are taken as they are.
 */
int64_t qt_time_from_tm(const struct tm *tm);

/* Milliseconds since the epoch, now (CLOCK_REALTIME). */
int64_t qt_time_now_ms(void);

/* Whole seconds of an instant in ms, rounded towards the past. */
int64_t qt_time_ms_to_s(int64_t ms);

/*
 * Format unix seconds as RFC 3339 UTC: "2026-07-20T11:23:26Z", or with
 * numeric_offset "2026-07-20T11:23:26+00:00" (nitro-cli's BuildTime form).
 * out has >= 32 bytes; a time outside years 0-9999 prints as "@SECONDS".
 */
void qt_time_format(int64_t t, bool numeric_offset, char *out, size_t len);

/*
 * SOURCE_DATE_EPOCH (reproducible-builds.org): value is the variable's text
 * or NULL. Unset or empty: *ret_set = false. Otherwise a decimal number of
 * seconds in 0..253402300799 (9999-12-31T23:59:59Z), or -1 with err set.
 */
int qt_source_date_epoch(const char *value, int64_t *ret, bool *ret_set, struct qt_err *err);

#endif
