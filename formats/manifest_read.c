/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_read.c: a reference-value manifest (qt-manifest(5)) read back and
 * checked: every key typed and bounded, unknown keys refused, the parent's
 * identities checked against PCR3/PCR4. manifest.c measures and writes one.
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

/* ---- reading ------------------------------------------------------------------------ */

void
manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	free(m->file);
	free(m->name);
	free(m->version);
	free(m->build_time);
	free(m->arch);
	free(m->signer_subject);
	free(m->signer_issuer);
	free(m->signer_not_before);
	free(m->signer_not_after);
	free(m->iam_agency);
	free(m->iam_role);
	free(m->instance_id);
	free(m->tool_version);
	json_decref(m->source);
	free(m);
}

/* Exactly 2n lower-case hex digits (the manifest's only hex form). */
static bool
lhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return false;
	for (i = 0; i < 2 * n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return qt_unhex(s, out, n) == 0;
}

struct rdctx {
	const char *name;
	struct qt_err *err;
};

static bool
only_keys(const struct rdctx *c, const char *where, json_t *obj, const char *const *keys)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(obj, k, v) {
		bool known = false;

		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(k, keys[i]) == 0)
				known = true;
		if (!known) {
			char shown[65];

			/* the key is the file's text: control bytes are not echoed */
			for (i = 0; k[i] != '\0' && i + 1 < sizeof(shown); i++)
				shown[i] = (unsigned char)k[i] < 0x20 || k[i] == 0x7f ? '?' : k[i];
			shown[i] = '\0';
			qt_err_set(
			    c->err, EINVAL, "%s: %s: unknown key '%s'", c->name, where, shown);
			return false;
		}
	}
	return true;
}

static json_t *
member(const struct rdctx *c, json_t *obj, const char *where, const char *key, json_type type,
    bool nullable)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		qt_err_set(c->err, EINVAL, "%s: %s: missing key '%s'", c->name, where, key);
		return NULL;
	}
	if (nullable && json_is_null(v))
		return v;
	if (json_typeof(v) != type) {
		qt_err_set(c->err, EINVAL, "%s: %s.%s: wrong type", c->name, where, key);
		return NULL;
	}
	return v;
}

/* A string member copied (NULL for null when nullable). */
static int
str_member(const struct rdctx *c, json_t *obj, const char *where, const char *key, bool nullable,
    char **ret)
{
	json_t *v = member(c, obj, where, key, JSON_STRING, nullable);

	if (v == NULL)
		return -1;
	if (json_is_null(v))
		return 0;
	if ((*ret = strdup(json_string_value(v))) == NULL)
		return qt_err_set(c->err, ENOMEM, "%s: out of memory", c->name);
	return 0;
}

static int
hex_member(
    const struct rdctx *c, json_t *obj, const char *where, const char *key, uint8_t *out, size_t n)
{
	json_t *v = member(c, obj, where, key, JSON_STRING, false);

	if (v == NULL)
		return -1;
	if (!lhex(json_string_value(v), out, n))
		return qt_err_set(c->err, EINVAL, "%s: %s.%s: not %zu lower-case hex digits",
		    c->name, where, key, 2 * n);
	return 0;
}

static const char *const top_keys[] = { "schema_version", "platform", "hash_algorithm", "image",
	"source", "pcrs", "signer", "digests", "parent", "tool", NULL };
static const char *const source_keys[] = { "form", "reference", "manifest_digest", "config_digest",
	"layers", "platform", NULL };
static const char *const image_keys[] = { "file", "size", "sha256", "sha384", "name", "version",
	"build_time", "arch", "eif_version", NULL };
static const char *const signer_keys[] = { "subject", "issuer", "sha256", "not_before", "not_after",
	NULL };
static const char *const digest_keys[] = { "kernel", "cmdline", "ramdisks", NULL };
static const char *const parent_keys[] = { "iam_agency", "instance_id", NULL };
static const char *const nitro_parent_keys[] = { "iam_role", "instance_id", NULL };
static const char *const tool_keys[] = { "name", "version", NULL };

