/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tree.c: the tree object and its lifecycle. ramdisk_tree_load names the
 * source kind, lets dir.c, tar.c, docker.c or oci.c fill the entry table,
 * has layers.c merge it, then keeps the survivors in byte-wise path order.
 * Also the helpers every source shares: path normalisation, the path index
 * of the entry table, limits and what the statistics note.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ramdisk_private.h"

/* ------------------------------------------------------------------ */
/* small helpers */

char *
rd_strdup(const char *s, struct qt_err *err)
{
	char *d = strdup(s);

	if (d == NULL)
		qt_err_set(err, ENOMEM, "out of memory");
	return d;
}

/*
 * Normalise an archive path: strip leading '/', drop empty and "." components,
 * resolve ".." lexically. Returns 0, -1 if it climbs out of the root, -2 if the
 * result does not fit in outsz. An empty result is the root itself.
 */
int
rd_norm_path(const char *in, char *out, size_t outsz)
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
const char *
rd_where(const struct ramdisk_tree *t, uint32_t layer, char *buf, size_t len)
{
	if ((t->kind == RAMDISK_SRC_DOCKER || t->kind == RAMDISK_SRC_OCI) && layer >= 1 &&
	    layer <= t->img.nlayers)
		snprintf(
		    buf, len, "%s: layer %u (%s)", t->name, layer, t->img.layer_names[layer - 1]);
	else
		snprintf(buf, len, "%s", t->name);
	return buf;
}

uint32_t
rd_clamp_mtime(const struct ramdisk_tree *t, int64_t mtime)
{
	if (mtime < 0)
		return 0;
	if ((uint64_t)mtime > t->opts.mtime_clamp)
		return t->opts.mtime_clamp;
	return (uint32_t)mtime;
}

/* One more entry read from the source: refuse it past --max-entries. */
int
rd_count_entry(struct ramdisk_tree *t, const char *ctx, struct qt_err *err)
{
	if (++t->st.entries > t->opts.max_entries)
		return qt_err_set(err, EFBIG,
		    "%s: more than %llu entries (limit; see --max-entries)", ctx,
		    (unsigned long long)t->opts.max_entries);
	return 0;
}

