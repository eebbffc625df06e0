/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpio.c: the cpio newc writer (as GNU cpio writes it: upper-case hex
 * fields, hard-link data with the last link, trailer padded to 512 bytes),
 * optionally gzip-compressed, feeding its sink from a second thread, or
 * (uncompressed, to a sink with space/commit) straight into the sink's
 * buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "fileio.h"
#include "ramdisk_private.h"

#define CPIO_BUF         (1u << 20)
#define NEWC_HDR         110u
#define CPIO_BLOCK       512u
#define CPIO_FADVISE_MIN (256u << 10) /* above the kernel's default readahead (128 KiB) */

/* ------------------------------------------------------------------ */
/* the threaded sink */

/*
 * The bytes of a ramdisk go to the sink from a second thread: this thread
 * reads files into one buffer while the sink (the EIF writer: hashing, CRC,
 * writing) consumes the previous ones. NPIPE buffers in a ring; without a
 * thread (pthread_create failed) the writes happen in line.
 */
#define NPIPE 4

struct pipe {
	struct qt_sink down;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[NPIPE];
	size_t len[NPIPE];
	unsigned tail, count; /* full buffers: tail .. tail+count-1, the consumer's is tail */
	bool inited, started, done, failed;
	struct qt_err err; /* the sink's error, set by the consumer */
};

static void *
pipe_main(void *arg)
{
	struct pipe *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->count == 0 && !p->done)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->count == 0)
			break;
		unsigned i = p->tail;
		int r = 0;
		if (!p->failed) {
			pthread_mutex_unlock(&p->mu);
			r = p->down.write(p->down.ctx, p->buf[i], p->len[i], &p->err);
			pthread_mutex_lock(&p->mu);
		}
		if (r < 0)
			p->failed = true;
		p->tail = (i + 1) % NPIPE;
		p->count--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static int
pipe_init(struct pipe *p, struct qt_sink down, struct qt_err *err)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->down = down;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->inited = true;
	for (i = 0; i < NPIPE; i++)
		if ((p->buf[i] = malloc(CPIO_BUF)) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
	p->started = pthread_create(&p->th, NULL, pipe_main, p) == 0;
	return 0;
}

static int
pipe_failed(struct pipe *p, struct qt_err *err)
{
	return qt_err_set(err, p->err.code != 0 ? p->err.code : EIO, "%s", p->err.msg);
}

/* Hand *bufp (len bytes, the producer's buffer) to the sink; *bufp becomes a free one. */
static int
pipe_submit(struct pipe *p, uint8_t **bufp, size_t len, struct qt_err *err)
{
	bool failed;

	if (len == 0)
		return 0;
	if (!p->started)
		return p->down.write(p->down.ctx, *bufp, len, err);
	pthread_mutex_lock(&p->mu);
	p->len[(p->tail + p->count) % NPIPE] = len;
	p->count++;
	pthread_cond_broadcast(&p->cv);
	while (p->count == NPIPE && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	failed = p->failed;
	*bufp = p->buf[(p->tail + p->count) % NPIPE];
	pthread_mutex_unlock(&p->mu);
	return failed ? pipe_failed(p, err) : 0;
}

/* Wait until the sink has every byte (or failed). */
static int
pipe_end(struct pipe *p, struct qt_err *err)
{
	if (!p->started)
		return 0;
	pthread_mutex_lock(&p->mu);
	p->done = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	p->started = false;
	return p->failed ? pipe_failed(p, err) : 0;
}

static void
pipe_free(struct pipe *p)
{
	unsigned i;

	if (p->started)
		(void)pipe_end(p, NULL);
	if (p->inited) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
	}
	for (i = 0; i < NPIPE; i++)
		free(p->buf[i]);
}

/* ------------------------------------------------------------------ */
/* the newc stream */

