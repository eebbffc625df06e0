/* SPDX-License-Identifier: Apache-2.0 */
/* text.c: hex, base64 and the one time grammar (text.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "text.h"

void
qt_hex(const uint8_t *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 0xf];
	}
	out[2 * len] = '\0';
}

int
qt_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
qt_unhex(const char *text, uint8_t *out, size_t len)
{
	size_t i;

	if (strlen(text) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		int hi = qt_hex_digit(text[2 * i]), lo = qt_hex_digit(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* ---- base64 ------------------------------------------------------------------------- */

/* Value of a base64 character in the variant's alphabet, or -1. */
static int
b64_value(enum qt_base64 variant, char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (variant == QT_BASE64_URL ? '-' : '+'))
		return 62;
	if (c == (variant == QT_BASE64_URL ? '_' : '/'))
		return 63;
	return -1;
}

int
qt_base64_decode(const char *name, enum qt_base64 variant, const char *text, size_t len,
    uint8_t **ret, size_t *ret_len, struct qt_err *err)
{
	char *std = NULL;
	uint8_t *out = NULL;
	size_t i, data, pad = 0, padded;
	int n, r = -1;

	/* Count the data characters and the canonical padding after them. */
	for (data = len; data > 0 && text[data - 1] == '='; data--)
		pad++;
	if (pad > 2 || (pad > 0 && (data + pad) % 4 != 0) ||
	    (variant == QT_BASE64_STD && len % 4 != 0) || data % 4 == 1) {
		qt_err_set(err, EINVAL, "%s: base64: length %zu is not a whole number of groups",
		    name, len);
		goto out;
	}
	for (i = 0; i < data; i++)
		if (b64_value(variant, text[i]) < 0) {
			qt_err_set(
			    err, EINVAL, "%s: base64: invalid character at position %zu", name, i);
			goto out;
		}
	/* The bits the last character carries beyond the data must be zero. */
	if ((data % 4 == 2 && (b64_value(variant, text[data - 1]) & 0xf) != 0) ||
	    (data % 4 == 3 && (b64_value(variant, text[data - 1]) & 0x3) != 0)) {
		qt_err_set(err, EINVAL, "%s: base64: non-zero bits after the data at position %zu",
		    name, data - 1);
		goto out;
	}
	/* OpenSSL decodes the standard, padded form: translate, pad, decode, drop the pad. */
	padded = (data + 3) / 4 * 4;
	if (padded > INT_MAX || (std = malloc(padded + 1)) == NULL ||
	    (out = malloc(padded / 4 * 3 + 1)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	for (i = 0; i < data; i++)
		std[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
	for (; i < padded; i++)
		std[i] = '=';
	std[padded] = '\0';
	n = padded == 0 ? 0 : EVP_DecodeBlock(out, (const unsigned char *)std, (int)padded);
	if (n < 0) {
		qt_err_ssl(err, "%s: base64", name);
		goto out;
	}
	*ret_len = (size_t)n - (padded - data);
	*ret = out;
	out = NULL;
	r = 0;
out:
	free(std);
	free(out);
	return r;
}

int
qt_base64_encode(
    enum qt_base64 variant, const uint8_t *buf, size_t len, char **ret, struct qt_err *err)
{
	char *out;
	size_t n;

	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return qt_err_set(err, EFBIG, "base64: %zu bytes is too large to encode", len);
	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return qt_err_set(err, ENOMEM, "base64: out of memory");
	n = (size_t)EVP_EncodeBlock((unsigned char *)out, buf, (int)len);
	if (variant == QT_BASE64_URL) {
		while (n > 0 && out[n - 1] == '=')
			n--;
		for (size_t i = 0; i < n; i++)
			out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	out[n] = '\0';
	*ret = out;
	return 0;
}

/* ---- time --------------------------------------------------------------------------- */

/* n decimal digits exactly, into *ret. */
static bool
fixed_digits(const char *s, size_t n, int *ret)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return true;
}

static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (no timegm: no TZ, no
 * normalising). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD" at s (10 characters), checked as a real calendar date. */
static bool
parse_date(const char *s, int64_t *ret_days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (!fixed_digits(s, 4, &y) || s[4] != '-' || !fixed_digits(s + 5, 2, &m) || s[7] != '-' ||
	    !fixed_digits(s + 8, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap_year(y)))
		return false;
	*ret_days = days_from_civil(y, m, d);
	return true;
}

/* "@SECONDS": optional sign, 1-15 decimal digits (far beyond year 9999, far below overflow in ms).
 */
static bool
parse_epoch(const char *s, int64_t *ret_ms)
{
	int64_t v = 0;
	bool neg = false;
	size_t n = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 15)
			return false;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || s[n] != '\0')
		return false;
	*ret_ms = (neg ? -v : v) * 1000;
	return true;
}

/* RFC 3339 date-time (section 5.6), as described in text.h. */
static bool
parse_rfc3339(const char *s, int64_t *ret_ms)
{
	int64_t days, ms = 0, scale = 100;
	int h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p;

	if (strlen(s) < 20 || !parse_date(s, &days) || (s[10] != 'T' && s[10] != 't') ||
	    !fixed_digits(s + 11, 2, &h) || s[13] != ':' || !fixed_digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !fixed_digits(s + 17, 2, &sec) || h > 23 || mi > 59 || sec > 59)
		return false;
	p = s + 19;
	if (*p == '.') { /* fraction: kept to the millisecond, the rest truncated */
		for (p++; *p >= '0' && *p <= '9'; p++) {
			ms += (*p - '0') * scale;
			scale /= 10;
		}
		if (p[-1] == '.')
			return false;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		sign = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && fixed_digits(p + 1, 2, &oh) &&
	           p[3] == ':' && fixed_digits(p + 4, 2, &om) && oh < 24 && om < 60) {
		sign = *p == '+' ? 1 : -1;
	} else {
		return false;
	}
	*ret_ms =
	    ((days * 86400 + h * 3600 + mi * 60 + sec) - sign * (oh * 3600 + om * 60)) * 1000 + ms;
	return true;
}

int
qt_time_parse(
    const char *opt, const char *text, unsigned flags, struct qt_time *ret, struct qt_err *err)
{
	struct qt_time t = { QT_TIME_AT, 0, false };
	int64_t days;

	if (strcmp(text, "now") == 0) {
		t.kind = QT_TIME_NOW;
	} else if (strcmp(text, "doc") == 0 && (flags & QT_TIME_ALLOW_DOC) != 0) {
		t.kind = QT_TIME_DOC;
	} else if (text[0] == '@') {
		if (!parse_epoch(text + 1, &t.ms))
			goto bad;
	} else if (strlen(text) == 10) {
		if (!parse_date(text, &days))
			goto bad;
		t.ms = days * 86400 * 1000;
	} else if (parse_rfc3339(text, &t.ms)) {
		t.rfc3339 = true;
	} else {
		goto bad;
	}
	*ret = t;
	return 0;
bad:
	return qt_err_set(err, EINVAL,
	    "%s: '%s' is not a valid time (now,%s @SECONDS, YYYY-MM-DD or RFC 3339 such as "
	    "2026-07-20T11:23:26Z)",
	    opt, text, (flags & QT_TIME_ALLOW_DOC) != 0 ? " doc," : "");
}

int64_t
qt_time_from_tm(const struct tm *tm)
{
	return days_from_civil(tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday) * 86400 +
	       tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

int64_t
qt_time_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (int64_t)time(NULL) * 1000;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
qt_time_ms_to_s(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void
qt_time_format(int64_t t, bool numeric_offset, char *out, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < -62167219200 || t > 253402300799 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, numeric_offset ? "%Y-%m-%dT%H:%M:%S+00:00" : "%Y-%m-%dT%H:%M:%SZ",
	        &tm) == 0)
		snprintf(out, len, "@%lld", (long long)t);
}

int
qt_source_date_epoch(const char *value, int64_t *ret, bool *ret_set, struct qt_err *err)
{
	int64_t v = 0;
	size_t i;

	*ret_set = false;
	if (value == NULL || value[0] == '\0')
		return 0;
	for (i = 0; value[i] >= '0' && value[i] <= '9'; i++) {
		if (i == 12) /* 253402300799 has 12 digits */
			break;
		v = v * 10 + (value[i] - '0');
	}
	if (i == 0 || value[i] != '\0' || v > 253402300799)
		return qt_err_set(err, EINVAL,
		    "SOURCE_DATE_EPOCH: '%s' is not a number of seconds since 1970", value);
	*ret = v;
	*ret_set = true;
	return 0;
}
