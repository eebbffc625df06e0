/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ramdisk.c: reproducible cpio newc ramdisks (spec/eif.md 9). Loading a
 * source collects paths and metadata only (contents stay on disk or go to
 * an unlinked spool file), applies layers (whiteouts, opaque directories,
 * last entry wins), checks every path, then sorts; writing emits the newc
 * stream in one pass. The only user of libarchive.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "bytes.h"
#include "fileio.h"
#include "ramdisk.h"
#include "text.h"

enum ent_kind {
	K_REG,
	K_DIR,
	K_LNK,
	K_FIFO,
	K_WHITEOUT, /* .wh.NAME: removes NAME of lower layers */
	K_OPAQUE,   /* .wh..wh..opq: hides the lower layers' contents of its directory */
};

enum ent_src {
	S_NONE,
	S_DISK,  /* openat(rootfd, path) at write time */
	S_SPOOL, /* pread(spoolfd, off) */
	S_FILE,  /* pread(srcfd, off): data stored as is in an uncompressed tar file */
	S_MEM,   /* mem */
};

struct ent {
	char *path; /* normalised: relative, no "." / ".." / empty components */
	char *link; /* symbolic link target, verbatim */
	const uint8_t *mem;
	uint64_t size;
	uint64_t off;
	uint64_t dev, ino; /* S_DISK: identity seen by the scan */
	uint32_t mode;     /* permission bits (07777) */
	uint32_t uid, gid, mtime;
	uint32_t layer, seq;
	uint32_t group; /* hard-link group, 0 = none */
	uint32_t nlink;
	uint8_t kind, src;
};

struct ramdisk_tree {
	enum ramdisk_kind kind;
	char *name;  /* the source as named by the user (file or directory) */
	int rootfd;  /* directory sources */
	int spoolfd; /* archive sources */
	int srcfd;   /* tarball / docker-archive file, read in place when uncompressed */
	struct stat srcst;
	struct ent *ents;
	size_t n, cap;
	size_t *out; /* survivors, byte-wise path order */
	size_t nout;
	uint32_t root_subdirs;
	uint32_t ngroups;
	uint32_t *group_count;
	char **layer_names;
	size_t nlayers;
	bool has_cfg;
	struct ramdisk_config cfg;
	struct ramdisk_stats st;
	struct ramdisk_opts opts;
	uint32_t seq;
	/* spool writer */
	uint8_t *sbuf;
	size_t slen;
	uint64_t spool_size;
	/* path -> index+1 of the newest entry with that path (hard-link targets) */
	uint32_t *ht;
	size_t htcap;
	size_t htused;
};

#define SPOOL_BUF  (1u << 20)
#define CPIO_BUF   (1u << 20)
#define NEWC_HDR   110u
#define CPIO_BLOCK 512u

static const char *const fixed_dirs[] = { "dev", "proc", "run", "sys", "tmp", "var" };

/* ------------------------------------------------------------------ */
/* small helpers */

static char *
xstrdup(const char *s, struct qt_err *err)
{
	char *d = strdup(s);

	if (d == NULL)
		qt_err_set(err, ENOMEM, "out of memory");
	return d;
}