struct cpio {
	struct pipe pipe;
	const struct ramdisk_tree *t; /* where S_DISK, S_SPOOL and S_FILE data is; may be NULL */
	struct qt_sink direct;        /* .space set: no pipe, buf is the sink's room */
	uint8_t *buf; /* cpio bytes being assembled (a pipe buffer unless gz or direct) */
	size_t cap, len;
	uint64_t total; /* cpio bytes so far (before compression) */
	uint32_t ino;   /* inode counter */
	bool gz;
	bool zinit;
	z_stream z;
	uint8_t *zbuf; /* gz: compressed bytes being assembled (a pipe buffer) */
	size_t zlen;
	uint32_t *link_ino;  /* per hard-link group: inode given at its first link, or UINT32_MAX */
	uint32_t *link_seen; /* per hard-link group: links written so far */
	bool count_only;     /* rd_cpio_count: bytes added up, nothing read or written */
	atomic_uint_least64_t *entries; /* bumped after each entry (read by the sink's thread) */
};

/* Direct: hand the room's bytes over; a new room unless this is the end. */
static int
cpio_emit_direct(struct cpio *c, int flush, struct qt_err *err)
{
	if (c->len > 0 && c->direct.commit(c->direct.ctx, c->len, err) < 0)
		return -1;
	c->len = 0;
	c->cap = 0;
	c->buf = NULL;
	if (flush == Z_FINISH)
		return 0;
	if ((c->buf = c->direct.space(c->direct.ctx, &c->cap, err)) == NULL)
		return -1;
	return 0;
}

static int
cpio_emit(struct cpio *c, int flush, struct qt_err *err)
{
	int zr;

	if (c->direct.space != NULL)
		return cpio_emit_direct(c, flush, err);
	if (!c->gz) {
		if (pipe_submit(&c->pipe, &c->buf, c->len, err) < 0)
			return -1;
		c->len = 0;
		return 0;
	}
	c->z.next_in = c->buf;
	c->z.avail_in = (uInt)c->len;
	do {
		c->z.next_out = c->zbuf + c->zlen;
		c->z.avail_out = (uInt)(CPIO_BUF - c->zlen);
		zr = deflate(&c->z, flush);
		if (zr == Z_STREAM_ERROR)
			return qt_err_set(err, EIO, "gzip: deflate failed");
		c->zlen = CPIO_BUF - c->z.avail_out;
		if (c->zlen == CPIO_BUF || (flush == Z_FINISH && zr == Z_STREAM_END)) {
			if (pipe_submit(&c->pipe, &c->zbuf, c->zlen, err) < 0)
				return -1;
			c->zlen = 0;
		}
	} while (c->z.avail_in > 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	c->len = 0;
	return 0;
}

/* Append n bytes of p, or n zero bytes if p is NULL. */
static int
cpio_put(struct cpio *c, const void *p, size_t n, struct qt_err *err)
{
	const uint8_t *s = p;

	if (c->count_only) {
		c->total += n;
		return 0;
	}
	while (n > 0) {
		if (c->len == c->cap && cpio_emit(c, Z_NO_FLUSH, err) < 0)
			return -1;
		size_t k = c->cap - c->len;
		if (k > n)
			k = n;
		if (s != NULL) {
			memcpy(c->buf + c->len, s, k);
			s += k;
		} else {
			memset(c->buf + c->len, 0, k);
		}
		c->len += k;
		c->total += k;
		n -= k;
	}
	return 0;
}

static int
cpio_align(struct cpio *c, uint64_t to, struct qt_err *err)
{
	uint64_t pad = (to - c->total % to) % to;

	return cpio_put(c, NULL, (size_t)pad, err);
}

/* newc header (8 upper-case hex digits per field, as GNU cpio), name, NUL, pad to 4. */
static int
cpio_header(struct cpio *c, const char *prefix, const char *name, uint32_t ino, uint32_t mode,
    uint32_t uid, uint32_t gid, uint32_t nlink, uint32_t mtime, uint64_t size, struct qt_err *err)
{
	char h[NEWC_HDR + 1];
	size_t nl = strlen(prefix) + strlen(name) + 1;

	if (size > UINT32_MAX)
		return qt_err_set(err, EFBIG,
		    "%s%s: %llu bytes: newc cannot store files of 4 GiB or more", prefix, name,
		    (unsigned long long)size);
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino,
	    mode, uid, gid, nlink, mtime, (uint32_t)size, 0u, 0u, 0u, 0u, (uint32_t)nl, 0u);
	if (cpio_put(c, h, NEWC_HDR, err) < 0 || cpio_put(c, prefix, strlen(prefix), err) < 0 ||
	    cpio_put(c, name, strlen(name) + 1, err) < 0)
		return -1;
	return cpio_align(c, 4, err);
}

