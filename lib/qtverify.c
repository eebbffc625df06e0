/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qtverify.c: libqtverify (qt/verify.h, qtverify(3)), the relying party's
 * C API over attest.h, manifest.h and pcr.h. The objects wrap the library's
 * structures, which stay out of the ABI; a struct qt_err becomes a status
 * code and a message copied into the caller's buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qt/verify.h"

#include "attest.h"
#include "attest_report.h"
#include "json.h"
#include "manifest.h"
#include "pcr.h"
#include "x509.h"

struct qtv_expect {
	struct attest_expect exp;
	enum qt_profile platform;
	int64_t max_age; /* seconds; < 0: not checked */
	bool allow_debug;
	bool have_root_sha256;
	uint8_t root_sha256[32];
};

struct qtv_result {
	struct attest_doc *doc; /* NULL: the document could not be read */
	struct attest_result res;
	struct attest_opts opts;    /* as checked (root_der cleared): the summary's hints */
	int status;                 /* >= QTV_ERR_ARGUMENT: what stopped the checks */
	char error[QTV_ERRMSG_MAX]; /* and its message */
};

/*
 * The status for an error the library recorded, its message copied out:
 * out of memory, or else other (what refused an input is malformed, a
 * failure of a digest of well-formed bytes is internal).
 */
static int
status_of(const struct qt_err *err, int other, char *msg, size_t msglen)
{
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, "%s", err->code != 0 ? err->msg : "unknown error");
	return err->code == ENOMEM ? QTV_ERR_NOMEM : other;
}

static int
fail(int status, char *msg, size_t msglen, const char *text)
{
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, "%s", text);
	return status;
}

const char *
qtv_version(void)
{
	return QT_VERSION;
}