void
ramdisk_strv_free(struct ramdisk_strv *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

static int
strv_push(struct ramdisk_strv *v, const char *s, struct qt_err *err)
{
	char **g;

	if ((g = realloc(v->v, (v->n + 2) * sizeof(*g))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	v->v = g;
	if ((v->v[v->n] = xstrdup(s, err)) == NULL)
		return -1;
	v->n++;
	v->v[v->n] = NULL;
	return 0;
}

/*
 * Normalise an archive path: strip leading '/', drop empty and "." components,
 * resolve ".." lexically. Returns 0, -1 if it climbs out of the root, -2 if the
 * result does not fit in outsz. An empty result is the root itself.
 */
static int
norm_path(const char *in, char *out, size_t outsz)
{
	size_t len = 0;
	const char *p = in;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *c = p;
		while (*p != '\0' && *p != '/')
			p++;
		size_t clen = (size_t)(p - c);
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			if (len == 0)
				return -1;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		if (len + (len > 0) + clen + 1 > outsz)
			return -2;
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, c, clen);
		len += clen;
	}
	out[len] = '\0';
	return 0;
}

/* "<archive>" or "<archive>: layer N (<name>)" for messages. */
static const char *
where(const struct ramdisk_tree *t, uint32_t layer, char *buf, size_t len)
{
	if (t->kind == RAMDISK_SRC_DOCKER || t->kind == RAMDISK_SRC_OCI) {
		if (layer >= 1 && layer <= t->nlayers)
			snprintf(buf, len, "%s: layer %u (%s)", t->name, layer,
			    t->layer_names[layer - 1]);
		else
			snprintf(buf, len, "%s", t->name);
	} else {
		snprintf(buf, len, "%s", t->name);
	}
	return buf;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static int
ht_put(struct ramdisk_tree *t, size_t idx, struct qt_err *err)
{
	size_t i, mask;
	uint32_t *old, *nt;

	if ((t->htused + 1) * 2 > t->htcap) {
		size_t oldcap = t->htcap;
		old = t->ht;
		t->htcap = oldcap == 0 ? 1024 : oldcap * 2;
		if ((nt = calloc(t->htcap, sizeof(*nt))) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		t->ht = nt;
		mask = t->htcap - 1;
		for (i = 0; i < oldcap; i++) {
			size_t j;

			if (old[i] == 0)
				continue;
			j = (size_t)fnv1a(t->ents[old[i] - 1].path) & mask;
			while (nt[j] != 0)
				j = (j + 1) & mask;
			nt[j] = old[i];
		}
		free(old);
	}
	mask = t->htcap - 1;
	i = (size_t)fnv1a(t->ents[idx].path) & mask;
	while (t->ht[i] != 0) {
		if (strcmp(t->ents[t->ht[i] - 1].path, t->ents[idx].path) == 0) {
			t->ht[i] = (uint32_t)(idx + 1);
			return 0;
		}
		i = (i + 1) & mask;
	}
	t->ht[i] = (uint32_t)(idx + 1);
	t->htused++;
	return 0;
}

static struct ent *
ht_get(const struct ramdisk_tree *t, const char *path)
{
	size_t i, mask;

	if (t->htcap == 0)
		return NULL;
	mask = t->htcap - 1;
	i = (size_t)fnv1a(path) & mask;
	while (t->ht[i] != 0) {
		if (strcmp(t->ents[t->ht[i] - 1].path, path) == 0)
			return &t->ents[t->ht[i] - 1];
		i = (i + 1) & mask;
	}
	return NULL;
}

/* Append an entry (path copied); returns its index through ret. */
static int
ent_add(struct ramdisk_tree *t, const char *path, uint8_t kind, uint32_t layer, size_t *ret,
    struct qt_err *err)
{
	struct ent *g, *e;

	if (t->n == t->cap) {
		size_t cap = t->cap == 0 ? 1024 : t->cap * 2;
		if (cap > UINT32_MAX - 1 || (g = realloc(t->ents, cap * sizeof(*g))) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		t->ents = g;
		t->cap = cap;
	}
	e = &t->ents[t->n];
	memset(e, 0, sizeof(*e));
	if ((e->path = xstrdup(path, err)) == NULL)
		return -1;
	e->kind = kind;
	e->layer = layer;
	e->seq = t->seq++;
	e->nlink = 1;
	*ret = t->n++;
	return 0;
}

static uint32_t
clamp_mtime(const struct ramdisk_tree *t, int64_t mtime)
{
	if (mtime < 0)
		return 0;
	if ((uint64_t)mtime > t->opts.mtime_clamp)
		return t->opts.mtime_clamp;
	return (uint32_t)mtime;
}

/* ------------------------------------------------------------------ */
/* spool: contents of archive entries, read back in sorted order */

static int
spool_open(struct ramdisk_tree *t, struct qt_err *err)
{
	const char *dir = t->opts.tmpdir;
	char *tmpl = NULL;
	int fd;

	if (dir == NULL)
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((t->sbuf = malloc(SPOOL_BUF)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		t->spoolfd = fd;
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
	t->spoolfd = fd;
	return 0;
}

static int
spool_flush(struct ramdisk_tree *t, struct qt_err *err)
{
	if (t->slen == 0)
		return 0;
	if (fileio_write_all(t->spoolfd, "spool file", t->sbuf, t->slen, err) < 0)
		return -1;
	t->slen = 0;
	return 0;
}

static int
spool_write(struct ramdisk_tree *t, const uint8_t *p, size_t len, struct qt_err *err)
{
	while (len > 0) {
		if (t->slen == SPOOL_BUF && spool_flush(t, err) < 0)
			return -1;
		size_t n = SPOOL_BUF - t->slen;
		if (n > len)
			n = len;
		if (p != NULL) {
			memcpy(t->sbuf + t->slen, p, n);
			p += n;
		} else {
			memset(t->sbuf + t->slen, 0, n);
		}
		t->slen += n;
		t->spool_size += n;
		len -= n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* reading archives (tarball, docker layer, OCI layer) */

static int
check_limits(struct ramdisk_tree *t, const char *ctx, struct qt_err *err)
{
	if (++t->st.entries > t->opts.max_entries)
		return qt_err_set(err, EFBIG,
		    "%s: more than %llu entries (limit; see --max-entries)", ctx,
		    (unsigned long long)t->opts.max_entries);
	return 0;
}

static void
note_first(char *dst, size_t len, const char *path)
{
	size_t n = strlen(path);

	/* the smallest path, not the first seen: readdir order must not show */
	if (dst[0] != '\0' && strcmp(dst, path) <= 0)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(dst, path, n);
	dst[n] = '\0';
}

/* Read the data of the current entry into the spool. */
static int
spool_entry(
    struct ramdisk_tree *t, struct archive *a, struct ent *e, const char *ctx, struct qt_err *err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	uint64_t done = 0;

	e->src = S_SPOOL; /* spool_size counts buffered bytes too: read back after the last flush */
	e->off = t->spool_size;
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
			return qt_err_set(err, EFBIG,
			    "%s: entry '%s': more than %llu bytes of contents (limit; see "
			    "--max-bytes)",
			    ctx, e->path, (unsigned long long)t->opts.max_bytes);
		if ((uint64_t)off > done) { /* sparse hole */
			if (spool_write(t, NULL, (size_t)((uint64_t)off - done), err) < 0)
				return -1;
			t->st.bytes += (uint64_t)off - done;
			done = (uint64_t)off;
		}
		if (spool_write(t, buf, len, err) < 0)
			return -1;
		t->st.bytes += len;
		done += len;
	}
	e->size = done;
	return 0;
}

/*
 * Read every entry of one layer (or a plain tarball when whiteouts is false)
 * into the tree. ctx names the archive and layer in messages.
 */
/*
 * dbase >= 0: this archive's byte 0 is at offset dbase of t->srcfd, so the data
 * of a plain (uncompressed, not sparse) entry is read there at write time
 * instead of being spooled.
 */
static int
read_layer(struct ramdisk_tree *t, struct archive *a, uint32_t layer, bool whiteouts, int64_t dbase,
    struct qt_err *err)
{
	struct archive_entry *ae;
	char ctx[600], path[RAMDISK_PATH_MAX + 1], tpath[RAMDISK_PATH_MAX + 1];
	const char *base, *sl;
	struct ent *e, *target;
	size_t idx, plen;
	uint8_t kind;

	where(t, layer, ctx, sizeof(ctx));
	for (;;) {
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return qt_err_set(err, EINVAL, "%s: entry %llu: %s", ctx,
			    (unsigned long long)t->st.entries + 1, archive_error_string(a));
		if (check_limits(t, ctx, err) < 0)
			return -1;
		const char *name = archive_entry_pathname(ae);

		if (name == NULL)
			return qt_err_set(err, EINVAL, "%s: entry %llu: no path name", ctx,
			    (unsigned long long)t->st.entries);
		r = norm_path(name, path, sizeof(path) - 8);
		if (r == -1)
			return qt_err_set(
			    err, EINVAL, "%s: entry '%s': path leaves the root", ctx, name);
		if (r == -2)
			return qt_err_set(err, ENAMETOOLONG,
			    "%s: entry '%.64s...': path longer than PATH_MAX (%u)", ctx, name,
			    RAMDISK_PATH_MAX);
		unsigned ftype = archive_entry_filetype(ae);
		const char *hl = archive_entry_hardlink(ae);
		base = strrchr(path, '/');
		base = base == NULL ? path : base + 1;
		if (whiteouts && strncmp(base, ".wh.", 4) == 0) {
			plen = (size_t)(base - path);
			if (strcmp(base, ".wh..wh..opq") == 0) {
				path[plen > 0 ? plen - 1 : 0] = '\0';
				kind = K_OPAQUE;
			} else if (strncmp(base, ".wh..wh.", 8) == 0) {
				continue; /* aufs bookkeeping (.wh..wh.plnk, ...): not content */
			} else {
				if (base[4] == '\0' || strcmp(base + 4, ".") == 0 ||
				    strcmp(base + 4, "..") == 0)
					return qt_err_set(err, EINVAL,
					    "%s: whiteout '%s' does not name an entry of its "
					    "directory",
					    ctx, name);
				memmove(path + plen, base + 4, strlen(base + 4) + 1);
				kind = K_WHITEOUT;
			}
			if (ent_add(t, path, kind, layer, &idx, err) < 0)
				return -1;
			continue;
		}
		if (path[0] == '\0') /* the root itself ("./"): its entry is synthesised */
			continue;
		if (archive_entry_xattr_count(ae) > 0) {
			t->st.xattrs++;
			note_first(t->st.xattr_first, sizeof(t->st.xattr_first), path);
		}
		if (hl != NULL) {
			r = norm_path(hl, tpath, sizeof(tpath) - 8);
			if (r < 0)
				return qt_err_set(err, EINVAL,
				    "%s: entry '%s': hard link target '%s' leaves the root", ctx,
				    name, hl);
			target = ht_get(t, tpath);
			if (target == NULL || target->kind != K_REG)
				return qt_err_set(err, EINVAL,
				    "%s: entry '%s': hard link to '%s', which is not a regular "
				    "file "
				    "earlier in the archive",
				    ctx, name, hl);
			if (target->group == 0)
				target->group = ++t->ngroups;
			if (ent_add(t, path, K_REG, layer, &idx, err) < 0)
				return -1;
			target = ht_get(t, tpath); /* ents may have moved */
			e = &t->ents[idx];
			e->src = target->src;
			e->off = target->off;
			e->size = target->size;
			e->group = target->group;
			e->mode = (uint32_t)archive_entry_perm(ae) & 07777;
			e->uid = (uint32_t)archive_entry_uid(ae);
			e->gid = (uint32_t)archive_entry_gid(ae);
			e->mtime = clamp_mtime(t, archive_entry_mtime(ae));
			if (ht_put(t, idx, err) < 0)
				return -1;
			continue;
		}
		switch (ftype) {
		case AE_IFREG:
			kind = K_REG;
			break;
		case AE_IFDIR:
			kind = K_DIR;
			break;
		case AE_IFLNK:
			kind = K_LNK;
			break;
		case AE_IFIFO:
			kind = K_FIFO;
			break;
		default: /* character and block devices, sockets: see qt-build(1) */
			t->st.devices++;
			note_first(t->st.device_first, sizeof(t->st.device_first), path);
			continue;
		}
		if (archive_entry_uid(ae) < 0 || archive_entry_uid(ae) > UINT32_MAX ||
		    archive_entry_gid(ae) < 0 || archive_entry_gid(ae) > UINT32_MAX)
			return qt_err_set(
			    err, EINVAL, "%s: entry '%s': uid or gid out of range", ctx, name);
		if (ent_add(t, path, kind, layer, &idx, err) < 0)
			return -1;
		e = &t->ents[idx];
		/* symbolic links are 0777 on Linux whatever an archive says */
		e->mode = kind == K_LNK ? 0777 : (uint32_t)archive_entry_perm(ae) & 07777;
		e->uid = (uint32_t)archive_entry_uid(ae);
		e->gid = (uint32_t)archive_entry_gid(ae);
		e->mtime = clamp_mtime(t, archive_entry_mtime(ae));
		if (kind == K_LNK) {
			sl = archive_entry_symlink(ae);
			if (sl == NULL || *sl == '\0' || strlen(sl) >= RAMDISK_PATH_MAX)
				return qt_err_set(err, EINVAL,
				    "%s: entry '%s': symbolic link target empty or longer than "
				    "PATH_MAX",
				    ctx, name);
			if ((e->link = xstrdup(sl, err)) == NULL)
				return -1;
			e->size = strlen(sl);
		} else if (kind == K_REG) {
			/* newc sizes are 32-bit (checked again after reading: sparse, pax sizes) */
			if (archive_entry_size(ae) > (la_int64_t)UINT32_MAX)
				return qt_err_set(err, EFBIG,
				    "%s: entry '%s': 4 GiB or more: cpio newc cannot store it", ctx,
				    name);
			if (dbase >= 0 && archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE &&
			    archive_entry_size_is_set(ae) && archive_entry_sparse_reset(ae) == 0) {
				/* the tar reader has consumed the headers: data starts here */
				e->src = S_FILE;
				e->off = (uint64_t)dbase + (uint64_t)archive_filter_bytes(a, 0);
				e->size = (uint64_t)archive_entry_size(ae);
				if (e->size > t->opts.max_bytes - t->st.bytes)
					return qt_err_set(err, EFBIG,
					    "%s: entry '%s': more than %llu bytes of contents "
					    "(limit; "
					    "see --max-bytes)",
					    ctx, e->path, (unsigned long long)t->opts.max_bytes);
				t->st.bytes += e->size;
			} else if (spool_entry(t, a, e, ctx, err) < 0 || e->size > UINT32_MAX) {
				return qt_err_set(err, EFBIG,
				    "%s: entry '%s': 4 GiB or more: cpio newc cannot store it", ctx,
				    name);
			}
		}
		if (ht_put(t, idx, err) < 0)
			return -1;
	}
	return 0;
}

static struct archive *
tar_reader(void)
{
	struct archive *a = archive_read_new();

	if (a != NULL) {
		archive_read_support_filter_all(a);
		archive_read_support_format_tar(a);
		archive_read_support_format_empty(a);
	}
	return a;
}

/*
 * Open the tarball or docker-archive once: every pass of libarchive and every
 * read in place use this descriptor, so they all see the same file.
 */
static int
src_open(struct ramdisk_tree *t, struct qt_err *err)
{
	if ((t->srcfd = open(t->name, O_RDONLY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", t->name, strerror(errno));
	if (fstat(t->srcfd, &t->srcst) < 0)
		return qt_err_set(err, errno, "%s: %s", t->name, strerror(errno));
	if (S_ISDIR(t->srcst.st_mode))
		return qt_err_set(err, EISDIR, "%s: is a directory", t->name);
	return 0;
}

/* A libarchive reader over t->srcfd from its start (a pass). */
static int
src_reader(struct ramdisk_tree *t, struct archive **ret, struct qt_err *err)
{
	struct archive *a;

	if ((a = tar_reader()) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if ((S_ISREG(t->srcst.st_mode) && lseek(t->srcfd, 0, SEEK_SET) != 0) ||
	    archive_read_open_fd(a, t->srcfd, 1 << 16) != ARCHIVE_OK) {
		qt_err_set(err, EINVAL, "%s: %s", t->name,
		    archive_error_string(a) != NULL ? archive_error_string(a) : strerror(errno));
		archive_read_free(a);
		return -1;
	}
	*ret = a;
	return 0;
}

static int
load_tarball(struct ramdisk_tree *t, struct qt_err *err)
{
	struct archive *a = NULL;
	int r = -1;

	if (src_open(t, err) < 0 || src_reader(t, &a, err) < 0)
		goto out;
	t->nlayers = 0;
	if (read_layer(t, a, 1, false, S_ISREG(t->srcst.st_mode) ? 0 : -1, err) < 0)
		goto out;
	t->st.layers = 1;
	r = 0;
out:
	archive_read_free(a);
	return r;
}

/* ------------------------------------------------------------------ */
/* directory sources */

static int
load_dir(struct ramdisk_tree *t, struct qt_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *ae = NULL;
	const struct stat *st;
	char path[RAMDISK_PATH_MAX + 1];
	const char *name, *sl;
	size_t rootlen = 0, idx;
	bool first = true;
	struct ent *e;
	uint8_t kind;
	uint32_t perm;
	int r, ret = -1;

	if ((t->rootfd = open(t->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", t->name, strerror(errno));
	if ((a = archive_read_disk_new()) == NULL || (ae = archive_entry_new()) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* Follow the named directory if it is a link, never a link inside it. */
	archive_read_disk_set_symlink_hybrid(a);
	archive_read_disk_set_behavior(
	    a, ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS | ARCHIVE_READDISK_NO_SPARSE);
	if (archive_read_disk_open(a, t->name) != ARCHIVE_OK) {
		qt_err_set(err, EINVAL, "%s: %s", t->name, archive_error_string(a));
		goto out;
	}
	for (;;) {
		archive_entry_clear(ae);
		r = archive_read_next_header2(a, ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			qt_err_set(err, EIO, "%s: %s", t->name, archive_error_string(a));
			goto out;
		}
		if ((name = archive_entry_pathname(ae)) == NULL) {
			qt_err_set(err, EINVAL, "%s: entry without a name", t->name);
			goto out;
		}
		if (archive_read_disk_can_descend(a))
			archive_read_disk_descend(a);
		if (first) {
			rootlen = strlen(name);
			first = false;
			continue;
		}
		if (strncmp(name, t->name, rootlen) != 0) {
			qt_err_set(err, EINVAL, "%s: unexpected entry '%s'", t->name, name);
			goto out;
		}
		if (check_limits(t, t->name, err) < 0)
			goto out;
		r = norm_path(name + rootlen, path, sizeof(path) - 8);
		if (r == -2) {
			qt_err_set(err, ENAMETOOLONG,
			    "%s: '%.64s...': path longer than PATH_MAX (%u)", t->name,
			    name + rootlen, RAMDISK_PATH_MAX);
			goto out;
		}
		if (r < 0 || path[0] == '\0') {
			qt_err_set(err, EINVAL, "%s: unexpected entry '%s'", t->name, name);
			goto out;
		}
		st = archive_entry_stat(ae);
		switch (st->st_mode & S_IFMT) {
		case S_IFREG:
			kind = K_REG;
			perm = (st->st_mode & 0100) ? 0755 : 0644;
			break;
		case S_IFDIR:
			kind = K_DIR;
			perm = 0755;
			break;
		case S_IFLNK:
			kind = K_LNK;
			perm = 0777;
			break;
		case S_IFIFO:
			kind = K_FIFO;
			perm = 0644;
			break;
		default:
			t->st.devices++;
			note_first(t->st.device_first, sizeof(t->st.device_first), path);
			continue;
		}
		if (archive_entry_xattr_count(ae) > 0) {
			t->st.xattrs++;
			note_first(t->st.xattr_first, sizeof(t->st.xattr_first), path);
		}
		if (ent_add(t, path, kind, 1, &idx, err) < 0)
			goto out;
		e = &t->ents[idx];
		if (t->opts.keep_owner) {
			e->mode = (uint32_t)st->st_mode & 07777;
			e->uid = (uint32_t)st->st_uid;
			e->gid = (uint32_t)st->st_gid;
		} else {
			e->mode = perm;
		}
		e->mtime = clamp_mtime(t, (int64_t)st->st_mtime);
		e->dev = (uint64_t)st->st_dev;
		e->ino = (uint64_t)st->st_ino;
		if (kind == K_REG) {
			e->src = S_DISK;
			if (st->st_size < 0 ||
			    (uint64_t)st->st_size > t->opts.max_bytes - t->st.bytes) {
				qt_err_set(err, EFBIG,
				    "%s/%s: more than %llu bytes of contents (limit; see "
				    "--max-bytes)",
				    t->name, path, (unsigned long long)t->opts.max_bytes);
				goto out;
			}
			e->size = (uint64_t)st->st_size;
			if (e->size > UINT32_MAX) {
				qt_err_set(err, EFBIG,
				    "%s/%s: 4 GiB or more: cpio newc cannot store it", t->name,
				    path);
				goto out;
			}
			t->st.bytes += e->size;
			/* hard links: group later by (dev, ino) */
			e->group = st->st_nlink > 1 ? UINT32_MAX : 0;
		} else if (kind == K_LNK) {
			sl = archive_entry_symlink(ae);
			if (sl == NULL || *sl == '\0' || strlen(sl) >= RAMDISK_PATH_MAX) {
				qt_err_set(err, EINVAL,
				    "%s/%s: symbolic link target empty or too long", t->name, path);
				goto out;
			}
			if ((e->link = xstrdup(sl, err)) == NULL)
				goto out;
			e->size = strlen(sl);
		}
	}
	t->st.layers = 1;
	ret = 0;
out:
	archive_entry_free(ae);
	archive_read_free(a);
	return ret;
}

static int
cmp_devino(const void *pa, const void *pb, void *arg)
{
	const struct ent *ents = arg;
	const struct ent *a = &ents[*(const size_t *)pa], *b = &ents[*(const size_t *)pb];

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return 0;
}

/* Directory sources: files sharing (dev, ino) become one hard-link group. */
static int
group_disk_links(struct ramdisk_tree *t, struct qt_err *err)
{
	size_t *idx = NULL, n = 0, i;

	for (i = 0; i < t->n; i++)
		if (t->ents[i].group == UINT32_MAX)
			n++;
	if (n == 0)
		return 0;
	if ((idx = malloc(n * sizeof(*idx))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	n = 0;
	for (i = 0; i < t->n; i++)
		if (t->ents[i].group == UINT32_MAX)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_devino, t->ents);
	for (i = 0; i < n; i++) {
		if (i == 0 || cmp_devino(&idx[i - 1], &idx[i], t->ents) != 0)
			t->ngroups++;
		t->ents[idx[i]].group = t->ngroups;
	}
	free(idx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* digests, JSON, image config */

struct digest {
	const EVP_MD *md;
	char alg[8];
	char hex[129];
};

/* "sha256:<64 hex>" or "sha512:<128 hex>", lower case (OCI image-spec descriptor). */
static int
digest_parse(const char *s, struct digest *ret)
{
	size_t want;
	const char *h;

	if (strncmp(s, "sha256:", 7) == 0) {
		ret->md = EVP_sha256();
		want = 64;
		h = s + 7;
		strcpy(ret->alg, "sha256");
	} else if (strncmp(s, "sha512:", 7) == 0) {
		ret->md = EVP_sha512();
		want = 128;
		h = s + 7;
		strcpy(ret->alg, "sha512");
	} else {
		return -1;
	}
	if (strlen(h) != want || strspn(h, "0123456789abcdef") != want)
		return -1;
	memcpy(ret->hex, h, want + 1);
	return 0;
}

/* Finish md and compare with want; got receives the hex of what was hashed. */
static int
digest_check(EVP_MD_CTX *md, const struct digest *want, char *got, size_t gotlen)
{
	uint8_t out[EVP_MAX_MD_SIZE];
	unsigned olen = 0;

	if (EVP_DigestFinal_ex(md, out, &olen) != 1 || olen * 2 + 1 > gotlen)
		return -1;
	qt_hex(out, olen, got);
	return strcmp(got, want->hex) == 0 ? 0 : 1;
}

static int
strv_from_json(const json_t *arr, struct ramdisk_strv *ret, const char *ctx, const char *key,
    struct qt_err *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return qt_err_set(err, EINVAL, "%s: config: %s is not an array", ctx, key);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return qt_err_set(
			    err, EINVAL, "%s: config: %s[%zu] is not a string", ctx, key, i);
		if (strv_push(ret, json_string_value(v), err) < 0)
			return -1;
	}
	return 0;
}

/* The "config" object of a docker or OCI image configuration. */
static int
parse_config(
    struct ramdisk_tree *t, const uint8_t *buf, size_t len, const char *ctx, struct qt_err *err)
{
	json_error_t je;
	json_t *root, *c, *v;
	int r = -1;

	if ((root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return qt_err_set(err, EINVAL, "%s: config: line %d: %s", ctx, je.line, je.text);
	if (!json_is_object(root)) {
		qt_err_set(err, EINVAL, "%s: config: not a JSON object", ctx);
		goto out;
	}
	t->has_cfg = true;
	c = json_object_get(root, "config");
	if (c == NULL || json_is_null(c)) {
		r = 0;
		goto out;
	}
	if (!json_is_object(c)) {
		qt_err_set(err, EINVAL, "%s: config: \"config\" is not an object", ctx);
		goto out;
	}
	if ((v = json_object_get(c, "Entrypoint")) != NULL && !json_is_null(v)) {
		t->cfg.has_entrypoint = true;
		if (strv_from_json(v, &t->cfg.entrypoint, ctx, "Entrypoint", err) < 0)
			goto out;
	}
	if ((v = json_object_get(c, "Cmd")) != NULL && !json_is_null(v)) {
		t->cfg.has_cmd = true;
		if (strv_from_json(v, &t->cfg.cmd, ctx, "Cmd", err) < 0)
			goto out;
	}
	if ((v = json_object_get(c, "Env")) != NULL && !json_is_null(v) &&
	    strv_from_json(v, &t->cfg.env, ctx, "Env", err) < 0)
		goto out;
	if ((v = json_object_get(c, "WorkingDir")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			qt_err_set(err, EINVAL, "%s: config: WorkingDir is not a string", ctx);
			goto out;
		}
		if (json_string_length(v) > 0 &&
		    (t->cfg.workdir = xstrdup(json_string_value(v), err)) == NULL)
			goto out;
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

/* "os/arch[/variant]" of --platform against an OCI platform object or config. */
static bool
platform_match(const char *want, const char *os, const char *arch, const char *variant)
{
	char buf[128];

	if (os == NULL || arch == NULL)
		return false;
	snprintf(buf, sizeof(buf), "%s/%s", os, arch);
	if (strcmp(want, buf) == 0)
		return true;
	if (variant != NULL) {
		snprintf(buf, sizeof(buf), "%s/%s/%s", os, arch, variant);
		if (strcmp(want, buf) == 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* docker-archive:FILE[:IMAGE] (`docker save`) */

struct nested {
	struct archive *outer;
	EVP_MD_CTX *md;
	uint64_t raw;
	bool eof;
};

static la_ssize_t
nested_read(struct archive *a, void *cd, const void **buf)
{
	struct nested *n = cd;
	size_t len;
	la_int64_t off;
	int r;

	if (n->eof)
		return 0;
	r = archive_read_data_block(n->outer, buf, &len, &off);
	if (r == ARCHIVE_EOF) {
		n->eof = true;
		return 0;
	}
	if (r < ARCHIVE_WARN) {
		if (a != NULL)
			archive_set_error(a, EIO, "%s", archive_error_string(n->outer));
		return -1;
	}
	if (EVP_DigestUpdate(n->md, *buf, len) != 1)
		return -1;
	n->raw += len;
	return (la_ssize_t)len;
}

/* Open the outer archive and position it on member (normalised name). */
static int
outer_find(struct ramdisk_tree *t, const char *member, struct archive **ret, struct qt_err *err)
{
	struct archive *a;
	struct archive_entry *ae;
	char path[RAMDISK_PATH_MAX + 1];

	if (src_reader(t, &a, err) < 0)
		return -1;
	for (;;) {
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			qt_err_set(err, EINVAL, "%s: %s", t->name, archive_error_string(a));
			archive_read_free(a);
			return -1;
		}
		if (archive_entry_pathname(ae) != NULL &&
		    norm_path(archive_entry_pathname(ae), path, sizeof(path)) == 0 &&
		    strcmp(path, member) == 0 && archive_entry_filetype(ae) == AE_IFREG) {
			*ret = a;
			return 0;
		}
	}
	archive_read_free(a);
	return qt_err_set(err, ENOENT, "%s: no member '%s'", t->name, member);
}

/* Read a small member whole (JSON). */
static int
outer_slurp(
    struct ramdisk_tree *t, const char *member, uint8_t **ret, size_t *ret_len, struct qt_err *err)
{
	struct archive *a = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	la_ssize_t n;
	int r = -1;

	if (outer_find(t, member, &a, err) < 0)
		return -1;
	if ((buf = malloc(RAMDISK_JSON_MAX + 1)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		n = archive_read_data(a, buf + len, RAMDISK_JSON_MAX + 1 - len);
		if (n < 0) {
			qt_err_set(
			    err, EINVAL, "%s: %s: %s", t->name, member, archive_error_string(a));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > RAMDISK_JSON_MAX) {
			qt_err_set(err, EFBIG, "%s: %s: larger than %u bytes", t->name, member,
			    RAMDISK_JSON_MAX);
			goto out;
		}
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	archive_read_free(a);
	return r;
}

/* If name ends in a 64-hex sha256 (docker IDs, blobs/sha256/<hex>), the digest it promises. */
static bool
name_digest(const char *name, struct digest *ret)
{
	const char *b = strrchr(name, '/');
	char tmp[80];

	b = b == NULL ? name : b + 1;
	if (strlen(b) < 64 || strspn(b, "0123456789abcdef") != 64 ||
	    (b[64] != '\0' && strcmp(b + 64, ".json") != 0 && strcmp(b + 64, ".tar") != 0))
		return false;
	snprintf(tmp, sizeof(tmp), "sha256:%.64s", b);
	return digest_parse(tmp, ret) == 0;
}

static int
buf_digest_check(const uint8_t *buf, size_t len, const struct digest *want, const char *ctx,
    const char *what, struct qt_err *err)
{
	EVP_MD_CTX *md = NULL;
	char got[129];
	int r;

	if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(md, want->md, NULL) != 1 ||
	    EVP_DigestUpdate(md, buf, len) != 1) {
		EVP_MD_CTX_free(md);
		return qt_err_ssl(err, "%s: %s: hashing", ctx, what);
	}
	r = digest_check(md, want, got, sizeof(got));
	EVP_MD_CTX_free(md);
	if (r != 0)
		return qt_err_set(err, EINVAL,
		    "%s: %s: digest mismatch: expected %s:%s, blob is %s:%s", ctx, what, want->alg,
		    want->hex, want->alg, got);
	return 0;
}

static int
load_docker_layer(struct ramdisk_tree *t, const char *member, uint32_t layer,
    const struct digest *diff_id, struct qt_err *err)
{
	struct archive *outer = NULL, *in = NULL;
	struct nested n = { 0 };
	struct digest want, byname;
	const void *dummy;
	char ctx[600], got[129];
	bool compressed, by_diff = false;
	int64_t base;
	int r = -1, c;

	where(t, layer, ctx, sizeof(ctx));
	if (outer_find(t, member, &outer, err) < 0)
		return -1;
	/* the layer's bytes start here in the file when the outer tar is plain */
	base = S_ISREG(t->srcst.st_mode) && archive_filter_code(outer, 0) == ARCHIVE_FILTER_NONE
	           ? archive_filter_bytes(outer, 0)
	           : -1;
	n.outer = outer;
	if ((n.md = EVP_MD_CTX_new()) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if ((in = tar_reader()) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* The digest a blob name promises is over the stored bytes; diff_ids are over the tar. */
	if (name_digest(member, &byname) && strncmp(member, "blobs/", 6) == 0)
		want = byname;
	else
		want = *diff_id, by_diff = true;
	if (EVP_DigestInit_ex(n.md, want.md, NULL) != 1) {
		qt_err_ssl(err, "%s: hashing", ctx);
		goto out;
	}
	if (archive_read_open(in, &n, NULL, nested_read, NULL) != ARCHIVE_OK) {
		qt_err_set(err, EINVAL, "%s: %s", ctx, archive_error_string(in));
		goto out;
	}
	if (read_layer(t, in, layer, true, base, err) < 0)
		goto out;
	compressed = archive_filter_code(in, 0) != ARCHIVE_FILTER_NONE;
	while (nested_read(NULL, &n, &dummy) > 0) /* hash what the tar reader left unread */
		;
	if (!n.eof) {
		qt_err_set(err, EIO, "%s: %s", ctx, archive_error_string(outer));
		goto out;
	}
	c = digest_check(n.md, &want, got, sizeof(got));
	if (c != 0) {
		qt_err_set(err, EINVAL, "%s: digest mismatch: expected %s:%s, layer is %s:%s%s",
		    ctx, want.alg, want.hex, want.alg, got,
		    compressed && by_diff ? " (compressed layer; diff_id is of the tar)" : "");
		goto out;
	}
	r = 0;
out:
	archive_read_free(in);
	archive_read_free(outer);
	EVP_MD_CTX_free(n.md);
	return r;
}

static bool
repotag_match(const json_t *tags, const char *image)
{
	size_t i, il = strlen(image);
	const char *s, *slash = strrchr(image, '/');
	bool tagged = strchr(slash != NULL ? slash : image, ':') != NULL;
	json_t *v;

	if (!json_is_array(tags))
		return false;
	json_array_foreach(tags, i, v)
	{
		if (!json_is_string(v))
			continue;
		s = json_string_value(v);
		if (strcmp(s, image) == 0)
			return true;
		/* "app" means "app:latest", as docker does */
		if (!tagged && strncmp(s, image, il) == 0 && strcmp(s + il, ":latest") == 0)
			return true;
	}
	return false;
}

static int
load_docker(struct ramdisk_tree *t, const char *image, struct qt_err *err)
{
	uint8_t *mbuf = NULL, *cbuf = NULL;
	size_t mlen = 0, clen = 0, i, nimg;
	json_t *root = NULL, *img = NULL, *v, *layers, *croot = NULL, *diff;
	json_error_t je;
	char cfgname[RAMDISK_PATH_MAX + 1], lname[RAMDISK_PATH_MAX + 1];
	struct digest d, *diffs = NULL;
	const char *os, *arch;
	int r = -1;

	if (src_open(t, err) < 0)
		return -1;
	if (outer_slurp(t, "manifest.json", &mbuf, &mlen, err) < 0) {
		if (err->code == ENOENT) { /* say what the file is not */
			qt_err_clear(err);
			qt_err_set(err, ENOENT, "%s: no manifest.json: not a `docker save` archive",
			    t->name);
		}
		goto out;
	}
	if ((root = json_loadb((char *)mbuf, mlen, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		qt_err_set(
		    err, EINVAL, "%s: manifest.json: line %d: %s", t->name, je.line, je.text);
		goto out;
	}
	if (!json_is_array(root) || (nimg = json_array_size(root)) == 0) {
		qt_err_set(err, EINVAL, "%s: manifest.json: not a non-empty array", t->name);
		goto out;
	}
	if (image != NULL) {
		json_array_foreach(root, i, v)
		{
			if (json_is_object(v) &&
			    repotag_match(json_object_get(v, "RepoTags"), image)) {
				img = v;
				break;
			}
		}
		if (img == NULL) {
			qt_err_set(
			    err, ENOENT, "%s: manifest.json: no image tagged '%s'", t->name, image);
			goto out;
		}
	} else if (nimg == 1) {
		img = json_array_get(root, 0);
	} else {
		qt_err_set(err, EINVAL,
		    "%s: holds %zu images: name one as docker-archive:FILE:IMAGE", t->name, nimg);
		goto out;
	}
	v = json_object_get(img, "Config");
	layers = json_object_get(img, "Layers");
	if (!json_is_object(img) || !json_is_string(v) || !json_is_array(layers)) {
		qt_err_set(
		    err, EINVAL, "%s: manifest.json: image without Config or Layers", t->name);
		goto out;
	}
	if (norm_path(json_string_value(v), cfgname, sizeof(cfgname)) != 0) {
		qt_err_set(err, EINVAL, "%s: manifest.json: bad Config path", t->name);
		goto out;
	}
	if (outer_slurp(t, cfgname, &cbuf, &clen, err) < 0)
		goto out;
	if (name_digest(cfgname, &d) && buf_digest_check(cbuf, clen, &d, t->name, cfgname, err) < 0)
		goto out;
	if (parse_config(t, cbuf, clen, t->name, err) < 0)
		goto out;
	if ((croot = json_loadb((char *)cbuf, clen, 0, &je)) == NULL) {
		qt_err_set(err, EINVAL, "%s: %s: %s", t->name, cfgname, je.text);
		goto out;
	}
	os = json_string_value(json_object_get(croot, "os"));
	arch = json_string_value(json_object_get(croot, "architecture"));
	if (t->opts.platform != NULL && !platform_match(t->opts.platform, os, arch,
	                                    json_string_value(json_object_get(croot, "variant")))) {
		qt_err_set(err, EINVAL, "%s: image is for %s/%s, not %s", t->name, os ? os : "?",
		    arch ? arch : "?", t->opts.platform);
		goto out;
	}
	diff = json_object_get(json_object_get(croot, "rootfs"), "diff_ids");
	if (!json_is_array(diff) || json_array_size(diff) != json_array_size(layers)) {
		qt_err_set(err, EINVAL,
		    "%s: %s: rootfs.diff_ids does not list one digest per layer", t->name, cfgname);
		goto out;
	}
	t->nlayers = json_array_size(layers);
	if (t->nlayers > RAMDISK_MAX_LAYERS) {
		qt_err_set(err, EINVAL, "%s: more than %u layers", t->name, RAMDISK_MAX_LAYERS);
		goto out;
	}
	if ((t->layer_names = calloc(t->nlayers + 1, sizeof(char *))) == NULL ||
	    (diffs = calloc(t->nlayers + 1, sizeof(*diffs))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(layers, i, v)
	{
		if (!json_is_string(v) ||
		    norm_path(json_string_value(v), lname, sizeof(lname)) != 0 ||
		    lname[0] == '\0') {
			qt_err_set(
			    err, EINVAL, "%s: manifest.json: layer %zu: bad path", t->name, i + 1);
			goto out;
		}
		if ((t->layer_names[i] = xstrdup(lname, err)) == NULL)
			goto out;
		if (!json_is_string(json_array_get(diff, i)) ||
		    digest_parse(json_string_value(json_array_get(diff, i)), &diffs[i]) < 0) {
			qt_err_set(err, EINVAL, "%s: %s: rootfs.diff_ids[%zu]: not a digest",
			    t->name, cfgname, i);
			goto out;
		}
	}
	if (spool_open(t, err) < 0)
		goto out;
	for (i = 0; i < t->nlayers; i++)
		if (load_docker_layer(t, t->layer_names[i], (uint32_t)i + 1, &diffs[i], err) < 0)
			goto out;
	t->st.layers = t->nlayers;
	r = 0;
out:
	free(diffs);
	json_decref(croot);
	json_decref(root);
	free(cbuf);
	free(mbuf);
	return r;
}

/* ------------------------------------------------------------------ */
/* oci:DIR[:REF] (OCI image layout: index -> manifest -> config + layers) */

struct blobrd {
	int fd;
	EVP_MD_CTX *md;
	uint64_t raw;
	uint8_t *buf;
	bool eof;
	bool ioerr;
};

static la_ssize_t
blob_read(struct archive *a, void *cd, const void **buf)
{
	struct blobrd *b = cd;
	ssize_t n;

	if (b->eof)
		return 0;
	do
		n = read(b->fd, b->buf, 1 << 16);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		b->ioerr = true;
		if (a != NULL)
			archive_set_error(a, errno, "read error: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		b->eof = true;
		return 0;
	}
	if (EVP_DigestUpdate(b->md, b->buf, (size_t)n) != 1)
		return -1;
	b->raw += (uint64_t)n;
	*buf = b->buf;
	return n;
}

static int
blob_open(const struct ramdisk_tree *t, const struct digest *d, const char *ctx, int *ret,
    struct qt_err *err)
{
	char rel[200];
	int fd;

	snprintf(rel, sizeof(rel), "blobs/%s/%s", d->alg, d->hex);
	if ((fd = openat(t->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return qt_err_set(err, errno, "%s: %s: %s", ctx, rel, strerror(errno));
	*ret = fd;
	return 0;
}

/* Read a JSON blob, verify its digest and size, parse it. */
static int
blob_json(const struct ramdisk_tree *t, const json_t *desc, const char *what, json_t **ret,
    uint8_t **ret_buf, size_t *ret_len, struct qt_err *err)
{
	struct digest d;
	json_t *dg = json_object_get(desc, "digest"), *sz = json_object_get(desc, "size");
	json_error_t je;
	uint8_t *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1, r = -1;

	if (!json_is_string(dg) || digest_parse(json_string_value(dg), &d) < 0) {
		qt_err_set(err, EINVAL, "%s: %s: descriptor without a valid digest", t->name, what);
		goto out;
	}
	if (blob_open(t, &d, t->name, &fd, err) < 0)
		goto out;
	if ((buf = malloc(RAMDISK_JSON_MAX + 1)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		n = read(fd, buf + len, RAMDISK_JSON_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			qt_err_set(err, errno, "%s: %s: %s", t->name, what, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > RAMDISK_JSON_MAX) {
			qt_err_set(err, EFBIG, "%s: %s: larger than %u bytes", t->name, what,
			    RAMDISK_JSON_MAX);
			goto out;
		}
	}
	if (buf_digest_check(buf, len, &d, t->name, what, err) < 0)
		goto out;
	if (json_is_integer(sz) && (json_int_t)len != json_integer_value(sz)) {
		qt_err_set(err, EINVAL, "%s: %s: size %zu, descriptor says %lld", t->name, what,
		    len, (long long)json_integer_value(sz));
		goto out;
	}
	if ((*ret = json_loadb((char *)buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		qt_err_set(err, EINVAL, "%s: %s: line %d: %s", t->name, what, je.line, je.text);
		goto out;
	}
	if (ret_buf != NULL) {
		*ret_buf = buf;
		*ret_len = len;
		buf = NULL;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

static bool
is_index_type(const char *mt)
{
	return mt != NULL &&
	       (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
	           strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/*
 * Pick one manifest descriptor out of an index: by reference name when ref is
 * given (top level only), then by platform when several remain.
 */
static int
pick_manifest(const struct ramdisk_tree *t, const json_t *index, const char *ref, const char *what,
    const json_t **ret, struct qt_err *err)
{
	const json_t *m = json_object_get(index, "manifests"), *d, *p, *pick = NULL;
	const char *plat = t->opts.platform != NULL ? t->opts.platform : "linux/amd64";
	const char *name;
	size_t i, n = 0, match = 0;

	if (!json_is_array(m) || json_array_size(m) == 0)
		return qt_err_set(err, EINVAL, "%s: %s: no manifests", t->name, what);
	json_array_foreach(m, i, d)
	{
		if (ref != NULL) {
			name = json_string_value(json_object_get(json_object_get(d, "annotations"),
			    "org.opencontainers.image.ref.name"));
			if (name == NULL || strcmp(name, ref) != 0)
				continue;
		}
		n++;
		p = json_object_get(d, "platform");
		if (p == NULL) {
			if (pick == NULL)
				pick = d;
			continue;
		}
		if (platform_match(plat, json_string_value(json_object_get(p, "os")),
		        json_string_value(json_object_get(p, "architecture")),
		        json_string_value(json_object_get(p, "variant")))) {
			if (match++ == 0)
				pick = d;
		}
	}
	if (n == 0)
		return qt_err_set(
		    err, ENOENT, "%s: %s: no manifest named '%s'", t->name, what, ref);
	if (n > 1 && match == 0)
		return qt_err_set(
		    err, ENOENT, "%s: %s: no manifest for platform %s", t->name, what, plat);
	if (n > 1 && match > 1)
		return qt_err_set(err, EINVAL,
		    "%s: %s: %zu manifests for platform %s: name one as oci:DIR:REF", t->name, what,
		    match, plat);
	if (n > 1 && ref == NULL && match == 1 && pick == NULL)
		return qt_err_set(err, EINVAL, "%s: %s: holds %zu images: name one as oci:DIR:REF",
		    t->name, what, n);
	*ret = pick;
	return 0;
}

static int
load_oci_layer(struct ramdisk_tree *t, const json_t *desc, uint32_t layer, struct qt_err *err)
{
	struct blobrd b = { .fd = -1 };
	struct archive *in = NULL;
	struct digest d;
	const void *dummy;
	char ctx[600], got[129];
	const json_t *sz = json_object_get(desc, "size");
	const char *dg;
	int r = -1;

	where(t, layer, ctx, sizeof(ctx));
	dg = json_string_value(json_object_get(desc, "digest"));
	if (dg == NULL || digest_parse(dg, &d) < 0) {
		qt_err_set(err, EINVAL, "%s: descriptor without a valid digest", ctx);
		goto out;
	}
	if (blob_open(t, &d, ctx, &b.fd, err) < 0)
		goto out;
	if ((b.md = EVP_MD_CTX_new()) == NULL || (b.buf = malloc(1 << 16)) == NULL ||
	    (in = tar_reader()) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestInit_ex(b.md, d.md, NULL) != 1) {
		qt_err_ssl(err, "%s: hashing", ctx);
		goto out;
	}
	if (archive_read_open(in, &b, NULL, blob_read, NULL) != ARCHIVE_OK) {
		qt_err_set(err, EINVAL, "%s: %s", ctx, archive_error_string(in));
		goto out;
	}
	if (read_layer(t, in, layer, true, -1, err) < 0)
		goto out;
	while (blob_read(NULL, &b, &dummy) > 0)
		;
	if (b.ioerr) {
		qt_err_set(err, EIO, "%s: read error", ctx);
		goto out;
	}
	if (digest_check(b.md, &d, got, sizeof(got)) != 0) {
		qt_err_set(err, EINVAL, "%s: digest mismatch: expected %s:%s, blob is %s:%s", ctx,
		    d.alg, d.hex, d.alg, got);
		goto out;
	}
	if (json_is_integer(sz) && (json_int_t)b.raw != json_integer_value(sz)) {
		qt_err_set(err, EINVAL, "%s: size %llu, descriptor says %lld", ctx,
		    (unsigned long long)b.raw, (long long)json_integer_value(sz));
		goto out;
	}
	r = 0;
out:
	archive_read_free(in);
	if (b.fd >= 0)
		close(b.fd);
	free(b.buf);
	EVP_MD_CTX_free(b.md);
	return r;
}

static int
load_oci(struct ramdisk_tree *t, const char *ref, struct qt_err *err)
{
	uint8_t *ibuf = NULL, *cbuf = NULL;
	size_t ilen = 0, clen = 0, i, depth;
	json_t *index = NULL, *man = NULL, *cfg = NULL, *next = NULL, *layers, *v;
	const json_t *desc = NULL;
	json_error_t je;
	const char *mt, *os, *arch;
	char what[64];
	int r = -1;

	if ((t->rootfd = open(t->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", t->name, strerror(errno));
	if (faccessat(t->rootfd, "oci-layout", R_OK, 0) != 0)
		return qt_err_set(
		    err, ENOENT, "%s: not an OCI image layout (no oci-layout file)", t->name);
	{
		char *p = NULL;

		if (asprintf(&p, "%s/index.json", t->name) < 0)
			return qt_err_set(err, ENOMEM, "out of memory");
		r = fileio_read_all(p, RAMDISK_JSON_MAX, &ibuf, &ilen, err);
		free(p);
		if (r < 0)
			return -1;
		r = -1;
	}
	if ((index = json_loadb((char *)ibuf, ilen, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		qt_err_set(err, EINVAL, "%s: index.json: line %d: %s", t->name, je.line, je.text);
		goto out;
	}
	if (pick_manifest(t, index, ref, "index.json", &desc, err) < 0)
		goto out;
	/* Follow nested indexes (multi-platform images) down to one manifest. */
	for (depth = 0;; depth++) {
		mt = json_string_value(json_object_get(desc, "mediaType"));
		snprintf(what, sizeof(what), depth == 0 ? "manifest" : "manifest (level %zu)",
		    depth + 1);
		if (blob_json(t, desc, what, &next, NULL, NULL, err) < 0)
			goto out;
		json_decref(man);
		man = next;
		next = NULL;
		if (!is_index_type(mt) &&
		    !is_index_type(json_string_value(json_object_get(man, "mediaType"))))
			break;
		if (depth >= 4) {
			qt_err_set(err, EINVAL, "%s: image indexes nested too deep", t->name);
			goto out;
		}
		if (pick_manifest(t, man, NULL, what, &desc, err) < 0)
			goto out;
		json_decref(index); /* desc now points into man, which becomes the index */
		index = man;
		man = NULL;
	}
	layers = json_object_get(man, "layers");
	if (!json_is_object(json_object_get(man, "config")) || !json_is_array(layers)) {
		qt_err_set(err, EINVAL, "%s: manifest: no config or layers", t->name);
		goto out;
	}
	if (blob_json(t, json_object_get(man, "config"), "config", &cfg, &cbuf, &clen, err) < 0)
		goto out;
	if (parse_config(t, cbuf, clen, t->name, err) < 0)
		goto out;
	os = json_string_value(json_object_get(cfg, "os"));
	arch = json_string_value(json_object_get(cfg, "architecture"));
	if (!platform_match(t->opts.platform != NULL ? t->opts.platform : "linux/amd64", os, arch,
	        json_string_value(json_object_get(cfg, "variant")))) {
		qt_err_set(err, EINVAL, "%s: image is for %s/%s, not %s", t->name, os ? os : "?",
		    arch ? arch : "?", t->opts.platform != NULL ? t->opts.platform : "linux/amd64");
		goto out;
	}
	t->nlayers = json_array_size(layers);
	if (t->nlayers > RAMDISK_MAX_LAYERS) {
		qt_err_set(err, EINVAL, "%s: more than %u layers", t->name, RAMDISK_MAX_LAYERS);
		goto out;
	}
	if ((t->layer_names = calloc(t->nlayers + 1, sizeof(char *))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(layers, i, v)
	{
		const char *dg = json_string_value(json_object_get(v, "digest"));

		if ((t->layer_names[i] = xstrdup(dg != NULL ? dg : "?", err)) == NULL)
			goto out;
	}
	if (spool_open(t, err) < 0)
		goto out;
	json_array_foreach(layers, i, v)
	{
		if (load_oci_layer(t, v, (uint32_t)i + 1, err) < 0)
			goto out;
	}
	t->st.layers = t->nlayers;
	r = 0;
out:
	json_decref(next);
	json_decref(cfg);
	json_decref(man);
	json_decref(index);
	free(cbuf);
	free(ibuf);
	return r;
}

/* ------------------------------------------------------------------ */
/* applying layers: last entry wins, whiteouts, opaque directories */

/* Path order in which a directory's descendants directly follow it: '/' sorts first. */
static int
cmp_comp(const void *pa, const void *pb, void *arg)
{
	const struct ent *ents = arg;
	const struct ent *a = &ents[*(const size_t *)pa], *b = &ents[*(const size_t *)pb];
	const unsigned char *x = (const unsigned char *)a->path,
	                    *y = (const unsigned char *)b->path;

	while (*x == *y && *x != '\0') {
		x++;
		y++;
	}
	if (*x != *y) {
		unsigned cx = *x == '/' ? 1u : *x == '\0' ? 0u : *x + 1u;
		unsigned cy = *y == '/' ? 1u : *y == '\0' ? 0u : *y + 1u;
		return cx < cy ? -1 : 1;
	}
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
cmp_path(const void *pa, const void *pb, void *arg)
{
	const struct ent *ents = arg;

	return strcmp(ents[*(const size_t *)pa].path, ents[*(const size_t *)pb].path);
}

struct frame {
	const char *path;
	size_t plen;
	uint32_t kill; /* entries below with a layer < kill are gone */
	size_t final;  /* index+1 of the entry that stands at path, 0 if none */
};

static int
out_push(struct ramdisk_tree *t, size_t *cap, size_t idx, struct qt_err *err)
{
	size_t *g;

	if (t->nout == *cap) {
		*cap = *cap == 0 ? 1024 : *cap * 2;
		if ((g = realloc(t->out, *cap * sizeof(*g))) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		t->out = g;
	}
	t->out[t->nout++] = idx;
	return 0;
}

/* A directory entry now stands below frame f: count it in the parent's nlink. */
static void
bump_parent(struct ramdisk_tree *t, const struct frame *f)
{
	if (f->plen == 0 && f->final == 0)
		t->root_subdirs++;
	else if (f->final != 0)
		t->ents[f->final - 1].nlink++;
}

static int
resolve(struct ramdisk_tree *t, struct qt_err *err)
{
	size_t *idx = NULL, n0 = t->n, i, j, k, last, depth = 1, start, plen, cap = 0, sidx;
	struct frame *fr = NULL;
	const char *P;
	char ctx[600], tmp[RAMDISK_PATH_MAX + 1];
	uint32_t inherited, own, *gc = NULL;
	struct ent *e;
	int r = -1;

	if ((idx = malloc((n0 + 1) * sizeof(*idx))) == NULL ||
	    (fr = malloc((RAMDISK_PATH_MAX / 2 + 2) * sizeof(*fr))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n0; i++)
		idx[i] = i;
	qsort_r(idx, n0, sizeof(*idx), cmp_comp, t->ents);
	fr[0] = (struct frame){ "", 0, 0, 0 };
	for (i = 0; i < n0; i = j) {
		P = t->ents[idx[i]].path;
		plen = strlen(P);
		for (j = i + 1; j < n0 && strcmp(t->ents[idx[j]].path, P) == 0; j++)
			;
		while (depth > 1 && !(strncmp(P, fr[depth - 1].path, fr[depth - 1].plen) == 0 &&
		                        P[fr[depth - 1].plen] == '/'))
			depth--;
		start = fr[depth - 1].plen == 0 ? 0 : fr[depth - 1].plen + 1;
		for (k = start; k < plen; k++) {
			if (P[k] == '/') {
				struct frame f = { P, k, fr[depth - 1].kill, 0 };

				fr[depth++] = f;
			}
		}
		inherited = fr[depth - 1].kill;
		own = inherited;
		last = SIZE_MAX;
		for (k = i; k < j; k++) {
			e = &t->ents[idx[k]];
			if (e->kind == K_OPAQUE) {
				if (e->layer >= inherited && e->layer > own)
					own = e->layer;
				continue;
			}
			if (e->layer < inherited)
				continue;
			last = idx[k];
			if (e->kind != K_DIR && e->layer > own)
				own = e->layer;
		}
		if (last != SIZE_MAX && (t->ents[last].kind == K_WHITEOUT))
			last = SIZE_MAX;
		if (last != SIZE_MAX) {
			/* the nearest ancestor the tree has must be a directory */
			for (k = depth - 1; k > 0 && fr[k].final == 0; k--)
				;
			e = k > 0 ? &t->ents[fr[k].final - 1] : NULL;
			if (e != NULL && e->kind != K_DIR) {
				qt_err_set(err, EINVAL, "%s: entry '%s': parent '%s' is %s",
				    where(t, t->ents[last].layer, ctx, sizeof(ctx)), P, e->path,
				    e->kind == K_LNK
				        ? "a symbolic link: the entry would be written through it"
				        : "not a directory");
				goto out;
			}
			/* parents the archive does not list: synthesise them, outermost first */
			for (k++; k < depth; k++) {
				memcpy(tmp, fr[k].path, fr[k].plen);
				tmp[fr[k].plen] = '\0';
				if (ent_add(t, tmp, K_DIR, 0, &sidx, err) < 0)
					goto out;
				t->ents[sidx].mode = 0755;
				t->ents[sidx].mtime = t->opts.mtime_clamp;
				t->ents[sidx].nlink = 2;
				bump_parent(t, &fr[k - 1]);
				fr[k].final = sidx + 1;
				if (out_push(t, &cap, sidx, err) < 0)
					goto out;
			}
		}
		if (last != SIZE_MAX) {
			if (out_push(t, &cap, last, err) < 0)
				goto out;
			if (t->ents[last].kind == K_DIR) {
				t->ents[last].nlink = 2;
				bump_parent(t, &fr[depth - 1]);
			}
		}
		if (plen == 0) { /* the root itself: only an opaque marker lands here */
			if (own > fr[0].kill)
				fr[0].kill = own;
			continue;
		}
		fr[depth++] = (struct frame){ P, plen, own, last == SIZE_MAX ? 0 : last + 1 };
	}
	/* hard-link groups: only links that survived count */
	if (t->ngroups > 0) {
		if ((gc = calloc(t->ngroups + 1, sizeof(*gc))) == NULL) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < t->nout; i++)
			gc[t->ents[t->out[i]].group]++;
		for (i = 0; i < t->nout; i++) {
			e = &t->ents[t->out[i]];
			if (e->group != 0 && gc[e->group] > 1)
				e->nlink = gc[e->group];
			else
				e->group = 0;
		}
		t->group_count = gc;
		gc = NULL;
	}
	if (t->nout > 0) /* qsort_r(NULL, 0, ...) is undefined */
		qsort_r(t->out, t->nout, sizeof(*t->out), cmp_path, t->ents);
	t->st.written = t->nout;
	r = 0;
out:
	free(gc);
	free(fr);
	free(idx);
	return r;
}

/* ------------------------------------------------------------------ */
/* loading */

void
ramdisk_tree_free(struct ramdisk_tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->ents[i].path);
		free(t->ents[i].link);
	}
	free(t->ents);
	free(t->out);
	free(t->group_count);
	for (i = 0; t->layer_names != NULL && i < t->nlayers; i++)
		free(t->layer_names[i]);
	free(t->layer_names);
	ramdisk_strv_free(&t->cfg.entrypoint);
	ramdisk_strv_free(&t->cfg.cmd);
	ramdisk_strv_free(&t->cfg.env);
	free(t->cfg.workdir);
	free(t->sbuf);
	free(t->ht);
	if (t->rootfd >= 0)
		close(t->rootfd);
	if (t->spoolfd >= 0)
		close(t->spoolfd);
	if (t->srcfd >= 0)
		close(t->srcfd);
	free(t->name);
	free(t);
}

int
ramdisk_tree_load(const char *source, const struct ramdisk_opts *opts, struct ramdisk_tree **ret,
    struct qt_err *err)
{
	struct ramdisk_tree *t = NULL;
	const char *rest, *sep;
	char *ref = NULL;
	struct stat st;
	int r = -1;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	t->rootfd = -1;
	t->spoolfd = -1;
	t->srcfd = -1;
	if (opts != NULL)
		t->opts = *opts;
	if (t->opts.max_entries == 0)
		t->opts.max_entries = RAMDISK_MAX_ENTRIES_DEFAULT;
	if (t->opts.max_bytes == 0)
		t->opts.max_bytes = RAMDISK_MAX_BYTES_DEFAULT;
	if (strncmp(source, "docker-archive:", 15) == 0 || strncmp(source, "oci:", 4) == 0) {
		t->kind = source[0] == 'd' ? RAMDISK_SRC_DOCKER : RAMDISK_SRC_OCI;
		rest = source + (source[0] == 'd' ? 15 : 4);
		/* FILE[:IMAGE], split at the first ':' as skopeo does */
		sep = strchr(rest, ':');
		t->name = sep != NULL ? strndup(rest, (size_t)(sep - rest)) : strdup(rest);
		if (t->name == NULL || (sep != NULL && (ref = strdup(sep + 1)) == NULL)) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		if (t->name[0] == '\0' || (ref != NULL && ref[0] == '\0')) {
			qt_err_set(err, EINVAL, "'%s': expected %s", source,
			    t->kind == RAMDISK_SRC_DOCKER ? "docker-archive:FILE[:IMAGE]"
			                                  : "oci:DIR[:REF]");
			goto out;
		}
		r = t->kind == RAMDISK_SRC_DOCKER ? load_docker(t, ref, err)
		                                  : load_oci(t, ref, err);
	} else {
		if ((t->name = strdup(source)) == NULL) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		if (stat(source, &st) < 0) {
			qt_err_set(err, errno, "%s: %s", source, strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			t->kind = RAMDISK_SRC_DIR;
			r = load_dir(t, err);
			if (r == 0)
				r = group_disk_links(t, err);
		} else {
			t->kind = RAMDISK_SRC_TAR;
			r = spool_open(t, err);
			if (r == 0)
				r = load_tarball(t, err);
		}
	}
	if (r == 0 && t->spoolfd >= 0)
		r = spool_flush(t, err);
	if (r == 0)
		r = resolve(t, err);
	if (r == 0) {
		free(t->ht); /* only needed while reading */
		t->ht = NULL;
		t->htcap = t->htused = 0;
		free(t->sbuf);
		t->sbuf = NULL;
		*ret = t;
		t = NULL;
	}
out:
	free(ref);
	ramdisk_tree_free(t);
	return r;
}

enum ramdisk_kind
ramdisk_tree_kind(const struct ramdisk_tree *t)
{
	return t->kind;
}

const struct ramdisk_config *
ramdisk_tree_config(const struct ramdisk_tree *t)
{
	return t->has_cfg ? &t->cfg : NULL;
}

const struct ramdisk_stats *
ramdisk_tree_stats(const struct ramdisk_tree *t)
{
	return &t->st;
}

/* ------------------------------------------------------------------ */
/* command and environment (docker run semantics) */

static int
check_line(const char *s, const char *what, struct qt_err *err)
{
	if (strchr(s, '\n') != NULL)
		return qt_err_set(err, EINVAL,
		    "%s element '%.40s' holds a newline, which the cmd/env files cannot carry",
		    what, s);
	return 0;
}

int
ramdisk_command(const struct ramdisk_config *cfg, const struct ramdisk_overrides *ov,
    struct ramdisk_strv *ret_cmd, struct ramdisk_strv *ret_env, struct qt_err *err)
{
	struct ramdisk_strv cmd = { 0 }, env = { 0 };
	static const struct ramdisk_overrides none = { 0 };
	const char *const *src;
	size_t n, i, j, kl;
	const char *eq;
	int r = -1;

	if (ov == NULL)
		ov = &none;
	if (ov->has_entrypoint) {
		src = ov->entrypoint;
		n = ov->n_entrypoint;
	} else {
		src = cfg != NULL ? (const char *const *)cfg->entrypoint.v : NULL;
		n = cfg != NULL ? cfg->entrypoint.n : 0;
	}
	for (i = 0; i < n; i++)
		if (check_line(src[i], "command", err) < 0 || strv_push(&cmd, src[i], err) < 0)
			goto out;
	if (ov->has_cmd) {
		src = ov->cmd;
		n = ov->n_cmd;
	} else if (ov->has_entrypoint) { /* docker run --entrypoint drops the image's Cmd */
		n = 0;
	} else {
		src = cfg != NULL ? (const char *const *)cfg->cmd.v : NULL;
		n = cfg != NULL ? cfg->cmd.n : 0;
	}
	for (i = 0; i < n; i++)
		if (check_line(src[i], "command", err) < 0 || strv_push(&cmd, src[i], err) < 0)
			goto out;
	if (cmd.n == 0 || cmd.v[0][0] == '\0') {
		qt_err_set(err, EINVAL,
		    "no command to run: the image has no Entrypoint or Cmd; give --cmd");
		goto out;
	}
	for (i = 0; cfg != NULL && i < cfg->env.n; i++)
		if (check_line(cfg->env.v[i], "env", err) < 0 ||
		    strv_push(&env, cfg->env.v[i], err) < 0)
			goto out;
	for (i = 0; i < ov->n_env; i++) {
		eq = strchr(ov->env[i], '=');
		if (eq == NULL || eq == ov->env[i]) {
			qt_err_set(err, EINVAL, "--env '%s': expected KEY=VALUE", ov->env[i]);
			goto out;
		}
		if (check_line(ov->env[i], "env", err) < 0)
			goto out;
		kl = (size_t)(eq - ov->env[i]) + 1;
		for (j = 0; j < env.n; j++)
			if (strncmp(env.v[j], ov->env[i], kl) == 0)
				break;
		if (j < env.n) {
			char *d = xstrdup(ov->env[i], err);

			if (d == NULL)
				goto out;
			free(env.v[j]);
			env.v[j] = d;
		} else if (strv_push(&env, ov->env[i], err) < 0) {
			goto out;
		}
	}
	if (env.v == NULL && strv_push(&env, "", err) == 0) { /* keep v non-NULL, n = 0 */
		free(env.v[0]);
		env.v[0] = NULL;
		env.n = 0;
	}
	*ret_cmd = cmd;
	*ret_env = env;
	return 0;
out:
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	return r;
}

/* ------------------------------------------------------------------ */
/* writing cpio newc */

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

struct cpio {
	struct pipe pipe;
	const struct ramdisk_tree *t;
	uint8_t *buf; /* cpio bytes being assembled (a pipe buffer unless gz) */
	size_t len;
	uint64_t total; /* cpio bytes so far (before compression) */
	uint32_t ino;   /* inode counter */
	bool gz;
	bool zinit;
	z_stream z;
	uint8_t *zbuf; /* gz: compressed bytes being assembled (a pipe buffer) */
	size_t zlen;
};

static int
cpio_emit(struct cpio *c, int flush, struct qt_err *err)
{
	int zr;

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

static int
cpio_put(struct cpio *c, const void *p, size_t n, struct qt_err *err)
{
	const uint8_t *s = p;

	while (n > 0) {
		if (c->len == CPIO_BUF && cpio_emit(c, Z_NO_FLUSH, err) < 0)
			return -1;
		size_t k = CPIO_BUF - c->len;
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

/* Copy size bytes from fd (at off if pread) straight into the output buffer. */
static int
cpio_copy_fd(struct cpio *c, int fd, bool pread_at, uint64_t off, uint64_t size, const char *name,
    struct qt_err *err)
{
	ssize_t n;

	while (size > 0) {
		if (c->len == CPIO_BUF && cpio_emit(c, Z_NO_FLUSH, err) < 0)
			return -1;
		size_t want = CPIO_BUF - c->len;
		if (want > size)
			want = (size_t)size;
		if (pread_at)
			n = pread(fd, c->buf + c->len, want, (off_t)off);
		else
			n = read(fd, c->buf + c->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qt_err_set(err, errno, "%s: read error: %s", name, strerror(errno));
		if (n == 0)
			return qt_err_set(
			    err, EIO, "%s: file shrank while it was being read", name);
		c->len += (size_t)n;
		c->total += (uint64_t)n;
		off += (uint64_t)n;
		size -= (uint64_t)n;
	}
	return 0;
}

static int
cpio_data(struct cpio *c, const struct ent *e, const char *prefix, struct qt_err *err)
{
	const struct ramdisk_tree *t = c->t;
	char name[RAMDISK_PATH_MAX + 600];
	struct stat st;
	int fd, r;

	switch (e->src) {
	case S_MEM:
		return cpio_put(c, e->mem, (size_t)e->size, err);
	case S_SPOOL:
		snprintf(name, sizeof(name), "%s: entry '%s' (spooled)", t->name, e->path);
		return cpio_copy_fd(c, t->spoolfd, true, e->off, e->size, name, err);
	case S_FILE:
		snprintf(name, sizeof(name), "%s: entry '%s'", t->name, e->path);
		return cpio_copy_fd(c, t->srcfd, true, e->off, e->size, name, err);
	case S_DISK:
		snprintf(name, sizeof(name), "%s/%s", t->name, e->path);
		fd = openat(t->rootfd, e->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return qt_err_set(err, errno, "%s: cannot open: %s", name, strerror(errno));
		/* the file read must be the one the scan saw (no swap for a link, no resize) */
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_dev != e->dev ||
		    (uint64_t)st.st_ino != e->ino || (uint64_t)st.st_size != e->size) {
			close(fd);
			return qt_err_set(
			    err, EAGAIN, "%s: changed while qt-build was reading it", name);
		}
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		r = cpio_copy_fd(c, fd, false, 0, e->size, name, err);
		close(fd);
		return r;
	default:
		(void)prefix;
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

struct links {
	uint32_t *ino;  /* per group: inode number given at its first link, UINT32_MAX before */
	uint32_t *seen; /* per group: links written so far */
};

static int
cpio_entry(
    struct cpio *c, const char *prefix, const struct ent *e, struct links *lk, struct qt_err *err)
{
	uint32_t ino, mode = type_bits(e->kind) | (e->mode & 07777);
	uint64_t size = e->size;
	bool data = true;

	if (e->group != 0) {
		/* hard links share an inode; the data goes with the last one, as GNU cpio does */
		if (lk->ino[e->group] == UINT32_MAX)
			lk->ino[e->group] = c->ino++;
		ino = lk->ino[e->group];
		if (++lk->seen[e->group] < e->nlink) {
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
		if (cpio_data(c, e, prefix, err) < 0)
			return -1;
	}
	return cpio_align(c, 4, err);
}

static int
cpio_begin(
    struct cpio *c, const struct ramdisk_tree *t, bool gz, struct qt_sink sink, struct qt_err *err)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->gz = gz;
	if (pipe_init(&c->pipe, sink, err) < 0)
		return -1;
	if (!gz) {
		c->buf = c->pipe.buf[0];
		return 0;
	}
	c->zbuf = c->pipe.buf[0];
	if ((c->buf = malloc(CPIO_BUF)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	/* gzip wrapper (15 + 16): zlib writes MTIME 0, no name, OS 3; fixed level 6 */
	if (deflateInit2(&c->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return qt_err_set(err, ENOMEM, "gzip: cannot initialise zlib");
	c->zinit = true;
	return 0;
}

/* Trailer, zero padding to a 512-byte block (GNU cpio's), final flush, sink drained. */
static int
cpio_end(struct cpio *c, struct qt_err *err)
{
	if (cpio_header(c, "", "TRAILER!!!", 0, 0, 0, 0, 1, 0, 0, err) < 0 ||
	    cpio_align(c, CPIO_BLOCK, err) < 0 || cpio_emit(c, Z_FINISH, err) < 0)
		return -1;
	return pipe_end(&c->pipe, err);
}

static void
cpio_free(struct cpio *c)
{
	pipe_free(&c->pipe); /* joins the thread first: nothing reads the buffers after this */
	if (c->zinit)
		deflateEnd(&c->z);
	if (c->gz)
		free(c->buf);
}

/* "a\nb\n" for {a, b}. */
static int
join_lines(const struct ramdisk_strv *v, struct wbuf *out, struct qt_err *err)
{
	size_t i;

	for (i = 0; v != NULL && i < v->n; i++) {
		if (check_line(v->v[i], "cmd/env", err) < 0 ||
		    wbuf_put(out, v->v[i], strlen(v->v[i]), err) < 0 ||
		    wbuf_put_u8(out, '\n', err) < 0)
			return -1;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
tree_has(const struct ramdisk_tree *t, const char *path)
{
	size_t lo = 0, hi = t->nout;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->ents[t->out[mid]].path, path);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int
ramdisk_write_app(const struct ramdisk_tree *t, const struct ramdisk_strv *cmd,
    const struct ramdisk_strv *env, bool gzip, struct qt_sink sink, struct qt_err *err)
{
	struct cpio c;
	struct wbuf cb = { 0 }, eb = { 0 };
	struct ent root, fixed[6], cmdf, envf;
	struct links lk = { 0 };
	size_t i, f = 0, nfixed = 0;
	struct stat st;
	int r = -1;

	if (cpio_begin(&c, t, gzip, sink, err) < 0)
		goto out;
	/* contents read in place: the file must still be the one that was checked */
	if (t->srcfd >= 0 && S_ISREG(t->srcst.st_mode) &&
	    (fstat(t->srcfd, &st) < 0 || st.st_size != t->srcst.st_size ||
	        st.st_mtim.tv_sec != t->srcst.st_mtim.tv_sec ||
	        st.st_mtim.tv_nsec != t->srcst.st_mtim.tv_nsec)) {
		qt_err_set(err, EAGAIN, "%s: changed while qt-build was reading it", t->name);
		goto out;
	}
	if (join_lines(cmd, &cb, err) < 0 || join_lines(env, &eb, err) < 0)
		goto out;
	if (cmd == NULL || cmd->n == 0) {
		qt_err_set(err, EINVAL, "no command to run");
		goto out;
	}
	memset(&root, 0, sizeof(root));
	root.path = (char *)"rootfs";
	root.kind = K_DIR;
	root.mode = 0755;
	root.mtime = t->opts.mtime_clamp;
	for (i = 0; i < sizeof(fixed_dirs) / sizeof(fixed_dirs[0]); i++) {
		if (tree_has(t, fixed_dirs[i]))
			continue;
		memset(&fixed[nfixed], 0, sizeof(fixed[0]));
		fixed[nfixed].path = (char *)fixed_dirs[i];
		fixed[nfixed].kind = K_DIR;
		fixed[nfixed].mode = 0755;
		fixed[nfixed].nlink = 2;
		fixed[nfixed].mtime = t->opts.mtime_clamp;
		nfixed++;
	}
	root.nlink = 2 + t->root_subdirs + (uint32_t)nfixed;
	memset(&cmdf, 0, sizeof(cmdf));
	cmdf.path = (char *)"cmd";
	cmdf.kind = K_REG;
	cmdf.src = S_MEM;
	cmdf.mode = 0644;
	cmdf.nlink = 1;
	cmdf.mtime = t->opts.mtime_clamp;
	cmdf.mem = cb.p;
	cmdf.size = cb.len;
	envf = cmdf;
	envf.path = (char *)"env";
	envf.mem = eb.p;
	envf.size = eb.len;
	if (t->ngroups > 0) {
		if ((lk.ino = malloc((t->ngroups + 1) * sizeof(uint32_t))) == NULL ||
		    (lk.seen = calloc(t->ngroups + 1, sizeof(uint32_t))) == NULL) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		memset(lk.ino, 0xff, (t->ngroups + 1) * sizeof(uint32_t));
	}
	if (cpio_entry(&c, "", &root, &lk, err) < 0)
		goto out;
	for (i = 0; i < t->nout || f < nfixed;) {
		if (f < nfixed &&
		    (i == t->nout || strcmp(fixed[f].path, t->ents[t->out[i]].path) < 0)) {
			if (cpio_entry(&c, "rootfs/", &fixed[f++], &lk, err) < 0)
				goto out;
		} else if (cpio_entry(&c, "rootfs/", &t->ents[t->out[i++]], &lk, err) < 0) {
			goto out;
		}
	}
	if (cpio_entry(&c, "", &cmdf, &lk, err) < 0 || cpio_entry(&c, "", &envf, &lk, err) < 0 ||
	    cpio_end(&c, err) < 0)
		goto out;
	r = 0;
out:
	free(lk.ino);
	free(lk.seen);
	wbuf_free(&cb);
	wbuf_free(&eb);
	cpio_free(&c);
	return r;
}

int
ramdisk_write_bootstrap(const char *init_path, const char *const *drivers, size_t n_drivers,
    uint32_t mtime_clamp, bool gzip, struct qt_sink sink, struct qt_err *err)
{
	struct ramdisk_tree t0;
	struct cpio c;
	struct ent *e = NULL;
	struct links lk = { 0 };
	uint8_t **bufs = NULL;
	const char **names = NULL;
	size_t n = n_drivers + 2, i, len;
	const char *b;
	int r = -1;

	memset(&t0, 0, sizeof(t0));
	t0.name = (char *)"bootstrap";
	memset(&c, 0, sizeof(c));
	if ((e = calloc(n, sizeof(*e))) == NULL || (bufs = calloc(n, sizeof(*bufs))) == NULL ||
	    (names = calloc(n, sizeof(*names))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* entry 0: dev/, 1: init, 2..: drivers under their base names */
	e[0].path = (char *)"dev";
	e[0].kind = K_DIR;
	e[0].nlink = 2;
	for (i = 1; i < n; i++) {
		const char *src = i == 1 ? init_path : drivers[i - 2];

		b = strrchr(src, '/');
		b = i == 1 ? "init" : b == NULL ? src : b + 1;
		if (*b == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0) {
			qt_err_set(err, EINVAL, "%s: no file name", src);
			goto out;
		}
		if (fileio_read_all(src, 1u << 30, &bufs[i], &len, err) < 0)
			goto out;
		e[i].path = (char *)b;
		e[i].kind = K_REG;
		e[i].src = S_MEM;
		e[i].mem = bufs[i];
		e[i].size = len;
		e[i].nlink = 1;
	}
	for (i = 0; i < n; i++) {
		e[i].mode = 0755;
		e[i].mtime = mtime_clamp;
		names[i] = e[i].path;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) == 0) {
			qt_err_set(
			    err, EINVAL, "bootstrap ramdisk: two entries named '%s'", names[i]);
			goto out;
		}
	if (cpio_begin(&c, &t0, gzip, sink, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < n && e[k].path != names[i]; k++)
			;
		if (cpio_entry(&c, "", &e[k], &lk, err) < 0)
			goto out;
	}
	if (cpio_end(&c, err) < 0)
		goto out;
	r = 0;
out:
	cpio_free(&c);
	for (i = 0; bufs != NULL && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(names);
	free(e);
	return r;
}
