/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_extract.c: ramdisks unpacked into a new directory (eif_extract.h).
 * Every path is split into components checked here ("..", absolute) and
 * opened one by one from the temporary root with O_NOFOLLOW, so no entry
 * can reach outside the tree or through a symlink an earlier entry made.
 * Directory modes are applied last, deepest first, so that a read-only
 * directory does not stop its own contents.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eif_extract.h"
#include "eif_ls.h"
#include "fileio.h"

#define DIR_BYTES_MAX (64u << 20) /* bytes of directory paths remembered for their modes */
#define DEPTH_MAX     (EIF_LS_PATH_MAX / 2 + 1)

struct dirrec {
	char *path; /* components joined by '/', "" for the root */
	size_t depth, order;
	uint32_t mode;
	int64_t mtime;
};

struct xctx {
	const char *image;
	int root; /* the temporary directory */
	int fd;   /* the file being written, or -1 */
	struct dirrec *dirs;
	size_t ndirs, cap, dir_bytes;
	struct eif_extract_stats st;
	eif_note_fn note;
	void *note_ctx;
	bool noted_suid;
	/* the current entry's path, split */
	char buf[EIF_LS_PATH_MAX + 1];
	char *comp[DEPTH_MAX];
	size_t n;
};

static void note(struct xctx *x, const char *fmt, ...) QT_PRINTF(2, 3);

static void
note(struct xctx *x, const char *fmt, ...)
{
	char msg[EIF_LS_PATH_MAX + 256];
	va_list ap;

	if (x->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->note(x->note_ctx, msg);
}

/*
 * Split path into comp[0..n) in buf: "" and "." components dropped; an
 * absolute path or a ".." component refused (-1, err naming the entry).
 */
static int
split(struct xctx *x, unsigned nr, const char *path, char *buf, char **comp, size_t *n,
    struct qt_err *err)
{
	char *p, *save = NULL;

	*n = 0;
	if (path[0] == '/')
		return qt_err_set(err, EINVAL,
		    "%s: ramdisk %u: '%.200s': an absolute path; refusing to extract", x->image, nr,
		    path);
	snprintf(buf, EIF_LS_PATH_MAX + 1, "%s", path);
	for (p = strtok_r(buf, "/", &save); p != NULL; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0)
			return qt_err_set(err, EINVAL,
			    "%s: ramdisk %u: '%.200s': '..' in the path; refusing to extract",
			    x->image, nr, path);
		if (*n == DEPTH_MAX)
			return qt_err_set(
			    err, EINVAL, "%s: ramdisk %u: '%.200s': too deep", x->image, nr, path);
		comp[(*n)++] = p;
	}
	return 0;
}

/* comp[0..k) joined by '/' into out. */
static void
join(char *const *comp, size_t k, char *out, size_t len)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < k && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "/" : "", comp[i]);
}

static int
remember_dir(
    struct xctx *x, char *const *comp, size_t n, uint32_t mode, int64_t mtime, struct qt_err *err)
{
	char path[EIF_LS_PATH_MAX + 1];
	struct dirrec *g;
	size_t len;