/* Copy size bytes from fd (at off, or from where it stands if off < 0) into the output. */
static int
cpio_copy_fd(
    struct cpio *c, int fd, int64_t off, uint64_t size, const char *name, struct qt_err *err)
{
	while (size > 0) {
		if (c->len == c->cap && cpio_emit(c, Z_NO_FLUSH, err) < 0)
			return -1;
		size_t want = c->cap - c->len;
		if (want > size)
			want = (size_t)size;
		size_t n;
		if (fileio_read_full(fd, c->buf + c->len, want, off, &n) < 0)
			return qt_err_set(err, errno, "%s: read error: %s", name, strerror(errno));
		if (n < want)
			return qt_err_set(
			    err, EIO, "%s: file shrank while it was being read", name);
		c->len += n;
		c->total += (uint64_t)n;
		if (off >= 0)
			off += (int64_t)n;
		size -= (uint64_t)n;
	}
	return 0;
}

/* A file of a directory source: it must be the one the scan saw (no swap for a link, no resize). */
static int
cpio_disk_file(struct cpio *c, const struct ent *e, const char *name, struct qt_err *err)
{
	struct stat st;
	int fd, r;

	fd = openat(c->t->rootfd, e->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", name, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_dev != e->dev ||
	    (uint64_t)st.st_ino != e->ino || (uint64_t)st.st_size != e->size) {
		close(fd);
		return qt_err_set(err, EAGAIN, "%s: changed while qt-build was reading it", name);
	}
	/* readahead covers a small file; the hint costs a system call per file */
	if (e->size > CPIO_FADVISE_MIN)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r = cpio_copy_fd(c, fd, -1, e->size, name, err);
	close(fd);
	return r;
}

static int
cpio_data(struct cpio *c, const struct ent *e, struct qt_err *err)
{
	const struct ramdisk_tree *t = c->t;
	char name[RAMDISK_PATH_MAX + 600];

	if (c->count_only)
		return cpio_put(c, NULL, (size_t)e->size, err);
	switch (e->src) {
	case S_MEM:
		return cpio_put(c, e->mem, (size_t)e->size, err);
	case S_SPOOL:
		snprintf(name, sizeof(name), "%s: entry '%s' (spooled)", t->name, e->path);
		return cpio_copy_fd(c, t->spool.fd, (int64_t)e->off, e->size, name, err);
	case S_FILE:
		snprintf(name, sizeof(name), "%s: entry '%s'", t->name, e->path);
		return cpio_copy_fd(c, t->src.fd, (int64_t)e->off, e->size, name, err);
	case S_DISK:
		snprintf(name, sizeof(name), "%s/%s", t->name, e->path);
		return cpio_disk_file(c, e, name, err);
	default:
		return 0;
	}
}

static uint32_t
type_bits(uint8_t kind)
{
	switch (kind) {
	case K_DIR:
		return 0040000;
	case K_LNK:
		return 0120000;
	case K_FIFO:
		return 0010000;
	default:
		return 0100000;
	}
}