static int
parse_pcrs(const struct rdctx *c, json_t *pcrs, struct manifest *m)
{
	const char *k;
	json_t *v;
	char *end;

	if (json_object_size(pcrs) == 0)
		return qt_err_set(c->err, EINVAL, "%s: pcrs: empty", c->name);
	json_object_foreach(pcrs, k, v) {
		unsigned long idx = strtoul(k, &end, 10);

		/* canonical decimal 0..31: no sign, no leading zero, no spaces */
		if (k[0] < '0' || k[0] > '9' || *end != '\0' || (k[0] == '0' && k[1] != '\0') ||
		    idx >= PCR_COUNT)
			return qt_err_set(c->err, EINVAL,
			    "%s: pcrs: key '%.16s' is not a PCR index 0..31", c->name, k);
		if (!json_is_string(v) || !lhex(json_string_value(v), m->pcrs[idx], PCR_LEN))
			return qt_err_set(c->err, EINVAL,
			    "%s: pcrs.%s: not 96 lower-case hex digits", c->name, k);
		m->pcr_mask |= 1u << idx;
	}
	return 0;
}

/* schema_version, platform, hash_algorithm. */
static int
parse_head(const struct rdctx *c, json_t *root, struct manifest *m)
{
	json_t *v;

	if ((v = member(c, root, "manifest", "schema_version", JSON_INTEGER, false)) == NULL)
		return -1;
	if (json_integer_value(v) != MANIFEST_SCHEMA_VERSION)
		return qt_err_set(c->err, EINVAL,
		    "%s: schema_version %lld is not supported (this is %d)", c->name,
		    (long long)json_integer_value(v), MANIFEST_SCHEMA_VERSION);
	if ((v = member(c, root, "manifest", "platform", JSON_STRING, false)) == NULL)
		return -1;
	if (qt_profile_parse(json_string_value(v), false, &m->platform) < 0)
		return qt_err_set(c->err, EINVAL, "%s: platform: '%.32s' is not qingtian or nitro",
		    c->name, json_string_value(v));
	if ((v = member(c, root, "manifest", "hash_algorithm", JSON_STRING, false)) == NULL)
		return -1;
	if (strcmp(json_string_value(v), "sha384") != 0)
		return qt_err_set(c->err, EINVAL, "%s: hash_algorithm: '%.32s' is not sha384",
		    c->name, json_string_value(v));
	return 0;
}

static int
parse_image(const struct rdctx *c, json_t *root, struct manifest *m)
{
	json_t *img, *v;

	if ((img = member(c, root, "manifest", "image", JSON_OBJECT, false)) == NULL ||
	    !only_keys(c, "image", img, image_keys) ||
	    str_member(c, img, "image", "file", false, &m->file) < 0 ||
	    (v = member(c, img, "image", "size", JSON_INTEGER, false)) == NULL)
		return -1;
	if (json_integer_value(v) < 0)
		return qt_err_set(c->err, EINVAL, "%s: image.size: negative", c->name);
	m->size = (uint64_t)json_integer_value(v);
	if (hex_member(c, img, "image", "sha256", m->sha256, 32) < 0 ||
	    hex_member(c, img, "image", "sha384", m->sha384, 48) < 0 ||
	    str_member(c, img, "image", "name", true, &m->name) < 0 ||
	    str_member(c, img, "image", "version", true, &m->version) < 0 ||
	    str_member(c, img, "image", "build_time", true, &m->build_time) < 0 ||
	    str_member(c, img, "image", "arch", false, &m->arch) < 0 ||
	    (v = member(c, img, "image", "eif_version", JSON_INTEGER, false)) == NULL)
		return -1;
	if (json_integer_value(v) < 0 || json_integer_value(v) > 65535)
		return qt_err_set(c->err, EINVAL, "%s: image.eif_version: out of range", c->name);
	m->eif_version = (unsigned)json_integer_value(v);
	return 0;
}

/* "source" (optional): the container image, strings (reference, digests may be null). */
static int
parse_source(const struct rdctx *c, json_t *root, struct manifest *m)
{
	json_t *src = json_object_get(root, "source"), *v;
	char *tmp = NULL;
	size_t i;

	if (src == NULL)
		return 0;
	if (!json_is_object(src))
		return qt_err_set(c->err, EINVAL, "%s: manifest.source: wrong type", c->name);
	if (!only_keys(c, "source", src, source_keys))
		return -1;
	for (i = 0; source_keys[i] != NULL; i++) {
		bool nullable = strcmp(source_keys[i], "form") != 0 &&
		                strcmp(source_keys[i], "config_digest") != 0;
		if (strcmp(source_keys[i], "layers") == 0)
			continue;
		if (str_member(c, src, "source", source_keys[i], nullable, &tmp) < 0)
			return -1;
		free(tmp);
		tmp = NULL;
	}
	if ((v = member(c, src, "source", "layers", JSON_ARRAY, false)) == NULL)
		return -1;
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)))
			return qt_err_set(
			    c->err, EINVAL, "%s: source.layers[%zu]: not a string", c->name, i);
	m->source = json_incref(src);
	return 0;
}

