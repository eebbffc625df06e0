/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_ls.c: the scan of an image (one forward read, section digests) and
 * the walk of its ramdisks' cpio archives through libarchive, reading each
 * section again with pread and hashing it on the way.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bytes.h"
#include "eif_ls.h"
#include "eif_sig.h"
#include "fileio.h"
#include "text.h"

/* ---- the scan ---------------------------------------------------------------------- */

struct scan_ctx {
	EVP_MD_CTX *md;
	struct eif_scan *s;
	int fd;
	uint64_t file_size;
	uint64_t walk_bytes; /* of the ramdisks, read again by the walk: for progress */
	const struct qt_progress_cb *progress;
};

/*
 * For progress only: the ramdisks' sizes, from the section headers the
 * header's offsets point at (the read checks them all later; a wrong guess
 * here only makes the percentage wrong).
 */
static int
scan_header(void *ctx, const struct eif_header *h, struct qt_err *err)
{
	struct scan_ctx *c = ctx;
	uint8_t sh[EIF_SECTION_HDR_SIZE];
	size_t got;
	unsigned i;

	(void)err;
	for (i = 0; i < h->num_sections && i < QT_MAX_SECTIONS; i++) {
		/* untrusted: inside the file, or skipped (a negative offset would read in place) */
		if (c->file_size < sizeof(sh) || h->offsets[i] > c->file_size - sizeof(sh) ||
		    h->sizes[i] > c->file_size)
			continue;
		if (fileio_read_full(c->fd, sh, sizeof(sh), (int64_t)h->offsets[i], &got) == 0 &&
		    got == sizeof(sh) && be16_get(sh) == EIF_SECTION_RAMDISK)
			c->walk_bytes += h->sizes[i];
	}
	return 0;
}

/* The scan's read as the first part of the scan and the walk: the total covers both. */
static void
scan_progress(void *ctx, const struct qt_progress *p)
{
	const struct scan_ctx *c = ctx;
	struct qt_progress q = *p;

	if (q.total > 0)
		q.total += c->walk_bytes;
	c->progress->fn(c->progress->ctx, &q);
}

static int
scan_begin(void *ctx, const struct eif_section *sec, struct qt_err *err)
{
	struct scan_ctx *c = ctx;

	(void)sec;
	if (EVP_DigestInit_ex(c->md, EVP_sha384(), NULL) != 1)
		return qt_err_ssl(err, "SHA-384");
	return 0;
}

static int
scan_data(
    void *ctx, const struct eif_section *sec, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct scan_ctx *c = ctx;

	(void)sec;
	if (EVP_DigestUpdate(c->md, buf, len) != 1)
		return qt_err_ssl(err, "SHA-384");
	return 0;
}

static int
scan_end(void *ctx, const struct eif_section *sec, struct qt_err *err)
{
	struct scan_ctx *c = ctx;

	if (EVP_DigestFinal_ex(c->md, c->s->digest[sec->index], NULL) != 1)
		return qt_err_ssl(err, "SHA-384");
	if (sec->type == EIF_SECTION_RAMDISK)
		c->s->nramdisks++;
	return 0;
}

int
eif_scan_path(const char *path, const struct qt_progress_cb *progress, struct eif_scan **ret,
    struct qt_err *err)
{
	struct scan_ctx c = { NULL, NULL, -1, 0, 0, progress };
	struct eif_read_cb cb = { NULL, scan_begin, scan_data, scan_end, &c, { NULL, NULL } };
	struct stat st;
	int fd = -1, rc = -1;

