/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci.c: oci:DIR[:REF|@DIGEST] sources (OCI image layout) and
 * oci-archive:FILE[:REF|@DIGEST] (the same layout in a tar, as `podman save
 * --format oci-archive` writes it): index.json -> (nested indexes ->)
 * manifest -> config + layers, every blob read by digest from
 * blobs/<alg>/<hex>, hashed as it is read and checked against its
 * descriptor's digest and size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "ramdisk_private.h"

#define BLOB_BUF      (1 << 16)
#define PLATFORM_DFLT "linux/amd64"

/* libarchive's read callback for a layer blob. */
struct blobrd {
	int fd;
	EVP_MD_CTX *md; /* hashes every byte read */
	uint64_t raw;
	uint8_t *buf;
	bool eof;
	bool ioerr;
};

static la_ssize_t
blob_read(struct archive *a, void *cd, const void **buf)
{
	struct blobrd *b = cd;
	size_t n;

	if (b->eof)
		return 0;
	if (fileio_read_full(b->fd, b->buf, BLOB_BUF, -1, &n) < 0) {
		b->ioerr = true;
		if (a != NULL)
			archive_set_error(a, errno, "read error: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		b->eof = true;
		return 0;
	}
	if (EVP_DigestUpdate(b->md, b->buf, n) != 1)
		return -1;
	b->raw += (uint64_t)n;
	*buf = b->buf;
	return (ssize_t)n;
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

/* Read the blob of digest d whole, at most RAMDISK_JSON_MAX bytes. */
static int
blob_slurp(const struct ramdisk_tree *t, const struct digest *d, const char *what, uint8_t **ret,
    size_t *ret_len, struct qt_err *err)
{
	uint8_t *buf = NULL;
	size_t n;
	int fd = -1, r = -1;
	char member[200];

	if (t->kind == RAMDISK_SRC_OCI_ARCHIVE) {
		snprintf(member, sizeof(member), "blobs/%s/%s", d->alg, d->hex);
		return rd_outer_slurp((struct ramdisk_tree *)t, member, ret, ret_len, err);
	}
	if (blob_open(t, d, t->name, &fd, err) < 0)
		return -1;
	if ((buf = malloc(RAMDISK_JSON_MAX + 1)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (fileio_read_full(fd, buf, RAMDISK_JSON_MAX + 1, -1, &n) < 0) {
		qt_err_set(err, errno, "%s: %s: %s", t->name, what, strerror(errno));
		goto out;
	}
	if (n > RAMDISK_JSON_MAX) {
		qt_err_set(
		    err, EFBIG, "%s: %s: larger than %u bytes", t->name, what, RAMDISK_JSON_MAX);
		goto out;
	}
	*ret = buf;
	*ret_len = n;
	buf = NULL;
	r = 0;
out:
	close(fd);
	free(buf);
	return r;
}

/* Read a JSON blob, verify its digest and size, parse it; ret_buf (if not NULL) gets the bytes. */
static int
blob_json(const struct ramdisk_tree *t, const json_t *desc, const char *what, json_t **ret,
    uint8_t **ret_buf, size_t *ret_len, struct qt_err *err)
{
	struct digest d;
	json_t *dg = json_object_get(desc, "digest"), *sz = json_object_get(desc, "size");
	json_error_t je;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = -1;

	if (!json_is_string(dg) || rd_digest_parse(json_string_value(dg), &d) < 0)
		return qt_err_set(
		    err, EINVAL, "%s: %s: descriptor without a valid digest", t->name, what);
	if (blob_slurp(t, &d, what, &buf, &len, err) < 0)
		return -1;
	if (rd_buf_digest_check(buf, len, &d, t->name, what, err) < 0)
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

static const char *
platform(const struct ramdisk_tree *t)
{
	return t->opts.platform != NULL ? t->opts.platform : PLATFORM_DFLT;
}

/* "os/arch[/variant]" of a descriptor's platform, "" if it has none. */
static void
desc_platform(const json_t *d, char *buf, size_t size)
{
	const json_t *p = json_object_get(d, "platform");
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *var = json_string_value(json_object_get(p, "variant"));

	buf[0] = '\0';
	if (os != NULL && arch != NULL)
		snprintf(buf, size, "%s/%s%s%s", os, arch, var != NULL ? "/" : "", var ? var : "");
}

static const char *
ref_name(const json_t *d)
{
	return json_string_value(json_object_get(
	    json_object_get(d, "annotations"), "org.opencontainers.image.ref.name"));
}

/* The list of what an index holds: names (or digests) and platforms. */
static void
list_index(const json_t *m, bool digests, char *buf, size_t size)
{
	const json_t *d;
	char item[300], plat[128];
	size_t i;

	buf[0] = '\0';
	json_array_foreach(m, i, d) {
		const char *name =
		    digests ? json_string_value(json_object_get(d, "digest")) : ref_name(d);
		desc_platform(d, plat, sizeof(plat));
		if (name == NULL)
			snprintf(item, sizeof(item), "%s", plat[0] != '\0' ? plat : "(unnamed)");
		else
			snprintf(item, sizeof(item), "%s%s%s%s", name, plat[0] != '\0' ? " [" : "",
			    plat, plat[0] != '\0' ? "]" : "");
		rd_list_add(buf, size, item);
	}
}

/* The top-level ref name of the chosen image, kept for provenance. */
static int
keep_ref_name(struct ramdisk_tree *t, const json_t *d, struct qt_err *err)
{
	const char *name = ref_name(d);

	if (name == NULL || t->img.recorded_ref != NULL)
		return 0;
	if ((t->img.recorded_ref = strdup(name)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	return 0;
}

/* The descriptor of digest *want; a lone nested index is followed with *want still to find. */
static int
pick_by_digest(struct ramdisk_tree *t, const json_t *m, const struct digest **want,
    const char *what, const json_t **ret, struct qt_err *err)
{
	char dg[140], list[RD_LIST_MAX];
	const json_t *d;
	size_t i;

	snprintf(dg, sizeof(dg), "%s:%s", (*want)->alg, (*want)->hex);
	json_array_foreach(m, i, d) {
		const char *s = json_string_value(json_object_get(d, "digest"));
		if (s != NULL && strcmp(s, dg) == 0) {
			*ret = d;
			*want = NULL;
			return keep_ref_name(t, d, err);
		}
	}
	d = json_array_get(m, 0);
	if (json_array_size(m) == 1 &&
	    is_index_type(json_string_value(json_object_get(d, "mediaType")))) {
		*ret = d;
		return 0;
	}
	list_index(m, true, list, sizeof(list));
	return qt_err_set(err, ENOENT, "%s: %s: no manifest with digest %s (it holds: %s)", t->name,
	    what, dg, list);
}

/* How d's name matches ref (RD_REF_SAME when there is no ref). */
static int ref_level(const json_t *d, const char *ref);

/* The best match of ref among the manifests m: RD_REF_SAME, else RD_REF_SHORT, else RD_REF_NO. */
static int
best_level(const json_t *m, const char *ref)
{
	bool shrt = false;
	size_t i;

	for (i = 0; i < json_array_size(m); i++) {
		int l = ref_level(json_array_get(m, i), ref);

		if (l == RD_REF_SAME)
			return l;
		shrt |= l == RD_REF_SHORT;
	}
	return shrt ? RD_REF_SHORT : RD_REF_NO;
}

/* How d's name matches ref (RD_REF_SAME when there is no ref). */
static int
ref_level(const json_t *d, const char *ref)
{
	const char *name;

	if (ref == NULL)
		return RD_REF_SAME;
	name = ref_name(d);
	return name != NULL ? rd_ref_match(ref, name) : RD_REF_NO;
}

/*
 * Pick one manifest descriptor out of an index: by digest or reference name
 * when given (docker's rules: the same image, else the one image a short
 * name matches), then by platform when several remain.
 */
static int
pick_manifest(struct ramdisk_tree *t, const json_t *index, const char *ref,
    const struct digest **want, const char *what, const json_t **ret, struct qt_err *err)
{
	const json_t *m = json_object_get(index, "manifests"), *d, *pick = NULL;
	const char *plat = platform(t), *first = NULL;
	char list[RD_LIST_MAX], dp[128];
	size_t i, n = 0, match = 0, nplat = 0;
	int level = RD_REF_SAME;
	bool several_names = false;

	if (!json_is_array(m) || json_array_size(m) == 0)
		return qt_err_set(err, EINVAL, "%s: %s: no manifests", t->name, what);
	if (*want != NULL)
		return pick_by_digest(t, m, want, what, ret, err);
	if (ref != NULL)
		level = best_level(m, ref);
	json_array_foreach(m, i, d) {
		if (level == RD_REF_NO || ref_level(d, ref) != level)
			continue;
		if (ref != NULL && first != NULL && strcmp(first, ref_name(d)) != 0)
			several_names = true;
		if (ref != NULL && first == NULL)
			first = ref_name(d);
		n++;
		nplat += json_object_get(d, "platform") != NULL;
		if (json_object_get(d, "platform") == NULL) {
			if (pick == NULL)
				pick = d;
			continue;
		}
		desc_platform(d, dp, sizeof(dp));
		if (rd_platform_match(plat, dp) && match++ == 0)
			pick = d;
	}
	list_index(m, false, list, sizeof(list));
	if (n == 0)
		return qt_err_set(err, ENOENT, "%s: %s: no manifest named '%s' (it holds: %s)",
		    t->name, what, ref, list);
	if (several_names && level == RD_REF_SHORT)
		return qt_err_set(err, EINVAL,
		    "%s: %s: '%s' names several images; give the full reference (it holds: %s)",
		    t->name, what, ref, list);
	if (n > 1 && nplat == 0)
		return qt_err_set(err, EINVAL,
		    "%s: %s: holds %zu images: name one as %s:%s:REF (it holds: %s)", t->name, what,
		    n, t->kind == RAMDISK_SRC_OCI ? "oci" : "oci-archive",
		    t->kind == RAMDISK_SRC_OCI ? "DIR" : "FILE", list);
	if ((n > 1 && match == 0) || pick == NULL)
		return qt_err_set(err, ENOENT, "%s: %s: no manifest for platform %s (it holds: %s)",
		    t->name, what, plat, list);
	if (n > 1 && match > 1)
		return qt_err_set(err, EINVAL,
		    "%s: %s: %zu manifests for platform %s: name one by reference or digest (it "
		    "holds: %s)",
		    t->name, what, match, plat, list);
	*ret = pick;
	return keep_ref_name(t, pick, err);
}

/* Read the layer blob to its end, then check its digest and size. */
static int
layer_verify(
    struct blobrd *b, const struct digest *d, const json_t *sz, const char *ctx, struct qt_err *err)
{
	const void *dummy;
	char got[129];

	while (blob_read(NULL, b, &dummy) > 0)
		;
	if (b->ioerr)
		return qt_err_set(err, EIO, "%s: read error", ctx);
	if (rd_digest_check(b->md, d, got, sizeof(got)) != 0)
		return qt_err_set(err, EINVAL, "%s: digest mismatch: expected %s:%s, blob is %s:%s",
		    ctx, d->alg, d->hex, d->alg, got);
	if (json_is_integer(sz) && (json_int_t)b->raw != json_integer_value(sz))
		return qt_err_set(err, EINVAL, "%s: size %llu, descriptor says %lld", ctx,
		    (unsigned long long)b->raw, (long long)json_integer_value(sz));
	return 0;
}

static int
load_layer(struct ramdisk_tree *t, const json_t *desc, uint32_t layer, struct qt_err *err)
{
	struct blobrd b = { .fd = -1 };
	struct archive *in = NULL;
	struct digest d;
	char ctx[RD_CTX_MAX], member[200];
	const json_t *sz;
	const char *dg;
	int r = -1;

	rd_where(t, layer, ctx, sizeof(ctx));
	dg = json_string_value(json_object_get(desc, "digest"));
	if (dg == NULL || rd_digest_parse(dg, &d) < 0) {
		qt_err_set(err, EINVAL, "%s: descriptor without a valid digest", ctx);
		goto out;
	}
	if (t->kind == RAMDISK_SRC_OCI_ARCHIVE) {
		snprintf(member, sizeof(member), "blobs/%s/%s", d.alg, d.hex);
		if (rd_archive_layer(t, member, layer, &d, false, &b.raw, err) < 0)
			goto out;
		sz = json_object_get(desc, "size");
		if (json_is_integer(sz) && (json_int_t)b.raw != json_integer_value(sz)) {
			qt_err_set(err, EINVAL, "%s: size %llu, descriptor says %lld", ctx,
			    (unsigned long long)b.raw, (long long)json_integer_value(sz));
			goto out;
		}
		r = 0;
		goto out;
	}
	if (blob_open(t, &d, ctx, &b.fd, err) < 0)
		goto out;
	if ((b.md = EVP_MD_CTX_new()) == NULL || (b.buf = malloc(BLOB_BUF)) == NULL ||
	    (in = rd_tar_reader()) == NULL) {
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
	if (rd_read_layer(t, in, layer, true, -1, err) < 0 ||
	    layer_verify(&b, &d, json_object_get(desc, "size"), ctx, err) < 0)
		goto out;
	r = 0;
out:
	archive_read_free(in);
	if (b.fd >= 0)
		close(b.fd);
	free(b.buf);
	EVP_MD_CTX_free(b.md);
	return r;
}

/* The layout's oci-layout marker and index.json. */
static int
read_index(struct ramdisk_tree *t, json_t **ret, struct qt_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	json_error_t je;
	char *p = NULL;
	struct archive *a = NULL;

	if (t->kind == RAMDISK_SRC_OCI_ARCHIVE) {
		if (rd_src_open(t, err) < 0)
			return -1;
		if (rd_outer_find(t, "oci-layout", &a, err) < 0) {
			if (err->code != ENOENT)
				return -1;
			qt_err_clear(err);
			return qt_err_set(err, ENOENT,
			    "%s: not an OCI image layout archive (no oci-layout file)", t->name);
		}
		archive_read_free(a);
		if (rd_outer_slurp(t, "index.json", &buf, &len, err) < 0)
			return -1;
	} else {
		if (rd_open_root(t, err) < 0)
			return -1;
		if (faccessat(t->rootfd, "oci-layout", R_OK, 0) != 0)
			return qt_err_set(err, ENOENT,
			    "%s: not an OCI image layout (no oci-layout file)", t->name);
		if (asprintf(&p, "%s/index.json", t->name) < 0)
			return qt_err_set(err, ENOMEM, "out of memory");
		int r = fileio_read_all(p, RAMDISK_JSON_MAX, &buf, &len, err);
		free(p);
		if (r < 0)
			return -1;
	}
	*ret = json_loadb((char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (*ret == NULL)
		return qt_err_set(
		    err, EINVAL, "%s: index.json: line %d: %s", t->name, je.line, je.text);
	return 0;
}

/*
 * From *index down to one image manifest (*man), following nested indexes
 * (multi-platform images); *index may be replaced by a nested one. Both are
 * the caller's to free.
 */
static int
find_manifest(struct ramdisk_tree *t, json_t **index, json_t **man, struct qt_err *err)
{
	const struct digest *want = t->img.want_digest.md != NULL ? &t->img.want_digest : NULL;
	const json_t *desc = NULL;
	json_t *next = NULL;
	char what[64];
	size_t depth;

	if (pick_manifest(t, *index, t->img.want_ref, &want, "index.json", &desc, err) < 0)
		return -1;
	for (depth = 0;; depth++) {
		const char *mt = json_string_value(json_object_get(desc, "mediaType"));
		snprintf(what, sizeof(what), depth == 0 ? "manifest" : "manifest (level %zu)",
		    depth + 1);
		if (blob_json(t, desc, what, &next, NULL, NULL, err) < 0)
			return -1;
		snprintf(t->img.manifest_digest, sizeof(t->img.manifest_digest), "%s",
		    json_string_value(json_object_get(desc, "digest")));
		json_decref(*man);
		*man = next;
		if (!is_index_type(mt) &&
		    !is_index_type(json_string_value(json_object_get(*man, "mediaType")))) {
			if (want != NULL) /* the digest named no manifest of the nested indexes */
				return qt_err_set(err, ENOENT,
				    "%s: %s: no manifest with digest %s:%s", t->name, what,
				    want->alg, want->hex);
			return 0;
		}
		if (depth >= 4)
			return qt_err_set(
			    err, EINVAL, "%s: image indexes nested too deep", t->name);
		if (pick_manifest(t, *man, NULL, &want, what, &desc, err) < 0)
			return -1;
		json_decref(*index); /* desc now points into man, which becomes the index */
		*index = *man;
		*man = NULL;
	}
}

/* The manifest's config (parsed into t->img, for the platform wanted) and its layer list. */
static int
read_image(struct ramdisk_tree *t, const json_t *man, struct qt_err *err)
{
	const json_t *layers = json_object_get(man, "layers"), *v;
	json_t *cfg = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, i;
	int r = -1;

	if (!json_is_object(json_object_get(man, "config")) || !json_is_array(layers))
		return qt_err_set(err, EINVAL, "%s: manifest: no config or layers", t->name);
	if (blob_json(t, json_object_get(man, "config"), "config", &cfg, &buf, &len, err) < 0)
		return -1;
	snprintf(t->img.config_digest, sizeof(t->img.config_digest), "%s",
	    json_string_value(json_object_get(json_object_get(man, "config"), "digest")));
	if (rd_parse_config(&t->img, buf, len, t->name, err) < 0 ||
	    rd_check_platform(t, cfg, platform(t), err) < 0 ||
	    rd_layers_alloc(t, json_array_size(layers), err) < 0)
		goto out;
	json_array_foreach(layers, i, v) {
		const char *dg = json_string_value(json_object_get(v, "digest"));

		if ((t->img.layer_names[i] = rd_strdup(dg != NULL ? dg : "?", err)) == NULL)
			goto out;
	}
	r = 0;
out:
	json_decref(cfg);
	free(buf);
	return r;
}

int
rd_load_oci(struct ramdisk_tree *t, struct qt_err *err)
{
	json_t *index = NULL, *man = NULL, *layers, *v;
	size_t i;
	int r = -1;

	if (read_index(t, &index, err) < 0 || find_manifest(t, &index, &man, err) < 0 ||
	    read_image(t, man, err) < 0 || rd_spool_open(&t->spool, t->opts.tmpdir, err) < 0)
		goto out;
	layers = json_object_get(man, "layers");
	json_array_foreach(layers, i, v) {
		if (load_layer(t, v, (uint32_t)i + 1, err) < 0)
			goto out;
	}
	t->st.layers = t->img.nlayers;
	r = 0;
out:
	json_decref(man);
	json_decref(index);
	return r;
}