const char *
qtv_status_name(int status)
{
	static const char *const names[] = { "ok", "mismatch", "argument", "malformed", "nomem",
		"internal" };

	if (status < 0 || (size_t)status >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[status];
}

qtv_expect *
qtv_expect_new(void)
{
	qtv_expect *e = calloc(1, sizeof(*e));

	if (e != NULL) {
		e->platform = QT_PROFILE_AUTO;
		e->max_age = -1;
	}
	return e;
}

void
qtv_expect_free(qtv_expect *e)
{
	if (e == NULL)
		return;
	free(e->exp.nonce.p);
	free(e->exp.user_data.p);
	free(e->exp.public_key.p);
	free(e);
}

int
qtv_expect_from_manifest(
    const uint8_t *json, size_t len, qtv_expect **ret, char *msg, size_t msglen)
{
	struct qt_err err = { 0 };
	struct manifest *m = NULL;
	qtv_expect *e = NULL;
	size_t i;
	int r;

	if (ret == NULL || (json == NULL && len > 0))
		return fail(
		    QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_from_manifest: NULL argument");
	*ret = NULL;
	if (len > MANIFEST_MAX) {
		r = fail(QTV_ERR_MALFORMED, msg, msglen, "manifest: larger than 1 MiB");
		goto out;
	}
	if (manifest_parse("manifest", json, len, &m, &err) < 0) {
		r = status_of(&err, QTV_ERR_MALFORMED, msg, msglen);
		goto out;
	}
	if ((e = qtv_expect_new()) == NULL) {
		r = fail(QTV_ERR_NOMEM, msg, msglen, "out of memory");
		goto out;
	}
	e->platform = m->platform == QT_PROFILE_NITRO ? QT_PROFILE_NITRO : QT_PROFILE_QINGTIAN;
	for (i = 0; i < PCR_COUNT; i++)
		if (m->pcr_mask & (1u << i))
			memcpy(e->exp.pcrs[i], m->pcrs[i], PCR_LEN);
	e->exp.pcr_mask = m->pcr_mask;
	*ret = e;
	e = NULL;
	r = QTV_OK;
out:
	qtv_expect_free(e);
	manifest_free(m);
	return r;
}

int
qtv_expect_set_pcr(
    qtv_expect *e, unsigned index, const uint8_t *value, size_t len, char *msg, size_t msglen)
{
	if (e == NULL || value == NULL)
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_pcr: NULL argument");
	if (index >= PCR_COUNT)
		return fail(
		    QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_pcr: index not in 0..31");
	if (len != PCR_LEN)
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_pcr: a PCR is 48 bytes");
	memcpy(e->exp.pcrs[index], value, PCR_LEN);
	e->exp.pcr_mask |= 1u << index;
	return QTV_OK;
}

/* Replace an expected byte string (len 0: the document must have none). */
static int
set_bytes(struct attest_bytes *b, const char *what, const uint8_t *p, size_t len, size_t max,
    char *msg, size_t msglen)
{
	uint8_t *copy;

	if (p == NULL && len > 0) {
		if (msg != NULL && msglen > 0)
			snprintf(msg, msglen, "qtv_expect_set_%s: NULL argument", what);
		return QTV_ERR_ARGUMENT;
	}
	if (len > max) {
		if (msg != NULL && msglen > 0)
			snprintf(
			    msg, msglen, "%s: %zu bytes exceeds the limit of %zu", what, len, max);
		return QTV_ERR_ARGUMENT;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return fail(QTV_ERR_NOMEM, msg, msglen, "out of memory");
	if (len > 0)
		memcpy(copy, p, len);
	free(b->p);
	b->p = copy;
	b->len = len;
	b->present = true;
	return QTV_OK;
}

int
qtv_expect_set_nonce(qtv_expect *e, const uint8_t *p, size_t len, char *msg, size_t msglen)
{
	if (e == NULL)
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_nonce: NULL argument");
	return set_bytes(&e->exp.nonce, "nonce", p, len, ATTEST_NONCE_MAX, msg, msglen);
}

int
qtv_expect_set_user_data(qtv_expect *e, const uint8_t *p, size_t len, char *msg, size_t msglen)
{
	if (e == NULL)
		return fail(
		    QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_user_data: NULL argument");
	return set_bytes(&e->exp.user_data, "user_data", p, len, ATTEST_USERDATA_MAX, msg, msglen);
}

int
qtv_expect_set_public_key(qtv_expect *e, const uint8_t *p, size_t len, char *msg, size_t msglen)
{
	struct qt_err err = { 0 };
	uint8_t *key = NULL;
	size_t klen = 0;

	if (e == NULL || (p == NULL && len > 0))
		return fail(
		    QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_public_key: NULL argument");
	if (len > 0 &&
	    x509_load_key_bytes("public key", p, len, ATTEST_PUBKEY_MAX, &key, &klen, &err) < 0)
		return status_of(&err, QTV_ERR_MALFORMED, msg, msglen);
	free(e->exp.public_key.p);
	e->exp.public_key.p = key;
	e->exp.public_key.len = klen;
	e->exp.public_key.present = true;
	return QTV_OK;
}

int
qtv_expect_set_max_age(qtv_expect *e, int64_t seconds, char *msg, size_t msglen)
{
	if (e == NULL)
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_max_age: NULL argument");
	e->max_age = seconds < 0 ? -1 : seconds;
	return QTV_OK;
}

int
qtv_expect_set_allow_debug(qtv_expect *e, int allow, char *msg, size_t msglen)
{
	if (e == NULL)
		return fail(
		    QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_allow_debug: NULL argument");
	e->allow_debug = allow != 0;
	return QTV_OK;
}

int
qtv_expect_set_root_sha256(
    qtv_expect *e, const uint8_t *sha256, size_t len, char *msg, size_t msglen)
{
	if (e == NULL || sha256 == NULL)
		return fail(
		    QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_root_sha256: NULL argument");
	if (len != sizeof(e->root_sha256))
		return fail(QTV_ERR_ARGUMENT, msg, msglen,
		    "qtv_expect_set_root_sha256: a SHA-256 is 32 bytes");
	memcpy(e->root_sha256, sha256, sizeof(e->root_sha256));
	e->have_root_sha256 = true;
	return QTV_OK;
}

int
qtv_expect_set_profile(qtv_expect *e, const char *name, char *msg, size_t msglen)
{
	enum qt_profile p;

	if (e == NULL || name == NULL)
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_expect_set_profile: NULL argument");
	if (qt_profile_parse(name, true, &p) < 0) {
		if (msg != NULL && msglen > 0)
			snprintf(
			    msg, msglen, "profile: '%.32s' is not qingtian, nitro or auto", name);
		return QTV_ERR_ARGUMENT;
	}
	e->platform = p;
	return QTV_OK;
}

static bool
expect_any(const struct attest_expect *e)
{
	return e->pcr_mask != 0 || e->nonce.present || e->user_data.present ||
	       e->public_key.present;
}

/* A result that records why the checks stopped: its report names the error. */
static int
stopped(qtv_result *r, const struct qt_err *err, char *msg, size_t msglen)
{
	r->status = status_of(err, QTV_ERR_MALFORMED, r->error, sizeof(r->error));
	return fail(r->status, msg, msglen, r->error);
}

int
qtv_verify_named(const char *name, const uint8_t *doc, size_t doc_len, const uint8_t *root,
    size_t root_len, int64_t at_ms, const qtv_expect *e, qtv_result **ret, char *msg, size_t msglen)
{
	struct qt_err err = { 0 };
	qtv_result *r = NULL;
	uint8_t *bin = NULL, *rootder = NULL;
	size_t blen;
	int v, rc;

	if (ret != NULL)
		*ret = NULL;
	/* no root is fine when the expectation pins its SHA-256 */
	if (ret == NULL || name == NULL || doc == NULL || e == NULL ||
	    (root == NULL && (root_len > 0 || !e->have_root_sha256)))
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_verify: NULL argument");
	if (root != NULL && e->have_root_sha256) {
		rc = fail(QTV_ERR_ARGUMENT, msg, msglen,
		    "qtv_verify: give a root or pin its SHA-256, not both");
		goto out;
	}
	if (!expect_any(&e->exp)) {
		rc = fail(QTV_ERR_ARGUMENT, msg, msglen,
		    "qtv_verify: nothing to compare: set a PCR, nonce, user_data or public key");
		goto out;
	}
	if (e->max_age >= 0 && at_ms == QTV_AT_DOCUMENT) {
		rc = fail(QTV_ERR_ARGUMENT, msg, msglen,
		    "qtv_verify: a maximum age at the document's own time measures nothing");
		goto out;
	}
	if (doc_len > ATTEST_TEXT_MAX) {
		rc = fail(QTV_ERR_MALFORMED, msg, msglen, "document: larger than 128 KiB");
		goto out;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rc = fail(QTV_ERR_NOMEM, msg, msglen, "out of memory");
		goto out;
	}
	r->opts.platform = e->platform;
	r->opts.max_age = e->max_age;
	r->opts.allow_debug = e->allow_debug;
	r->opts.have_root_sha256 = e->have_root_sha256;
	memcpy(r->opts.root_sha256, e->root_sha256, sizeof(r->opts.root_sha256));
	r->opts.at_mode = at_ms == QTV_AT_NOW        ? ATTEST_AT_NOW
	                  : at_ms == QTV_AT_DOCUMENT ? ATTEST_AT_DOC
	                                             : ATTEST_AT_TIME;
	r->opts.at_ms = at_ms;
	if (root != NULL) {
		if (x509_load_der("root", root, root_len, &rootder, &r->opts.root_der_len, &err) <
		    0) {
			rc = status_of(&err, QTV_ERR_MALFORMED, msg, msglen);
			goto out;
		}
		r->opts.root_der = rootder;
	}
	if (attest_decode_text(name, doc, doc_len, &bin, &blen, &err) < 0 ||
	    attest_parse(name, bin, blen, r->opts.platform, &r->doc, &err) < 0 ||
	    (v = attest_verify(r->doc, &r->opts, &e->exp, &r->res, &err)) < 0) {
		rc = stopped(r, &err, msg, msglen);
		goto done;
	}
	r->status = rc = v == 0 ? QTV_OK : QTV_MISMATCH;
	if (rc == QTV_MISMATCH)
		fail(rc, msg, msglen, "document: a check failed");
	else if (msg != NULL && msglen > 0)
		msg[0] = '\0';
done:
	r->opts.root_der = NULL;
	r->opts.root_der_len = 0;
	*ret = r;
	r = NULL;
out:
	qtv_result_free(r);
	free(bin);
	free(rootder);
	return rc;
}

int
qtv_verify(const uint8_t *doc, size_t doc_len, const uint8_t *root, size_t root_len, int64_t at_ms,
    const qtv_expect *e, qtv_result **ret, char *msg, size_t msglen)
{
	int rc =
	    qtv_verify_named("document", doc, doc_len, root, root_len, at_ms, e, ret, msg, msglen);

	/* here a document that could not be checked gives no result */
	if (rc > QTV_MISMATCH && ret != NULL) {
		qtv_result_free(*ret);
		*ret = NULL;
	}
	return rc;
}

void
qtv_result_free(qtv_result *r)
{
	if (r == NULL)
		return;
	attest_free(r->doc);
	free(r);
}

int
qtv_result_verdict(const qtv_result *r)
{
	size_t i;

	if (r == NULL)
		return QTV_ERR_ARGUMENT;
	if (r->status > QTV_MISMATCH)
		return r->status;
	for (i = 0; i < r->res.n; i++)
		if (r->res.checks[i].verdict == ATTEST_FAIL)
			return QTV_MISMATCH;
	return QTV_OK;
}

int
qtv_result_authentic(const qtv_result *r)
{
	return r != NULL && r->res.authentic;
}

const char *
qtv_result_profile(const qtv_result *r)
{
	return r == NULL ? NULL : qt_profile_name(r->res.platform);
}

int64_t
qtv_result_instant_ms(const qtv_result *r)
{
	return r == NULL ? 0 : r->res.instant_ms;
}

size_t
qtv_result_check_count(const qtv_result *r)
{
	return r == NULL ? 0 : r->res.n;
}

static const struct attest_check *
check_at(const qtv_result *r, size_t i)
{
	return r == NULL || i >= r->res.n ? NULL : &r->res.checks[i];
}

const char *
qtv_result_check_name(const qtv_result *r, size_t i)
{
	const struct attest_check *c = check_at(r, i);

	return c == NULL ? NULL : c->name;
}

int
qtv_result_check_verdict(const qtv_result *r, size_t i)
{
	const struct attest_check *c = check_at(r, i);

	if (c == NULL)
		return -1;
	return c->verdict == ATTEST_PASS   ? QTV_CHECK_PASS
	       : c->verdict == ATTEST_FAIL ? QTV_CHECK_FAIL
	                                   : QTV_CHECK_SKIP;
}

const char *
qtv_result_check_detail(const qtv_result *r, size_t i)
{
	const struct attest_check *c = check_at(r, i);

	return c == NULL ? NULL : c->detail;
}

const char *
qtv_result_module_id(const qtv_result *r)
{
	return r == NULL || r->doc == NULL ? NULL : r->doc->module_id;
}

uint64_t
qtv_result_timestamp_ms(const qtv_result *r)
{
	return r == NULL || r->doc == NULL ? 0 : r->doc->timestamp_ms;
}

const uint8_t *
qtv_result_pcr(const qtv_result *r, unsigned index, size_t *len)
{
	if (len != NULL)
		*len = 0;
	if (r == NULL || r->doc == NULL || index >= PCR_COUNT ||
	    !(r->doc->pcr_mask & (1u << index)))
		return NULL;
	if (len != NULL)
		*len = PCR_LEN;
	return r->doc->pcrs[index];
}

/* A byte string of the document; NULL when absent or null (an empty one is not NULL). */
static const uint8_t *
field(const struct attest_bytes *b, size_t *len)
{
	static const uint8_t empty[1];

	if (len != NULL)
		*len = b->present ? b->len : 0;
	if (!b->present)
		return NULL;
	return b->p != NULL ? b->p : empty;
}

const uint8_t *
qtv_result_public_key(const qtv_result *r, size_t *len)
{
	static const struct attest_bytes none = { 0 };

	return field(r == NULL || r->doc == NULL ? &none : &r->doc->public_key, len);
}

const uint8_t *
qtv_result_user_data(const qtv_result *r, size_t *len)
{
	static const struct attest_bytes none = { 0 };

	return field(r == NULL || r->doc == NULL ? &none : &r->doc->user_data, len);
}

const uint8_t *
qtv_result_nonce(const qtv_result *r, size_t *len)
{
	static const struct attest_bytes none = { 0 };

	return field(r == NULL || r->doc == NULL ? &none : &r->doc->nonce, len);
}

int
qtv_result_report_json(const qtv_result *r, int flags, char **ret, char *msg, size_t msglen)
{
	struct qt_err err = { 0 };
	json_t *rep;
	int rc = QTV_OK;

	if (r == NULL || ret == NULL)
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_result_report_json: NULL argument");
	*ret = NULL;
	if ((flags & ~QTV_JSON_PRETTY) != 0)
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_result_report_json: unknown flags");
	rep = r->status > QTV_MISMATCH ? attest_report_json(r->doc, NULL, r->error)
	                               : attest_report_json(r->doc, &r->res, NULL);
	if (rep == NULL)
		return fail(QTV_ERR_NOMEM, msg, msglen, "out of memory");
	if (qtjson_dump(rep, (flags & QTV_JSON_PRETTY) != 0, ret, &err) < 0)
		rc = status_of(&err, QTV_ERR_INTERNAL, msg, msglen);
	json_decref(rep);
	return rc;
}

int
qtv_result_summary(const qtv_result *r, char *buf, size_t len)
{
	if (r == NULL || buf == NULL || len == 0)
		return QTV_ERR_ARGUMENT;
	if (r->status > QTV_MISMATCH)
		snprintf(buf, len, "%s", r->error);
	else
		attest_summary(&r->res, &r->opts, buf, len);
	return QTV_OK;
}

int
qtv_pcr_extend(uint8_t reg[QTV_PCR_LEN], const uint8_t *data, size_t len, char *msg, size_t msglen)
{
	struct qt_err err = { 0 };

	if (reg == NULL || (data == NULL && len > 0))
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_pcr_extend: NULL argument");
	if (pcr_extend(reg, data, len, &err) < 0)
		return status_of(&err, QTV_ERR_INTERNAL, msg, msglen);
	return QTV_OK;
}

int
qtv_pcr_measure(const uint8_t *data, size_t len, uint8_t ret[QTV_PCR_LEN], char *msg, size_t msglen)
{
	struct qt_err err = { 0 };

	if (ret == NULL || (data == NULL && len > 0))
		return fail(QTV_ERR_ARGUMENT, msg, msglen, "qtv_pcr_measure: NULL argument");
	if (pcr_of_bytes(data, len, ret, &err) < 0)
		return status_of(&err, QTV_ERR_INTERNAL, msg, msglen);
	return QTV_OK;
}