static int
parse_signer(const struct rdctx *c, json_t *root, struct manifest *m)
{
	json_t *sig;

	if ((sig = member(c, root, "manifest", "signer", JSON_OBJECT, true)) == NULL)
		return -1;
	if (json_is_null(sig))
		return 0;
	m->is_signed = true;
	if (!only_keys(c, "signer", sig, signer_keys) ||
	    str_member(c, sig, "signer", "subject", false, &m->signer_subject) < 0 ||
	    str_member(c, sig, "signer", "issuer", false, &m->signer_issuer) < 0 ||
	    hex_member(c, sig, "signer", "sha256", m->signer_sha256, 32) < 0 ||
	    str_member(c, sig, "signer", "not_before", false, &m->signer_not_before) < 0 ||
	    str_member(c, sig, "signer", "not_after", false, &m->signer_not_after) < 0)
		return -1;
	return 0;
}

static int
parse_digests(const struct rdctx *c, json_t *root, struct manifest *m)
{
	json_t *dig, *rds;
	size_t i;

	if ((dig = member(c, root, "manifest", "digests", JSON_OBJECT, false)) == NULL ||
	    !only_keys(c, "digests", dig, digest_keys) ||
	    hex_member(c, dig, "digests", "kernel", m->kernel, 48) < 0 ||
	    hex_member(c, dig, "digests", "cmdline", m->cmdline, 48) < 0 ||
	    (rds = member(c, dig, "digests", "ramdisks", JSON_ARRAY, false)) == NULL)
		return -1;
	if (json_array_size(rds) > MANIFEST_RAMDISKS_MAX)
		return qt_err_set(c->err, EINVAL, "%s: digests.ramdisks: more than %d entries",
		    c->name, MANIFEST_RAMDISKS_MAX);
	for (i = 0; i < json_array_size(rds); i++) {
		json_t *v = json_array_get(rds, i);

		if (!json_is_string(v) || !lhex(json_string_value(v), m->ramdisks[i], 48))
			return qt_err_set(c->err, EINVAL,
			    "%s: digests.ramdisks[%zu]: not 96 lower-case hex digits", c->name, i);
		m->nramdisks = i + 1;
	}
	return 0;
}

/*
 * A parent identity recorded with its PCR: it obeys the rule of
 * `qt-measure extend` and `manifest` (pcr.h), and the PCR is its extend.
 */
static int
parent_pcr(const struct rdctx *c, const struct manifest *m, const char *key, unsigned idx)
{
	const char *text = idx == 4                          ? m->instance_id
	                   : m->platform == QT_PROFILE_NITRO ? m->iam_role
	                                                     : m->iam_agency;
	uint8_t want[PCR_LEN];
	char canon[PCR_PARENT_ID_MAX + 1];
	struct qt_err why = { 0 };

	if (text == NULL)
		return 0;
	if (strlen(text) > PCR_PARENT_ID_MAX ||
	    (idx == 4 ? pcr_instance_id_canon(m->platform, strcpy(canon, text), &why)
	        : m->platform == QT_PROFILE_NITRO ? pcr_iam_role_check(text, &why)
	                                          : pcr_iam_agency_check(text, &why)) < 0)
		return qt_err_set(c->err, EINVAL, "%s: parent.%s: %s", c->name, key,
		    why.code != 0 ? why.msg : "too long");
	if (idx == 4 && strcmp(canon, text) != 0)
		return qt_err_set(
		    c->err, EINVAL, "%s: parent.%s: not in canonical (lower) case", c->name, key);
	if (pcr_of_text(text, want, c->err) < 0)
		return -1;
	if (!(m->pcr_mask & (1u << idx)) || CRYPTO_memcmp(want, m->pcrs[idx], PCR_LEN) != 0)
		return qt_err_set(
		    c->err, EINVAL, "%s: parent.%s: pcrs.%u is not its extend", c->name, key, idx);
	return 0;
}

