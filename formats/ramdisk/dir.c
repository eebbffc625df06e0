/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dir.c: directory sources. The walk (libarchive's disk reader, never
 * following a link inside the tree) records paths and metadata; contents
 * stay on disk and are opened again at write time, checked to be the same
 * file. Files sharing (dev, ino) become one hard-link group.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "ramdisk_private.h"

/* Open the walk over t->name: follow it if it is a link, never a link inside it. */
static int
walk_open(struct ramdisk_tree *t, struct archive *a, struct qt_err *err)
{
	archive_read_disk_set_symlink_hybrid(a);
	archive_read_disk_set_behavior(
	    a, ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS | ARCHIVE_READDISK_NO_SPARSE);
	if (archive_read_disk_open(a, t->name) != ARCHIVE_OK)
		return qt_err_set(err, EINVAL, "%s: %s", t->name, archive_error_string(a));
	return 0;
}

/* The walk's name of an entry below the root (rootlen bytes), counted and normalised. */
static int
walk_path(struct ramdisk_tree *t, const char *name, size_t rootlen, char *path, size_t pathsz,
    struct qt_err *err)
{
	int r;

	if (strncmp(name, t->name, rootlen) != 0)
		return qt_err_set(err, EINVAL, "%s: unexpected entry '%s'", t->name, name);
	if (rd_count_entry(t, t->name, err) < 0)
		return -1;
	r = rd_norm_path(name + rootlen, path, pathsz - 8);
	if (r == -2)
		return qt_err_set(err, ENAMETOOLONG,
		    "%s: '%.64s...': path longer than PATH_MAX (%u)", t->name, name + rootlen,
		    RAMDISK_PATH_MAX);
	if (r < 0 || path[0] == '\0')
		return qt_err_set(err, EINVAL, "%s: unexpected entry '%s'", t->name, name);
	return 0;
}

/* Entry kind and default permissions of a file type; false for devices and sockets. */
static bool
walk_kind(mode_t mode, uint8_t *kind, uint32_t *perm)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		*kind = K_REG;
		*perm = (mode & 0100) ? 0755 : 0644;
		return true;
	case S_IFDIR:
		*kind = K_DIR;
		*perm = 0755;
		return true;
	case S_IFLNK:
		*kind = K_LNK;
		*perm = 0777;
		return true;
	case S_IFIFO:
		*kind = K_FIFO;
		*perm = 0644;
		return true;
	default:
		return false;
	}
}

/* A regular file: its size now, its contents at write time; hard links grouped later. */
static int
walk_file(struct ramdisk_tree *t, struct ent *e, const struct stat *st, struct qt_err *err)
{
	e->src = S_DISK;
	if (st->st_size < 0 || (uint64_t)st->st_size > t->opts.max_bytes - t->st.bytes)
		return qt_err_set(err, EFBIG,
		    "%s/%s: more than %llu bytes of contents (limit; see --max-bytes)", t->name,
		    e->path, (unsigned long long)t->opts.max_bytes);
	e->size = (uint64_t)st->st_size;
	if (e->size > UINT32_MAX)
		return qt_err_set(err, EFBIG, "%s/%s: 4 GiB or more: cpio newc cannot store it",
		    t->name, e->path);
	t->st.bytes += e->size;
	/* hard links: group later by (dev, ino) */
	e->group = st->st_nlink > 1 ? UINT32_MAX : 0;
	return 0;
}

static int
walk_add(struct ramdisk_tree *t, struct archive_entry *ae, const char *path, uint8_t kind,
    uint32_t perm, struct qt_err *err)
{
	const struct stat *st = archive_entry_stat(ae);
	struct ent *e;
	size_t idx;

	if (rd_ent_add(&t->tab, path, kind, 1, &idx, err) < 0)
		return -1;
	e = &t->tab.v[idx];
	if (t->opts.keep_owner) {
		e->mode = (uint32_t)st->st_mode & 07777;
		e->uid = (uint32_t)st->st_uid;
		e->gid = (uint32_t)st->st_gid;
	} else {
		e->mode = perm;
	}
	e->mtime = rd_clamp_mtime(t, (int64_t)st->st_mtime);
	e->dev = (uint64_t)st->st_dev;
	e->ino = (uint64_t)st->st_ino;
	if (kind == K_REG)
		return walk_file(t, e, st, err);
	if (kind == K_LNK) {
		const char *sl = archive_entry_symlink(ae);

		if (sl == NULL || *sl == '\0' || strlen(sl) >= RAMDISK_PATH_MAX)
			return qt_err_set(err, EINVAL,
			    "%s/%s: symbolic link target empty or too long", t->name, path);
		if ((e->link = rd_strdup(sl, err)) == NULL)
			return -1;
		e->size = strlen(sl);
	}
	return 0;
}

static int
walk(struct ramdisk_tree *t, struct archive *a, struct archive_entry *ae, struct qt_err *err)
{
	char path[RAMDISK_PATH_MAX + 1];
	size_t rootlen = 0;
	bool first = true;
	uint8_t kind;
	uint32_t perm;

	for (;;) {
		archive_entry_clear(ae);
		int r = archive_read_next_header2(a, ae);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return qt_err_set(err, EIO, "%s: %s", t->name, archive_error_string(a));
		const char *name = archive_entry_pathname(ae);
		if (name == NULL)
			return qt_err_set(err, EINVAL, "%s: entry without a name", t->name);
		if (archive_read_disk_can_descend(a))
			archive_read_disk_descend(a);
		if (first) { /* the named directory itself */
			rootlen = strlen(name);
			first = false;
			continue;
		}
		if (walk_path(t, name, rootlen, path, sizeof(path), err) < 0)
			return -1;
		if (!walk_kind(archive_entry_stat(ae)->st_mode, &kind, &perm)) {
			rd_note_device(t, path);
			continue;
		}
		if (archive_entry_xattr_count(ae) > 0)
			rd_note_xattrs(t, path);
		if (walk_add(t, ae, path, kind, perm, err) < 0)
			return -1;
	}
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

/* Files sharing (dev, ino) become one hard-link group. */
static int
group_disk_links(struct ent_table *tab, struct qt_err *err)
{
	size_t *idx = NULL, n = 0, i;

	for (i = 0; i < tab->n; i++)
		if (tab->v[i].group == UINT32_MAX)
			n++;
	if (n == 0)
		return 0;
	if ((idx = malloc(n * sizeof(*idx))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	n = 0;
	for (i = 0; i < tab->n; i++)
		if (tab->v[i].group == UINT32_MAX)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_devino, tab->v);
	for (i = 0; i < n; i++) {
		if (i == 0 || cmp_devino(&idx[i - 1], &idx[i], tab->v) != 0)
			tab->ngroups++;
		tab->v[idx[i]].group = tab->ngroups;
	}
	free(idx);
	return 0;
}

int
rd_load_dir(struct ramdisk_tree *t, struct qt_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *ae = NULL;
	int r = -1;

	if (rd_open_root(t, err) < 0)
		return -1;
	if ((a = archive_read_disk_new()) == NULL || (ae = archive_entry_new()) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (walk_open(t, a, err) < 0 || walk(t, a, ae, err) < 0)
		goto out;
	t->st.layers = 1;
	r = group_disk_links(&t->tab, err);
out:
	archive_entry_free(ae);
	archive_read_free(a);
	return r;
}
