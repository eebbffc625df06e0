/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bytes.h: explicit big-endian get/put helpers, a bounded reader over a
 * buffer and a growable write buffer. File bytes are never cast to structs
 * (STYLE.md 3.8); every read of untrusted input goes through rd_take().
 */
#ifndef QT_BYTES_H
#define QT_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qt.h"

static inline uint16_t
be16_get(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
be64_get(const uint8_t *p)
{
	return (uint64_t)be32_get(p) << 32 | be32_get(p + 4);
}

static inline void
be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
be64_put(uint8_t *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put(p + 4, (uint32_t)v);
}

/* Bounded reader: off never exceeds len. */
struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline bool
rd_take(struct rd *r, size_t n, const uint8_t **ret)
{
	if (n > r->len - r->off) /* never "r->off + n > r->len": that can wrap */
		return false;
	*ret = r->p + r->off;
	r->off += n;
	return true;
}

static inline size_t
rd_left(const struct rd *r)
{
	return r->len - r->off;
}

/* Growable write buffer; on allocation failure it sets err and returns -1. */
struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

int wbuf_reserve(struct wbuf *b, size_t more, struct qt_err *err);
int wbuf_put(struct wbuf *b, const void *data, size_t len, struct qt_err *err);
int wbuf_put_u8(struct wbuf *b, uint8_t v, struct qt_err *err);
/* Free the buffer, wiping it first (it may hold key material). */
void wbuf_free(struct wbuf *b);

#endif