	if ((c.s = calloc(1, sizeof(*c.s))) == NULL || (c.md = EVP_MD_CTX_new()) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if (strcmp(path, "-") == 0) {
		qt_err_set(err, EINVAL,
		    "standard input: the image must be a named file (the ramdisks are read twice)");
		goto out;
	}
	if (fileio_open_input(path, &fd, err) < 0)
		goto out;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		qt_err_set(
		    err, EINVAL, "%s: not a regular file (the ramdisks are read twice)", path);
		goto out;
	}
	if (progress != NULL && progress->fn != NULL) {
		c.fd = fd;
		c.file_size = (uint64_t)st.st_size;
		cb.header = scan_header;
		cb.progress = (struct qt_progress_cb){ scan_progress, &c };
	}
	if (eif_read(fd, path, &cb, 0, &c.s->info, err) < 0 ||
	    eif_crc_check(path, c.s->info, err) < 0)
		goto out;
	c.s->pcrs = c.s->info->pcrs;
	if (eif_sig_image_pcr8(path, c.s->info, &c.s->pcrs, err) < 0)
		goto out;
	*ret = c.s;
	c.s = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(c.md);
	eif_scan_free(c.s);
	return rc;
}

void
eif_scan_free(struct eif_scan *s)
{
	if (s == NULL)
		return;
	eif_info_free(s->info);
	free(s);
}

/* ---- the walk ---------------------------------------------------------------------- */

/* One ramdisk section read again: the bytes libarchive asks for, hashed in order. */
struct sec_reader {
	const char *name;
	int fd;
	uint64_t start, size, pos; /* data offset in the file, its size, next offset to read */
	uint64_t hashed;           /* bytes [0, hashed) went through the hash */
	unsigned section;          /* its index in the image */
	/* progress (NULL: none): base + hashed bytes of total, entries so far */
	const struct qt_progress_cb *progress;
	uint64_t base, total, next;
	const size_t *count;
	unsigned nsections;
	EVP_MD_CTX *md;
	uint8_t *buf;
	struct qt_err *err; /* the first I/O error, for the message */
	bool failed;
};

static void
walk_progress(struct sec_reader *r)
{
	struct qt_progress p = { r->base + r->hashed, r->total, *r->count, 0, r->section + 1,
		r->nsections };

	r->next = p.bytes + QT_PROGRESS_STEP;
	r->progress->fn(r->progress->ctx, &p);
}

/*
 * The next chunk of the section at r->pos into r->buf; bytes not hashed yet
 * (a restart at an earlier offset reads some again) go through the hash.
 * 0 with *ret_got = 0 at the end of the section, -1 with r->err set.
 */
static int
sec_next(struct sec_reader *r, size_t *ret_got)
{
	size_t want = QT_IO_CHUNK, got = 0;

	*ret_got = 0;
	if (r->size - r->pos < want)
		want = (size_t)(r->size - r->pos);
	if (want == 0)
		return 0;
	if (fileio_read_full(r->fd, r->buf, want, (int64_t)(r->start + r->pos), &got) < 0 ||
	    got != want) {
		if (!r->failed)
			qt_err_set(r->err, got != want ? EIO : errno,
			    "%s: the file changed while it was read", r->name);
		r->failed = true;
		return -1;
	}
	if (r->pos + got > r->hashed) {
		uint64_t from = r->hashed - r->pos; /* r->pos <= r->hashed: restarts only go back */
		if (EVP_DigestUpdate(r->md, r->buf + from, got - (size_t)from) != 1) {
			r->failed = true;
			return qt_err_ssl(r->err, "SHA-384");
		}
		r->hashed = r->pos + got;
		if (r->progress != NULL && r->base + r->hashed >= r->next)
			walk_progress(r);
	}
	r->pos += got;
	*ret_got = got;
	return 0;
}

static la_ssize_t
sec_read(struct archive *a, void *ctx, const void **ret)
{
	struct sec_reader *r = ctx;
	size_t got;

	if (sec_next(r, &got) < 0) {
		archive_set_error(a, EIO, "read failed");
		return -1;
	}
	*ret = r->buf;
	return (la_ssize_t)got;
}

/* ---- the newc check ---------------------------------------------------------------- */

void
eif_newc_init(struct eif_newc *c)
{
	memset(c, 0, sizeof(*c));
	c->state = EIF_NEWC_HDR;
}

/* The 8 hex digits at p; -1 for anything else. */
static int
newc_hex(const uint8_t *p, uint32_t *ret)
{
	uint32_t v = 0;
	unsigned i, d;

	for (i = 0; i < 8; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10u;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10u;
		else
			return -1;
		v = v << 4 | d;
	}
	*ret = v;
	return 0;
}

