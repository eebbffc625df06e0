/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qtcbor.c: CBOR encoding of exact shapes (every head the shortest one,
 * RFC 8949 4.2.1, which is also what serde_cbor 0.11 writes) and a strict
 * reader of untrusted CBOR over libcbor's streaming decoder (qtcbor.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <cbor.h>

#include "qtcbor.h"

int
cbor_enc_head(struct wbuf *out, enum cbor_major major, uint64_t val, struct qt_err *err)
{
	uint8_t head[9];
	size_t n;
	uint8_t mt = (uint8_t)((unsigned)major << 5);

	if (val < 24) {
		head[0] = (uint8_t)(mt | val);
		n = 1;
	} else if (val <= UINT8_MAX) {
		head[0] = mt | 24;
		head[1] = (uint8_t)val;
		n = 2;
	} else if (val <= UINT16_MAX) {
		head[0] = mt | 25;
		be16_put(head + 1, (uint16_t)val);
		n = 3;
	} else if (val <= UINT32_MAX) {
		head[0] = mt | 26;
		be32_put(head + 1, (uint32_t)val);
		n = 5;
	} else {
		head[0] = mt | 27;
		be64_put(head + 1, val);
		n = 9;
	}
	return wbuf_put(out, head, n, err);
}

int
cbor_enc_int(struct wbuf *out, int64_t v, struct qt_err *err)
{
	if (v >= 0)
		return cbor_enc_head(out, CBOR_MAJOR_UINT, (uint64_t)v, err);
	return cbor_enc_head(out, CBOR_MAJOR_NEGINT, (uint64_t)(-1 - v), err);
}

int
cbor_enc_bstr(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err)
{
	if (cbor_enc_head(out, CBOR_MAJOR_BYTES, len, err) < 0)
		return -1;
	return wbuf_put(out, buf, len, err);
}

int
cbor_enc_text(struct wbuf *out, const char *text, struct qt_err *err)
{
	size_t len = strlen(text);

	if (cbor_enc_head(out, CBOR_MAJOR_TEXT, len, err) < 0)
		return -1;
	return wbuf_put(out, text, len, err);
}

int
cbor_enc_u8_array(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err)
{
	size_t i;

	/* At most 2 bytes per element: reserve once. */
	if (len > (SIZE_MAX - 9) / 2)
		return qt_err_set(err, ENOMEM, "byte vector of %zu bytes too large", len);
	if (wbuf_reserve(out, 9 + 2 * len, err) < 0)
		return -1;
	if (cbor_enc_head(out, CBOR_MAJOR_ARRAY, len, err) < 0)
		return -1;
	for (i = 0; i < len; i++)
		if (cbor_enc_head(out, CBOR_MAJOR_UINT, buf[i], err) < 0)
			return -1;
	return 0;
}

/* --- reading: a strict tokenizer over libcbor's streaming decoder ------------ */

