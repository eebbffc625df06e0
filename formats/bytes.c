/* SPDX-License-Identifier: Apache-2.0 */
/* bytes.c: the growable write buffer of bytes.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "bytes.h"

int
wbuf_reserve(struct wbuf *b, size_t more, struct qt_err *err)
{
	size_t cap;
	uint8_t *p;

	if (more <= b->cap - b->len)
		return 0;
	if (more > SIZE_MAX / 2 - b->len)
		return qt_err_set(err, ENOMEM, "buffer of %zu bytes too large", more);
	cap = b->cap != 0 ? b->cap : 256;
	while (cap - b->len < more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory for %zu bytes", cap);
	b->p = p;
	b->cap = cap;
	return 0;
}

int
wbuf_put(struct wbuf *b, const void *data, size_t len, struct qt_err *err)
{
	if (len == 0)
		return 0;
	if (wbuf_reserve(b, len, err) < 0)
		return -1;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

int
wbuf_put_u8(struct wbuf *b, uint8_t v, struct qt_err *err)
{
	return wbuf_put(b, &v, 1, err);
}

void
wbuf_free(struct wbuf *b)
{
	if (b->p != NULL)
		OPENSSL_cleanse(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
