/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write.c: the two ramdisks an image carries (spec/eif.md 9): which entries,
 * with which metadata, in which order. The application ramdisk is "rootfs",
 * the tree under "rootfs/" with the fixed directories merged in, then "cmd"
 * and "env"; the bootstrap ramdisk is "dev/", "init" and the drivers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "ramdisk_private.h"

static const char *const fixed_dirs[] = { "dev", "proc", "run", "sys", "tmp", "var" };

#define NFIXED (sizeof(fixed_dirs) / sizeof(fixed_dirs[0]))

/* A directory entry written from nothing (0755, owned by 0:0). */
static struct ent
dir_ent(const char *path, uint32_t nlink, uint32_t mtime)
{
	struct ent e;

	memset(&e, 0, sizeof(e));
	e.path = (char *)path;
	e.kind = K_DIR;
	e.mode = 0755;
	e.nlink = nlink;
	e.mtime = mtime;
	return e;
}

/* A regular file whose contents are b (0644, owned by 0:0). */
static struct ent
mem_ent(const char *path, const struct wbuf *b, uint32_t mtime)
{
	struct ent e;

	memset(&e, 0, sizeof(e));
	e.path = (char *)path;
	e.kind = K_REG;
	e.src = S_MEM;
	e.mode = 0644;
	e.nlink = 1;
	e.mtime = mtime;
	e.mem = b->p;
	e.size = b->len;
	return e;
}

/* Contents read in place: the file must still be the one that was checked. */
static int
src_unchanged(const struct ramdisk_tree *t, struct qt_err *err)
{
	struct stat st;

	if (t->src.fd >= 0 && S_ISREG(t->src.st.st_mode) &&
	    (fstat(t->src.fd, &st) < 0 || st.st_size != t->src.st.st_size ||
	        st.st_mtim.tv_sec != t->src.st.st_mtim.tv_sec ||
	        st.st_mtim.tv_nsec != t->src.st.st_mtim.tv_nsec))
		return qt_err_set(
		    err, EAGAIN, "%s: changed while qt-build was reading it", t->name);
	return 0;
}

/* The tree under "rootfs/", merged in path order with the fixed directories it lacks. */
static int
write_rootfs(struct cpio *c, const struct ramdisk_tree *t, const struct ent *fixed, size_t nfixed,
    struct qt_err *err)
{
	size_t i = 0, f = 0;

