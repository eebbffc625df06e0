/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker.c: docker-archive:FILE[:IMAGE] sources (`docker save`):
 * manifest.json names the image's config and layer tars; each layer is
 * read straight out of the outer archive, hashed as it goes and checked
 * against its blob name or the config's rootfs.diff_ids.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "ramdisk_private.h"
#include "text.h"

/* libarchive's read callback for a layer tar inside the outer archive. */
struct nested {
	struct archive *outer;
	EVP_MD_CTX *md; /* hashes every byte handed over */
	uint64_t raw;   /* bytes handed over */
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
int
rd_outer_find(struct ramdisk_tree *t, const char *member, struct archive **ret, struct qt_err *err)
{
	struct archive *a;
	struct archive_entry *ae;
	char path[RAMDISK_PATH_MAX + 1];

	if (rd_src_reader(t, &a, err) < 0)
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
		    rd_norm_path(archive_entry_pathname(ae), path, sizeof(path)) == 0 &&
		    strcmp(path, member) == 0 && archive_entry_filetype(ae) == AE_IFREG) {
			*ret = a;
			return 0;
		}
	}
	archive_read_free(a);
	return qt_err_set(err, ENOENT, "%s: no member '%s'", t->name, member);
}

/* Read a small member whole (JSON). */
int
rd_outer_slurp(
    struct ramdisk_tree *t, const char *member, uint8_t **ret, size_t *ret_len, struct qt_err *err)
{
	struct archive *a = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	la_ssize_t n;
	int r = -1;

	if (rd_outer_find(t, member, &a, err) < 0)
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
bool
rd_name_digest(const char *name, struct digest *ret)
{
	const char *b = strrchr(name, '/');
	char tmp[80];

	b = b == NULL ? name : b + 1;
	if (strlen(b) < 64 || strspn(b, "0123456789abcdef") != 64 ||
	    (b[64] != '\0' && strcmp(b + 64, ".json") != 0 && strcmp(b + 64, ".tar") != 0))
		return false;
	snprintf(tmp, sizeof(tmp), "sha256:%.64s", b);
	return rd_digest_parse(tmp, ret) == 0;
}

/* The digest a blob name promises is over the stored bytes; diff_ids are over the tar. */
static bool
layer_digest(const char *member, const struct digest *diff_id, struct digest *want)
{
	if (rd_name_digest(member, want) && strncmp(member, "blobs/", 6) == 0)
		return false;
	*want = *diff_id;
	return true;
}

/* Hash what the tar reader left unread, then check the layer's digest. */
static int
layer_verify(struct nested *n, struct archive *in, const struct digest *want, bool by_diff,
    const char *ctx, struct qt_err *err)
{
	bool compressed = archive_filter_code(in, 0) != ARCHIVE_FILTER_NONE;
	const void *dummy;
	char got[129];

	while (nested_read(NULL, n, &dummy) > 0)
		;
	if (!n->eof)
		return qt_err_set(err, EIO, "%s: %s", ctx, archive_error_string(n->outer));
	if (rd_digest_check(n->md, want, got, sizeof(got)) != 0)
		return qt_err_set(err, EINVAL,
		    "%s: digest mismatch: expected %s:%s, layer is %s:%s%s", ctx, want->alg,
		    want->hex, want->alg, got,
		    compressed && by_diff ? " (compressed layer; diff_id is of the tar)" : "");
	return 0;
}

int
rd_archive_layer(struct ramdisk_tree *t, const char *member, uint32_t layer,
    const struct digest *want, bool by_diff, uint64_t *ret_raw, struct qt_err *err)
{
	struct archive *outer = NULL, *in = NULL;
	struct nested n = { 0 };
	char ctx[RD_CTX_MAX];
	int64_t base;
	int r = -1;

	rd_where(t, layer, ctx, sizeof(ctx));
	if (rd_outer_find(t, member, &outer, err) < 0)
		return -1;
	/* the layer's bytes start here in the file when the outer tar is plain */
	base = S_ISREG(t->src.st.st_mode) && archive_filter_code(outer, 0) == ARCHIVE_FILTER_NONE
	           ? archive_filter_bytes(outer, 0)
	           : -1;
	n.outer = outer;
	if ((n.md = EVP_MD_CTX_new()) == NULL || (in = rd_tar_reader()) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestInit_ex(n.md, want->md, NULL) != 1) {
		qt_err_ssl(err, "%s: hashing", ctx);
		goto out;
	}
	if (archive_read_open(in, &n, NULL, nested_read, NULL) != ARCHIVE_OK) {
		qt_err_set(err, EINVAL, "%s: %s", ctx, archive_error_string(in));
		goto out;
	}
	if (rd_read_layer(t, in, layer, true, base, err) < 0 ||
	    layer_verify(&n, in, want, by_diff, ctx, err) < 0)
		goto out;
	if (ret_raw != NULL)
		*ret_raw = n.raw;
	r = 0;
out:
	archive_read_free(in);
	archive_read_free(outer);
	EVP_MD_CTX_free(n.md);
	return r;
}

static int
load_layer(struct ramdisk_tree *t, const char *member, uint32_t layer, const struct digest *diff_id,
    struct qt_err *err)
{
	struct digest want;
	bool by_diff = layer_digest(member, diff_id, &want);

