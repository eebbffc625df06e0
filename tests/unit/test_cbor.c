/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cbor.c: qtcbor's encoder (shortest heads, serde_cbor's Vec<u8>) and
 * its reader of untrusted CBOR: every item kind, offsets and sizes, tags
 * in every head width, and the exact messages for truncation, bounds,
 * indefinite lengths, malformed heads and deep nesting.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtcbor.h"
#include "unit.h"

/* Read one item of buf[0..len) and return cbor_next's result; err gets the message. */
static int
one(const char *buf, size_t len, struct cbor_tok *t, struct qt_err *err)
{
	struct cbor_reader r;

	qt_err_clear(err);
	cbor_reader_init(&r, "n", "w", (const uint8_t *)buf, len);
	return cbor_next(&r, t, err);
}

/* cbor_skip(count) over buf; *ret_left gets the bytes left after it. */
static int
skip(const uint8_t *buf, size_t len, uint64_t count, size_t *ret_left, struct qt_err *err)
{
	struct cbor_reader r;
	int rv;

	qt_err_clear(err);
	cbor_reader_init(&r, "n", "w", buf, len);
	rv = cbor_skip(&r, count, err);
	*ret_left = cbor_left(&r);
	return rv;
}

static void
test_encode(struct unit *u)
{
	struct qt_err err = { 0 };
	struct wbuf out = { 0 };
	uint8_t v[3] = { 0x17, 0x18, 0xff };

	/* Shortest heads at every width boundary. */
	CHECK(u, cbor_enc_head(&out, CBOR_MAJOR_ARRAY, 23, &err) == 0 &&
	             cbor_enc_head(&out, CBOR_MAJOR_ARRAY, 24, &err) == 0 &&
	             cbor_enc_head(&out, CBOR_MAJOR_ARRAY, 680, &err) == 0 &&
	             cbor_enc_head(&out, CBOR_MAJOR_UINT, 70000, &err) == 0 &&
	             cbor_enc_head(&out, CBOR_MAJOR_UINT, 1ull << 32, &err) == 0);
	CHECK(u, out.len == 20);
	CHECK(u, out.len == 20 &&
	             memcmp(out.p,
	                 "\x97\x98\x18\x99\x02\xa8\x1a\x00\x01\x11\x70\x1b\x00\x00\x00\x01\x00\x00"
	                 "\x00\x00",
	                 20) == 0);
	wbuf_free(&out);
	/* Strings and serde_cbor's Vec<u8>: one byte below 24, two from 24. */
	CHECK(u, cbor_enc_bstr(&out, v, 2, &err) == 0 && cbor_enc_text(&out, "ab", &err) == 0 &&
	             cbor_enc_u8_array(&out, v, 3, &err) == 0);
	CHECK(u, out.len == 3 + 3 + 6 &&
	             memcmp(out.p, "\x42\x17\x18\x62\x61\x62\x83\x17\x18\x18\x18\xff", 12) == 0);
	wbuf_free(&out);
	/* Signed integers (RFC 8949 3.1: -1 - n): ES384's -35, 0, -1, -24, -25, INT64_MIN. */
	CHECK(u, cbor_enc_int(&out, -35, &err) == 0 && cbor_enc_int(&out, 0, &err) == 0 &&
	             cbor_enc_int(&out, -1, &err) == 0 && cbor_enc_int(&out, -24, &err) == 0 &&
	             cbor_enc_int(&out, -25, &err) == 0 &&
	             cbor_enc_int(&out, INT64_MIN, &err) == 0 &&
	             cbor_enc_int(&out, 501, &err) == 0);
	CHECK(u, out.len == 2 + 1 + 1 + 1 + 2 + 9 + 3 &&
	             memcmp(out.p,
	                 "\x38\x22\x00\x20\x37\x38\x18\x3b\x7f\xff\xff\xff\xff\xff\xff\xff"
	                 "\x19\x01\xf5",
	                 19) == 0);
	wbuf_free(&out);
	/* A length no buffer can hold is refused before anything is read. */
	CHECK(u, cbor_enc_u8_array(&out, v, SIZE_MAX / 2, &err) == -1);
	CHECK(u, strstr(err.msg, "bytes too large") != NULL);
	CHECK(u, out.len == 0);
	wbuf_free(&out);
}

