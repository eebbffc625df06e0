/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.c: the reference-value manifest (qt-manifest(5)): measured from an
 * image and written (spec/attestation.md 4; manifest_read.c reads one back). Key order is the
 * order of the json_object_set_new calls below (jansson keeps insertion
 * order); the man page and formats/qt-manifest.schema.json document it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "attest.h"
#include "bytes.h"
#include "cose.h"
#include "eif.h"
#include "eif_meta.h"
#include "eif_sig.h"
#include "fileio.h"
#include "manifest.h"
#include "pcr.h"
#include "text.h"
#include "x509.h"

/* ---- PCR3 / PCR4 -------------------------------------------------------------------- */

int
manifest_set_iam_agency(struct manifest *m, const char *urn, struct qt_err *err)
{
	char *copy;

	if (m->platform == QT_PROFILE_NITRO)
		return qt_err_set(err, EINVAL,
		    "--iam-agency: an agency URN is Huawei's (qingtian); on nitro PCR3 is the "
		    "parent instance's IAM role: use --iam-role ARN");
	if (pcr_iam_agency_check(urn, err) < 0)
		return -1;
	if ((copy = strdup(urn)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (pcr_of_text(copy, m->pcrs[3], err) < 0) {
		free(copy);
		return -1;
	}
	free(m->iam_agency);
	m->iam_agency = copy;
	m->pcr_mask |= 1u << 3;
	return 0;
}

int
manifest_set_iam_role(struct manifest *m, const char *arn, struct qt_err *err)
{
	char *copy;

	if (m->platform != QT_PROFILE_NITRO)
		return qt_err_set(err, EINVAL,
		    "--iam-role: an IAM role ARN is AWS's (nitro); on qingtian PCR3 is the "
		    "parent's IAM agency: use --iam-agency URN");
	if (pcr_iam_role_check(arn, err) < 0)
		return -1;
	if ((copy = strdup(arn)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (pcr_of_text(copy, m->pcrs[3], err) < 0) {
		free(copy);
		return -1;
	}
	free(m->iam_role);
	m->iam_role = copy;
	m->pcr_mask |= 1u << 3;
	return 0;
}

int
manifest_set_instance_id(struct manifest *m, const char *id, struct qt_err *err)
{
	char *copy;

	if ((copy = strdup(id)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (pcr_instance_id_canon(m->platform, copy, err) < 0 ||
	    pcr_of_text(copy, m->pcrs[4], err) < 0) {
		free(copy);
		return -1;
	}
	free(m->instance_id);
	m->instance_id = copy;
	m->pcr_mask |= 1u << 4;
	return 0;
}

/* ---- measuring an image ------------------------------------------------------------ */

/*
 * The reader hands us parsed headers and section data; the header bytes are
 * re-serialised (eif_header_put, and type/flags 0/size for a section header):
 * the reader rejects any header whose bytes would not round-trip (reserved
 * fields, flags, unused slots), so the file hashes see the file's bytes. The
 * byte count is checked against the file size at the end.
 */
struct img_ctx {
	const char *name;
	EVP_MD_CTX *f256, *f384, *sec;
	uint64_t count;
	struct manifest *m;
	unsigned nkernel, ncmdline;
};

static int
img_feed(struct img_ctx *c, const uint8_t *buf, size_t len, struct qt_err *err)
{
	if (EVP_DigestUpdate(c->f256, buf, len) != 1 || EVP_DigestUpdate(c->f384, buf, len) != 1)
		return qt_err_ssl(err, "%s: SHA-2", c->name);
	c->count += len;
	return 0;
}

static int
img_header(void *ctx, const struct eif_header *h, struct qt_err *err)
{
	uint8_t hb[EIF_HEADER_SIZE];

	eif_header_put(h, hb);
	return img_feed(ctx, hb, sizeof(hb), err);
}

static int
img_section_begin(void *ctx, const struct eif_section *s, struct qt_err *err)
{
	struct img_ctx *c = ctx;
	uint8_t sh[EIF_SECTION_HDR_SIZE];

	be16_put(sh, (uint16_t)s->type);
	be16_put(sh + 2, 0);
	be64_put(sh + 4, s->size);
	if (img_feed(c, sh, sizeof(sh), err) < 0)
		return -1;
	if (EVP_DigestInit_ex(c->sec, EVP_sha384(), NULL) != 1)
		return qt_err_ssl(err, "%s: SHA-384", c->name);
	return 0;
}

static int
img_section_data(
    void *ctx, const struct eif_section *s, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct img_ctx *c = ctx;

	(void)s;
	if (img_feed(c, buf, len, err) < 0)
		return -1;
	if (EVP_DigestUpdate(c->sec, buf, len) != 1)
		return qt_err_ssl(err, "%s: SHA-384", c->name);
	return 0;
}

static int
img_section_end(void *ctx, const struct eif_section *s, struct qt_err *err)
{
	struct img_ctx *c = ctx;
	uint8_t d[48], *to = NULL;
	unsigned n = 0;

	if (EVP_DigestFinal_ex(c->sec, d, &n) != 1 || n != 48)
		return qt_err_ssl(err, "%s: SHA-384", c->name);
	switch (s->type) {
	case EIF_SECTION_KERNEL:
		to = c->m->kernel;
		c->nkernel++;
		break;
	case EIF_SECTION_CMDLINE:
		to = c->m->cmdline;
		c->ncmdline++;
		break;
	case EIF_SECTION_RAMDISK:
		if (c->m->nramdisks >= MANIFEST_RAMDISKS_MAX)
			return qt_err_set(err, EINVAL, "%s: too many ramdisks", c->name);
		to = c->m->ramdisks[c->m->nramdisks++];
		break;
	default:
		return 0;
	}
	memcpy(to, d, sizeof(d));
	return 0;
}

/* A certificate's time as the manifest writes it (RFC 3339 UTC), malloc'd. */
static int
cert_time_text(const ASN1_TIME *t, char **ret)
{
	char buf[40];
	int64_t v;

	if (x509_time_unix(t, &v) < 0)
		return -1;
	qt_time_format(v, false, buf, sizeof(buf));
	*ret = strdup(buf);
	return *ret == NULL ? -1 : 0;
}

/* A certificate's name in RFC 2253 form, malloc'd. */
static char *
cert_name_text(const X509_NAME *nm)
{
	char buf[1024];

	x509_name_rfc2253(nm, buf, sizeof(buf));
	return strdup(buf);
}

static int
set_signer(const char *name, const struct eif_info *info, struct manifest *m, struct qt_err *err)
{
	struct eif_sig sig = { 0 };
	X509 *x = NULL;
	uint8_t *der = NULL;
	int dl, r = -1;

	if (eif_sig_parse(name, info->signature, info->signature_len, &sig, err) < 0 ||
	    x509_pem_first(name, sig.cert_pem, sig.cert_pem_len, &x, err) < 0)
		goto out;
	if ((dl = i2d_X509(x, &der)) <= 0) {
		qt_err_ssl(err, "%s: signing certificate", name);
		goto out;
	}
	SHA256(der, (size_t)dl, m->signer_sha256);
	if ((m->signer_subject = cert_name_text(X509_get_subject_name(x))) == NULL ||
	    (m->signer_issuer = cert_name_text(X509_get_issuer_name(x))) == NULL ||
	    cert_time_text(X509_get0_notBefore(x), &m->signer_not_before) < 0 ||
	    cert_time_text(X509_get0_notAfter(x), &m->signer_not_after) < 0) {
		qt_err_ssl(err, "%s: signing certificate: unreadable subject or validity", name);
		goto out;
	}
	m->is_signed = true;
	r = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	eif_sig_free(&sig);
	return r;
}

/* "os/arch[/variant]" of a DockerInfo, or NULL. */
static json_t *
platform_of(const json_t *di)
{
	const char *os = json_string_value(json_object_get(di, "Os"));
	const char *arch = json_string_value(json_object_get(di, "Architecture"));
	const char *var = json_string_value(json_object_get(di, "Variant"));
	char buf[256];

	if (os == NULL || arch == NULL)
		return json_null();
	snprintf(buf, sizeof(buf), "%s/%s%s%s", os, arch, var != NULL ? "/" : "", var ? var : "");
	return json_string(buf);
}

/*
 * The manifest's "source" from the DockerInfo qt-build writes (Source.Form
 * present): form, reference, manifest and config digests, the layers'
 * diff_ids, platform. *ret stays NULL for any other DockerInfo.
 */
static int
source_from_docker_info(const json_t *di, json_t **ret)
{
	const json_t *src = json_object_get(di, "Source"), *layers, *v;
	json_t *o, *arr;
	size_t i;
	int bad = 0;

	*ret = NULL;
	if (!json_is_object(di) || !json_is_string(json_object_get(src, "Form")))
		return 0;
	if ((o = json_object()) == NULL || (arr = json_array()) == NULL) {
		json_decref(o);
		return -1;
	}
	layers = json_object_get(json_object_get(di, "RootFS"), "Layers");
	json_array_foreach(layers, i, v) {
		if (json_is_string(v))
			bad |= json_array_append(arr, (json_t *)v);
	}
#define STR_OR_NULL(x) (json_is_string(x) ? json_incref((json_t *)(x)) : json_null())
	bad |= json_object_set_new(o, "form", STR_OR_NULL(json_object_get(src, "Form")));
	bad |= json_object_set_new(o, "reference", STR_OR_NULL(json_object_get(src, "Reference")));
	bad |= json_object_set_new(
	    o, "manifest_digest", STR_OR_NULL(json_object_get(src, "ManifestDigest")));
	bad |= json_object_set_new(o, "config_digest", STR_OR_NULL(json_object_get(di, "Id")));
#undef STR_OR_NULL
	bad |= json_object_set_new(o, "layers", arr);
	bad |= json_object_set_new(o, "platform", platform_of(di));
	if (bad) {
		json_decref(o);
		return -1;
	}
	*ret = o;
	return 0;
}

static int
set_metadata(const char *name, const struct eif_info *info, struct manifest *m, struct qt_err *err)
{
	json_t *meta = NULL, *v;
	int r = -1;

	if (info->metadata == NULL)
		return 0; /* EIF v2/v3 without metadata: name, version, build time are null */
	if (eif_meta_parse(name, info->metadata, info->metadata_len, &meta, err) < 0)
		goto out;
	if ((v = json_object_get(meta, "ImageName")) != NULL && json_is_string(v) &&
	    (m->name = strdup(json_string_value(v))) == NULL)
		goto oom;
	if ((v = json_object_get(meta, "ImageVersion")) != NULL && json_is_string(v) &&
	    (m->version = strdup(json_string_value(v))) == NULL)
		goto oom;
	v = json_object_get(json_object_get(meta, "BuildMetadata"), "BuildTime");
	if (v != NULL && json_is_string(v) &&
	    (m->build_time = strdup(json_string_value(v))) == NULL)
		goto oom;
	if (source_from_docker_info(json_object_get(meta, "DockerInfo"), &m->source) < 0)
		goto oom;
	r = 0;
	goto out;
oom:
	qt_err_set(err, ENOMEM, "%s: out of memory", name);
out:
	json_decref(meta);
	return r;
}

int
manifest_from_image(const char *path, const char *file, enum qt_profile platform,
    const struct qt_progress_cb *progress, struct manifest **ret, struct qt_err *err)
{
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	struct img_ctx c = { 0 };
	struct eif_read_cb cb = { img_header, img_section_begin, img_section_data, img_section_end,
		&c, { NULL, NULL } };
	struct eif_info *info = NULL;
	struct manifest *m = NULL;
	struct pcr_set p;
	struct qt_err why = { 0 };
	const char *base;
	unsigned n = 0;
	int r = -1, sc;

	if ((m = calloc(1, sizeof(*m))) == NULL || (c.f256 = EVP_MD_CTX_new()) == NULL ||
	    (c.f384 = EVP_MD_CTX_new()) == NULL || (c.sec = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c.f256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(c.f384, EVP_sha384(), NULL) != 1) {
		qt_err_ssl(err, "%s: out of memory", name);
		goto out;
	}
	c.name = name;
	c.m = m;
	m->platform = platform;
	if (progress != NULL)
		cb.progress = *progress;
	if (eif_read_path(path, &cb, 0, &info, err) < 0)
		goto out;
	if (eif_crc_check(name, info, err) < 0)
		goto out;
	if (c.count != info->file_size || c.nkernel != 1 || c.ncmdline != 1) {
		qt_err_set(err, EINVAL, "%s: internal error: %llu bytes hashed of %llu", name,
		    (unsigned long long)c.count, (unsigned long long)info->file_size);
		goto out;
	}
	if (EVP_DigestFinal_ex(c.f256, m->sha256, &n) != 1 ||
	    EVP_DigestFinal_ex(c.f384, m->sha384, &n) != 1) {
		qt_err_ssl(err, "%s: SHA-2", name);
		goto out;
	}
	p = info->pcrs;
	if (eif_sig_image_pcr8(name, info, &p, err) < 0)
		goto out;
	if (info->signature != NULL) {
		if ((sc = eif_sig_image_check(name, info, p.pcr0, &why, err)) < 0)
			goto out;
		if (sc != 0) {
			qt_err_set(err, EINVAL,
			    "%s: the signature does not verify (%s): refusing to make reference "
			    "values",
			    name, why.msg);
			goto out;
		}
		if (set_signer(name, info, m, err) < 0)
			goto out;
	}
	if (set_metadata(name, info, m, err) < 0)
		goto out;
	memcpy(m->pcrs[0], p.pcr0, 48);
	memcpy(m->pcrs[8], p.pcr8, 48); /* all zero when unsigned (QingTian's convention) */
	m->pcr_mask = 1u | 1u << 8;
	if (platform == QT_PROFILE_NITRO) {
		memcpy(m->pcrs[1], p.pcr1, 48);
		memcpy(m->pcrs[2], p.pcr2, 48);
		m->pcr_mask |= 1u << 1 | 1u << 2;
	}
	m->size = info->file_size;
	m->eif_version = info->hdr.version;
	if ((base = file) == NULL)
		base = strcmp(path, "-") == 0
		           ? "-"
		           : (strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	if ((m->file = strdup(base)) == NULL ||
	    (m->arch = strdup(info->hdr.flags & EIF_FLAG_ARM64 ? "aarch64" : "x86_64")) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	*ret = m;
	m = NULL;
	r = 0;
out:
	EVP_MD_CTX_free(c.f256);
	EVP_MD_CTX_free(c.f384);
	EVP_MD_CTX_free(c.sec);
	eif_info_free(info);
	manifest_free(m);
	return r;
}

/* ---- writing ------------------------------------------------------------------------ */

static json_t *
hexj(const uint8_t *p, size_t n)
{
	char buf[2 * 64 + 1];

	if (n > 64)
		return NULL;
	qt_hex(p, n, buf);
	return json_string(buf);
}

static json_t *
strj(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
manifest_to_json(const struct manifest *m)
{
	json_t *o = NULL, *img = NULL, *pcrs = NULL, *sig = NULL, *dig = NULL, *rds = NULL,
	       *par = NULL, *tool = NULL;
	char key[4];
	size_t i;
	int bad = 0;

	if ((o = json_object()) == NULL || (img = json_object()) == NULL ||
	    (pcrs = json_object()) == NULL || (dig = json_object()) == NULL ||
	    (rds = json_array()) == NULL || (par = json_object()) == NULL ||
	    (tool = json_object()) == NULL)
		goto fail;
	bad |= json_object_set_new(o, "schema_version", json_integer(MANIFEST_SCHEMA_VERSION));
	bad |= json_object_set_new(o, "platform", json_string(qt_profile_name(m->platform)));
	bad |= json_object_set_new(o, "hash_algorithm", json_string("sha384"));

	bad |= json_object_set_new(img, "file", strj(m->file));
	bad |= json_object_set_new(img, "size", json_integer((json_int_t)m->size));
	bad |= json_object_set_new(img, "sha256", hexj(m->sha256, sizeof(m->sha256)));
	bad |= json_object_set_new(img, "sha384", hexj(m->sha384, sizeof(m->sha384)));
	bad |= json_object_set_new(img, "name", strj(m->name));
	bad |= json_object_set_new(img, "version", strj(m->version));
	bad |= json_object_set_new(img, "build_time", strj(m->build_time));
	bad |= json_object_set_new(img, "arch", strj(m->arch));
	bad |= json_object_set_new(img, "eif_version", json_integer(m->eif_version));
	bad |= json_object_set_new(o, "image", img);
	img = NULL;
	if (m->source != NULL)
		bad |= json_object_set(o, "source", m->source);

	for (i = 0; i < PCR_COUNT; i++) {
		if (!(m->pcr_mask & (1u << i)))
			continue;
		snprintf(key, sizeof(key), "%zu", i);
		bad |= json_object_set_new(pcrs, key, hexj(m->pcrs[i], PCR_LEN));
	}
	bad |= json_object_set_new(o, "pcrs", pcrs);
	pcrs = NULL;

	if (m->is_signed) {
		if ((sig = json_object()) == NULL)
			goto fail;
		bad |= json_object_set_new(sig, "subject", strj(m->signer_subject));
		bad |= json_object_set_new(sig, "issuer", strj(m->signer_issuer));
		bad |= json_object_set_new(sig, "sha256", hexj(m->signer_sha256, 32));
		bad |= json_object_set_new(sig, "not_before", strj(m->signer_not_before));
		bad |= json_object_set_new(sig, "not_after", strj(m->signer_not_after));
		bad |= json_object_set_new(o, "signer", sig);
		sig = NULL;
	} else {
		bad |= json_object_set_new(o, "signer", json_null());
	}

	bad |= json_object_set_new(dig, "kernel", hexj(m->kernel, 48));
	bad |= json_object_set_new(dig, "cmdline", hexj(m->cmdline, 48));
	for (i = 0; i < m->nramdisks; i++)
		bad |= json_array_append_new(rds, hexj(m->ramdisks[i], 48));
	bad |= json_object_set_new(dig, "ramdisks", rds);
	rds = NULL;
	bad |= json_object_set_new(o, "digests", dig);
	dig = NULL;

	/* PCR3's identity: Huawei's IAM agency, or on nitro AWS's IAM role */
	if (m->platform == QT_PROFILE_NITRO)
		bad |= json_object_set_new(par, "iam_role", strj(m->iam_role));
	else
		bad |= json_object_set_new(par, "iam_agency", strj(m->iam_agency));
	bad |= json_object_set_new(par, "instance_id", strj(m->instance_id));
	bad |= json_object_set_new(o, "parent", par);
	par = NULL;

	bad |= json_object_set_new(tool, "name", json_string("qt"));
	bad |= json_object_set_new(
	    tool, "version", strj(m->tool_version ? m->tool_version : QT_VERSION));
	bad |= json_object_set_new(o, "tool", tool);
	tool = NULL;
	if (bad)
		goto fail;
	return o;
fail:
	json_decref(o);
	json_decref(img);
	json_decref(pcrs);
	json_decref(sig);
	json_decref(dig);
	json_decref(rds);
	json_decref(par);
	json_decref(tool);
	return NULL;
}

int
manifest_dump(const struct manifest *m, char **ret, size_t *ret_len, struct qt_err *err)
{
	json_t *j = manifest_to_json(m);
	char *s = NULL, *t;
	size_t n;

	if (j == NULL || (s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(j);
		return qt_err_set(err, ENOMEM, "manifest: out of memory");
	}
	json_decref(j);
	n = strlen(s);
	if ((t = realloc(s, n + 2)) == NULL) {
		free(s);
		return qt_err_set(err, ENOMEM, "manifest: out of memory");
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	*ret = t;
	*ret_len = n + 1;
	return 0;
}

int
manifest_write_file(const struct manifest *m, const char *path, struct qt_err *err)
{
	struct fileio_out out = { -1, NULL, NULL };
	char *s = NULL;
	size_t n;
	int r = -1;

	if (manifest_dump(m, &s, &n, err) < 0 || fileio_out_open(path, &out, err) < 0)
		goto out;
	if (fileio_write_all(out.fd, path, (const uint8_t *)s, n, err) < 0 ||
	    fileio_out_commit(&out, err) < 0) {
		fileio_out_abort(&out);
		goto out;
	}
	r = 0;
out:
	free(s);
	return r;
}