	return rd_archive_layer(t, member, layer, &want, by_diff, NULL, err);
}

/* Every RepoTags entry of every image, for messages. */
static void
list_tags(const json_t *root, char *buf, size_t size)
{
	const json_t *img, *v;
	size_t i, j;

	buf[0] = '\0';
	json_array_foreach(root, i, img) {
		json_array_foreach(json_object_get(img, "RepoTags"), j, v) {
			if (json_is_string(v))
				rd_list_add(buf, size, json_string_value(v));
		}
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "untagged images only");
}

/* How well image's RepoTags match ref: the best rd_ref_match of its tags. */
static int
image_match(const json_t *img, const char *ref)
{
	const json_t *v;
	size_t i;
	int best = RD_REF_NO, m;

	json_array_foreach(json_object_get(img, "RepoTags"), i, v) {
		if (!json_is_string(v))
			continue;
		m = rd_ref_match(ref, json_string_value(v));
		if (m == RD_REF_SAME || (m == RD_REF_SHORT && best == RD_REF_NO))
			best = m;
	}
	return best;
}

/* The image named ref by docker's rules: an exact match, else the only short-name match. */
static int
pick_by_ref(const struct ramdisk_tree *t, const json_t *root, const char *ref, const json_t **ret,
    struct qt_err *err)
{
	const json_t *same = NULL, *shrt = NULL;
	size_t i, nsame = 0, nshort = 0;
	char list[RD_LIST_MAX];

