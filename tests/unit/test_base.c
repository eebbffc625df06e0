/* SPDX-License-Identifier: Apache-2.0 */
/* test_base.c: qt_err, hex helpers, big-endian helpers and the write buffer. */
#include <errno.h>
#include <stdlib.h>

#include "bytes.h"
#include "file.h"
#include "qt.h"
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

	CHECK(u, file_read_all(FIXTURES "/golden/inputs/cmdline.txt", 4096, &buf, &len, &err) == 0);
	CHECK(u, len == 119 && buf[len] == '\0');
	free(buf);
	buf = NULL;
	CHECK(u, file_read_all(FIXTURES "/golden/inputs/cmdline.txt", 100, &buf, &len, &err) == -1);
	CHECK_STR(
	    u, err.msg, FIXTURES "/golden/inputs/cmdline.txt: larger than the limit of 100 bytes");
	qt_err_clear(&err);
	CHECK(u, file_read_all(FIXTURES "/golden", 100, &buf, &len, &err) == -1);
	CHECK_STR(u, err.msg, FIXTURES "/golden: is a directory");
	qt_err_clear(&err);
	CHECK(u, file_read_all("/nonexistent/x", 100, &buf, &len, &err) == -1);
	CHECK_STR(u, err.msg, "/nonexistent/x: cannot open: No such file or directory");
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
	return unit_end(&u);
}