static void
cb_uint8(void *ctx, uint8_t v)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_UINT;
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_uint16(void *ctx, uint16_t v)
{
	cb_uint8(ctx, 0);
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_uint32(void *ctx, uint32_t v)
{
	cb_uint8(ctx, 0);
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_uint64(void *ctx, uint64_t v)
{
	cb_uint8(ctx, 0);
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_negint8(void *ctx, uint8_t v)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_NEGINT;
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_negint16(void *ctx, uint16_t v)
{
	cb_negint8(ctx, 0);
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_negint32(void *ctx, uint32_t v)
{
	cb_negint8(ctx, 0);
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_negint64(void *ctx, uint64_t v)
{
	cb_negint8(ctx, 0);
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_bytes(void *ctx, cbor_data data, size_t len)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_BYTES;
	((struct cbor_tok *)ctx)->data = data;
	((struct cbor_tok *)ctx)->len = len;
}

static void
cb_text(void *ctx, cbor_data data, size_t len)
{
	cb_bytes(ctx, data, len);
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_TEXT;
}

static void
cb_array(void *ctx, size_t n)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_ARRAY;
	((struct cbor_tok *)ctx)->val = n;
}

static void
cb_map(void *ctx, size_t n)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_MAP;
	((struct cbor_tok *)ctx)->val = n;
}

static void
cb_tag(void *ctx, uint64_t v)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_TAG;
	((struct cbor_tok *)ctx)->val = v;
}

static void
cb_indef(void *ctx)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_INDEF;
}

static void
cb_simple(void *ctx)
{
	((struct cbor_tok *)ctx)->kind = CBOR_TOK_SIMPLE;
}

static void
cb_float(void *ctx, float v)
{
	(void)v;
	cb_simple(ctx);
}

static void
cb_double(void *ctx, double v)
{
	(void)v;
	cb_simple(ctx);
}

static void
cb_bool(void *ctx, bool v)
{
	(void)v;
	cb_simple(ctx);
}

/* libcbor 0.8 names: byte_string_start/string_start are the indefinite forms. */
static const struct cbor_callbacks tok_callbacks = {
	.uint8 = cb_uint8,
	.uint16 = cb_uint16,
	.uint32 = cb_uint32,
	.uint64 = cb_uint64,
	.negint64 = cb_negint64,
	.negint32 = cb_negint32,
	.negint16 = cb_negint16,
	.negint8 = cb_negint8,
	.byte_string_start = cb_indef,
	.byte_string = cb_bytes,
	.string = cb_text,
	.string_start = cb_indef,
	.indef_array_start = cb_indef,
	.array_start = cb_array,
	.indef_map_start = cb_indef,
	.map_start = cb_map,
	.tag = cb_tag,
	.float2 = cb_float,
	.float4 = cb_float,
	.float8 = cb_double,
	.undefined = cb_simple,
	.null = cb_simple,
	.boolean = cb_bool,
	.indef_break = cb_indef,
};

void
cbor_reader_init(
    struct cbor_reader *r, const char *name, const char *what, const uint8_t *buf, size_t len)
{
	r->name = name;
	r->what = what;
	r->in.p = buf;
	r->in.len = len;
	r->in.off = 0;
}

size_t
cbor_left(const struct cbor_reader *r)
{
	return rd_left(&r->in);
}

/* A tag head (major type 6) in any width; the tagged item follows. */
static int
tag_head(struct cbor_reader *r, struct cbor_tok *t, struct qt_err *err)
{
	const uint8_t *h, *v;
	unsigned ai;
	size_t n;

	if (!rd_take(&r->in, 1, &h))
		return qt_err_set(
		    err, EINVAL, "%s: %s: truncated at offset %zu", r->name, r->what, r->in.off);
	ai = h[0] & 0x1fu;
	n = ai < 24 ? 0 : ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : ai == 27 ? 8 : 9;
	if (n == 9)
		return qt_err_set(
		    err, EINVAL, "%s: %s: malformed tag at offset %zu", r->name, r->what, t->off);
	if (!rd_take(&r->in, n, &v))
		return qt_err_set(
		    err, EINVAL, "%s: %s: truncated item at offset %zu", r->name, r->what, t->off);
	t->kind = CBOR_TOK_TAG;
	t->val = n == 0   ? ai
	         : n == 1 ? v[0]
	         : n == 2 ? be16_get(v)
	         : n == 4 ? be32_get(v)
	                  : be64_get(v);
	t->size = 1 + n;
	return 0;
}

int
cbor_next(struct cbor_reader *r, struct cbor_tok *t, struct qt_err *err)
{
	struct cbor_decoder_result res;
	const uint8_t *at, *skip;
	size_t off = r->in.off;

	memset(t, 0, sizeof(*t));
	t->off = off;
	if (rd_left(&r->in) == 0)
		return qt_err_set(
		    err, EINVAL, "%s: %s: truncated at offset %zu", r->name, r->what, off);
	at = r->in.p + off;
	/*
	 * libcbor 0.8 rejects the one-byte tag heads 0xc6..0xd4 (tag 18 is 0xd2),
	 * so tag heads are decoded here; everything else goes through libcbor.
	 */
	if ((at[0] & 0xe0) == 0xc0)
		return tag_head(r, t, err);
	res = cbor_stream_decode(at, rd_left(&r->in), &tok_callbacks, t);
	if (res.status == CBOR_DECODER_NEDATA)
		return qt_err_set(
		    err, EINVAL, "%s: %s: truncated item at offset %zu", r->name, r->what, off);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0 || t->kind == CBOR_TOK_NONE)
		return qt_err_set(
		    err, EINVAL, "%s: %s: malformed CBOR at offset %zu", r->name, r->what, off);
	if (t->kind == CBOR_TOK_INDEF)
		return qt_err_set(err, EINVAL,
		    "%s: %s: indefinite-length item at offset %zu (only definite lengths are "
		    "allowed)",
		    r->name, r->what, off);
	/* Belt and braces: string contents must lie inside what was consumed. */
	if ((t->kind == CBOR_TOK_BYTES || t->kind == CBOR_TOK_TEXT) &&
	    (t->data < at || t->len > res.read || (size_t)(t->data - at) != res.read - t->len))
		return qt_err_set(
		    err, EINVAL, "%s: %s: malformed string at offset %zu", r->name, r->what, off);
	if (!rd_take(&r->in, res.read, &skip))
		return qt_err_set(
		    err, EINVAL, "%s: %s: truncated item at offset %zu", r->name, r->what, off);
	t->size = res.read;
	return 0;
}

