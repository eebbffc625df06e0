/* SPDX-License-Identifier: Apache-2.0 */
/* test_base.c: qt_err, hex helpers, big-endian helpers and the write buffer. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "bytes.h"
#include "fileio.h"
#include "qt.h"
#include "text.h"
#include "unit.h"

static void
test_err(struct unit *u)
{
	struct qt_err err = { 0 };

	CHECK(u, qt_err_set(&err, EINVAL, "a.eif: section %u: bad", 3u) == -1);
	CHECK_STR(u, err.msg, "a.eif: section 3: bad");
	CHECK(u, err.code == EINVAL);
	/* First error wins. */
	CHECK(u, qt_err_set(&err, EIO, "later") == -1);
	CHECK_STR(u, err.msg, "a.eif: section 3: bad");
	qt_err_clear(&err);
	CHECK(u, err.code == 0);
}

static void
test_hex(struct unit *u)
{
	const uint8_t bytes[] = { 0x00, 0x1f, 0xa0, 0xff };
	uint8_t back[4];
	char text[9];

	qt_hex(bytes, sizeof(bytes), text);
	CHECK_STR(u, text, "001fa0ff");
	CHECK(u, qt_unhex("001FA0ff", back, 4) == 0);
	CHECK_MEM(u, back, bytes, 4);
	CHECK(u, qt_unhex("001fa0f", back, 4) == -1);    /* odd length */
	CHECK(u, qt_unhex("001fa0fg", back, 4) == -1);   /* not hex */
	CHECK(u, qt_unhex("001fa0ff00", back, 4) == -1); /* too long */
}

static void
test_be(struct unit *u)
{
	uint8_t b[8];
	struct rd r = { b, sizeof(b), 0 };
	const uint8_t *p;

	be64_put(b, 0x0102030405060708u);
	CHECK(u, b[0] == 1 && b[7] == 8);
	CHECK(u, be64_get(b) == 0x0102030405060708u);
	CHECK(u, be32_get(b + 4) == 0x05060708u);
	CHECK(u, be16_get(b + 6) == 0x0708u);
	CHECK(u, rd_take(&r, 6, &p) && p == b);
	CHECK(u, !rd_take(&r, 3, &p)); /* only 2 left */
	CHECK(u, rd_left(&r) == 2);
	CHECK(u, !rd_take(&r, SIZE_MAX, &p)); /* no wrap-around */
}

static void
test_wbuf(struct unit *u)
{
	struct wbuf b = { 0 };
	struct qt_err err = { 0 };
	size_t i;
	int ok = 1;

	for (i = 0; i < 1000; i++)
		ok &= wbuf_put_u8(&b, (uint8_t)i, &err) == 0;
	CHECK(u, ok);
	CHECK(u, b.len == 1000 && b.p[999] == (uint8_t)999);
	wbuf_free(&b);
	CHECK(u, b.p == NULL && b.len == 0);
}

static void
test_file(struct unit *u)
{
	struct qt_err err = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;

	CHECK(
	    u, fileio_read_all(FIXTURES "/golden/inputs/cmdline.txt", 4096, &buf, &len, &err) == 0);
	CHECK(u, len == 119 && buf[len] == '\0');
	free(buf);
	buf = NULL;
	CHECK(
	    u, fileio_read_all(FIXTURES "/golden/inputs/cmdline.txt", 100, &buf, &len, &err) == -1);
	CHECK_STR(
	    u, err.msg, FIXTURES "/golden/inputs/cmdline.txt: larger than the limit of 100 bytes");
	qt_err_clear(&err);
	CHECK(u, fileio_read_all(FIXTURES "/golden", 100, &buf, &len, &err) == -1);
	CHECK_STR(u, err.msg, FIXTURES "/golden: is a directory");
	qt_err_clear(&err);
	CHECK(u, fileio_read_all("/nonexistent/x", 100, &buf, &len, &err) == -1);
	CHECK_STR(u, err.msg, "/nonexistent/x: cannot open: No such file or directory");
}

/* One time grammar (text.h): every --at and --build-time goes through it. */
static int64_t
ms_of(const char *text, unsigned flags)
{
	struct qt_err err = { 0 };
	struct qt_time t;

	if (qt_time_parse("--at", text, flags, &t, &err) < 0)
		return INT64_MIN;
	return t.kind == QT_TIME_AT ? t.ms : -1 - (int64_t)t.kind;
}