/* The error for an archive entry's contents past --max-bytes. */
int
rd_too_many_bytes(
    const struct ramdisk_tree *t, const char *ctx, const char *path, struct qt_err *err)
{
	return qt_err_set(err, EFBIG,
	    "%s: entry '%s': more than %llu bytes of contents (limit; see --max-bytes)", ctx, path,
	    (unsigned long long)t->opts.max_bytes);
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

/* An entry carried extended attributes (dropped). */
void
rd_note_xattrs(struct ramdisk_tree *t, const char *path)
{
	t->st.xattrs++;
	note_first(t->st.xattr_first, sizeof(t->st.xattr_first), path);
}

/* A device node or socket was skipped (see qt-build(1)). */
void
rd_note_device(struct ramdisk_tree *t, const char *path)
{
	t->st.devices++;
	note_first(t->st.device_first, sizeof(t->st.device_first), path);
}

/* Directory and OCI layout sources: t->rootfd is the named directory. */
int
rd_open_root(struct ramdisk_tree *t, struct qt_err *err)
{
	if ((t->rootfd = open(t->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", t->name, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------------ */
/* the entry table and its path index */

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
ht_grow(struct ent_table *tab, struct qt_err *err)
{
	size_t i, j, mask, oldcap = tab->htcap;
	uint32_t *old = tab->ht, *nt;

	tab->htcap = oldcap == 0 ? 1024 : oldcap * 2;
	if ((nt = calloc(tab->htcap, sizeof(*nt))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	tab->ht = nt;
	mask = tab->htcap - 1;
	for (i = 0; i < oldcap; i++) {
		if (old[i] == 0)
			continue;
		j = (size_t)fnv1a(tab->v[old[i] - 1].path) & mask;
		while (nt[j] != 0)
			j = (j + 1) & mask;
		nt[j] = old[i];
	}
	free(old);
	return 0;
}

/* Entry idx is now the newest with its path. */
int
rd_ht_put(struct ent_table *tab, size_t idx, struct qt_err *err)
{
	size_t i, mask;

	if ((tab->htused + 1) * 2 > tab->htcap && ht_grow(tab, err) < 0)
		return -1;
	mask = tab->htcap - 1;
	i = (size_t)fnv1a(tab->v[idx].path) & mask;
	while (tab->ht[i] != 0) {
		if (strcmp(tab->v[tab->ht[i] - 1].path, tab->v[idx].path) == 0) {
			tab->ht[i] = (uint32_t)(idx + 1);
			return 0;
		}
		i = (i + 1) & mask;
	}
	tab->ht[i] = (uint32_t)(idx + 1);
	tab->htused++;
	return 0;
}

struct ent *
rd_ht_get(const struct ent_table *tab, const char *path)
{
	size_t i, mask;

	if (tab->htcap == 0)
		return NULL;
	mask = tab->htcap - 1;
	i = (size_t)fnv1a(path) & mask;
	while (tab->ht[i] != 0) {
		if (strcmp(tab->v[tab->ht[i] - 1].path, path) == 0)
			return &tab->v[tab->ht[i] - 1];
		i = (i + 1) & mask;
	}
	return NULL;
}

/* Append an entry (path copied); returns its index through ret. */
int
rd_ent_add(struct ent_table *tab, const char *path, uint8_t kind, uint32_t layer, size_t *ret,
    struct qt_err *err)
{
	struct ent *g, *e;

	if (tab->n == tab->cap) {
		size_t cap = tab->cap == 0 ? 1024 : tab->cap * 2;
		if (cap > UINT32_MAX - 1 || (g = realloc(tab->v, cap * sizeof(*g))) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		tab->v = g;
		tab->cap = cap;
	}
	e = &tab->v[tab->n];
	memset(e, 0, sizeof(*e));
	if ((e->path = rd_strdup(path, err)) == NULL)
		return -1;
	e->kind = kind;
	e->layer = layer;
	e->seq = tab->seq++;
	e->nlink = 1;
	*ret = tab->n++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the survivors: hard-link counts, byte-wise path order */

/* Hard-link groups: only links that survived count; a group of one is no group. */
static int
count_links(struct ramdisk_tree *t, struct qt_err *err)
{
	uint32_t *gc;
	size_t i;

	if (t->tab.ngroups == 0)
		return 0;
	if ((gc = calloc(t->tab.ngroups + 1, sizeof(*gc))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	for (i = 0; i < t->out.n; i++)
		gc[t->tab.v[t->out.v[i]].group]++;
	for (i = 0; i < t->out.n; i++) {
		struct ent *e = &t->tab.v[t->out.v[i]];
		if (e->group != 0 && gc[e->group] > 1)
			e->nlink = gc[e->group];
		else
			e->group = 0;
	}
	free(gc);
	return 0;
}

static int
cmp_path(const void *pa, const void *pb, void *arg)
{
	const struct ent *ents = arg;

	return strcmp(ents[*(const size_t *)pa].path, ents[*(const size_t *)pb].path);
}

bool
rd_tree_has(const struct ramdisk_tree *t, const char *path)
{
	size_t lo = 0, hi = t->out.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->tab.v[t->out.v[mid]].path, path);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* lifecycle */

void
ramdisk_tree_free(struct ramdisk_tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->tab.n; i++) {
		free(t->tab.v[i].path);
		free(t->tab.v[i].link);
	}
	free(t->tab.v);
	free(t->tab.ht);
	free(t->out.v);
	for (i = 0; t->img.layer_names != NULL && i < t->img.nlayers; i++)
		free(t->img.layer_names[i]);
	free(t->img.layer_names);
	free(t->img.want_ref);
	free(t->img.recorded_ref);
	json_decref(t->img.config_doc);
	json_decref(t->img.repo_tags);
	ramdisk_strv_free(&t->img.cfg.entrypoint);
	ramdisk_strv_free(&t->img.cfg.cmd);
	ramdisk_strv_free(&t->img.cfg.env);
	free(t->img.cfg.workdir);
	free(t->img.cfg.user);
	free(t->spool.buf);
	if (t->rootfd >= 0)
		close(t->rootfd);
	if (t->spool.fd >= 0)
		close(t->spool.fd);
	if (t->src.fd >= 0)
		close(t->src.fd);
	free(t->name);
	free(t);
}

static struct ramdisk_tree *
tree_new(const struct ramdisk_opts *opts, struct qt_err *err)
{
	struct ramdisk_tree *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	t->rootfd = -1;
	t->spool.fd = -1;
	t->src.fd = -1;
	if (opts != NULL)
		t->opts = *opts;
	if (t->opts.max_entries == 0)
		t->opts.max_entries = RAMDISK_MAX_ENTRIES_DEFAULT;
	if (t->opts.max_bytes == 0)
		t->opts.max_bytes = RAMDISK_MAX_BYTES_DEFAULT;
	return t;
}

static const struct {
	const char *prefix;
	enum ramdisk_kind kind;
	const char *form;
} image_forms[] = {
	{ "docker-archive:", RAMDISK_SRC_DOCKER, "docker-archive:FILE[:IMAGE|@DIGEST]" },
	{ "oci-archive:", RAMDISK_SRC_OCI_ARCHIVE, "oci-archive:FILE[:REF|@DIGEST]" },
	{ "oci:", RAMDISK_SRC_OCI, "oci:DIR[:REF|@DIGEST]" },
};

/* The image form source starts with, or -1. */
static int
image_form(const char *source)
{
	size_t i;

	for (i = 0; i < sizeof(image_forms) / sizeof(image_forms[0]); i++)
		if (strncmp(source, image_forms[i].prefix, strlen(image_forms[i].prefix)) == 0)
			return (int)i;
	return -1;
}

/*
 * FORM:NAME[:REF] or FORM:NAME@DIGEST: kind, name, the reference or digest.
 * NAME ends at the first ':' as skopeo splits it.
 */
static int
split_image_source(struct ramdisk_tree *t, const char *source, int form, struct qt_err *err)
{
	const char *rest = source + strlen(image_forms[form].prefix), *sep = strchr(rest, ':');
	size_t nl = sep != NULL ? (size_t)(sep - rest) : strlen(rest);
	bool digest = false;

	t->kind = image_forms[form].kind;
	if (sep != NULL && nl > 7 &&
	    (memcmp(sep - 7, "@sha256", 7) == 0 || memcmp(sep - 7, "@sha512", 7) == 0)) {
		digest = true;
		nl -= 7;
		if (rd_digest_parse(sep - 6, &t->img.want_digest) < 0)
			return qt_err_set(err, EINVAL, "'%s': '%s' is not a digest (%s)", source,
			    sep - 6, "sha256: or sha512: and lower-case hex");
	}
	if ((t->name = strndup(rest, nl)) == NULL ||
	    (!digest && sep != NULL && (t->img.want_ref = strdup(sep + 1)) == NULL))
		return qt_err_set(err, ENOMEM, "out of memory");
	if (t->name[0] == '\0' || (t->img.want_ref != NULL && t->img.want_ref[0] == '\0'))
		return qt_err_set(err, EINVAL, "'%s': expected %s", source, image_forms[form].form);
	return 0;
}

/* A registry reference or transport qt does not read: say how to get an archive. */
static int
registry_source(const char *source, struct qt_err *err)
{
	const char *ref = strncmp(source, "docker://", 9) == 0 ? source + 9 : source;

	return qt_err_set(err, EINVAL,
	    "%s: qt reads no registry or image store; save the image to an archive first "
	    "(`skopeo copy docker://%s docker-archive:image.tar` or `docker save -o image.tar "
	    "%s`) and give --rootfs docker-archive:image.tar",
	    source, ref, ref);
}

/* Transports of other tools (skopeo, podman) that name no file qt could read. */
static bool
foreign_transport(const char *source)
{
	static const char *const t[] = { "docker://",
		"docker-daemon:", "containers-storage:", "registry:", "podman:" };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strncmp(source, t[i], strlen(t[i])) == 0)
			return true;
	return strstr(source, "://") != NULL;
}

/* A tarball or directory that is an image archive, not a root file system: which form. */
static const char *
image_in_disguise(const struct ramdisk_tree *t)
{
	if (rd_tree_has(t, "manifest.json")) {
		if (rd_tree_has(t, "repositories") || rd_tree_has(t, "oci-layout"))
			return "docker-archive";
		for (size_t i = 0; i < t->out.n; i++) {
			const char *p = t->tab.v[t->out.v[i]].path, *s = strchr(p, '/');
			if (s != NULL && strcmp(s, "/layer.tar") == 0)
				return "docker-archive";
		}
	}
	if (rd_tree_has(t, "oci-layout") && rd_tree_has(t, "index.json"))
		return t->kind == RAMDISK_SRC_DIR ? "oci" : "oci-archive";
	return NULL;
}

/* Fill the entry table from the source, whichever kind it is. */
static int
load_source(struct ramdisk_tree *t, const char *source, struct qt_err *err)
{
	struct stat st;
	int form = image_form(source);

	if (form >= 0) {
		if (split_image_source(t, source, form, err) < 0)
			return -1;
		return t->kind == RAMDISK_SRC_DOCKER ? rd_load_docker(t, err) : rd_load_oci(t, err);
	}
	if ((t->name = strdup(source)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (foreign_transport(source))
		return registry_source(source, err);
	if (stat(source, &st) < 0) {
		if (errno == ENOENT && rd_looks_like_ref(source))
			return registry_source(source, err);
		return qt_err_set(err, errno, "%s: %s", source, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		t->kind = RAMDISK_SRC_DIR;
		return rd_load_dir(t, err);
	}
	t->kind = RAMDISK_SRC_TAR;
	return rd_load_tar(t, err);
}

/* Merge the layers, count hard links, sort; drop what only reading needed. */
static int
tree_finish(struct ramdisk_tree *t, struct qt_err *err)
{
	if (t->spool.fd >= 0 && rd_spool_flush(&t->spool, err) < 0)
		return -1;
	if (rd_resolve(t, err) < 0 || count_links(t, err) < 0)
		return -1;
	if (t->out.n > 0) /* qsort_r(NULL, 0, ...) is undefined */
		qsort_r(t->out.v, t->out.n, sizeof(*t->out.v), cmp_path, t->tab.v);
	t->st.written = t->out.n;
	free(t->tab.ht);
	t->tab.ht = NULL;
	t->tab.htcap = t->tab.htused = 0;
	free(t->spool.buf);
	t->spool.buf = NULL;
	return 0;
}

int
ramdisk_tree_load(const char *source, const struct ramdisk_opts *opts, struct ramdisk_tree **ret,
    struct qt_err *err)
{
	struct ramdisk_tree *t;
	const char *form;

	if ((t = tree_new(opts, err)) == NULL)
		return -1;
	if (load_source(t, source, err) < 0 || tree_finish(t, err) < 0)
		goto fail;
	if ((t->kind == RAMDISK_SRC_TAR || t->kind == RAMDISK_SRC_DIR) &&
	    (form = image_in_disguise(t)) != NULL) {
		qt_err_set(err, EINVAL, "%s: %s, not a root file system: use %s:%s", t->name,
		    strcmp(form, "docker-archive") == 0 ? "a `docker save` archive"
		    : strcmp(form, "oci") == 0          ? "an OCI image layout"
		                                        : "an OCI image layout archive",
		    form, t->name);
		goto fail;
	}
	*ret = t;
	return 0;
fail:
	ramdisk_tree_free(t);
	return -1;
}

enum ramdisk_kind
ramdisk_tree_kind(const struct ramdisk_tree *t)
{
	return t->kind;
}

const struct ramdisk_config *
ramdisk_tree_config(const struct ramdisk_tree *t)
{
	return t->img.has_cfg ? &t->img.cfg : NULL;
}

const struct ramdisk_stats *
ramdisk_tree_stats(const struct ramdisk_tree *t)
{
	return &t->st;
}
