/* SPDX-License-Identifier: Apache-2.0 */
/* err.c: the error object of qt.h and the hex helpers every module needs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "qt.h"

int
qt_err_setv(struct qt_err *err, int code, const char *fmt, va_list ap)
{
	char *p;

	if (err == NULL || err->code != 0)
		return -1;
	err->code = code != 0 ? code : -1;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	/*
	 * Messages quote untrusted input (archive paths, JSON keys, CBOR text):
	 * keep them on one line and free of terminal escapes.
	 */
	for (p = err->msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

int
qt_err_set(struct qt_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qt_err_setv(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
qt_err_ssl(struct qt_err *err, const char *fmt, ...)
{
	char reason[256] = "";
	unsigned long e, last = 0;
	size_t used;
	va_list ap;

	/* Keep the last (most specific) reason; drain the queue either way. */
	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last != 0)
		ERR_error_string_n(last, reason, sizeof(reason));
	if (err == NULL || err->code != 0)
		return -1;
	va_start(ap, fmt);
	qt_err_setv(err, EPROTO, fmt, ap);
	va_end(ap);
	used = strlen(err->msg);
	if (reason[0] != '\0' && used < sizeof(err->msg))
		snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", reason);
	return -1;
}

void
qt_err_clear(struct qt_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

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
