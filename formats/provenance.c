/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provenance.c: in-toto statements about an image (SLSA Provenance v1 or
 * qt's measurement predicate) and the subject check of a statement read
 * back. See provenance.h and qt-provenance(5).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dsse.h"
#include "fileio.h"
#include "json.h"
#include "provenance.h"
#include "text.h"

int
prov_predicate_parse(const char *text, enum prov_predicate *ret)
{
	if (strcmp(text, "slsa") == 0)
		*ret = PROV_SLSA;
	else if (strcmp(text, "measurement") == 0)
		*ret = PROV_MEASUREMENT;
	else
		return -1;
	return 0;
}

static json_t *
hexj(const uint8_t *buf, size_t len)
{
	char hex[2 * 64 + 1];

	qt_hex(buf, len, hex);
	return json_string(hex);
}

/* {"<alg>": hex} */
static json_t *
digest1(const char *alg, const uint8_t *buf, size_t len)
{
	json_t *d = json_object();

	if (d != NULL && json_object_set_new(d, alg, hexj(buf, len)) != 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

/* {"name": name, "digest": {alg: hex}} (a ResourceDescriptor). */
static json_t *
rd_named(const char *name, const char *alg, const uint8_t *buf, size_t len)
{
	json_t *d = json_object();

	if (d == NULL || json_object_set_new(d, "name", json_string(name)) != 0 ||
	    json_object_set_new(d, "digest", digest1(alg, buf, len)) != 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

/* {"name": base name, "digest": {sha256, sha384}, "annotations": {"qt.role": role}} */
static json_t *
input_file(const struct prov_input *in)
{
	json_t *d = json_object(), *dg = json_object(), *ann = json_object();
	int bad = 0;

	if (d == NULL || dg == NULL || ann == NULL) {
		json_decref(d);
		json_decref(dg);
		json_decref(ann);
		return NULL;
	}
	bad |= json_object_set_new(dg, "sha256", hexj(in->sha256, 32));
	bad |= json_object_set_new(dg, "sha384", hexj(in->sha384, 48));
	bad |= json_object_set_new(ann, "qt.role", json_string(in->role));
	bad |= json_object_set_new(d, "name", json_string(in->name));
	bad |= json_object_set_new(d, "digest", dg);
	bad |= json_object_set_new(d, "annotations", ann);
	if (bad) {
		json_decref(d);
		return NULL;
	}
	return d;
}

/*
 * A container digest "<alg>:<hex>" as {"name": name, "digest": {alg: hex}};
 * 0 and nothing appended unless it is sha256 (64 digits) or sha512 (128).
 */
static int
container_dep(json_t *a, const char *name, const json_t *v)
{
	const char *s = json_string_value(v), *hex;
	size_t n, i;
	char alg[8];
	json_t *d, *dg;

	if (s == NULL)
		return 0;
	if (strncmp(s, "sha256:", 7) == 0)
		n = 64;
	else if (strncmp(s, "sha512:", 7) == 0)
		n = 128;
	else
		return 0;
	hex = s + 7;
	if (strlen(hex) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	memcpy(alg, s, 6);
	alg[6] = '\0';
	if ((d = json_object()) == NULL || (dg = json_object()) == NULL) {
		json_decref(d);
		return -1;
	}
	if (json_object_set_new(dg, alg, json_string(hex)) != 0 ||
	    json_object_set_new(d, "name", json_string(name)) != 0 ||
	    json_object_set_new(d, "digest", dg) != 0) {
		json_decref(d);
		return -1;
	}
	return json_array_append_new(a, d);
}

/* The container image's manifest, configuration and layers (diff_ids), from m->source. */
static int
container_deps(json_t *a, const json_t *src)
{
	const json_t *v;
	char name[40];
	size_t i;
	int bad = 0;

	if (src == NULL)
		return 0;
	bad |= container_dep(a, "container-manifest", json_object_get(src, "manifest_digest"));
	bad |= container_dep(a, "container-config", json_object_get(src, "config_digest"));
	json_array_foreach(json_object_get(src, "layers"), i, v) {
		snprintf(name, sizeof(name), "container-layer[%zu]", i);
		bad |= container_dep(a, name, v);
	}
	return bad ? -1 : 0;
}

/*
 * The inputs of the image: kernel, cmdline, each ramdisk, the signing
 * certificate (as sections of the image); then the container image it was
 * built from; then the files qt-build read (what qt-measure sees of an image
 * comes first: qt-build's list extends it).
 */
static json_t *
inputs(const struct manifest *m, const struct prov_build *b)
{
	json_t *a = json_array();
	char name[32];
	size_t i;
	int bad = 0;

	if (a == NULL)
		return NULL;
	bad |= json_array_append_new(a, rd_named("kernel", "sha384", m->kernel, 48));
	bad |= json_array_append_new(a, rd_named("cmdline", "sha384", m->cmdline, 48));
	for (i = 0; i < m->nramdisks; i++) {
		snprintf(name, sizeof(name), "ramdisk[%zu]", i);
		bad |= json_array_append_new(a, rd_named(name, "sha384", m->ramdisks[i], 48));
	}
	if (m->is_signed)
		bad |= json_array_append_new(
		    a, rd_named("signing-certificate", "sha256", m->signer_sha256, 32));
	bad |= container_deps(a, m->source);
	for (i = 0; b != NULL && i < b->ninputs; i++)
		bad |= json_array_append_new(a, input_file(&b->inputs[i]));
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
refs(const struct prov_opts *o)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < o->nrefs; i++) {
		json_t *d;

		if ((d = rd_named(o->refs[i].name, "sha256", o->refs[i].sha256, 32)) == NULL ||
		    json_object_set_new(d, "mediaType", json_string(o->refs[i].media_type)) != 0 ||
		    json_array_append_new(a, d) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Set key to a string, or leave it out when s is NULL (in-toto: unset = null). */
static int
opt_str(json_t *o, const char *key, const char *s)
{
	return s == NULL ? 0 : json_object_set_new(o, key, json_string(s));
}

static json_t *
subject(const struct manifest *m, bool annotate)
{
	json_t *a = json_array(), *s = json_object(), *d = json_object(), *ann = NULL;
	char key[16];
	size_t i;
	int bad = 0;

	if (a == NULL || s == NULL || d == NULL)
		goto fail;
	bad |= json_object_set_new(d, "sha256", hexj(m->sha256, 32));
	bad |= json_object_set_new(d, "sha384", hexj(m->sha384, 48));
	bad |= json_object_set_new(s, "name", json_string(m->file));
	bad |= json_object_set_new(s, "digest", d);
	d = NULL;
	if (annotate) {
		if ((ann = json_object()) == NULL)
			goto fail;
		for (i = 0; i < PCR_COUNT; i++) {
			if (!(m->pcr_mask & (1u << i)))
				continue;
			snprintf(key, sizeof(key), "qt.pcr%zu", i);
			bad |= json_object_set_new(ann, key, hexj(m->pcrs[i], PCR_LEN));
		}
		bad |= json_object_set_new(
		    ann, "qt.profile", json_string(qt_profile_name(m->platform)));
		bad |= json_object_set_new(s, "annotations", ann);
		ann = NULL;
	}
	bad |= json_array_append_new(a, s);
	s = NULL;
	if (bad)
		goto fail;
	return a;
fail:
	json_decref(a);
	json_decref(s);
	json_decref(d);
	json_decref(ann);
	return NULL;
}

/*
 * externalParameters.rootfs: the container source and the --rootfs options.
 * The platform is the image's as recorded, --platform only without one.
 */
static int
rootfs_params(json_t *ext, const struct manifest *m, const struct prov_build *b)
{
	const json_t *src = m->source;
	json_t *r;
	const char *platform = b != NULL ? b->platform : NULL;
	int bad = 0;

	if (src == NULL && (b == NULL || !b->rootfs))
		return 0;
	if ((r = json_object()) == NULL)
		return -1;
	if (src != NULL) {
		bad |= opt_str(r, "form", json_string_value(json_object_get(src, "form")));
		bad |=
		    opt_str(r, "reference", json_string_value(json_object_get(src, "reference")));
		if (json_is_string(json_object_get(src, "platform")))
			platform = json_string_value(json_object_get(src, "platform"));
	}
	bad |= opt_str(r, "platform", platform);
	if (b != NULL && b->rootfs) {
		if (b->nentrypoint > 0)
			bad |= json_object_set_new(
			    r, "entrypoint", qtjson_string_array(b->entrypoint, b->nentrypoint));
		if (b->ncmd > 0)
			bad |= json_object_set_new(r, "cmd", qtjson_string_array(b->cmd, b->ncmd));
		if (b->nenv > 0)
			bad |= json_object_set_new(r, "env", qtjson_string_array(b->env, b->nenv));
		bad |= json_object_set_new(r, "keepOwner", json_boolean(b->keep_owner));
	}
	bad |= json_object_set_new(ext, "rootfs", r);
	return bad ? -1 : 0;
}

/* The buildType's external parameters, in the order of qt-provenance(5). */
static json_t *
external_params(const struct manifest *m, const struct prov_build *b)
{
	json_t *ext = json_object(), *cl;
	int bad = 0;

	if (ext == NULL)
		return NULL;
	bad |= json_object_set_new(ext, "profile", json_string(qt_profile_name(m->platform)));
	bad |= opt_str(ext, "arch", m->arch);
	bad |= json_object_set_new(ext, "eifVersion", json_integer(m->eif_version));
	/* a command line that is not UTF-8 is left out: its digest is a dependency */
	if (b != NULL && b->cmdline != NULL && (cl = json_string(b->cmdline)) != NULL)
		bad |= json_object_set_new(ext, "cmdline", cl);
	bad |= opt_str(ext, "imageName", m->name);
	bad |= opt_str(ext, "imageVersion", m->version);
	bad |= opt_str(ext, "buildTime", m->build_time);
	if (b != NULL)
		bad |= opt_str(ext, "sourceDateEpoch", b->source_date_epoch);
	bad |= rootfs_params(ext, m, b);
	if (b != NULL)
		bad |= opt_str(ext, "compress", b->compress);
	if (m->is_signed)
		bad |= json_object_set_new(ext, "signingPcr8", hexj(m->pcrs[8], PCR_LEN));
	if (bad) {
		json_decref(ext);
		return NULL;
	}
	return ext;
}

static json_t *
slsa_predicate(const struct manifest *m, const struct prov_opts *o)
{
	json_t *p = json_object(), *bd = json_object(), *ext = external_params(m, o->build);
	json_t *rd = json_object();
	json_t *b = json_object(), *ver = json_object();
	char id[128];
	int bad = 0;

	if (p == NULL || bd == NULL || ext == NULL || rd == NULL || b == NULL || ver == NULL)
		goto fail;
	bad |= json_object_set_new(bd, "buildType", json_string(PROV_BUILD_TYPE));
	bad |= json_object_set_new(bd, "externalParameters", ext);
	ext = NULL;
	bad |= json_object_set_new(bd, "resolvedDependencies", inputs(m, o->build));
	bad |= json_object_set_new(p, "buildDefinition", bd);
	bd = NULL;
	snprintf(id, sizeof(id), "https://qt.invalid/builders/%s/v1", o->builder);
	bad |= json_object_set_new(b, "id", json_string(id));
	bad |= json_object_set_new(ver, "qt", json_string(QT_VERSION));
	bad |= json_object_set_new(b, "version", ver);
	ver = NULL;
	bad |= json_object_set_new(rd, "builder", b);
	b = NULL;
	if (o->nrefs > 0)
		bad |= json_object_set_new(rd, "byproducts", refs(o));
	bad |= json_object_set_new(p, "runDetails", rd);
	rd = NULL;
	if (bad)
		goto fail;
	return p;
fail:
	json_decref(p);
	json_decref(bd);
	json_decref(ext);
	json_decref(rd);
	json_decref(b);
	json_decref(ver);
	return NULL;
}

static json_t *
measure_predicate(const struct manifest *m, const struct prov_opts *o)
{
	json_t *p = json_object(), *pcrs = json_object(), *tool = json_object();
	char key[16];
	size_t i;
	int bad = 0;

	if (p == NULL || pcrs == NULL || tool == NULL)
		goto fail;
	bad |= json_object_set_new(p, "profile", json_string(qt_profile_name(m->platform)));
	bad |= json_object_set_new(p, "hashAlgorithm", json_string("sha384"));
	for (i = 0; i < PCR_COUNT; i++) {
		if (!(m->pcr_mask & (1u << i)))
			continue;
		snprintf(key, sizeof(key), "%zu", i);
		bad |= json_object_set_new(pcrs, key, hexj(m->pcrs[i], PCR_LEN));
	}
	bad |= json_object_set_new(p, "pcrs", pcrs);
	pcrs = NULL;
	bad |= json_object_set_new(p, "inputs", inputs(m, o->build));
	if (o->nrefs > 0)
		bad |= json_object_set_new(p, "referenceManifests", refs(o));
	bad |= json_object_set_new(tool, "id", json_string("https://qt.invalid/qt"));
	bad |= json_object_set_new(tool, "version", json_string(QT_VERSION));
	bad |= json_object_set_new(p, "tool", tool);
	tool = NULL;
	if (bad)
		goto fail;
	return p;
fail:
	json_decref(p);
	json_decref(pcrs);
	json_decref(tool);
	return NULL;
}

int
prov_statement(const struct manifest *m, const struct prov_opts *o, char **ret, size_t *ret_len,
    struct qt_err *err)
{
	json_t *st = json_object();
	char *text = NULL, *full = NULL;
	size_t n;
	bool slsa = o->predicate == PROV_SLSA;
	int bad = 0, rv = -1;

	if (o->nrefs > PROV_REFS_MAX) {
		qt_err_set(err, EINVAL, "more than %u byproducts", PROV_REFS_MAX);
		goto out;
	}
	if (st == NULL)
		goto oom;
	bad |= json_object_set_new(st, "_type", json_string(PROV_STATEMENT_TYPE));
	bad |= json_object_set_new(st, "subject", subject(m, slsa));
	bad |= json_object_set_new(
	    st, "predicateType", json_string(slsa ? PROV_SLSA_TYPE : PROV_MEASURE_TYPE));
	bad |= json_object_set_new(
	    st, "predicate", slsa ? slsa_predicate(m, o) : measure_predicate(m, o));
	if (bad)
		goto oom;
	if (qtjson_dump(st, true, &text, err) < 0)
		goto out;
	n = strlen(text);
	if ((full = malloc(n + 2)) == NULL)
		goto oom;
	memcpy(full, text, n);
	full[n] = '\n';
	full[n + 1] = '\0';
	*ret = full;
	*ret_len = n + 1;
	full = NULL;
	rv = 0;
	goto out;
oom:
	qt_err_set(
	    err, ENOMEM, "cannot make the statement: out of memory, or a parameter is not UTF-8");
out:
	json_decref(st);
	free(text);
	free(full);
	return rv;
}

int
prov_write_file(const struct manifest *m, const struct prov_opts *o, const struct signer *s,
    const char *path, struct qt_err *err)
{
	struct fileio_out out = { -1, NULL, NULL };
	char *text = NULL, *env = NULL;
	size_t len, env_len;
	int rv = -1;

	if (prov_statement(m, o, &text, &len, err) < 0 ||
	    (s != NULL && dsse_sign(s, DSSE_INTOTO_TYPE, (const uint8_t *)text, len, &env, &env_len,
	                      err) < 0) ||
	    fileio_out_open(path, &out, err) < 0)
		goto out;
	if (fileio_write_all(out.fd, path, (const uint8_t *)(env != NULL ? env : text),
	        env != NULL ? env_len : len, err) < 0 ||
	    fileio_out_commit(&out, err) < 0) {
		fileio_out_abort(&out);
		goto out;
	}
	rv = 0;
out:
	free(text);
	free(env);
	return rv;
}

int
prov_file_digests(const char *path, uint8_t sha256[32], uint8_t sha384[48], struct qt_err *err)
{
	EVP_MD_CTX *c256 = NULL, *c384 = NULL;
	uint8_t *buf = NULL;
	size_t got;
	int fd = -1, rv = -1;

	if (fileio_open_input(path, &fd, err) < 0)
		goto out;
	if ((buf = malloc(QT_IO_CHUNK)) == NULL || (c256 = EVP_MD_CTX_new()) == NULL ||
	    (c384 = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(c256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(c384, EVP_sha384(), NULL) != 1) {
		qt_err_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		if (fileio_read_full(fd, buf, QT_IO_CHUNK, -1, &got) < 0) {
			qt_err_set(err, errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (EVP_DigestUpdate(c256, buf, got) != 1 ||
		    EVP_DigestUpdate(c384, buf, got) != 1) {
			qt_err_set(err, EIO, "%s: digest failed", path);
			goto out;
		}
		if (got < QT_IO_CHUNK)
			break;
	}
	if (EVP_DigestFinal_ex(c256, sha256, NULL) != 1 ||
	    EVP_DigestFinal_ex(c384, sha384, NULL) != 1) {
		qt_err_set(err, EIO, "%s: digest failed", path);
		goto out;
	}
	rv = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	EVP_MD_CTX_free(c256);
	EVP_MD_CTX_free(c384);
	return rv;
}

/* Copy a JSON string (or "") into out, truncated, control characters as '?'. */
static void
copy_text(const json_t *v, char *out, size_t size)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	size_t i;

	for (i = 0; i + 1 < size && s[i] != '\0'; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

int
prov_check_subject(const char *name, const uint8_t *buf, size_t len, const uint8_t sha256[32],
    const uint8_t sha384[48], char *ret_subject, char *ret_predicate, size_t size,
    struct qt_err *err)
{
	json_t *root = NULL, *subj, *one, *dig, *a, *b;
	json_error_t jerr;
	char h256[65], h384[97];
	size_t i;
	int rv = -1;

	ret_subject[0] = ret_predicate[0] = '\0';
	if (len > PROV_MAX) {
		qt_err_set(err, EINVAL, "%s: statement larger than %u bytes", name, PROV_MAX);
		goto out;
	}
	if ((root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		qt_err_set(err, EINVAL, "%s: payload is not JSON: %s (line %d)", name, jerr.text,
		    jerr.line);
		goto out;
	}
	a = json_object_get(root, "_type");
	if (!json_is_object(root) || !json_is_string(a) ||
	    strcmp(json_string_value(a), PROV_STATEMENT_TYPE) != 0) {
		qt_err_set(err, EINVAL, "%s: payload is not an in-toto Statement v1", name);
		goto out;
	}
	copy_text(json_object_get(root, "predicateType"), ret_predicate, size);
	subj = json_object_get(root, "subject");
	if (!json_is_array(subj) || json_array_size(subj) == 0) {
		qt_err_set(err, EINVAL, "%s: statement has no subject", name);
		goto out;
	}
	if (sha256 == NULL || sha384 == NULL) {
		copy_text(json_object_get(json_array_get(subj, 0), "name"), ret_subject, size);
		rv = 0;
		goto out;
	}
	qt_hex(sha256, 32, h256);
	qt_hex(sha384, 48, h384);
	json_array_foreach(subj, i, one) {
		dig = json_object_get(one, "digest");
		a = json_object_get(dig, "sha256");
		b = json_object_get(dig, "sha384");
		if (json_is_string(a) && json_is_string(b) &&
		    strcmp(json_string_value(a), h256) == 0 &&
		    strcmp(json_string_value(b), h384) == 0) {
			copy_text(json_object_get(one, "name"), ret_subject, size);
			rv = 0;
			goto out;
		}
	}
	qt_err_set(
	    err, EINVAL, "%s: no subject has sha256 %s and sha384 %.16s...", name, h256, h384);
	rv = 1;
out:
	json_decref(root);
	return rv;
}

/* "PCR<i>" of two manifests differs, or a digest does: 1 with err naming ref_name. */
int
prov_manifest_agrees(const struct manifest *img, const struct manifest *ref, const char *ref_name,
    struct qt_err *err)
{
	size_t i;

	if (memcmp(img->sha256, ref->sha256, 32) != 0 ||
	    memcmp(img->sha384, ref->sha384, 48) != 0) {
		qt_err_set(err, EINVAL, "%s: is not the manifest of %s (image digests differ)",
		    ref_name, img->file);
		return 1;
	}
	if (img->platform != ref->platform) {
		qt_err_set(err, EINVAL, "%s: profile %s, not %s", ref_name,
		    qt_profile_name(ref->platform), qt_profile_name(img->platform));
		return 1;
	}
	for (i = 0; i < PCR_COUNT; i++) {
		if (!(img->pcr_mask & (1u << i)))
			continue;
		if (!(ref->pcr_mask & (1u << i)) ||
		    memcmp(img->pcrs[i], ref->pcrs[i], PCR_LEN) != 0) {
			qt_err_set(err, EINVAL, "%s: PCR%zu does not match the image", ref_name, i);
			return 1;
		}
	}
	if (memcmp(img->kernel, ref->kernel, 48) != 0 ||
	    memcmp(img->cmdline, ref->cmdline, 48) != 0 || img->nramdisks != ref->nramdisks ||
	    memcmp(img->ramdisks, ref->ramdisks, img->nramdisks * 48) != 0) {
		qt_err_set(err, EINVAL, "%s: input digests do not match the image", ref_name);
		return 1;
	}
	return 0;
}