	while (i < t->out.n || f < nfixed) {
		if (f < nfixed &&
		    (i == t->out.n || strcmp(fixed[f].path, t->tab.v[t->out.v[i]].path) < 0)) {
			if (rd_cpio_entry(c, "rootfs/", &fixed[f++], err) < 0)
				return -1;
		} else if (rd_cpio_entry(c, "rootfs/", &t->tab.v[t->out.v[i++]], err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The application ramdisk into sink; a sink without write only counts (ramdisk_app_size). */
static int
write_app(const struct ramdisk_tree *t, const struct ramdisk_strv *cmd,
    const struct ramdisk_strv *env, bool gzip, atomic_uint_least64_t *entries, struct qt_sink sink,
    uint64_t *ret_size, struct qt_err *err)
{
	struct cpio *c = NULL;
	struct wbuf cb = { 0 }, eb = { 0 };
	struct ent root, fixed[NFIXED], cmdf, envf;
	uint32_t clamp = t->opts.mtime_clamp;
	size_t i, nfixed = 0;
	int r = -1;

	if (rd_cpio_begin(t, gzip, sink, entries, &c, err) < 0 ||
	    (sink.write != NULL && src_unchanged(t, err) < 0) || rd_join_lines(cmd, &cb, err) < 0 ||
	    rd_join_lines(env, &eb, err) < 0)
		goto out;
	if (cmd == NULL || cmd->n == 0) {
		qt_err_set(err, EINVAL, "no command to run");
		goto out;
	}
	for (i = 0; i < NFIXED; i++)
		if (!rd_tree_has(t, fixed_dirs[i]))
			fixed[nfixed++] = dir_ent(fixed_dirs[i], 2, clamp);
	root = dir_ent("rootfs", 2 + t->out.root_subdirs + (uint32_t)nfixed, clamp);
	cmdf = mem_ent("cmd", &cb, clamp);
	envf = mem_ent("env", &eb, clamp);
	if (rd_cpio_entry(c, "", &root, err) < 0 || write_rootfs(c, t, fixed, nfixed, err) < 0 ||
	    rd_cpio_entry(c, "", &cmdf, err) < 0 || rd_cpio_entry(c, "", &envf, err) < 0 ||
	    rd_cpio_end(c, err) < 0)
		goto out;
	if (ret_size != NULL)
		*ret_size = rd_cpio_size(c);
	r = 0;
out:
	wbuf_free(&cb);
	wbuf_free(&eb);
	rd_cpio_free(c);
	return r;
}

int
ramdisk_write_app(const struct ramdisk_tree *t, const struct ramdisk_strv *cmd,
    const struct ramdisk_strv *env, bool gzip, atomic_uint_least64_t *entries, struct qt_sink sink,
    struct qt_err *err)
{
	return write_app(t, cmd, env, gzip, entries, sink, NULL, err);
}

int
ramdisk_app_size(const struct ramdisk_tree *t, const struct ramdisk_strv *cmd,
    const struct ramdisk_strv *env, uint64_t *ret_entries, uint64_t *ret_bytes, struct qt_err *err)
{
	atomic_uint_least64_t n = 0;

	if (write_app(t, cmd, env, false, &n, (struct qt_sink){ 0 }, ret_bytes, err) < 0)
		return -1;
	*ret_entries = atomic_load(&n);
	return 0;
}

/*
 * The bootstrap ramdisk's entries: 0 is dev/, 1 init, 2.. the drivers under
 * their base names. bufs NULL: the files' sizes only (stat), nothing read.
 */
static int
bootstrap_entries(const char *init_path, const char *const *drivers, struct ent *e, size_t n,
    uint8_t **bufs, ramdisk_seen_fn seen, void *ctx, struct qt_err *err)
{
	size_t i, len;
	struct stat st;

	e[0] = dir_ent("dev", 2, 0);
	for (i = 1; i < n; i++) {
		const char *src = i == 1 ? init_path : drivers[i - 2];
		const char *b = strrchr(src, '/');

		b = i == 1 ? "init" : b == NULL ? src : b + 1;
		if (*b == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
			return qt_err_set(err, EINVAL, "%s: no file name", src);
		if (bufs == NULL) {
			if (stat(src, &st) < 0)
				return qt_err_set(
				    err, errno, "%s: cannot stat: %s", src, strerror(errno));
			len = (size_t)st.st_size;
		} else {
			if (fileio_read_all(src, 1u << 30, &bufs[i], &len, err) < 0)
				return -1;
			if (seen != NULL)
				seen(ctx, i - 1, bufs[i], len);
			e[i].mem = bufs[i];
		}
		e[i].path = (char *)b;
		e[i].kind = K_REG;
		e[i].src = S_MEM;
		e[i].size = len;
		e[i].nlink = 1;
		e[i].mode = 0755;
		e[i].mtime = 0;
	}
	return 0;
}

static int
cmp_ent_path(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->path, ((const struct ent *)b)->path);
}

/* The bootstrap ramdisk into sink; a sink without write only counts (from the files' sizes). */
static int
write_bootstrap(const char *init_path, const char *const *drivers, size_t n_drivers, bool gzip,
    atomic_uint_least64_t *entries, struct qt_sink sink, ramdisk_seen_fn seen, void *ctx,
    uint64_t *ret_size, struct qt_err *err)
{
	struct cpio *c = NULL;
	struct ent *e = NULL;
	uint8_t **bufs = NULL;
	size_t n = n_drivers + 2, i;
	int r = -1;

	if ((e = calloc(n, sizeof(*e))) == NULL ||
	    (sink.write != NULL && (bufs = calloc(n, sizeof(*bufs))) == NULL)) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (bootstrap_entries(init_path, drivers, e, n, bufs, seen, ctx, err) < 0)
		goto out;
	qsort(e, n, sizeof(*e), cmp_ent_path);
	for (i = 1; i < n; i++)
		if (strcmp(e[i - 1].path, e[i].path) == 0) {
			qt_err_set(
			    err, EINVAL, "bootstrap ramdisk: two entries named '%s'", e[i].path);
			goto out;
		}
	if (rd_cpio_begin(NULL, gzip, sink, entries, &c, err) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (rd_cpio_entry(c, "", &e[i], err) < 0)
			goto out;
	if (rd_cpio_end(c, err) < 0)
		goto out;
	if (ret_size != NULL)
		*ret_size = rd_cpio_size(c);
	r = 0;
out:
	rd_cpio_free(c);
	for (i = 0; bufs != NULL && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(e);
	return r;
}

int
ramdisk_write_bootstrap(const char *init_path, const char *const *drivers, size_t n_drivers,
    bool gzip, struct qt_sink sink, struct qt_err *err)
{
	return write_bootstrap(
	    init_path, drivers, n_drivers, gzip, NULL, sink, NULL, NULL, NULL, err);
}

int
ramdisk_write_bootstrap_seen(const char *init_path, const char *const *drivers, size_t n_drivers,
    bool gzip, atomic_uint_least64_t *entries, struct qt_sink sink, ramdisk_seen_fn seen, void *ctx,
    struct qt_err *err)
{
	return write_bootstrap(
	    init_path, drivers, n_drivers, gzip, entries, sink, seen, ctx, NULL, err);
}

int
ramdisk_bootstrap_size(const char *init_path, const char *const *drivers, size_t n_drivers,
    uint64_t *ret_entries, uint64_t *ret_bytes, struct qt_err *err)
{
	atomic_uint_least64_t n = 0;

	if (write_bootstrap(init_path, drivers, n_drivers, false, &n, (struct qt_sink){ 0 }, NULL,
	        NULL, ret_bytes, err) < 0)
		return -1;
	*ret_entries = atomic_load(&n);
	return 0;
}