static void
test_items(struct unit *u)
{
	struct qt_err err = { 0 };
	struct cbor_reader r;
	struct cbor_tok t;
	/* 7, -500, h'0102', "hi", [2 items], {1 pair}, true, 1.0 (half) */
	static const uint8_t seq[] = { 0x07, 0x39, 0x01, 0xf3, 0x42, 0x01, 0x02, 0x62, 'h', 'i',
		0x82, 0xa1, 0xf5, 0xf9, 0x3c, 0x00 };
	static const struct {
		enum cbor_tok_kind kind;
		uint64_t val;
		size_t off, size;
	} want[] = {
		{ CBOR_TOK_UINT, 7, 0, 1 },
		{ CBOR_TOK_NEGINT, 499, 1, 3 },
		{ CBOR_TOK_BYTES, 0, 4, 3 },
		{ CBOR_TOK_TEXT, 0, 7, 3 },
		{ CBOR_TOK_ARRAY, 2, 10, 1 },
		{ CBOR_TOK_MAP, 1, 11, 1 },
		{ CBOR_TOK_SIMPLE, 0, 12, 1 },
		{ CBOR_TOK_SIMPLE, 0, 13, 3 },
	};
	size_t i;

	cbor_reader_init(&r, "n", "w", seq, sizeof(seq));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK(u, cbor_next(&r, &t, &err) == 0);
		CHECK(u, t.kind == want[i].kind && t.off == want[i].off && t.size == want[i].size);
		if (want[i].kind != CBOR_TOK_BYTES && want[i].kind != CBOR_TOK_TEXT &&
		    want[i].kind != CBOR_TOK_SIMPLE)
			CHECK(u, t.val == want[i].val);
	}
	CHECK(u, cbor_left(&r) == 0);
	CHECK_STR(u, err.msg, "");
	/* Strings point into the input, nothing copied. */
	CHECK(u, one("\x42\x01\x02", 3, &t, &err) == 0 && t.len == 2 && t.data != NULL &&
	             memcmp(t.data, "\x01\x02", 2) == 0);
	/* The end of input: the next read is refused. */
	CHECK(u, cbor_next(&r, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated at offset 16");

	/* Tags in every head width (libcbor 0.8 refuses some one-byte heads itself). */
	CHECK(u,
	    one("\xd2", 1, &t, &err) == 0 && t.kind == CBOR_TOK_TAG && t.val == 18 && t.size == 1);
	CHECK(u, one("\xd8\x62", 2, &t, &err) == 0 && t.val == 98 && t.size == 2);
	CHECK(u, one("\xd9\x00\x12", 3, &t, &err) == 0 && t.val == 18 && t.size == 3);
	CHECK(u, one("\xda\x00\x01\x00\x00", 5, &t, &err) == 0 && t.val == 65536);
	CHECK(u, one("\xdb\x00\x00\x00\x01\x00\x00\x00\x00", 9, &t, &err) == 0 &&
	             t.val == 1ull << 32 && t.size == 9);
	CHECK(u, one("\xdc", 1, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: malformed tag at offset 0");
	CHECK(u, one("\xd9\x00", 2, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated item at offset 0");
}

static void
test_refusals(struct unit *u)
{
	struct qt_err err = { 0 };
	struct cbor_reader r;
	struct cbor_tok t;

	CHECK(u, one("", 0, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated at offset 0");
	/* a string, an integer and a length head running past the end */
	CHECK(u, one("\x43\x61\x62", 3, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated item at offset 0");
	CHECK(u, one("\x1a\x00\x01", 3, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated item at offset 0");
	CHECK(u, one("\x5b\xff\xff\xff\xff\xff\xff\xff\xff", 9, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated item at offset 0");
	/* indefinite lengths and the break code */
	CHECK(u, one("\x5f\x41\x00\xff", 4, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    "n: w: indefinite-length item at offset 0 (only definite lengths are allowed)");
	CHECK(u, one("\x9f\xff", 2, &t, &err) == -1);
	CHECK(u, strstr(err.msg, "indefinite-length item at offset 0") != NULL);
	CHECK(u, one("\xff", 1, &t, &err) == -1);
	CHECK(u, strstr(err.msg, "indefinite-length item at offset 0") != NULL);
	/* reserved additional information 28..30 */
	CHECK(u, one("\x1c", 1, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: malformed CBOR at offset 0");
	CHECK(u, one("\x7e", 1, &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: malformed CBOR at offset 0");

	/* cbor_expect names the field, the offset, what it found and what it wanted */
	qt_err_clear(&err);
	cbor_reader_init(&r, "n", "w", (const uint8_t *)"\x00\xa0", 2);
	CHECK(u, cbor_expect(&r, CBOR_TOK_UINT, "first", &t, &err) == 0 && t.val == 0);
	CHECK(u, cbor_expect(&r, CBOR_TOK_ARRAY, "second", &t, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: second at offset 1 is a map, expected an array");
	CHECK_STR(u, cbor_tok_name(CBOR_TOK_NEGINT), "a negative integer");
	CHECK_STR(u, cbor_tok_name(CBOR_TOK_INDEF), "an invalid item");
}

static void
test_skip(struct unit *u)
{
	struct qt_err err = { 0 };
	enum { DEPTH = 100000 };
	uint8_t *deep = malloc(DEPTH + 1);
	size_t left = 0;

	if (deep == NULL)
		exit(1);
	/* [1, [2, "abc"], {3: 18(h'')}] then 9: exactly one item skipped */
	CHECK(u, skip((const uint8_t *)"\x83\x01\x82\x02\x63\x61\x62\x63\xa1\x03\xd2\x40\x09", 13,
	             1, &left, &err) == 0);
	CHECK(u, left == 1);
	CHECK(u, skip((const uint8_t *)"\x01\x02\x03", 3, 2, &left, &err) == 0 && left == 1);
	CHECK(u, skip((const uint8_t *)"\x01", 1, 0, &left, &err) == 0 && left == 1);

	/* Deep nesting costs no stack: 100 000 one-element arrays around a 0. */
	memset(deep, 0x81, DEPTH);
	deep[DEPTH] = 0x00;
	CHECK(u, skip(deep, DEPTH + 1, 1, &left, &err) == 0 && left == 0);
	CHECK_STR(u, err.msg, "");
	/* ... and the same nest one byte short: the innermost array announces too much. */
	CHECK(u, skip(deep, DEPTH, 1, &left, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: 1 elements announced at offset 99999, only 0 bytes left");

	/* Announced counts are bounded by the bytes left, at any depth. */
	CHECK(u,
	    skip((const uint8_t *)"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 9, 1, &left, &err) == -1);
	CHECK_STR(u, err.msg,
	    "n: w: 18446744073709551615 elements announced at offset 0, only 0 bytes left");
	CHECK(
	    u, skip((const uint8_t *)"\x81\x81\x9a\x00\x01\x00\x00\x00", 8, 1, &left, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: 65536 elements announced at offset 2, only 1 bytes left");
	/* a map counts two items per pair; a tag counts the item it tags */
	CHECK(u, skip((const uint8_t *)"\xa1\x00", 2, 1, &left, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated at offset 1");
	CHECK(u, skip((const uint8_t *)"\x82\x00", 2, 1, &left, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: 2 elements announced at offset 0, only 1 bytes left");
	CHECK(u, skip((const uint8_t *)"\xd2", 1, 1, &left, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated at offset 1");
	/* more items asked for than there are */
	CHECK(u, skip((const uint8_t *)"\x01", 1, 2, &left, &err) == -1);
	CHECK_STR(u, err.msg, "n: w: truncated at offset 1");
	/* a bad item inside a container: its own offset */
	CHECK(u, skip((const uint8_t *)"\x82\x00\x5f\xff", 4, 1, &left, &err) == -1);
	CHECK_STR(u, err.msg,
	    "n: w: indefinite-length item at offset 2 (only definite lengths are allowed)");
	free(deep);
}

int
main(void)
{
	struct unit u = { 0 };

	test_encode(&u);
	test_items(&u);
	test_refusals(&u);
	test_skip(&u);
	return unit_end(&u);
}
