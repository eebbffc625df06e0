/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c: what docker-archive and OCI layout sources share: content
 * digests, the image configuration (Entrypoint, Cmd, Env, WorkingDir),
 * platform selection and the list of layers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "ramdisk_private.h"
#include "text.h"

/* "sha256:<64 hex>" or "sha512:<128 hex>", lower case (OCI image-spec descriptor). */
int
rd_digest_parse(const char *s, struct digest *ret)
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
int
rd_digest_check(EVP_MD_CTX *md, const struct digest *want, char *got, size_t gotlen)
{
	uint8_t out[EVP_MAX_MD_SIZE];
	unsigned olen = 0;

	if (EVP_DigestFinal_ex(md, out, &olen) != 1 || olen * 2 + 1 > gotlen)
		return -1;
	qt_hex(out, olen, got);
	return strcmp(got, want->hex) == 0 ? 0 : 1;
}

/* A whole blob (manifest, config) against the digest that names it. */
int
rd_buf_digest_check(const uint8_t *buf, size_t len, const struct digest *want, const char *ctx,
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
	r = rd_digest_check(md, want, got, sizeof(got));
	EVP_MD_CTX_free(md);
	if (r != 0)
		return qt_err_set(err, EINVAL,
		    "%s: %s: digest mismatch: expected %s:%s, blob is %s:%s", ctx, what, want->alg,
		    want->hex, want->alg, got);
	return 0;
}

static int
strv_from_json(const json_t *arr, struct ramdisk_strv *ret, const char *ctx, const char *key,
    struct qt_err *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return qt_err_set(err, EINVAL, "%s: config: %s is not an array", ctx, key);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return qt_err_set(
			    err, EINVAL, "%s: config: %s[%zu] is not a string", ctx, key, i);
		if (rd_strv_push(ret, json_string_value(v), err) < 0)
			return -1;
	}
	return 0;
}

/* The members of the "config" object that the command and environment need. */
static int
config_fields(struct ramdisk_config *cfg, const json_t *c, const char *ctx, struct qt_err *err)
{
	const json_t *v;

	if ((v = json_object_get(c, "Entrypoint")) != NULL && !json_is_null(v)) {
		cfg->has_entrypoint = true;
		if (strv_from_json(v, &cfg->entrypoint, ctx, "Entrypoint", err) < 0)
			return -1;
	}
	if ((v = json_object_get(c, "Cmd")) != NULL && !json_is_null(v)) {
		cfg->has_cmd = true;
		if (strv_from_json(v, &cfg->cmd, ctx, "Cmd", err) < 0)
			return -1;
	}
	if ((v = json_object_get(c, "Env")) != NULL && !json_is_null(v) &&
	    strv_from_json(v, &cfg->env, ctx, "Env", err) < 0)
		return -1;
	if ((v = json_object_get(c, "User")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v))
			return qt_err_set(err, EINVAL, "%s: config: User is not a string", ctx);
		if (json_string_length(v) > 0 &&
		    (cfg->user = rd_strdup(json_string_value(v), err)) == NULL)
			return -1;
	}
	if ((v = json_object_get(c, "WorkingDir")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v))
			return qt_err_set(
			    err, EINVAL, "%s: config: WorkingDir is not a string", ctx);
		if (json_string_length(v) > 0 &&
		    (cfg->workdir = rd_strdup(json_string_value(v), err)) == NULL)
			return -1;
	}
	return 0;
}

/* The "config" object of a docker or OCI image configuration. */
int
rd_parse_config(
    struct image *img, const uint8_t *buf, size_t len, const char *ctx, struct qt_err *err)
{
	json_error_t je;
	json_t *root, *c;
	int r = -1;