/* A whole header in c->hdr: its fields within the rules, the name next. */
static int
newc_header(struct eif_newc *c, struct qt_err *err)
{
	static const char *const field[] = { "c_ino", "c_mode", "c_uid", "c_gid", "c_nlink",
		"c_mtime", "c_filesize", "c_devmajor", "c_devminor", "c_rdevmajor", "c_rdevminor",
		"c_namesize", "c_check" };
	uint32_t v[13];
	unsigned i;

	if (memcmp(c->hdr, "07070", 5) != 0 || (c->hdr[5] != '1' && c->hdr[5] != '2'))
		return qt_err_set(err, EINVAL, "not a cpio newc header (\"070701\" or \"070702\")");
	for (i = 0; i < 13; i++)
		if (newc_hex(c->hdr + 6 + 8 * i, &v[i]) < 0)
			return qt_err_set(
			    err, EINVAL, "malformed cpio header: %s is not 8 hex digits", field[i]);
	c->filesize = v[6];
	c->namesize = v[11];
	if (c->namesize == 0 || c->namesize > EIF_LS_PATH_MAX + 1)
		return qt_err_set(err, EFBIG,
		    "an entry name of %" PRIu32 " bytes (the limit is %u with its NUL)",
		    c->namesize, EIF_LS_PATH_MAX + 1);
	if ((v[1] & 0170000u) == 0120000u && c->filesize > EIF_LS_PATH_MAX)
		return qt_err_set(err, EFBIG,
		    "a symlink target of %" PRIu32 " bytes (the limit is %u)", c->filesize,
		    EIF_LS_PATH_MAX);
	c->state = EIF_NEWC_NAME;
	c->left = c->namesize;
	c->have = 0;
	return 0;
}

