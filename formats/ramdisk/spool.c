/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spool.c: the contents of archive entries (tarballs that cannot be read in
 * place, docker and OCI layers) go to one unlinked temporary file while the
 * source is read, and are read back from it in sorted order at write time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "ramdisk_private.h"

#define SPOOL_BUF (1u << 20)

/* An unlinked file in tmpdir (NULL: $TMPDIR, else /tmp). */
int
rd_spool_open(struct spool *s, const char *tmpdir, struct qt_err *err)
{
	const char *dir = tmpdir;
	char *tmpl = NULL;
	int fd;

	if (dir == NULL)
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((s->buf = malloc(SPOOL_BUF)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		s->fd = fd;
		return 0;
	}
#endif
	if (asprintf(&tmpl, "%s/.qt-spool-XXXXXX", dir) < 0)
		return qt_err_set(err, ENOMEM, "out of memory");
	if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0) {
		qt_err_set(err, errno, "%s: cannot create a spool file: %s", dir, strerror(errno));
		free(tmpl);
		return -1;
	}
	unlink(tmpl);
	free(tmpl);
	s->fd = fd;
	return 0;
}

int
rd_spool_flush(struct spool *s, struct qt_err *err)
{
	if (s->len == 0)
		return 0;
	if (fileio_write_all(s->fd, "spool file", s->buf, s->len, err) < 0)
		return -1;
	s->len = 0;
	return 0;
}

/* Append len bytes of p, or len zero bytes if p is NULL (a sparse hole). */
static int
spool_write(struct spool *s, const uint8_t *p, size_t len, struct qt_err *err)
{
	while (len > 0) {
		if (s->len == SPOOL_BUF && rd_spool_flush(s, err) < 0)
			return -1;
		size_t n = SPOOL_BUF - s->len;
		if (n > len)
			n = len;
		if (p != NULL) {
			memcpy(s->buf + s->len, p, n);
			p += n;
		} else {
			memset(s->buf + s->len, 0, n);
		}
		s->len += n;
		s->size += n;
		len -= n;
	}
	return 0;
}

/* Read the data of the archive's current entry into the spool; e says where it is. */
int
rd_spool_entry(
    struct ramdisk_tree *t, struct archive *a, struct ent *e, const char *ctx, struct qt_err *err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	uint64_t done = 0;

	e->src = S_SPOOL; /* spool.size counts buffered bytes too: read back after the last flush */
	e->off = t->spool.size;
	for (;;) {
		int r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return qt_err_set(err, EINVAL, "%s: entry '%s': %s", ctx, e->path,
			    archive_error_string(a));
		if (off < 0 || (uint64_t)off < done)
			return qt_err_set(
			    err, EINVAL, "%s: entry '%s': data out of order", ctx, e->path);
		if ((uint64_t)off - done + len > t->opts.max_bytes - t->st.bytes)
			return rd_too_many_bytes(t, ctx, e->path, err);
		if ((uint64_t)off > done) { /* sparse hole */
			if (spool_write(&t->spool, NULL, (size_t)((uint64_t)off - done), err) < 0)
				return -1;
			t->st.bytes += (uint64_t)off - done;
			done = (uint64_t)off;
		}
		if (spool_write(&t->spool, buf, len, err) < 0)
			return -1;
		t->st.bytes += len;
		done += len;
	}
	e->size = done;
	return 0;
}
