/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tar.c: reading tar streams into the tree: a tarball source (any
 * compression libarchive reads) and each layer of a docker-archive or OCI
 * image, with whiteouts and opaque markers kept as entries for layers.c.
 * Contents of an uncompressed tar file are read in place at write time;
 * all others go to the spool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "ramdisk_private.h"

/* One layer (or a plain tarball) being read into the tree. */
struct layer_rd {
	struct ramdisk_tree *t;
	struct archive *a;
	uint32_t layer;
	/* >= 0: the archive's byte 0 is at this offset of t->src.fd (contents read in place) */
	int64_t dbase;
	char ctx[RD_CTX_MAX]; /* the archive and layer, for messages */
};

struct archive *
rd_tar_reader(void)
{
	struct archive *a = archive_read_new();

	if (a != NULL) {
		archive_read_support_filter_all(a);
		archive_read_support_format_tar(a);
		archive_read_support_format_empty(a);
	}
	return a;
}

/* Open the tarball or docker-archive once (struct src_file). */
int
rd_src_open(struct ramdisk_tree *t, struct qt_err *err)
{
	if ((t->src.fd = open(t->name, O_RDONLY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", t->name, strerror(errno));
	if (fstat(t->src.fd, &t->src.st) < 0)
		return qt_err_set(err, errno, "%s: %s", t->name, strerror(errno));
	if (S_ISDIR(t->src.st.st_mode))
		return qt_err_set(err, EISDIR, "%s: is a directory", t->name);
	return 0;
}

/* A libarchive reader over t->src.fd from its start (a pass). */
int
rd_src_reader(struct ramdisk_tree *t, struct archive **ret, struct qt_err *err)
{
	struct archive *a;

	if ((a = rd_tar_reader()) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if ((S_ISREG(t->src.st.st_mode) && lseek(t->src.fd, 0, SEEK_SET) != 0) ||
	    archive_read_open_fd(a, t->src.fd, 1 << 16) != ARCHIVE_OK) {
		qt_err_set(err, EINVAL, "%s: %s", t->name,
		    archive_error_string(a) != NULL ? archive_error_string(a) : strerror(errno));
		archive_read_free(a);
		return -1;
	}
	*ret = a;
	return 0;
}

static int
too_big_for_newc(const struct layer_rd *l, const char *name, struct qt_err *err)
{
	return qt_err_set(
	    err, EFBIG, "%s: entry '%s': 4 GiB or more: cpio newc cannot store it", l->ctx, name);
}

/* name, normalised into path (room for the 8 bytes "rootfs/" adds). */
static int
entry_path(
    const struct layer_rd *l, const char *name, char *path, size_t pathsz, struct qt_err *err)
{
	int r = rd_norm_path(name, path, pathsz - 8);

	if (r == -1)
		return qt_err_set(
		    err, EINVAL, "%s: entry '%s': path leaves the root", l->ctx, name);
	if (r == -2)
		return qt_err_set(err, ENAMETOOLONG,
		    "%s: entry '%.64s...': path longer than PATH_MAX (%u)", l->ctx, name,
		    RAMDISK_PATH_MAX);
	return 0;
}

/* .wh..wh..opq marks path's directory opaque; .wh.NAME removes NAME; other .wh..wh.* are skipped.
 */
static int
add_whiteout(struct layer_rd *l, char *path, const char *base, const char *name, struct qt_err *err)
{
	size_t plen = (size_t)(base - path), idx;
	uint8_t kind;

	if (strcmp(base, ".wh..wh..opq") == 0) {
		path[plen > 0 ? plen - 1 : 0] = '\0';
		kind = K_OPAQUE;
	} else if (strncmp(base, ".wh..wh.", 8) == 0) {
		return 0; /* aufs bookkeeping (.wh..wh.plnk, ...): not content */
	} else {
		if (base[4] == '\0' || strcmp(base + 4, ".") == 0 || strcmp(base + 4, "..") == 0)
			return qt_err_set(err, EINVAL,
			    "%s: whiteout '%s' does not name an entry of its directory", l->ctx,
			    name);
		memmove(path + plen, base + 4, strlen(base + 4) + 1);
		kind = K_WHITEOUT;
	}
	return rd_ent_add(&l->t->tab, path, kind, l->layer, &idx, err);
}

/* Mode (symbolic links are 0777 on Linux whatever an archive says), owner, clamped mtime. */
static void
set_meta(const struct layer_rd *l, struct ent *e, struct archive_entry *ae)
{
	e->mode = e->kind == K_LNK ? 0777 : (uint32_t)archive_entry_perm(ae) & 07777;
	e->uid = (uint32_t)archive_entry_uid(ae);
	e->gid = (uint32_t)archive_entry_gid(ae);
	e->mtime = rd_clamp_mtime(l->t, archive_entry_mtime(ae));
}

/* A hard link to hl, a regular file earlier in the archive: it shares its contents. */
static int
add_hardlink(struct layer_rd *l, struct archive_entry *ae, const char *path, const char *name,
    const char *hl, struct qt_err *err)
{
	struct ramdisk_tree *t = l->t;
	char tpath[RAMDISK_PATH_MAX + 1];
	struct ent *e, *target;
	size_t idx;

	if (rd_norm_path(hl, tpath, sizeof(tpath) - 8) < 0)
		return qt_err_set(err, EINVAL,
		    "%s: entry '%s': hard link target '%s' leaves the root", l->ctx, name, hl);
	target = rd_ht_get(&t->tab, tpath);
	if (target == NULL || target->kind != K_REG)
		return qt_err_set(err, EINVAL,
		    "%s: entry '%s': hard link to '%s', which is not a regular file earlier in "
		    "the archive",
		    l->ctx, name, hl);
	if (target->group == 0)
		target->group = ++t->tab.ngroups;
	if (rd_ent_add(&t->tab, path, K_REG, l->layer, &idx, err) < 0)
		return -1;
	target = rd_ht_get(&t->tab, tpath); /* the table may have moved */
	e = &t->tab.v[idx];
	e->src = target->src;
	e->off = target->off;
	e->size = target->size;
	e->group = target->group;
	set_meta(l, e, ae);
	return rd_ht_put(&t->tab, idx, err);
}

/* Entry kind of an archive file type; false for devices and sockets (see qt-build(1)). */
static bool
archive_kind(unsigned ftype, uint8_t *kind)
{
	switch (ftype) {
	case AE_IFREG:
		*kind = K_REG;
		return true;
	case AE_IFDIR:
		*kind = K_DIR;
		return true;
	case AE_IFLNK:
		*kind = K_LNK;
		return true;
	case AE_IFIFO:
		*kind = K_FIFO;
		return true;
	default:
		return false;
	}
}

/* A regular file's contents: in place when the tar file is plain, else spooled. */
static int
read_contents(struct layer_rd *l, struct archive_entry *ae, struct ent *e, const char *name,
    struct qt_err *err)
{
	struct ramdisk_tree *t = l->t;
	struct archive *a = l->a;

	/* newc sizes are 32-bit (checked again after reading: sparse, pax sizes) */
	if (archive_entry_size(ae) > (la_int64_t)UINT32_MAX)
		return too_big_for_newc(l, name, err);
	if (l->dbase >= 0 && archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE &&
	    archive_entry_size_is_set(ae) && archive_entry_sparse_reset(ae) == 0) {
		/* the tar reader has consumed the headers: data starts here */
		e->src = S_FILE;
		e->off = (uint64_t)l->dbase + (uint64_t)archive_filter_bytes(a, 0);
		e->size = (uint64_t)archive_entry_size(ae);
		if (e->size > t->opts.max_bytes - t->st.bytes)
			return rd_too_many_bytes(t, l->ctx, e->path, err);
		t->st.bytes += e->size;
		return 0;
	}
	if (rd_spool_entry(t, a, e, l->ctx, err) < 0 || e->size > UINT32_MAX)
		return too_big_for_newc(l, name, err);
	return 0;
}

/* A file, directory, symbolic link or FIFO. */
static int
add_entry(struct layer_rd *l, struct archive_entry *ae, const char *path, const char *name,
    uint8_t kind, struct qt_err *err)
{
	struct ramdisk_tree *t = l->t;
	struct ent *e;
	size_t idx;

	if (archive_entry_uid(ae) < 0 || archive_entry_uid(ae) > UINT32_MAX ||
	    archive_entry_gid(ae) < 0 || archive_entry_gid(ae) > UINT32_MAX)
		return qt_err_set(
		    err, EINVAL, "%s: entry '%s': uid or gid out of range", l->ctx, name);
	if (rd_ent_add(&t->tab, path, kind, l->layer, &idx, err) < 0)
		return -1;
	e = &t->tab.v[idx];
	set_meta(l, e, ae);
	if (kind == K_LNK) {
		const char *sl = archive_entry_symlink(ae);

		if (sl == NULL || *sl == '\0' || strlen(sl) >= RAMDISK_PATH_MAX)
			return qt_err_set(err, EINVAL,
			    "%s: entry '%s': symbolic link target empty or longer than PATH_MAX",
			    l->ctx, name);
		if ((e->link = rd_strdup(sl, err)) == NULL)
			return -1;
		e->size = strlen(sl);
	} else if (kind == K_REG && read_contents(l, ae, e, name, err) < 0) {
		return -1;
	}
	return rd_ht_put(&t->tab, idx, err);
}

/* The archive's current entry, named name. */
static int
read_entry(struct layer_rd *l, struct archive_entry *ae, const char *name, bool whiteouts,
    struct qt_err *err)
{
	char path[RAMDISK_PATH_MAX + 1];
	const char *base, *hl;
	uint8_t kind;

	if (entry_path(l, name, path, sizeof(path), err) < 0)
		return -1;
	base = strrchr(path, '/');
	base = base == NULL ? path : base + 1;
	if (whiteouts && strncmp(base, ".wh.", 4) == 0)
		return add_whiteout(l, path, base, name, err);
	if (path[0] == '\0') /* the root itself ("./"): its entry is synthesised */
		return 0;
	if (archive_entry_xattr_count(ae) > 0)
		rd_note_xattrs(l->t, path);
	if ((hl = archive_entry_hardlink(ae)) != NULL)
		return add_hardlink(l, ae, path, name, hl, err);
	if (!archive_kind(archive_entry_filetype(ae), &kind)) {
		rd_note_device(l->t, path);
		return 0;
	}
	return add_entry(l, ae, path, name, kind, err);
}

/*
 * Read every entry of one layer (or a plain tarball when whiteouts is false)
 * into the tree. dbase >= 0: this archive's byte 0 is at offset dbase of
 * t->src.fd, so the data of a plain (uncompressed, not sparse) entry is read
 * there at write time instead of being spooled.
 */
int
rd_read_layer(struct ramdisk_tree *t, struct archive *a, uint32_t layer, bool whiteouts,
    int64_t dbase, struct qt_err *err)
{
	struct layer_rd l = { .t = t, .a = a, .layer = layer, .dbase = dbase };
	struct archive_entry *ae;

	rd_where(t, layer, l.ctx, sizeof(l.ctx));
	for (;;) {
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return qt_err_set(err, EINVAL, "%s: entry %llu: %s", l.ctx,
			    (unsigned long long)t->st.entries + 1, archive_error_string(a));
		if (rd_count_entry(t, l.ctx, err) < 0)
			return -1;
		const char *name = archive_entry_pathname(ae);
		if (name == NULL)
			return qt_err_set(err, EINVAL, "%s: entry %llu: no path name", l.ctx,
			    (unsigned long long)t->st.entries);
		if (read_entry(&l, ae, name, whiteouts, err) < 0)
			return -1;
	}
}

int
rd_load_tar(struct ramdisk_tree *t, struct qt_err *err)
{
	struct archive *a = NULL;
	int r = -1;

	if (rd_spool_open(&t->spool, t->opts.tmpdir, err) < 0 || rd_src_open(t, err) < 0 ||
	    rd_src_reader(t, &a, err) < 0)
		goto out;
	if (rd_read_layer(t, a, 1, false, S_ISREG(t->src.st.st_mode) ? 0 : -1, err) < 0)
		goto out;
	t->st.layers = 1;
	r = 0;
out:
	archive_read_free(a);
	return r;
}