static int
parse_parent_tool(const struct rdctx *c, json_t *root, struct manifest *m)
{
	json_t *par, *tool;

	bool nitro = m->platform == QT_PROFILE_NITRO, old = false;

	if ((par = member(c, root, "manifest", "parent", JSON_OBJECT, false)) == NULL)
		return -1;
	/* a nitro manifest written before PCR3 had its key there: a null agency */
	if (nitro && json_object_get(par, "iam_role") == NULL &&
	    json_object_get(par, "iam_agency") != NULL) {
		if (!json_is_null(json_object_get(par, "iam_agency")))
			return qt_err_set(c->err, EINVAL,
			    "%s: parent.iam_agency: an agency URN is Huawei's (qingtian); on nitro "
			    "PCR3 is the parent instance's IAM role (parent.iam_role)",
			    c->name);
		old = true;
	}
	if (!only_keys(c, "parent", par, nitro && !old ? nitro_parent_keys : parent_keys) ||
	    (!old && str_member(c, par, "parent", nitro ? "iam_role" : "iam_agency", true,
	                 nitro ? &m->iam_role : &m->iam_agency) < 0) ||
	    str_member(c, par, "parent", "instance_id", true, &m->instance_id) < 0)
		return -1;
	if ((tool = member(c, root, "manifest", "tool", JSON_OBJECT, false)) == NULL ||
	    !only_keys(c, "tool", tool, tool_keys) ||
	    member(c, tool, "tool", "name", JSON_STRING, false) == NULL ||
	    str_member(c, tool, "tool", "version", false, &m->tool_version) < 0)
		return -1;
	return 0;
}

/* The profile's PCRs must be there (qt-manifest(5)); parents match their PCRs. */
static int
check_pcrs(const struct rdctx *c, const struct manifest *m)
{
	if ((m->pcr_mask & 1u) == 0 || (m->pcr_mask & (1u << 8)) == 0)
		return qt_err_set(c->err, EINVAL, "%s: pcrs: PCR0 and PCR8 are required", c->name);
	if (m->platform == QT_PROFILE_NITRO && (m->pcr_mask & 6u) != 6u)
		return qt_err_set(
		    c->err, EINVAL, "%s: pcrs: the nitro profile requires PCR1 and PCR2", c->name);
	if (parent_pcr(c, m, m->platform == QT_PROFILE_NITRO ? "iam_role" : "iam_agency", 3) < 0 ||
	    parent_pcr(c, m, "instance_id", 4) < 0)
		return -1;
	return 0;
}

int
manifest_parse(
    const char *name, const uint8_t *buf, size_t len, struct manifest **ret, struct qt_err *err)
{
	struct rdctx c = { name, err };
	struct manifest *m = NULL;
	json_t *root = NULL, *v;
	json_error_t je;
	int r = -1;

	if (len > MANIFEST_MAX) {
		qt_err_set(err, EFBIG, "%s: larger than %u bytes", name, MANIFEST_MAX);
		goto out;
	}
	if ((root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		qt_err_set(
		    err, EINVAL, "%s: line %d, column %d: %s", name, je.line, je.column, je.text);
		goto out;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (!json_is_object(root)) {
		qt_err_set(err, EINVAL, "%s: not a JSON object", name);
		goto out;
	}
	/* in key order of qt-manifest(5): the first problem found is the first in the file */
	if (!only_keys(&c, "manifest", root, top_keys) || parse_head(&c, root, m) < 0 ||
	    parse_image(&c, root, m) < 0 || parse_source(&c, root, m) < 0 ||
	    (v = member(&c, root, "manifest", "pcrs", JSON_OBJECT, false)) == NULL ||
	    parse_pcrs(&c, v, m) < 0 || parse_signer(&c, root, m) < 0 ||
	    parse_digests(&c, root, m) < 0 || parse_parent_tool(&c, root, m) < 0 ||
	    check_pcrs(&c, m) < 0)
		goto out;
	*ret = m;
	m = NULL;
	r = 0;
out:
	json_decref(root);
	manifest_free(m);
	return r;
}
