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

/* libarchive's read callback for a layer tar inside the outer archive. */
struct nested {
	struct archive *outer;
	EVP_MD_CTX *md; /* hashes every byte handed over */
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
	return (la_ssize_t)len;
}

/* Open the outer archive and position it on member (normalised name). */
static int
outer_find(struct ramdisk_tree *t, const char *member, struct archive **ret, struct qt_err *err)
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
	return rd_digest_parse(tmp, ret) == 0;
}

/* The digest a blob name promises is over the stored bytes; diff_ids are over the tar. */
static bool
layer_digest(const char *member, const struct digest *diff_id, struct digest *want)
{
	if (name_digest(member, want) && strncmp(member, "blobs/", 6) == 0)
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

static int
load_layer(struct ramdisk_tree *t, const char *member, uint32_t layer, const struct digest *diff_id,
    struct qt_err *err)
{
	struct archive *outer = NULL, *in = NULL;
	struct nested n = { 0 };
	struct digest want;
	char ctx[RD_CTX_MAX];
	bool by_diff;
	int64_t base;
	int r = -1;

	rd_where(t, layer, ctx, sizeof(ctx));
	if (outer_find(t, member, &outer, err) < 0)
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
	by_diff = layer_digest(member, diff_id, &want);
	if (EVP_DigestInit_ex(n.md, want.md, NULL) != 1) {
		qt_err_ssl(err, "%s: hashing", ctx);
		goto out;
	}
	if (archive_read_open(in, &n, NULL, nested_read, NULL) != ARCHIVE_OK) {
		qt_err_set(err, EINVAL, "%s: %s", ctx, archive_error_string(in));
		goto out;
	}
	if (rd_read_layer(t, in, layer, true, base, err) < 0 ||
	    layer_verify(&n, in, &want, by_diff, ctx, err) < 0)
		goto out;
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
	json_array_foreach(tags, i, v) {
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

/* manifest.json: a non-empty array of images. */
static int
read_manifest(struct ramdisk_tree *t, json_t **ret, struct qt_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	json_error_t je;
	json_t *root = NULL;

	if (outer_slurp(t, "manifest.json", &buf, &len, err) < 0) {
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

/* The image tagged image, or the only one; it must name its Config and Layers. */
static int
pick_image(const struct ramdisk_tree *t, const json_t *root, const char *image, const json_t **ret,
    struct qt_err *err)
{
	const json_t *img = NULL;
	size_t nimg = json_array_size(root);

	if (image != NULL) {
		const json_t *v;
		size_t i;

		json_array_foreach(root, i, v) {
			if (json_is_object(v) &&
			    repotag_match(json_object_get(v, "RepoTags"), image)) {
				img = v;
				break;
			}
		}
		if (img == NULL)
			return qt_err_set(
			    err, ENOENT, "%s: manifest.json: no image tagged '%s'", t->name, image);
	} else if (nimg == 1) {
		img = json_array_get(root, 0);
	} else {
		return qt_err_set(err, EINVAL,
		    "%s: holds %zu images: name one as docker-archive:FILE:IMAGE", t->name, nimg);
	}
	if (!json_is_object(img) || !json_is_string(json_object_get(img, "Config")) ||
	    !json_is_array(json_object_get(img, "Layers")))
		return qt_err_set(
		    err, EINVAL, "%s: manifest.json: image without Config or Layers", t->name);
	*ret = img;
	return 0;
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
	int r = -1;

	if (rd_norm_path(json_string_value(json_object_get(img, "Config")), cfgname, cfgsz) != 0)
		return qt_err_set(err, EINVAL, "%s: manifest.json: bad Config path", t->name);
	if (outer_slurp(t, cfgname, &buf, &len, err) < 0)
		return -1;
	if (name_digest(cfgname, &d) &&
	    rd_buf_digest_check(buf, len, &d, t->name, cfgname, err) < 0)
		goto out;
	if (rd_parse_config(&t->img, buf, len, t->name, err) < 0)
		goto out;
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
rd_load_docker(struct ramdisk_tree *t, const char *image, struct qt_err *err)
{
	json_t *root = NULL, *cfg = NULL;
	const json_t *img = NULL, *layers;
	char cfgname[RAMDISK_PATH_MAX + 1];
	struct digest *diffs = NULL;
	size_t i;
	int r = -1;

	if (rd_src_open(t, err) < 0 || read_manifest(t, &root, err) < 0 ||
	    pick_image(t, root, image, &img, err) < 0)
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