	for (i = 0; i < json_array_size(root); i++) {
		const json_t *v = json_array_get(root, i);
		int m = json_is_object(v) ? image_match(v, ref) : RD_REF_NO;

		if (m == RD_REF_SAME) {
			same = same != NULL ? same : v;
			nsame++;
		} else if (m == RD_REF_SHORT) {
			shrt = shrt != NULL ? shrt : v;
			nshort++;
		}
	}
	if (nsame == 1 || (nsame == 0 && nshort == 1)) {
		*ret = nsame == 1 ? same : shrt;
		return 0;
	}
	list_tags(root, list, sizeof(list));
	if (nsame > 1 || nshort > 1)
		return qt_err_set(err, EINVAL,
		    "%s: '%s' names %zu images; give the full reference (it holds: %s)", t->name,
		    ref, nsame > 1 ? nsame : nshort, list);
	return qt_err_set(
	    err, ENOENT, "%s: no image tagged '%s' (it holds: %s)", t->name, ref, list);
}

/* The image whose config blob has digest d (docker-archive:FILE@sha256:...). */
static int
pick_by_digest(const struct ramdisk_tree *t, const json_t *root, const struct digest *d,
    const json_t **ret, struct qt_err *err)
{
	const json_t *v;
	struct digest got;
	char list[RD_LIST_MAX], item[140];
	size_t i;

	list[0] = '\0';
	json_array_foreach(root, i, v) {
		const char *c = json_string_value(json_object_get(v, "Config"));
		if (c == NULL || !rd_name_digest(c, &got))
			continue;
		if (strcmp(got.alg, d->alg) == 0 && strcmp(got.hex, d->hex) == 0) {
			*ret = v;
			return 0;
		}
		snprintf(item, sizeof(item), "%s:%s", got.alg, got.hex);
		rd_list_add(list, sizeof(list), item);
	}
	return qt_err_set(err, ENOENT, "%s: no image with config digest %s:%s (it holds: %s)",
	    t->name, d->alg, d->hex, list[0] != '\0' ? list : "none named by digest");
}

/* manifest.json: a non-empty array of images. */
static int
read_manifest(struct ramdisk_tree *t, json_t **ret, struct qt_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	json_error_t je;
	json_t *root = NULL;

	if (rd_outer_slurp(t, "manifest.json", &buf, &len, err) < 0) {
		if (err->code == ENOENT) { /* say what the file is not */
			qt_err_clear(err);
			qt_err_set(err, ENOENT, "%s: no manifest.json: not a `docker save` archive",
			    t->name);
		}
		return -1;
	}
	root = json_loadb((char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (root == NULL)
		return qt_err_set(
		    err, EINVAL, "%s: manifest.json: line %d: %s", t->name, je.line, je.text);
	if (!json_is_array(root) || json_array_size(root) == 0) {
		json_decref(root);
		return qt_err_set(err, EINVAL, "%s: manifest.json: not a non-empty array", t->name);
	}
	*ret = root;
	return 0;
}

/* The image's RepoTags (strings only), kept for DockerInfo. */
static int
repo_tags(struct ramdisk_tree *t, const json_t *img, struct qt_err *err)
{
	const json_t *v;
	size_t i;

	if ((t->img.repo_tags = json_array()) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	json_array_foreach(json_object_get(img, "RepoTags"), i, v) {
		if (json_is_string(v) && json_array_append(t->img.repo_tags, (json_t *)v) != 0)
			return qt_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* The image named by reference or digest, or the only one; it must name its Config and Layers. */
static int
pick_image(struct ramdisk_tree *t, const json_t *root, const json_t **ret, struct qt_err *err)
{
	const json_t *img = NULL;
	size_t nimg = json_array_size(root);
	char list[RD_LIST_MAX];

	if (t->img.want_digest.md != NULL) {
		if (pick_by_digest(t, root, &t->img.want_digest, &img, err) < 0)
			return -1;
	} else if (t->img.want_ref != NULL) {
		if (pick_by_ref(t, root, t->img.want_ref, &img, err) < 0)
			return -1;
	} else if (nimg == 1) {
		img = json_array_get(root, 0);
	} else {
		list_tags(root, list, sizeof(list));
		return qt_err_set(err, EINVAL,
		    "%s: holds %zu images: name one as docker-archive:FILE:IMAGE (it holds: %s)",
		    t->name, nimg, list);
	}
	if (!json_is_object(img) || !json_is_string(json_object_get(img, "Config")) ||
	    !json_is_array(json_object_get(img, "Layers")))
		return qt_err_set(
		    err, EINVAL, "%s: manifest.json: image without Config or Layers", t->name);
	*ret = img;
	return repo_tags(t, img, err);
}

/* The image config named by img's Config (its name is left in cfgname), checked and parsed. */
static int
read_config(struct ramdisk_tree *t, const json_t *img, char *cfgname, size_t cfgsz, json_t **ret,
    struct qt_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	json_error_t je;
	struct digest d;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int r = -1;

	if (rd_norm_path(json_string_value(json_object_get(img, "Config")), cfgname, cfgsz) != 0)
		return qt_err_set(err, EINVAL, "%s: manifest.json: bad Config path", t->name);
	if (rd_outer_slurp(t, cfgname, &buf, &len, err) < 0)
		return -1;
	if (rd_name_digest(cfgname, &d) &&
	    rd_buf_digest_check(buf, len, &d, t->name, cfgname, err) < 0)
		goto out;
	if (rd_parse_config(&t->img, buf, len, t->name, err) < 0)
		goto out;
	/* the image ID docker prints: the config's sha256 */
	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		qt_err_ssl(err, "%s: %s: hashing", t->name, cfgname);
		goto out;
	}
	strcpy(t->img.config_digest, "sha256:");
	qt_hex(md, mdlen, t->img.config_digest + 7);
	if ((*ret = json_loadb((char *)buf, len, 0, &je)) == NULL) {
		qt_err_set(err, EINVAL, "%s: %s: %s", t->name, cfgname, je.text);
		goto out;
	}
	r = 0;
out:
	free(buf);
	return r;
}

/* Layer names from the manifest, one rootfs.diff_ids digest per layer from the config. */
static int
layer_list(struct ramdisk_tree *t, const json_t *layers, const json_t *cfg, const char *cfgname,
    struct digest **ret, struct qt_err *err)
{
	const json_t *diff = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids"), *v;
	char lname[RAMDISK_PATH_MAX + 1];
	struct digest *diffs;
	size_t i;

	if (!json_is_array(diff) || json_array_size(diff) != json_array_size(layers))
		return qt_err_set(err, EINVAL,
		    "%s: %s: rootfs.diff_ids does not list one digest per layer", t->name, cfgname);
	if (rd_layers_alloc(t, json_array_size(layers), err) < 0)
		return -1;
	if ((*ret = diffs = calloc(t->img.nlayers + 1, sizeof(*diffs))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	json_array_foreach(layers, i, v) {
		if (!json_is_string(v) ||
		    rd_norm_path(json_string_value(v), lname, sizeof(lname)) != 0 ||
		    lname[0] == '\0')
			return qt_err_set(
			    err, EINVAL, "%s: manifest.json: layer %zu: bad path", t->name, i + 1);
		if ((t->img.layer_names[i] = rd_strdup(lname, err)) == NULL)
			return -1;
		if (!json_is_string(json_array_get(diff, i)) ||
		    rd_digest_parse(json_string_value(json_array_get(diff, i)), &diffs[i]) < 0)
			return qt_err_set(err, EINVAL, "%s: %s: rootfs.diff_ids[%zu]: not a digest",
			    t->name, cfgname, i);
	}
	return 0;
}

int
rd_load_docker(struct ramdisk_tree *t, struct qt_err *err)
{
	json_t *root = NULL, *cfg = NULL;
	const json_t *img = NULL, *layers;
	char cfgname[RAMDISK_PATH_MAX + 1];
	struct digest *diffs = NULL;
	size_t i;
	int r = -1;

	if (rd_src_open(t, err) < 0 || read_manifest(t, &root, err) < 0 ||
	    pick_image(t, root, &img, err) < 0)
		goto out;
	layers = json_object_get(img, "Layers");
	if (read_config(t, img, cfgname, sizeof(cfgname), &cfg, err) < 0 ||
	    rd_check_platform(t, cfg, t->opts.platform, err) < 0 ||
	    layer_list(t, layers, cfg, cfgname, &diffs, err) < 0 ||
	    rd_spool_open(&t->spool, t->opts.tmpdir, err) < 0)
		goto out;
	for (i = 0; i < t->img.nlayers; i++)
		if (load_layer(t, t->img.layer_names[i], (uint32_t)i + 1, &diffs[i], err) < 0)
			goto out;
	t->st.layers = t->img.nlayers;
	r = 0;
out:
	free(diffs);
	json_decref(cfg);
	json_decref(root);
	return r;
}
