/* SPDX-License-Identifier: Apache-2.0 */
/* err.c: the error object of qt.h and the profile names. */
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

int
qt_err_prefix(struct qt_err *err, const char *fmt, ...)
{
	char ctx[sizeof(err->msg)];
	size_t n, used;
	va_list ap;

	if (err == NULL || err->code == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	n = strlen(ctx);
	used = strlen(err->msg);
	if (n + 2 + used >= sizeof(err->msg))
		return -1;
	memmove(err->msg + n + 2, err->msg, used + 1);
	memcpy(err->msg, ctx, n);
	memcpy(err->msg + n, ": ", 2);
	for (used = 0; used < n; used++) /* same rule as qt_err_setv: one line, no escapes */
		if ((unsigned char)err->msg[used] < 0x20 || err->msg[used] == 0x7f)
			err->msg[used] = '?';
	return -1;
}

int
qt_err_move(struct qt_err *to, struct qt_err *from)
{
	if (from == NULL || from->code == 0 || from == to)
		return -1;
	if (to != NULL && to->code == 0)
		*to = *from;
	qt_err_clear(from);
	return -1;
}

const char *
qt_profile_name(enum qt_profile p)
{
	switch (p) {
	case QT_PROFILE_QINGTIAN:
		return "qingtian";
	case QT_PROFILE_NITRO:
		return "nitro";
	case QT_PROFILE_AUTO:
		break;
	}
	return "auto";
}

int
qt_profile_parse(const char *text, bool allow_auto, enum qt_profile *ret)
{
	if (strcmp(text, "qingtian") == 0)
		*ret = QT_PROFILE_QINGTIAN;
	else if (strcmp(text, "nitro") == 0)
		*ret = QT_PROFILE_NITRO;
	else if (allow_auto && strcmp(text, "auto") == 0)
		*ret = QT_PROFILE_AUTO;
	else
		return -1;
	return 0;
}