int
eif_newc_feed(struct eif_newc *c, const uint8_t *buf, size_t len, struct qt_err *err)
{
	size_t n;

	while (len > 0) {
		switch (c->state) {
		case EIF_NEWC_HDR:
			if (c->have == 0)
				c->hdr_off = c->off;
			n = EIF_NEWC_HDR_SIZE - c->have < len ? EIF_NEWC_HDR_SIZE - c->have : len;
			memcpy(c->hdr + c->have, buf, n);
			c->have += n;
			if (c->have == EIF_NEWC_HDR_SIZE && newc_header(c, err) < 0)
				return -1;
			break;
		case EIF_NEWC_NAME:
			n = c->left < len ? (size_t)c->left : len;
			if (c->have < sizeof(c->name))
				memcpy(c->name + c->have, buf,
				    sizeof(c->name) - c->have < n ? sizeof(c->name) - c->have : n);
			c->have += n;
			c->left -= n;
			if (c->left == 0) {
				c->trailer = c->have >= sizeof(c->name) &&
				             memcmp(c->name, "TRAILER!!!", sizeof(c->name)) == 0;
				/* name and data each padded to 4 bytes from the header's start */
				c->left = ((2u - c->namesize) & 3u) + (uint64_t)c->filesize +
				          ((0u - c->filesize) & 3u);
				c->state = EIF_NEWC_SKIP;
			}
			break;
		case EIF_NEWC_SKIP:
			n = c->left < len ? (size_t)c->left : len;
			c->left -= n;
			if (c->left == 0) {
				c->state = c->trailer ? EIF_NEWC_ZEROS : EIF_NEWC_HDR;
				c->have = 0;
			}
			break;
		case EIF_NEWC_ZEROS:
		default:
			for (n = 0; n < len && buf[n] == 0; n++)
				;
			if (n < len) {
				c->state = EIF_NEWC_HDR;
				c->have = 0;
			}
			break;
		}
		c->off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---- the cpio reader ---------------------------------------------------------------- */

/*
 * What libarchive's cpio reader reads: the section's bytes, or for a gzip
 * ramdisk those of a filter-only pass over it (libarchive's raw format),
 * each checked by eif_newc_feed before it is handed on.
 */
struct cpio_src {
	struct sec_reader *r;
	struct archive *gz; /* the decompressing pass; NULL for a plain archive */
	uint8_t *buf;       /* its output */
	uint64_t base;      /* a plain archive's offset in the section */
	unsigned nr;
	struct eif_newc chk;
};

static la_ssize_t
cpio_read(struct archive *a, void *ctx, const void **ret)
{
	struct cpio_src *s = ctx;
	struct sec_reader *r = s->r;
	struct qt_err e = { 0 };
	const uint8_t *p = r->buf;
	la_ssize_t n;
	size_t got;

	if (s->gz != NULL) {
		if ((n = archive_read_data(s->gz, s->buf, QT_IO_CHUNK)) < 0) {
			if (!r->failed)
				qt_err_set(r->err, EINVAL, "%s: ramdisk %u: %s", r->name, s->nr,
				    archive_error_string(s->gz));
			r->failed = true;
			archive_set_error(a, EINVAL, "read failed");
			return -1;
		}
		p = s->buf;
		got = (size_t)n;
	} else if (sec_next(r, &got) < 0) {
		archive_set_error(a, EIO, "read failed");
		return -1;
	}
	if (eif_newc_feed(&s->chk, p, got, &e) < 0) {
		if (!r->failed)
			qt_err_set(r->err, e.code, "%s: ramdisk %u: %soffset %" PRIu64 ": %s",
			    r->name, s->nr, s->gz != NULL ? "decompressed " : "",
			    s->gz != NULL ? s->chk.hdr_off : s->base + s->chk.hdr_off, e.msg);
		r->failed = true;
		archive_set_error(a, EINVAL, "malformed cpio header");
		return -1;
	}
	*ret = p;
	return (la_ssize_t)got;
}

/*
 * The source of the archive at r->pos: a gzip stream goes through a
 * filter-only pass (s->gz), anything else is read as it is.
 */
static int
cpio_src_open(struct sec_reader *r, unsigned nr, struct cpio_src *s, struct qt_err *err)
{
	struct archive_entry *ae;

	memset(s, 0, sizeof(*s));
	s->r = r;
	s->nr = nr;
	s->base = r->pos;
	s->buf = r->buf + 2 * (size_t)QT_IO_CHUNK;
	eif_newc_init(&s->chk);
	if ((s->gz = archive_read_new()) == NULL ||
	    archive_read_support_format_raw(s->gz) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(s->gz) != ARCHIVE_OK)
		return qt_err_set(err, ENOMEM, "%s: out of memory", r->name);
	if (archive_read_open(s->gz, r, NULL, sec_read, NULL) == ARCHIVE_OK &&
	    archive_filter_code(s->gz, 0) == ARCHIVE_FILTER_GZIP &&
	    archive_read_next_header(s->gz, &ae) == ARCHIVE_OK)
		return 0;
	archive_read_free(s->gz);
	s->gz = NULL;
	if (r->failed)
		return -1;
	r->pos = s->base; /* not gzip: read again from the start, as it is */
	return 0;
}

static enum eif_entry_type
entry_type(struct archive_entry *ae)
{
	if (archive_entry_hardlink(ae) != NULL)
		return EIF_ENTRY_HARDLINK;
	switch (archive_entry_filetype(ae)) {
	case AE_IFDIR:
		return EIF_ENTRY_DIR;
	case AE_IFLNK:
		return EIF_ENTRY_SYMLINK;
	case AE_IFCHR:
		return EIF_ENTRY_CHAR;
	case AE_IFBLK:
		return EIF_ENTRY_BLOCK;
	case AE_IFIFO:
		return EIF_ENTRY_FIFO;
	case AE_IFSOCK:
		return EIF_ENTRY_SOCKET;
	default:
		return EIF_ENTRY_FILE;
	}
}

/* The entry's header into e; -1 for a path or link past the limits. */
static int
entry_of(const struct sec_reader *r, unsigned nr, struct archive_entry *ae, struct eif_entry *e,
    struct qt_err *err)
{
	const char *p = archive_entry_pathname(ae);
	la_int64_t size = archive_entry_size(ae);

	memset(e, 0, sizeof(*e));
	e->ramdisk = nr;
	e->path = p;
	if (p == NULL || p[0] == '\0' || strlen(p) > EIF_LS_PATH_MAX)
		return qt_err_set(err, EINVAL, "%s: ramdisk %u: an entry with %s path", r->name, nr,
		    p == NULL || p[0] == '\0' ? "an empty" : "a too long");
	e->type = entry_type(ae);
	e->mode = (uint32_t)archive_entry_mode(ae) & 07777u;
	e->uid = (int64_t)archive_entry_uid(ae);
	e->gid = (int64_t)archive_entry_gid(ae);
	/* newc keeps a hard-linked file's data with its last name: a hard link may carry data */
	e->size = (e->type == EIF_ENTRY_FILE || e->type == EIF_ENTRY_HARDLINK) && size > 0
	              ? (uint64_t)size
	              : 0;
	e->mtime = (int64_t)archive_entry_mtime(ae);
	if (e->type == EIF_ENTRY_HARDLINK)
		e->link = archive_entry_hardlink(ae);
	else if (e->type == EIF_ENTRY_SYMLINK)
		e->link = archive_entry_symlink(ae);
	if (e->link != NULL && strlen(e->link) > EIF_LS_PATH_MAX)
		return qt_err_set(
		    err, EINVAL, "%s: ramdisk %u: %.64s: link target too long", r->name, nr, p);
	if (e->type == EIF_ENTRY_SYMLINK && e->link == NULL)
		e->link = "";
	e->rdev_major = (uint32_t)archive_entry_rdevmajor(ae);
	e->rdev_minor = (uint32_t)archive_entry_rdevminor(ae);
	return 0;
}

/* The data of a regular file: streamed to the callback, hashed with SHA-256. */
static int
entry_data(struct archive *a, const struct sec_reader *r, struct eif_entry *e,
    const struct eif_walk_cb *cb, struct qt_err *err)
{
	EVP_MD_CTX *md = NULL;
	uint64_t total = 0;
	la_ssize_t n;
	int rc = -1;

	if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		qt_err_ssl(err, "SHA-256");
		goto out;
	}
	while ((n = archive_read_data(a, r->buf + QT_IO_CHUNK, QT_IO_CHUNK)) > 0) {
		total += (uint64_t)n;
		if (EVP_DigestUpdate(md, r->buf + QT_IO_CHUNK, (size_t)n) != 1) {
			qt_err_ssl(err, "SHA-256");
			goto out;
		}
		if (cb->entry_data != NULL &&
		    cb->entry_data(cb->ctx, e, r->buf + QT_IO_CHUNK, (size_t)n, err) < 0)
			goto out;
	}
	if (n < 0 || total != e->size) {
		if (!r->failed)
			qt_err_set(err, EINVAL, "%s: ramdisk %u: %.64s: %s", r->name, e->ramdisk,
			    e->path, n < 0 ? archive_error_string(a) : "truncated data");
		goto out;
	}
	if (EVP_DigestFinal_ex(md, e->sha256, NULL) != 1) {
		qt_err_ssl(err, "SHA-256");
		goto out;
	}
	e->has_sha256 = true;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* The entries of one cpio archive starting at r->pos; *ret_compressed, *ret_consumed. */
static int
walk_archive(struct sec_reader *r, unsigned nr, const struct eif_walk_cb *cb, size_t *count,
    bool *ret_compressed, uint64_t *ret_consumed, struct qt_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct cpio_src src = { .gz = NULL };
	struct eif_entry e;
	int st, rc = -1;

	if (cpio_src_open(r, nr, &src, err) < 0)
		goto out;
	if ((a = archive_read_new()) == NULL || archive_read_support_format_cpio(a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(a) != ARCHIVE_OK) {
		qt_err_set(err, ENOMEM, "%s: out of memory", r->name);
		goto out;
	}
	if (archive_read_open(a, &src, NULL, cpio_read, NULL) != ARCHIVE_OK) {
		if (!r->failed)
			qt_err_set(err, EINVAL, "%s: ramdisk %u: not a cpio archive: %s", r->name,
			    nr, archive_error_string(a));
		goto out;
	}
	while ((st = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		if (++*count > EIF_LS_ENTRIES_MAX) {
			qt_err_set(err, EFBIG, "%s: more than %u ramdisk entries", r->name,
			    EIF_LS_ENTRIES_MAX);
			goto out;
		}
		if (entry_of(r, nr, ae, &e, err) < 0)
			goto out;
		e.section = r->section;
		if (cb->entry_begin != NULL && cb->entry_begin(cb->ctx, &e, err) < 0)
			goto out;
		if ((e.type == EIF_ENTRY_FILE || (e.type == EIF_ENTRY_HARDLINK && e.size > 0)) &&
		    entry_data(a, r, &e, cb, err) < 0)
			goto out;
		if (cb->entry_end != NULL && cb->entry_end(cb->ctx, &e, err) < 0)
			goto out;
	}
	if (st != ARCHIVE_EOF) {
		if (!r->failed)
			qt_err_set(err, EINVAL, "%s: ramdisk %u: %s", r->name, nr,
			    archive_error_string(a));
		goto out;
	}
	*ret_compressed = src.gz != NULL;
	*ret_consumed = (uint64_t)archive_filter_bytes(a, 0);
	rc = 0;
out:
	archive_read_free(a);
	archive_read_free(src.gz);
	return rc;
}

/*
 * A compressed ramdisk: the decompressed bytes after the first archive's
 * trailer (at consumed) must be zero padding; another archive there would
 * be unpacked by the kernel but is not listed here, so it is an error.
 */
static int
compressed_tail(
    struct sec_reader *r, unsigned nr, uint64_t start, uint64_t consumed, struct qt_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	uint64_t off = 0;
	la_ssize_t n, i;
	int rc = -1;

	r->pos = start;
	if ((a = archive_read_new()) == NULL || archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(a) != ARCHIVE_OK) {
		qt_err_set(err, ENOMEM, "%s: out of memory", r->name);
		goto out;
	}
	if (archive_read_open(a, r, NULL, sec_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ae) != ARCHIVE_OK)
		goto bad;
	while ((n = archive_read_data(a, r->buf + QT_IO_CHUNK, QT_IO_CHUNK)) > 0) {
		for (i = 0; i < n; i++, off++)
			if (off >= consumed && r->buf[QT_IO_CHUNK + (size_t)i] != 0) {
				qt_err_set(err, EINVAL,
				    "%s: ramdisk %u: data after the cpio trailer in a compressed "
				    "ramdisk (another archive?); refusing to list part of it",
				    r->name, nr);
				goto out;
			}
	}
	if (n < 0)
		goto bad;
	rc = 0;
	goto out;
bad:
	if (!r->failed)
		qt_err_set(err, EINVAL, "%s: ramdisk %u: %s", r->name, nr, archive_error_string(a));
out:
	archive_read_free(a);
	return rc;
}

/*
 * One ramdisk: every archive in it, in order. Like the kernel, a ramdisk may
 * hold several cpio archives one after another, with zero padding between:
 * after each trailer the zeros are skipped and the next archive read, so no
 * entry hides behind the first trailer. (A compressed ramdisk is read as
 * one stream.) Then the rest of the section goes through the hash.
 */
static int
walk_one(struct sec_reader *r, unsigned nr, const uint8_t want[48], const struct eif_walk_cb *cb,
    size_t *count, struct qt_err *err)
{
	uint8_t got[48];
	uint64_t consumed, before;
	bool compressed = false, more = true;
	size_t n, j;

	while (more) {
		uint64_t start = r->pos;

		if (walk_archive(r, nr, cb, count, &compressed, &consumed, err) < 0)
			return -1;
		if (compressed) {
			if (compressed_tail(r, nr, start, consumed, err) < 0)
				return -1;
			break;
		}
		if (consumed == 0)
			return qt_err_set(
			    err, EINVAL, "%s: ramdisk %u: an empty cpio archive", r->name, nr);
		r->pos = start + consumed;
		for (more = false; !more && r->pos < r->size;) {
			before = r->pos;
			if (sec_next(r, &n) < 0)
				return -1;
			for (j = 0; j < n && r->buf[j] == 0; j++)
				;
			if (j < n) {
				r->pos = before + j;
				more = true;
			}
		}
	}
	while (r->pos < r->size)
		if (sec_next(r, &n) < 0)
			return -1;
	if (EVP_DigestFinal_ex(r->md, got, NULL) != 1)
		return qt_err_ssl(err, "SHA-384");
	if (r->hashed != r->size || CRYPTO_memcmp(got, want, sizeof(got)) != 0)
		return qt_err_set(err, EIO, "%s: the file changed while it was read", r->name);
	return 0;
}

int
eif_walk(
    const char *path, const struct eif_scan *scan, const struct eif_walk_cb *cb, struct qt_err *err)
{
	static const struct eif_walk_cb none = { NULL, NULL, NULL, NULL, NULL, { NULL, NULL } };
	struct sec_reader r = { .name = path, .fd = -1, .err = err };
	const struct eif_section *s;
	size_t count = 0;
	unsigned i, nr = 0;
	int rc = -1;

	if (cb == NULL)
		cb = &none;
	if (cb->progress.fn != NULL) {
		/* after the scan: its bytes, then the ramdisks' again */
		r.progress = &cb->progress;
		r.count = &count;
		r.nsections = scan->info->nsections;
		r.base = r.total = scan->info->file_size;
		for (i = 0; i < scan->info->nsections; i++)
			if (scan->info->sections[i].type == EIF_SECTION_RAMDISK)
				r.total += scan->info->sections[i].size;
		r.next = r.base + QT_PROGRESS_STEP;
	}
	/* the section's chunk, an entry's data, the decompressed chunk of a gzip ramdisk */
	if ((r.buf = malloc(3 * (size_t)QT_IO_CHUNK)) == NULL ||
	    (r.md = EVP_MD_CTX_new()) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if ((r.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		qt_err_set(err, errno, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	for (i = 0; i < scan->info->nsections; i++) {
		s = &scan->info->sections[i];
		if (s->type != EIF_SECTION_RAMDISK)
			continue;
		r.start = s->offset + EIF_SECTION_HDR_SIZE;
		r.size = s->size;
		r.pos = r.hashed = 0;
		r.section = s->index;
		if (EVP_DigestInit_ex(r.md, EVP_sha384(), NULL) != 1) {
			qt_err_ssl(err, "SHA-384");
			goto out;
		}
		if (cb->ramdisk_begin != NULL && cb->ramdisk_begin(cb->ctx, nr, s->index, err) < 0)
			goto out;
		if (walk_one(&r, nr, scan->digest[i], cb, &count, err) < 0)
			goto out;
		r.base += s->size;
		r.hashed = 0;
		nr++;
	}
	if (r.progress != NULL)
		walk_progress(&r); /* the end */
	rc = 0;
out:
	if (r.fd >= 0)
		close(r.fd);
	EVP_MD_CTX_free(r.md);
	free(r.buf);
	return rc;
}

const char *
eif_entry_type_name(enum eif_entry_type t)
{
	switch (t) {
	case EIF_ENTRY_FILE:
		return "file";
	case EIF_ENTRY_DIR:
		return "directory";
	case EIF_ENTRY_SYMLINK:
		return "symlink";
	case EIF_ENTRY_HARDLINK:
		return "hardlink";
	case EIF_ENTRY_CHAR:
		return "char";
	case EIF_ENTRY_BLOCK:
		return "block";
	case EIF_ENTRY_FIFO:
		return "fifo";
	case EIF_ENTRY_SOCKET:
		return "socket";
	}
	return "unknown";
}

int
eif_cmdenv_index(const char *path)
{
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	return strcmp(path, "cmd") == 0 ? 0 : strcmp(path, "env") == 0 ? 1 : -1;
}

int
eif_cmdenv_begin(
    struct eif_cmdenv *c, const char *name, const struct eif_entry *e, struct qt_err *err)
{
	int k = e->type == EIF_ENTRY_FILE ? eif_cmdenv_index(e->path) : -1;

	c->capture = k;
	if (k < 0)
		return 0;
	free(c->buf[k]);
	c->buf[k] = NULL;
	c->len[k] = 0;
	if (e->size > EIF_LS_CMD_MAX)
		return qt_err_set(err, EFBIG, "%s: ramdisk %u: %s: more than %u bytes", name,
		    e->ramdisk, e->path, EIF_LS_CMD_MAX);
	if ((c->buf[k] = malloc(e->size + 1)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	return 0;
}

void
eif_cmdenv_data(struct eif_cmdenv *c, const struct eif_entry *e, const uint8_t *buf, size_t len)
{
	int k = c->capture;

	if (k < 0 || c->buf[k] == NULL || len > e->size - c->len[k])
		return;
	memcpy(c->buf[k] + c->len[k], buf, len);
	c->len[k] += len;
}

void
eif_cmdenv_free(struct eif_cmdenv *c)
{
	free(c->buf[0]);
	free(c->buf[1]);
	c->buf[0] = c->buf[1] = NULL;
}

int
eif_lines(const uint8_t *buf, size_t len, char ***ret, size_t *ret_n, struct qt_err *err)
{
	size_t n = 0, i, k = 0;
	char *copy, **v, *p;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	if (len > 0 && buf[len - 1] != '\n')
		n++;
	/* one block: the vector, then the text */
	if ((v = malloc((n + 1) * sizeof(*v) + len + 1)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	copy = (char *)(v + n + 1);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for (p = copy; k < n; k++) {
		char *nl = memchr(p, '\n', (size_t)(copy + len - p));

		v[k] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	v[n] = NULL;
	*ret = v;
	*ret_n = n;
	return 0;
}

json_t *
eif_text_json(const char *s, size_t len)
{
	json_t *j = NULL;
	char *copy;
	size_t i;
	bool plain = true;

	for (i = 0; i < len && plain; i++)
		plain = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
	if (plain && (j = json_stringn(s, len)) != NULL)
		return j;
	if ((copy = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		copy[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	j = json_stringn(copy, len);
	free(copy);
	return j;
}

json_t *
eif_entry_json(const struct eif_entry *e)
{
	json_t *o = json_object(), *rdev = json_null();
	char mode[8], hex[65];
	int bad = o == NULL;

	snprintf(mode, sizeof(mode), "%04o", e->mode);
	if (e->type == EIF_ENTRY_CHAR || e->type == EIF_ENTRY_BLOCK)
		rdev = json_pack("[II]", (json_int_t)e->rdev_major, (json_int_t)e->rdev_minor);
	bad |= json_object_set_new(o, "path", eif_text_json(e->path, strlen(e->path)));
	bad |= json_object_set_new(o, "type", json_string(eif_entry_type_name(e->type)));
	bad |= json_object_set_new(o, "mode", json_string(mode));
	bad |= json_object_set_new(o, "uid", json_integer((json_int_t)e->uid));
	bad |= json_object_set_new(o, "gid", json_integer((json_int_t)e->gid));
	bad |= json_object_set_new(o, "size", json_integer((json_int_t)e->size));
	bad |= json_object_set_new(o, "mtime", json_integer((json_int_t)e->mtime));
	if (e->has_sha256)
		qt_hex(e->sha256, sizeof(e->sha256), hex);
	bad |= json_object_set_new(o, "sha256", e->has_sha256 ? json_string(hex) : json_null());
	bad |= json_object_set_new(
	    o, "link", e->link != NULL ? eif_text_json(e->link, strlen(e->link)) : json_null());
	bad |= json_object_set_new(o, "rdev", rdev);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void
eif_entry_mode_text(const struct eif_entry *e, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	unsigned i;

	out[0] = e->type == EIF_ENTRY_FILE || e->type == EIF_ENTRY_HARDLINK ? '-' : (char)e->type;
	for (i = 0; i < 9; i++)
		out[1 + i] = (e->mode & (0400u >> i)) ? rwx[i] : '-';
	if (e->mode & 04000u)
		out[3] = (e->mode & 0100u) ? 's' : 'S';
	if (e->mode & 02000u)
		out[6] = (e->mode & 0010u) ? 's' : 'S';
	if (e->mode & 01000u)
		out[9] = (e->mode & 0001u) ? 't' : 'T';
	out[10] = '\0';
}