static void
test_time(struct unit *u)
{
	struct qt_err err = { 0 };
	struct qt_time t;
	char buf[32];
	int64_t v;
	bool set;

	CHECK(u, ms_of("2026-07-20T11:23:26Z", 0) == 1784546606000);
	CHECK(u, ms_of("2026-07-20t11:23:26z", 0) == 1784546606000);
	CHECK(u, ms_of("2026-07-20T11:23:26.999Z", 0) == 1784546606999);
	CHECK(u, ms_of("2026-07-20T11:23:26.5Z", 0) == 1784546606500);
	CHECK(u, ms_of("2026-07-20T11:23:26.123456789Z", 0) == 1784546606123);
	CHECK(u, ms_of("2026-07-20T13:23:26+02:00", 0) == 1784546606000);
	CHECK(u, ms_of("2026-07-20T09:53:26-01:30", 0) == 1784546606000);
	CHECK(u, ms_of("2026-07-20", 0) == 1784505600000);
	CHECK(u, ms_of("2024-02-29", 0) == 1709164800000); /* leap year */
	CHECK(u, ms_of("1969-12-31T23:59:59Z", 0) == -1000);
	CHECK(u, ms_of("@1784546606", 0) == 1784546606000);
	CHECK(u, ms_of("@-1", 0) == -1000);
	CHECK(u, ms_of("@0", 0) == 0);
	CHECK(u, ms_of("now", 0) == -1 - QT_TIME_NOW);
	CHECK(u, ms_of("doc", QT_TIME_ALLOW_DOC) == -1 - QT_TIME_DOC);
	CHECK(u, ms_of("doc", 0) == INT64_MIN);                  /* verify only */
	CHECK(u, ms_of("2026-02-31T00:00:00Z", 0) == INT64_MIN); /* impossible date */
	CHECK(u, ms_of("2026-02-30", 0) == INT64_MIN);
	CHECK(u, ms_of("2023-02-29", 0) == INT64_MIN); /* not a leap year */
	CHECK(u, ms_of("1900-02-29", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-04-31", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-13-01", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-07-20T24:00:00Z", 0) == INT64_MIN); /* hour 24 */
	CHECK(u, ms_of("2026-07-20T23:60:00Z", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-07-20T23:59:60Z", 0) == INT64_MIN); /* time_t has no leap second */
	CHECK(u, ms_of("2026-07-20T1:2:3Z", 0) == INT64_MIN);    /* unpadded */
	CHECK(u, ms_of("2026-7-20", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-07-20 11:23:26Z", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-07-20T11:23:26", 0) == INT64_MIN); /* no offset */
	CHECK(u, ms_of("2026-07-20T11:23:26.Z", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-07-20T11:23:26+0200", 0) == INT64_MIN);
	CHECK(u, ms_of("2026-07-20T11:23:26+24:00", 0) == INT64_MIN);
	CHECK(u, ms_of("@", 0) == INT64_MIN);
	CHECK(u, ms_of("@12x", 0) == INT64_MIN);
	CHECK(u, ms_of("@1234567890123456", 0) == INT64_MIN); /* 16 digits */
	CHECK(u, ms_of("", 0) == INT64_MIN);
	CHECK(u, qt_time_parse("--at", "2026-02-31T00:00:00Z", 0, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    "--at: '2026-02-31T00:00:00Z' is not a valid time (now, @SECONDS, YYYY-MM-DD or RFC "
	    "3339 such as 2026-07-20T11:23:26Z)");
	CHECK(u, qt_time_parse("--at", "2026-07-20T11:23:26Z", 0, &t, &err) == 0 && t.rfc3339);
	CHECK(u, qt_time_parse("--at", "2026-07-20", 0, &t, &err) == 0 && !t.rfc3339);
	CHECK(u, qt_time_ms_to_s(1999) == 1 && qt_time_ms_to_s(-1) == -1 &&
	             qt_time_ms_to_s(-1000) == -1);
	{
		struct tm tm = { .tm_year = 126,
			.tm_mon = 6,
			.tm_mday = 20,
			.tm_hour = 11,
			.tm_min = 23,
			.tm_sec = 26 };
		struct tm old = { .tm_year = 69,
			.tm_mon = 11,
			.tm_mday = 31,
			.tm_hour = 23,
			.tm_min = 59,
			.tm_sec = 59 };

		CHECK(u, qt_time_from_tm(&tm) == 1784546606);
		CHECK(u, qt_time_from_tm(&old) == -1);
	}
	qt_time_format(1784546606, false, buf, sizeof(buf));
	CHECK_STR(u, buf, "2026-07-20T11:23:26Z");
	qt_time_format(0, true, buf, sizeof(buf));
	CHECK_STR(u, buf, "1970-01-01T00:00:00+00:00");
	CHECK(u, qt_source_date_epoch(NULL, &v, &set, &err) == 0 && !set);
	CHECK(u, qt_source_date_epoch("", &v, &set, &err) == 0 && !set);
	CHECK(u, qt_source_date_epoch("1700000000", &v, &set, &err) == 0 && set && v == 1700000000);
	CHECK(u, qt_source_date_epoch("253402300799", &v, &set, &err) == 0 && v == 253402300799);
	qt_err_clear(&err);
	CHECK(u, qt_source_date_epoch("253402300800", &v, &set, &err) == -1);
	CHECK_STR(
	    u, err.msg, "SOURCE_DATE_EPOCH: '253402300800' is not a number of seconds since 1970");
	CHECK(u, qt_source_date_epoch("-1", &v, &set, &err) == -1);
	CHECK(u, qt_source_date_epoch("12a", &v, &set, &err) == -1);
}

/* Base64, both alphabets (RFC 4648 section 10 vectors). */
static void
test_base64(struct unit *u)
{
	static const struct {
		const char *plain, *b64;
	} vec[] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" } };
	struct qt_err err = { 0 };
	uint8_t *out = NULL, raw[] = { 0xfb, 0xff, 0xfe };
	char *text = NULL;
	size_t i, len = 0;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		CHECK(u, qt_base64_decode("t", QT_BASE64_STD, vec[i].b64, strlen(vec[i].b64), &out,
		             &len, &err) == 0 &&
		             len == strlen(vec[i].plain) && memcmp(out, vec[i].plain, len) == 0);
		free(out);
		out = NULL;
		CHECK(u, qt_base64_encode(QT_BASE64_STD, (const uint8_t *)vec[i].plain,
		             strlen(vec[i].plain), &text, &err) == 0 &&
		             strcmp(text, vec[i].b64) == 0);
		free(text);
		text = NULL;
	}
	CHECK(u, qt_base64_encode(QT_BASE64_URL, raw, 3, &text, &err) == 0);
	CHECK_STR(u, text, "-__-");
	free(text);
	CHECK(u, qt_base64_encode(QT_BASE64_URL, raw, 2, &text, &err) == 0);
	CHECK_STR(u, text, "-_8");
	free(text);
	CHECK(u, qt_base64_decode("t", QT_BASE64_URL, "-_8", 3, &out, &len, &err) == 0 &&
	             len == 2 && out[0] == 0xfb && out[1] == 0xff);
	free(out);
	CHECK(
	    u, qt_base64_decode("t", QT_BASE64_URL, "-_8=", 4, &out, &len, &err) == 0 && len == 2);
	free(out);
	CHECK(u, qt_base64_decode("t", QT_BASE64_STD, "+/8=", 4, &out, &len, &err) == 0 &&
	             len == 2 && out[0] == 0xfb);
	free(out);
	CHECK(u, qt_base64_decode("t", QT_BASE64_STD, "-_8=", 4, &out, &len, &err) == -1);
	CHECK_STR(u, err.msg, "t: base64: invalid character at position 0");
	qt_err_clear(&err);
	CHECK(u,
	    qt_base64_decode("t", QT_BASE64_STD, "Zm8", 3, &out, &len, &err) == -1); /* unpadded */
	CHECK_STR(u, err.msg, "t: base64: length 3 is not a whole number of groups");
	qt_err_clear(&err);
	CHECK(u, qt_base64_decode("t", QT_BASE64_STD, "Zm9=", 4, &out, &len, &err) == -1);
	CHECK_STR(u, err.msg, "t: base64: non-zero bits after the data at position 2");
	qt_err_clear(&err);
	CHECK(u, qt_base64_decode("t", QT_BASE64_STD, "Z===", 4, &out, &len, &err) == -1);
	qt_err_clear(&err);
	CHECK(u, qt_base64_decode("t", QT_BASE64_STD, "Zm=9", 4, &out, &len, &err) == -1);
	qt_err_clear(&err);
	CHECK(u, qt_base64_decode("t", QT_BASE64_URL, "Z", 1, &out, &len, &err) == -1);
}

/* qt_err_prefix: context in front, first error kept, one line. */
static void
test_err_prefix(struct unit *u)
{
	struct qt_err err = { 0 };

	CHECK(u, qt_err_prefix(&err, "app.tar") == -1);
	CHECK(u, err.code == 0 && err.msg[0] == '\0'); /* nothing recorded: nothing to prefix */
	qt_err_set(&err, EINVAL, "layer 2: entry 'a': bad mode");
	qt_err_prefix(&err, "%s", "docker-archive:app.tar");
	CHECK_STR(u, err.msg, "docker-archive:app.tar: layer 2: entry 'a': bad mode");
	CHECK(u, err.code == EINVAL);
	{
		struct qt_err side = { 0 }, other = { 0 };

		qt_err_set(&side, EPROTO, "why: bad");
		CHECK(u, qt_err_move(&other, &side) == -1);
		CHECK_STR(u, other.msg, "why: bad");
		CHECK(u, other.code == EPROTO && side.code == 0 && side.msg[0] == '\0');
		qt_err_set(&side, EIO, "second");
		qt_err_move(&other, &side); /* the first error wins; the side is cleared anyway */
		CHECK_STR(u, other.msg, "why: bad");
		CHECK(u, side.code == 0);
	}
	qt_err_prefix(&err, "x\ny");
	CHECK_STR(u, err.msg, "x?y: docker-archive:app.tar: layer 2: entry 'a': bad mode");
}

int
main(void)
{
	struct unit u = { 0 };

	test_err(&u);
	test_hex(&u);
	test_be(&u);
	test_wbuf(&u);
	test_file(&u);
	test_time(&u);
	test_base64(&u);
	test_err_prefix(&u);
	return unit_end(&u);
}