	if ((root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return qt_err_set(err, EINVAL, "%s: config: line %d: %s", ctx, je.line, je.text);
	if (!json_is_object(root)) {
		qt_err_set(err, EINVAL, "%s: config: not a JSON object", ctx);
		goto out;
	}
	img->has_cfg = true;
	json_decref(img->config_doc);
	img->config_doc = json_incref(root);
	c = json_object_get(root, "config");
	if (c == NULL || json_is_null(c)) {
		r = 0;
		goto out;
	}
	if (!json_is_object(c)) {
		qt_err_set(err, EINVAL, "%s: config: \"config\" is not an object", ctx);
		goto out;
	}
	r = config_fields(&img->cfg, c, ctx, err);
out:
	json_decref(root);
	return r;
}

/* "os/arch[/variant]" with linux/arm64/v8 written linux/arm64, as containerd compares them. */
static void
platform_norm(const char *p, char *buf, size_t size)
{
	size_t n = strlen(p);

	snprintf(buf, size, "%s", p);
	if (n > 9 && strcmp(p + n - 9, "/arm64/v8") == 0 && strlen(buf) == n)
		buf[n - 3] = '\0';
}

bool
rd_platform_match(const char *want, const char *have)
{
	char a[160], b[160];

	platform_norm(want, a, sizeof(a));
	platform_norm(have, b, sizeof(b));
	if (strcmp(a, b) == 0)
		return true;
	/* a platform without variant matches any variant of its os/arch */
	return strchr(strchr(a, '/') != NULL ? strchr(a, '/') + 1 : a, '/') == NULL &&
	       strncmp(a, b, strlen(a)) == 0 && b[strlen(a)] == '/';
}

/* The image configuration cfg must be for platform want; its platform is kept. */
int
rd_check_platform(struct ramdisk_tree *t, const json_t *cfg, const char *want, struct qt_err *err)
{
	const char *os = json_string_value(json_object_get(cfg, "os"));
	const char *arch = json_string_value(json_object_get(cfg, "architecture"));
	const char *var = json_string_value(json_object_get(cfg, "variant"));

	snprintf(t->img.platform, sizeof(t->img.platform), "%s/%s%s%s", os ? os : "?",
	    arch ? arch : "?", var != NULL ? "/" : "", var != NULL ? var : "");
	if (want == NULL || rd_platform_match(want, t->img.platform))
		return 0;
	if (t->opts.eif_arch != NULL) {
		const char *fits = rd_platform_match("linux/amd64", t->img.platform)   ? "x86_64"
		                   : rd_platform_match("linux/arm64", t->img.platform) ? "aarch64"
		                                                                       : NULL;
		return qt_err_set(err, EINVAL,
		    "%s: the image is for %s, the enclave image for %s (%s)%s%s%s", t->name,
		    t->img.platform, t->opts.eif_arch, want, fits != NULL ? "; give --arch " : "",
		    fits != NULL ? fits : "", fits != NULL ? " and a kernel for it" : "");
	}
	return qt_err_set(
	    err, EINVAL, "%s: image is for %s, not %s", t->name, t->img.platform, want);
}

/* n layers (at most RAMDISK_MAX_LAYERS), their names to be filled in. */
int
rd_layers_alloc(struct ramdisk_tree *t, size_t n, struct qt_err *err)
{
	t->img.nlayers = n;
	if (n > RAMDISK_MAX_LAYERS)
		return qt_err_set(
		    err, EINVAL, "%s: more than %u layers", t->name, RAMDISK_MAX_LAYERS);
	if ((t->img.layer_names = calloc(n + 1, sizeof(char *))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	return 0;
}

/* ---- provenance: DockerInfo and the image's name and version ------------------------- */

static const char *
form_name(enum ramdisk_kind k)
{
	switch (k) {
	case RAMDISK_SRC_DOCKER:
		return "docker-archive";
	case RAMDISK_SRC_OCI:
		return "oci";
	case RAMDISK_SRC_OCI_ARCHIVE:
		return "oci-archive";
	case RAMDISK_SRC_TAR:
		return "tarball";
	default:
		return "directory";
	}
}

/*
 * The reference the image is known by: docker's first RepoTag or OCI's ref
 * name, NULL if none or if the OCI ref name is a tag alone (umoci, buildah
 * write "latest" or "1.0": it names no repository).
 */
static const char *
recorded(const struct ramdisk_tree *t)
{
	const char *r = t->img.recorded_ref;

	if (t->img.repo_tags != NULL && json_array_size(t->img.repo_tags) > 0)
		return json_string_value(json_array_get(t->img.repo_tags, 0));
	return r != NULL && (strchr(r, ':') != NULL || strchr(r, '/') != NULL) ? r : NULL;
}

/* A copy of obj's member key, or null. */
static json_t *
member_copy(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v != NULL ? json_deep_copy(v) : json_null();
}

int
ramdisk_tree_docker_info(const struct ramdisk_tree *t, json_t **ret, struct qt_err *err)
{
	const json_t *cfg = t->img.config_doc, *c = json_object_get(cfg, "config");
	static const char *const ckeys[] = { "Cmd", "Entrypoint", "Env", "User", "WorkingDir" };
	json_t *o = NULL, *conf = NULL, *rootfs = NULL, *tags, *digests, *src;
	const char *ref = recorded(t), *at;
	char *rd = NULL;
	size_t i;
	int bad = 0;

	*ret = NULL;
	if (cfg == NULL)
		return 0;
	if ((o = json_object()) == NULL || (conf = json_object()) == NULL ||
	    (rootfs = json_object()) == NULL)
		goto oom;
	/* docker inspect's keys: Id is the config digest, RepoDigests name@manifest-digest */
	bad |= json_object_set_new(o, "Id", json_string(t->img.config_digest));
	tags = t->img.repo_tags != NULL ? json_deep_copy(t->img.repo_tags) : json_array();
	if (t->img.repo_tags == NULL && ref != NULL && tags != NULL)
		bad |= json_array_append_new(tags, json_string(ref));
	bad |= json_object_set_new(o, "RepoTags", tags);
	digests = json_array();
	if (digests != NULL && ref != NULL && t->img.manifest_digest[0] != '\0') {
		at = strrchr(ref, ':');
		if (at != NULL && strchr(at, '/') == NULL)
			bad |= asprintf(&rd, "%.*s@%s", (int)(at - ref), ref,
			           t->img.manifest_digest) < 0;
		else
			bad |= asprintf(&rd, "%s@%s", ref, t->img.manifest_digest) < 0;
		if (rd != NULL)
			bad |= json_array_append_new(digests, json_string(rd));
	}
	bad |= json_object_set_new(o, "RepoDigests", digests);
	bad |= json_object_set_new(o, "Architecture", member_copy(cfg, "architecture"));
	bad |= json_object_set_new(o, "Os", member_copy(cfg, "os"));
	if (json_object_get(cfg, "variant") != NULL)
		bad |= json_object_set_new(o, "Variant", member_copy(cfg, "variant"));
	for (i = 0; i < sizeof(ckeys) / sizeof(ckeys[0]); i++)
		bad |= json_object_set_new(conf, ckeys[i], member_copy(c, ckeys[i]));
	bad |= json_object_set(o, "Config", conf);
	bad |= json_object_set_new(rootfs, "Type", json_string("layers"));
	bad |= json_object_set_new(
	    rootfs, "Layers", member_copy(json_object_get(cfg, "rootfs"), "diff_ids"));
	bad |= json_object_set(o, "RootFS", rootfs);
	/* what docker inspect cannot say: where qt-build read the image from */
	src = json_pack("{s:s, s:s?, s:s?}", "Form", form_name(t->kind), "Reference",
	    t->img.want_ref != NULL ? t->img.want_ref
	    : ref != NULL           ? ref
	                            : t->img.recorded_ref,
	    "ManifestDigest", t->img.manifest_digest[0] != '\0' ? t->img.manifest_digest : NULL);
	bad |= json_object_set_new(o, "Source", src);
	if (bad)
		goto oom;
	free(rd);
	json_decref(conf);
	json_decref(rootfs);
	*ret = o;
	return 0;
oom:
	free(rd);
	json_decref(o);
	json_decref(conf);
	json_decref(rootfs);
	return qt_err_set(err, ENOMEM, "%s: image provenance: out of memory or not UTF-8", t->name);
}

/* Split ref into name and tag ("latest" if none); false if it does not parse. */
static bool
split_ref(const char *ref, char **name, char **version)
{
	const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');

	if (colon != NULL && slash != NULL && colon < slash)
		colon = NULL;
	*name = colon != NULL ? strndup(ref, (size_t)(colon - ref)) : strdup(ref);
	*version = strdup(colon != NULL ? colon + 1 : "latest");
	return *name != NULL && *version != NULL;
}

int
ramdisk_tree_identity(const struct ramdisk_tree *t, char **name, char **version)
{
	const char *ref = t->img.want_ref != NULL ? t->img.want_ref
	                  : recorded(t) != NULL   ? recorded(t)
	                                          : t->img.recorded_ref;
	const char *base = strrchr(t->name, '/');
	char dg[140];

	*name = *version = NULL;
	if (t->img.config_doc == NULL)
		return 0;
	base = base != NULL && base[1] != '\0' ? base + 1 : t->name;
	if (t->img.want_digest.md != NULL) {
		snprintf(dg, sizeof(dg), "%s:%s", t->img.want_digest.alg, t->img.want_digest.hex);
		if (ref != NULL && (strchr(ref, ':') != NULL || strchr(ref, '/') != NULL) &&
		    split_ref(ref, name, version)) {
			free(*version);
			*version = strdup(dg);
		} else {
			free(*name);
			*name = strdup(base);
			*version = strdup(dg);
		}
	} else if (ref != NULL && (strchr(ref, ':') != NULL || strchr(ref, '/') != NULL)) {
		if (!split_ref(ref, name, version))
			goto oom;
	} else if (ref != NULL) { /* an OCI ref name that is a tag alone (umoci, buildah) */
		*name = strdup(base);
		*version = strdup(ref);
	} else {
		return 0;
	}
	if (*name == NULL || *version == NULL)
		goto oom;
	return 0;
oom:
	free(*name);
	free(*version);
	*name = *version = NULL;
	return -1;
}