	join(comp, n, path, sizeof(path));
	len = strlen(path) + 1;
	if (x->dir_bytes + len > DIR_BYTES_MAX)
		return qt_err_set(err, EFBIG, "%s: more than %u bytes of directory names", x->image,
		    DIR_BYTES_MAX);
	if (x->ndirs == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		if ((g = realloc(x->dirs, x->cap * sizeof(*g))) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		x->dirs = g;
	}
	if ((x->dirs[x->ndirs].path = strdup(path)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	x->dirs[x->ndirs].depth = n;
	x->dirs[x->ndirs].order = x->ndirs;
	x->dirs[x->ndirs].mode = mode;
	x->dirs[x->ndirs].mtime = mtime;
	x->ndirs++;
	x->dir_bytes += len;
	return 0;
}

/*
 * Open the directory holding comp[n-1] (the root for n <= 1), component by
 * component with O_NOFOLLOW; with create, missing directories are made
 * (mode 0755). A symlink or a non-directory on the way is an error.
 */
static int
open_parent(struct xctx *x, unsigned nr, const char *path, char *const *comp, size_t n, bool create,
    int *ret, struct qt_err *err)
{
	char shown[EIF_LS_PATH_MAX + 1];
	struct stat st;
	int fd;
	size_t i;

	if ((fd = openat(x->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", x->image, strerror(errno));
	for (i = 0; i + 1 < n; i++) {
		int next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp[i], 0700) < 0 ||
			    remember_dir(x, comp, i + 1, 0755, -1, err) < 0) {
				if (err->code == 0)
					qt_err_set(err, errno, "%s: cannot create a directory: %s",
					    x->image, strerror(errno));
				close(fd);
				return -1;
			}
			x->st.dirs++;
			next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;

			join(comp, i + 1, shown, sizeof(shown));
			if (fstatat(fd, comp[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				qt_err_set(err, ELOOP,
				    "%s: ramdisk %u: '%.200s': goes through the symlink '%.200s'; "
				    "refusing to write through it",
				    x->image, nr, path, shown);
			else if (e == ENOENT)
				qt_err_set(err, ENOENT,
				    "%s: ramdisk %u: '%.200s': '%.200s' does not exist", x->image,
				    nr, path, shown);
			else
				qt_err_set(err, e, "%s: ramdisk %u: '%.200s': '%.200s': %s",
				    x->image, nr, path, shown,
				    e == ENOTDIR ? "not a directory" : strerror(e));
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
	}
	*ret = fd;
	return 0;
}

/* Make room for a new non-directory name: an old file or link goes; a directory stays. */
static int
clear_name(
    struct xctx *x, unsigned nr, const char *path, int parent, const char *name, struct qt_err *err)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return qt_err_set(err, EEXIST,
		    "%s: ramdisk %u: '%.200s': would replace a directory; refusing to extract",
		    x->image, nr, path);
	if (unlinkat(parent, name, 0) < 0)
		return qt_err_set(err, errno, "%s: ramdisk %u: '%.200s': %s", x->image, nr, path,
		    strerror(errno));
	return 0;
}

static uint32_t
safe_mode(struct xctx *x, const struct eif_entry *e)
{
	if ((e->mode & 06000u) && !x->noted_suid) {
		x->noted_suid = true;
		note(x,
		    "ramdisk %u: '%.200s': set-user-ID and set-group-ID bits dropped (here and on "
		    "every later entry)",
		    e->ramdisk, e->path);
	}
	return e->mode & 01777u;
}

static int
x_begin(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	struct xctx *x = ctx;
	char lbuf[EIF_LS_PATH_MAX + 1], *lcomp[DEPTH_MAX];
	const char *name;
	size_t ln;
	int parent = -1, tparent = -1, rc = -1;

	if (split(x, e->ramdisk, e->path, x->buf, x->comp, &x->n, err) < 0)
		return -1;
	if (x->n == 0) /* the root itself: its mode, last */
		return e->type == EIF_ENTRY_DIR
		           ? remember_dir(x, x->comp, 0, e->mode & 01777u, e->mtime, err)
		           : qt_err_set(err, EINVAL, "%s: ramdisk %u: '%.200s': not a directory",
		                 x->image, e->ramdisk, e->path);
	switch (e->type) {
	case EIF_ENTRY_CHAR:
	case EIF_ENTRY_BLOCK:
	case EIF_ENTRY_FIFO:
	case EIF_ENTRY_SOCKET:
		x->st.skipped++;
		note(x,
		    "ramdisk %u: '%.200s': %s skipped (device nodes, fifos and sockets are not "
		    "extracted)",
		    e->ramdisk, e->path, eif_entry_type_name(e->type));
		return 0;
	default:
		break;
	}
	if (open_parent(x, e->ramdisk, e->path, x->comp, x->n, true, &parent, err) < 0)
		return -1;
	name = x->comp[x->n - 1];
	switch (e->type) {
	case EIF_ENTRY_DIR:
		if (mkdirat(parent, name, 0700) < 0) {
			struct stat st;

			if (errno != EEXIST ||
			    fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(st.st_mode)) {
				qt_err_set(err, errno, "%s: ramdisk %u: '%.200s': %s", x->image,
				    e->ramdisk, e->path,
				    errno == EEXIST ? "exists and is not a directory"
				                    : strerror(errno));
				goto out;
			}
		} else {
			x->st.dirs++;
		}
		if (remember_dir(x, x->comp, x->n, safe_mode(x, e), e->mtime, err) < 0)
			goto out;
		break;
	case EIF_ENTRY_SYMLINK:
		if (clear_name(x, e->ramdisk, e->path, parent, name, err) < 0)
			goto out;
		if (symlinkat(e->link, parent, name) < 0) {
			qt_err_set(err, errno, "%s: ramdisk %u: '%.200s': %s", x->image, e->ramdisk,
			    e->path, strerror(errno));
			goto out;
		}
		{
			struct timespec ts[2] = { { (time_t)e->mtime, 0 },
				{ (time_t)e->mtime, 0 } };

			(void)utimensat(parent, name, ts, AT_SYMLINK_NOFOLLOW);
		}
		x->st.symlinks++;
		break;
	case EIF_ENTRY_HARDLINK:
		/* the earlier name, checked and opened like any path */
		if (split(x, e->ramdisk, e->link, lbuf, lcomp, &ln, err) < 0 ||
		    open_parent(x, e->ramdisk, e->link, lcomp, ln, false, &tparent, err) < 0)
			goto out;
		if (ln == 0) {
			qt_err_set(err, EINVAL, "%s: ramdisk %u: '%.200s': a hard link to the root",
			    x->image, e->ramdisk, e->path);
			goto out;
		}
		if (clear_name(x, e->ramdisk, e->path, parent, name, err) < 0)
			goto out;
		if (linkat(tparent, lcomp[ln - 1], parent, name, 0) < 0) {
			qt_err_set(err, errno,
			    "%s: ramdisk %u: '%.200s': hard link to '%.200s': %s", x->image,
			    e->ramdisk, e->path, e->link, strerror(errno));
			goto out;
		}
		x->st.hardlinks++;
		if (e->size > 0 && (x->fd = openat(parent, name,
		                        O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			qt_err_set(err, errno, "%s: ramdisk %u: '%.200s': %s", x->image, e->ramdisk,
			    e->path, strerror(errno));
			goto out;
		}
		break;
	default: /* a regular file */
		if (clear_name(x, e->ramdisk, e->path, parent, name, err) < 0)
			goto out;
		x->fd = openat(
		    parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (x->fd < 0) {
			qt_err_set(err, errno, "%s: ramdisk %u: '%.200s': %s", x->image, e->ramdisk,
			    e->path, strerror(errno));
			goto out;
		}
		x->st.files++;
		break;
	}
	rc = 0;
out:
	if (parent >= 0)
		close(parent);
	if (tparent >= 0)
		close(tparent);
	return rc;
}

static int
x_data(void *ctx, const struct eif_entry *e, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct xctx *x = ctx;

	if (x->fd < 0)
		return 0;
	if (fileio_write_full(x->fd, buf, len, -1) < 0)
		return qt_err_set(err, errno, "%s: write failed: %s", e->path, strerror(errno));
	return 0;
}

static int
x_end(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	struct xctx *x = ctx;
	struct timespec ts[2] = { { (time_t)e->mtime, 0 }, { (time_t)e->mtime, 0 } };
	int rc = 0;

	if (x->fd < 0)
		return 0;
	if ((e->type == EIF_ENTRY_FILE && fchmod(x->fd, safe_mode(x, e)) < 0) ||
	    futimens(x->fd, ts) < 0 || close(x->fd) < 0)
		rc = qt_err_set(err, errno, "%s: %s", e->path, strerror(errno));
	x->fd = -1;
	return rc;
}

/* Deepest first; among equals, in archive order (the last entry for a name wins). */
static int
dir_order(const void *pa, const void *pb)
{
	const struct dirrec *a = pa, *b = pb;

	if (a->depth != b->depth)
		return a->depth > b->depth ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int
apply_dirs(struct xctx *x, struct qt_err *err)
{
	char buf[EIF_LS_PATH_MAX + 1], *comp[DEPTH_MAX];
	size_t i, n;
	int parent, fd;

	qsort(x->dirs, x->ndirs, sizeof(*x->dirs), dir_order);
	for (i = 0; i < x->ndirs; i++) {
		const struct dirrec *d = &x->dirs[i];
		struct timespec ts[2] = { { (time_t)d->mtime, 0 }, { (time_t)d->mtime, 0 } };

		if (split(x, 0, d->path, buf, comp, &n, err) < 0)
			return -1;
		if (n == 0) {
			fd = openat(x->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else {
			if (open_parent(x, 0, d->path, comp, n, false, &parent, err) < 0)
				return -1;
			fd = openat(
			    parent, comp[n - 1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(parent);
		}
		if (fd < 0 || fchmod(fd, d->mode) < 0 || (d->mtime >= 0 && futimens(fd, ts) < 0)) {
			qt_err_set(
			    err, errno, "%s: %s", d->path[0] ? d->path : ".", strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* Remove the tree under (and with) name in parent; never follows a symlink. */
static void
remove_tree(int parent, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		(void)unlinkat(parent, name, 0);
		return;
	}
	(void)fchmod(fd, 0700);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		remove_tree(dirfd(d), de->d_name);
	}
	closedir(d);
	(void)unlinkat(parent, name, AT_REMOVEDIR);
}

/* dir must be absent or an empty directory; its parent and name into the out-parameters. */
static int
check_target(const char *dir, char **ret_parent, char **ret_name, struct qt_err *err)
{
	struct stat st;
	const char *slash;
	char *parent, *name;

	if (lstat(dir, &st) == 0) {
		struct dirent *de;
		DIR *d;

		if (!S_ISDIR(st.st_mode))
			return qt_err_set(err, EEXIST, "%s: exists and is not a directory", dir);
		if ((d = opendir(dir)) == NULL)
			return qt_err_set(err, errno, "%s: %s", dir, strerror(errno));
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
				closedir(d);
				return qt_err_set(err, ENOTEMPTY,
				    "%s: not empty; extract into a new or empty directory", dir);
			}
		closedir(d);
	} else if (errno != ENOENT) {
		return qt_err_set(err, errno, "%s: %s", dir, strerror(errno));
	}
	/* strip trailing slashes, then split at the last one */
	{
		size_t len = strlen(dir);

		while (len > 1 && dir[len - 1] == '/')
			len--;
		if ((name = strndup(dir, len)) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
	}
	slash = strrchr(name, '/');
	parent = slash == NULL   ? strdup(".")
	         : slash == name ? strdup("/")
	                         : strndup(name, (size_t)(slash - name));
	if (parent == NULL) {
		free(name);
		return qt_err_set(err, ENOMEM, "out of memory");
	}
	if (slash != NULL)
		memmove(name, slash + 1, strlen(slash + 1) + 1);
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		free(name);
		free(parent);
		return qt_err_set(err, EINVAL, "%s: name a new directory", dir);
	}
	*ret_parent = parent;
	*ret_name = name;
	return 0;
}

int
eif_extract(const char *path, const char *dir, eif_note_fn note_fn, void *note_ctx,
    const struct qt_progress_cb *progress, struct eif_extract_stats *ret, struct qt_err *err)
{
	struct xctx *x = NULL;
	struct eif_walk_cb cb = { NULL, x_begin, x_data, x_end, NULL, { NULL, NULL } };
	struct eif_scan *scan = NULL;
	char *parent = NULL, *name = NULL, *tmp = NULL, *tmpname;
	int pfd = -1, rc = -1;
	size_t i;

	if (check_target(dir, &parent, &name, err) < 0)
		return -1;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    asprintf(&tmp, "%s/.%s.qt-XXXXXX", parent, name) < 0) {
		tmp = NULL;
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	x->image = path;
	x->root = x->fd = -1;
	x->note = note_fn;
	x->note_ctx = note_ctx;
	cb.ctx = x;
	if (progress != NULL)
		cb.progress = *progress;
	/* scan first: nothing is created for an image that cannot be read */
	if (eif_scan_path(path, progress, &scan, err) < 0)
		goto out;
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		qt_err_set(err, errno, "%s: %s", parent, strerror(errno));
		goto out;
	}
	if (mkdtemp(tmp) == NULL) {
		qt_err_set(err, errno, "%s: cannot create a temporary directory: %s", parent,
		    strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	tmpname = strrchr(tmp, '/') + 1;
	if ((x->root = openat(pfd, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		qt_err_set(err, errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (remember_dir(x, NULL, 0, 0755, -1, err) < 0 || eif_walk(path, scan, &cb, err) < 0 ||
	    apply_dirs(x, err) < 0)
		goto out;
	if (renameat(pfd, tmpname, pfd, name) < 0) {
		qt_err_set(
		    err, errno, "%s: cannot rename %s into place: %s", dir, tmp, strerror(errno));
		goto out;
	}
	(void)fsync(pfd);
	if (ret != NULL)
		*ret = x->st;
	rc = 0;
out:
	if (x != NULL) {
		if (x->fd >= 0)
			close(x->fd);
		if (x->root >= 0)
			close(x->root);
		for (i = 0; i < x->ndirs; i++)
			free(x->dirs[i].path);
		free(x->dirs);
	}
	if (rc < 0 && tmp != NULL && pfd >= 0)
		remove_tree(pfd, strrchr(tmp, '/') + 1);
	if (pfd >= 0)
		close(pfd);
	eif_scan_free(scan);
	free(x);
	free(tmp);
	free(parent);
	free(name);
	return rc;
}
