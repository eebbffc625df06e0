/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qtcbor.h: CBOR (RFC 8949) for every module. Two halves:
 *
 * - an encoder of exact byte shapes: shortest heads (RFC 8949 4.2.1, also
 *   what serde_cbor 0.11 writes), definite strings, and serde_cbor's
 *   Vec<u8> (an array of unsigned integers). The EIF signature section's
 *   structures are built from these in eif_sig.c, COSE's in cose.c.
 * - a strict reader of untrusted CBOR over libcbor's streaming decoder:
 *   one data item head at a time, every string a pointer into the caller's
 *   buffer (nothing is copied or re-encoded), definite lengths only, every
 *   announced count bounded by the bytes left, no recursion. Its messages
 *   read "<name>: <what>: <problem> at offset N".
 *
 * Named qtcbor, not cbor: formats/ is on the include path, and a
 * formats/cbor.h would hide libcbor's own <cbor.h> from every module.
 */
#ifndef QT_QTCBOR_H
#define QT_QTCBOR_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "qt.h"

/* --- encoding ------------------------------------------------------------------ */

/* CBOR major types (RFC 8949 3.1). */
enum cbor_major {
	CBOR_MAJOR_UINT = 0,
	CBOR_MAJOR_NEGINT = 1,
	CBOR_MAJOR_BYTES = 2,
	CBOR_MAJOR_TEXT = 3,
	CBOR_MAJOR_ARRAY = 4,
	CBOR_MAJOR_MAP = 5,
	CBOR_MAJOR_TAG = 6,
};

/* Append the shortest head of major type major with argument val. */
int cbor_enc_head(struct wbuf *out, enum cbor_major major, uint64_t val, struct qt_err *err);
/* Append a signed integer: major type 0 for v >= 0, 1 (argument -1 - v) below. */
int cbor_enc_int(struct wbuf *out, int64_t v, struct qt_err *err);
/* Append a definite byte string (head + bytes). */
int cbor_enc_bstr(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err);
/* Append a definite text string (head + bytes of the NUL-terminated text). */
int cbor_enc_text(struct wbuf *out, const char *text, struct qt_err *err);
/* Append buf as serde_cbor writes a Vec<u8>: an array of shortest unsigned integers. */
int cbor_enc_u8_array(struct wbuf *out, const uint8_t *buf, size_t len, struct qt_err *err);

/* --- reading untrusted CBOR ----------------------------------------------------- */

enum cbor_tok_kind {
	CBOR_TOK_NONE,
	CBOR_TOK_UINT,
	CBOR_TOK_NEGINT, /* value is -1 - val */
	CBOR_TOK_BYTES,
	CBOR_TOK_TEXT,
	CBOR_TOK_ARRAY,
	CBOR_TOK_MAP,
	CBOR_TOK_TAG,
	CBOR_TOK_SIMPLE, /* false, true, null, undefined, floats */
	CBOR_TOK_INDEF,  /* an indefinite-length start or a break: never returned */
};

/* One data item head (a container's elements follow it, they are not part of it). */
struct cbor_tok {
	enum cbor_tok_kind kind;
	uint64_t val;        /* integer, tag number, or element/pair count */
	const uint8_t *data; /* byte/text string contents, inside the reader's buffer */
	size_t len;
	size_t off;  /* offset of the item's head */
	size_t size; /* bytes consumed: head plus string contents */
};

struct cbor_reader {
	const char *name; /* first in messages: the file or object read */
	const char *what; /* second in messages: the structure being read */
	struct rd in;     /* in.off is the offset of the next item */
};

/* A reader over buf[0..len); name and what must outlive it. */
void cbor_reader_init(
    struct cbor_reader *r, const char *name, const char *what, const uint8_t *buf, size_t len);
/* Bytes not read yet. */
size_t cbor_left(const struct cbor_reader *r);

/*
 * Read the next item head (and a string's contents) into t. Refused with
 * err: end of input ("truncated at offset N"), a head or string running
 * past the end ("truncated item at offset N"), an indefinite length, or
 * bytes that are not CBOR. Tags of any head width are returned as tokens.
 */
int cbor_next(struct cbor_reader *r, struct cbor_tok *t, struct qt_err *err);
/*
 * cbor_next, then require kind: "<field> at offset N is <found>, expected
 * <kind>" otherwise (field names the item for the message).
 */
int cbor_expect(struct cbor_reader *r, enum cbor_tok_kind kind, const char *field,
    struct cbor_tok *t, struct qt_err *err);
/*
 * Skip count complete data items, any nesting (iteratively: depth costs no
 * stack); a container announcing more elements than bytes are left is
 * refused before anything is read from it.
 */
int cbor_skip(struct cbor_reader *r, uint64_t count, struct qt_err *err);
/* "an unsigned integer", "a byte string", "a map", ... for messages. */
const char *cbor_tok_name(enum cbor_tok_kind kind);

#endif