int
rd_cpio_entry(struct cpio *c, const char *prefix, const struct ent *e, struct qt_err *err)
{
	uint32_t ino, mode = type_bits(e->kind) | (e->mode & 07777);
	uint64_t size = e->size;
	bool data = true;

	if (e->group != 0) {
		/* hard links share an inode; the data goes with the last one, as GNU cpio does */
		if (c->link_ino[e->group] == UINT32_MAX)
			c->link_ino[e->group] = c->ino++;
		ino = c->link_ino[e->group];
		if (++c->link_seen[e->group] < e->nlink) {
			size = 0;
			data = false;
		}
	} else {
		ino = c->ino++;
	}
	if (e->kind == K_DIR || e->kind == K_FIFO)
		size = 0;
	if (cpio_header(
	        c, prefix, e->path, ino, mode, e->uid, e->gid, e->nlink, e->mtime, size, err) < 0)
		return -1;
	if (e->kind == K_LNK) {
		if (cpio_put(c, e->link, (size_t)size, err) < 0)
			return -1;
	} else if (e->kind == K_REG && data && size > 0) {
		if (cpio_data(c, e, err) < 0)
			return -1;
	}
	if (cpio_align(c, 4, err) < 0)
		return -1;
	if (c->entries != NULL)
		atomic_fetch_add_explicit(c->entries, 1, memory_order_relaxed);
	return 0;
}

/* gzip wrapper (15 + 16): zlib writes MTIME 0, no name, OS 3; fixed level 6. */
static int
cpio_gzip_init(struct cpio *c, struct qt_err *err)
{
	c->zbuf = c->pipe.buf[0];
	if ((c->buf = malloc(CPIO_BUF)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (deflateInit2(&c->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return qt_err_set(err, ENOMEM, "gzip: cannot initialise zlib");
	c->zinit = true;
	return 0;
}

static int
cpio_links_init(struct cpio *c, uint32_t ngroups, struct qt_err *err)
{
	if (ngroups == 0)
		return 0;
	if ((c->link_ino = malloc((ngroups + 1) * sizeof(uint32_t))) == NULL ||
	    (c->link_seen = calloc(ngroups + 1, sizeof(uint32_t))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	memset(c->link_ino, 0xff, (ngroups + 1) * sizeof(uint32_t));
	return 0;
}

int
rd_cpio_begin(const struct ramdisk_tree *t, bool gz, struct qt_sink sink,
    atomic_uint_least64_t *entries, struct cpio **ret, struct qt_err *err)
{
	struct cpio *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	c->t = t;
	c->gz = gz;
	c->entries = entries;
	if (sink.write == NULL) {
		c->count_only = true; /* rd_cpio_count */
	} else if (!gz && sink.space != NULL && sink.commit != NULL) {
		c->direct = sink; /* the first put asks for a room */
	} else {
		if (pipe_init(&c->pipe, sink, err) < 0)
			goto fail;
		c->cap = CPIO_BUF;
		if (!gz)
			c->buf = c->pipe.buf[0];
		else if (cpio_gzip_init(c, err) < 0)
			goto fail;
	}
	if (cpio_links_init(c, t != NULL ? t->tab.ngroups : 0, err) < 0)
		goto fail;
	*ret = c;
	return 0;
fail:
	rd_cpio_free(c);
	return -1;
}

/* Trailer, zero padding to a 512-byte block (GNU cpio's), final flush, sink drained. */
int
rd_cpio_end(struct cpio *c, struct qt_err *err)
{
	if (cpio_header(c, "", "TRAILER!!!", 0, 0, 0, 0, 1, 0, 0, err) < 0 ||
	    cpio_align(c, CPIO_BLOCK, err) < 0)
		return -1;
	if (c->count_only)
		return 0;
	if (cpio_emit(c, Z_FINISH, err) < 0)
		return -1;
	return pipe_end(&c->pipe, err);
}

uint64_t
rd_cpio_size(const struct cpio *c)
{
	return c->total;
}

void
rd_cpio_free(struct cpio *c)
{
	if (c == NULL)
		return;
	pipe_free(&c->pipe); /* joins the thread first: nothing reads the buffers after this */
	if (c->zinit)
		deflateEnd(&c->z);
	if (c->gz)
		free(c->buf);
	free(c->link_ino);
	free(c->link_seen);
	free(c);
}