int
cbor_skip(struct cbor_reader *r, uint64_t count, struct qt_err *err)
{
	struct cbor_tok t;

	while (count > 0) {
		if (cbor_next(r, &t, err) < 0)
			return -1;
		count--;
		/* Each pending item needs at least one byte: this bounds count. */
		if ((t.kind == CBOR_TOK_ARRAY || t.kind == CBOR_TOK_MAP) && t.val > cbor_left(r))
			return qt_err_set(err, EINVAL,
			    "%s: %s: %llu elements announced at offset %zu, only %zu bytes left",
			    r->name, r->what, (unsigned long long)t.val, t.off, cbor_left(r));
		if (t.kind == CBOR_TOK_ARRAY)
			count += t.val;
		else if (t.kind == CBOR_TOK_MAP)
			count += 2 * t.val;
		else if (t.kind == CBOR_TOK_TAG)
			count++;
		if (count > cbor_left(r))
			return qt_err_set(err, EINVAL, "%s: %s: truncated at offset %zu", r->name,
			    r->what, r->in.off);
	}
	return 0;
}

const char *
cbor_tok_name(enum cbor_tok_kind kind)
{
	switch (kind) {
	case CBOR_TOK_UINT:
		return "an unsigned integer";
	case CBOR_TOK_NEGINT:
		return "a negative integer";
	case CBOR_TOK_BYTES:
		return "a byte string";
	case CBOR_TOK_TEXT:
		return "a text string";
	case CBOR_TOK_ARRAY:
		return "an array";
	case CBOR_TOK_MAP:
		return "a map";
	case CBOR_TOK_TAG:
		return "a tag";
	case CBOR_TOK_SIMPLE:
		return "a simple value or float";
	default:
		return "an invalid item";
	}
}

int
cbor_expect(struct cbor_reader *r, enum cbor_tok_kind kind, const char *field, struct cbor_tok *t,
    struct qt_err *err)
{
	if (cbor_next(r, t, err) < 0)
		return -1;
	if (t->kind != kind)
		return qt_err_set(err, EINVAL, "%s: %s: %s at offset %zu is %s, expected %s",
		    r->name, r->what, field, t->off, cbor_tok_name(t->kind), cbor_tok_name(kind));
	return 0;
}
