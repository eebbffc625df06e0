/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest_verify.c: the checks of an attestation document (spec/attestation.md
 * 3), one function each, in report order: platform, root, chain (links, then
 * CA constraints; x509.c), validity, OpenSSL's opinion, signature (cose.c),
 * freshness (not after the instant, max age; milliseconds), production mode
 * and the expectations. Each records its verdict in the result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "attest.h"
#include "bytes.h"
#include "cose.h"
#include "text.h"
#include "x509.h"

const char *
attest_sigform_name(enum attest_sigform f)
{
	switch (f) {
	case ATTEST_SIG_BE:
		return "big-endian";
	case ATTEST_SIG_LE_HALVES:
		return "little-endian-halves";
	case ATTEST_SIG_NONE:
		break;
	}
	return "none";
}

/* What the checks share: the inputs, the certificates, the verdicts so far. */
struct vctx {
	const struct attest_doc *doc;
	const struct attest_opts *opts;
	const struct attest_expect *exp;
	struct attest_result *res;
	X509 *leaf, *ca[ATTEST_CABUNDLE_MAX], *pinned;
	X509 *anchor;          /* the pinned root, or cabundle[0] when pinned by hash */
	struct x509_path path; /* cabundle[0], ..., cabundle[n-1], certificate */
	bool platform_ok, root_ok, chain_ok, times_ok, x509_ok, sig_ok;
};

static void add_check(struct attest_result *res, const char *name, enum attest_verdict v,
    const char *fmt, ...) QT_PRINTF(4, 5);

static void
add_check(struct attest_result *res, const char *name, enum attest_verdict v, const char *fmt, ...)
{
	struct attest_check *c;
	va_list ap;

	if (res->n >= ATTEST_MAX_CHECKS)
		c = &res->checks[ATTEST_MAX_CHECKS - 1]; /* cannot happen: 32 PCRs + 12 */
	else
		c = &res->checks[res->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->verdict = v;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

static void
hex_short(const uint8_t *p, size_t n, char *out, size_t len)
{
	char *h;

	if (len < 4) {
		out[0] = '\0';
		return;
	}
	if ((h = malloc(2 * n + 1)) == NULL) {
		snprintf(out, len, "?");
		return;
	}
	qt_hex(p, n, h);
	if (strlen(h) + 1 > len)
		snprintf(out, len, "%.*s...", (int)(len - 4), h);
	else
		snprintf(out, len, "%s", h);
	free(h);
}

/* A duration in ms as seconds: "61", or "60.527" when not whole. */
static const char *
secs(int64_t ms, char *out, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(out, len, "%lld", (long long)(ms / 1000));
	else
		snprintf(out, len, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
	return out;
}

/* Certificates: DER exactly, no trailing bytes; the path cabundle[0] -> leaf. */
static int
load_certs(struct vctx *v, struct qt_err *err)
{
	const struct attest_doc *doc = v->doc;
	char what[600], label[40];
	size_t i;

	snprintf(what, sizeof(what), "%s: payload: certificate", doc->name);
	if (x509_from_der(what, doc->certificate.p, doc->certificate.len, &v->leaf, err) < 0)
		return -1;
	for (i = 0; i < doc->cabundle_len; i++) {
		snprintf(label, sizeof(label), "cabundle[%zu]", i);
		snprintf(what, sizeof(what), "%s: payload: %s", doc->name, label);
		if (x509_from_der(what, doc->cabundle[i].p, doc->cabundle[i].len, &v->ca[i], err) <
		        0 ||
		    x509_path_push(&v->path, v->ca[i], label, err) < 0)
			return -1;
	}
	if (x509_path_push(&v->path, v->leaf, "certificate", err) < 0)
		return -1;
	if (v->opts->root_der != NULL && x509_from_der("pinned root", v->opts->root_der,
	                                     v->opts->root_der_len, &v->pinned, err) < 0)
		return -1;
	return 0;
}

/* Check: an explicit profile must match the document's shape; then the envelope. */
static void
check_platform(struct vctx *v)
{
	const struct attest_doc *doc = v->doc;
	enum qt_profile want = v->opts->platform;
	char hx[200];

	v->res->platform = want == QT_PROFILE_AUTO ? doc->shape : want;
	hex_short(doc->protected_hdr, doc->protected_len, hx, sizeof(hx));
	v->platform_ok = want == QT_PROFILE_AUTO || want == doc->shape;
	if (!v->platform_ok)
		add_check(v->res, "platform", ATTEST_FAIL,
		    "%s required, but the document has the %s shape (protected header %s)",
		    qt_profile_name(want), qt_profile_name(doc->shape), hx);
	else
		add_check(v->res, "platform", ATTEST_PASS, "%s (protected header %s)%s",
		    qt_profile_name(v->res->platform), hx,
		    want == QT_PROFILE_AUTO ? ", detected" : "");
	/* attest_parse() already refused every other envelope */
	add_check(v->res, "cose", ATTEST_PASS,
	    "%s COSE_Sign1, alg ES384, payload schema and limits ok",
	    doc->tagged ? "tagged (18)" : "untagged");
}

/* Check: cabundle[0] is the pinned root, by its DER or its SHA-256 (spec 3). */
static void
check_root(struct vctx *v)
{
	const struct attest_doc *doc = v->doc;
	const struct attest_opts *o = v->opts;
	uint8_t fp[32];
	char hx[65], hx2[65], label[260];

	SHA256(doc->cabundle[0].p, doc->cabundle[0].len, fp);
	qt_hex(fp, sizeof(fp), hx);
	if (o->root_der != NULL) {
		v->root_ok = o->root_der_len == doc->cabundle[0].len &&
		             CRYPTO_memcmp(o->root_der, doc->cabundle[0].p, o->root_der_len) == 0;
		v->anchor = v->pinned;
		SHA256(o->root_der, o->root_der_len, fp);
	} else {
		v->root_ok = CRYPTO_memcmp(fp, o->root_sha256, sizeof(fp)) == 0;
		v->anchor = v->ca[0];
		memcpy(fp, o->root_sha256, sizeof(fp));
	}
	qt_hex(fp, sizeof(fp), hx2);
	x509_path_label(&v->path, 0, label, sizeof(label));
	if (v->root_ok)
		add_check(
		    v->res, "root", ATTEST_PASS, "%s is the pinned root (sha256 %s)", label, hx);
	else
		add_check(v->res, "root", ATTEST_FAIL,
		    "%s (sha256 %.16s...) is not the pinned root (sha256 %.16s...)", label, hx,
		    hx2);
}

/* Check: each issuer is the next cabundle entry's subject and its key signed (spec 3). */
static bool
check_chain_links(struct vctx *v, char *why, size_t len)
{
	return x509_path_links(&v->path, why, len) == 0;
}

/* Check: CA and leaf constraints (BasicConstraints, pathLen, keyUsage; x509.h). */
static bool
check_ca_constraints(struct vctx *v, char *why, size_t len)
{
	return x509_path_constraints(&v->path, why, len) == 0;
}

/* The two chain checks share one report entry, "chain". */
static void
check_chain(struct vctx *v)
{
	char why[1024];

	v->chain_ok =
	    check_chain_links(v, why, sizeof(why)) && check_ca_constraints(v, why, sizeof(why));
	if (v->chain_ok)
		add_check(v->res, "chain", ATTEST_PASS,
		    "certificate -> cabundle[%zu] -> ... -> cabundle[0]: issuers, signatures and "
		    "CA constraints ok",
		    v->doc->cabundle_len - 1);
	else
		add_check(v->res, "chain", ATTEST_FAIL, "%s", why);
}

/* Check: every certificate is valid at the instant. */
static void
check_validity(struct vctx *v)
{
	char why[1024], at[32];

	v->times_ok = x509_path_times(&v->path, v->res->instant_ms, why, sizeof(why)) == 0;
	qt_time_format(qt_time_ms_to_s(v->res->instant_ms), false, at, sizeof(at));
	if (v->times_ok)
		add_check(v->res, "validity", ATTEST_PASS, "all %zu certificates valid at %s",
		    v->path.n, at);
	else
		add_check(v->res, "validity", ATTEST_FAIL, "%s", why);
}

/* Check: OpenSSL's path validation agrees, as a second opinion (only under a pinned root). */
static void
check_x509(struct vctx *v)
{
	char why[1024];

	if (!v->root_ok) {
		add_check(v->res, "x509", ATTEST_SKIP, "not run: no pinned root in the document");
		return;
	}
	v->x509_ok =
	    x509_path_openssl(&v->path, v->anchor, v->res->instant_ms, why, sizeof(why)) == 0;
	add_check(v->res, "x509", v->x509_ok ? ATTEST_PASS : ATTEST_FAIL, "%s", why);
}

/* Check: ES384 over the Sig_structure; big-endian, and for QingTian LE halves (spec 1). */
static int
check_signature(struct vctx *v, struct qt_err *err)
{
	const struct attest_doc *doc = v->doc;
	struct attest_result *res = v->res;
	struct qt_err kerr = { 0 }, serr = { 0 };
	struct wbuf tbs = { 0 };
	EVP_PKEY *pk = X509_get0_pubkey(v->leaf);
	enum cose_sigform form = COSE_SIGFORM_NONE;
	unsigned forms = COSE_SIGFORM_BE;
	long long key_alg = 0;
	int r;

	ERR_clear_error();
	if (pk == NULL || cose_alg_for_key("key", pk, &key_alg, &kerr) < 0 ||
	    key_alg != COSE_ALG_ES384) {
		add_check(res, "signature", ATTEST_FAIL, "the certificate's key is not EC P-384");
		return 0;
	}
	if (res->platform == QT_PROFILE_QINGTIAN)
		forms |= COSE_SIGFORM_LE_HALVES;
	if (cose_sig_structure(doc->protected_hdr, doc->protected_len, NULL, 0, doc->payload,
	        doc->payload_len, &tbs, err) < 0)
		return -1;
	r = cose_ecdsa_verify(doc->name, pk, COSE_ALG_ES384, tbs.p, tbs.len, doc->sig,
	    sizeof(doc->sig), forms, &form, &serr);
	wbuf_free(&tbs);
	if (r < 0) {
		return qt_err_move(err, &serr);
	}
	res->sigform = r != 0                           ? ATTEST_SIG_NONE
	               : form == COSE_SIGFORM_LE_HALVES ? ATTEST_SIG_LE_HALVES
	                                                : ATTEST_SIG_BE;
	v->sig_ok = res->sigform != ATTEST_SIG_NONE;
	if (v->sig_ok)
		add_check(res, "signature", ATTEST_PASS,
		    "ES384 by the certificate's key, r || s %s",
		    res->sigform == ATTEST_SIG_BE ? "big-endian"
		                                  : "with little-endian halves (QingTian)");
	else
		add_check(res, "signature", ATTEST_FAIL, "ES384 signature does not verify (%s)",
		    res->platform == QT_PROFILE_QINGTIAN
		        ? "neither big-endian r || s nor little-endian halves"
		        : "big-endian r || s");
	return 0;
}

/* Check (freshness, part 1): the timestamp is not after the instant, to the millisecond. */
static bool
check_not_after(struct vctx *v, int64_t age_ms)
{
	char s[32];

	if (age_ms >= 0)
		return true;
	add_check(v->res, "freshness", ATTEST_FAIL, "timestamp is %s s after the instant",
	    secs(-age_ms, s, sizeof(s)));
	return false;
}

/* Check (freshness, part 2): the document is at most max_age old, to the millisecond. */
static void
check_max_age(struct vctx *v, int64_t age_ms)
{
	int64_t max = v->opts->max_age;
	char s[32];

	if (age_ms / 1000 > max || (age_ms / 1000 == max && age_ms % 1000 != 0))
		add_check(v->res, "freshness", ATTEST_FAIL,
		    "document is %s s old, more than %lld s", secs(age_ms, s, sizeof(s)),
		    (long long)max);
	else
		add_check(v->res, "freshness", ATTEST_PASS, "document is %s s old (max %lld s)",
		    secs(age_ms, s, sizeof(s)), (long long)max);
}

static void
check_freshness(struct vctx *v)
{
	int64_t age_ms;

	if (v->opts->max_age < 0) {
		add_check(v->res, "freshness", ATTEST_SKIP, "not asked (--max-age)");
		return;
	}
	if (!v->res->authentic) {
		add_check(v->res, "freshness", ATTEST_SKIP,
		    "not evaluated: the document is not authentic");
		return;
	}
	/* timestamp_ms <= INT64_MAX (attest_parse); the instant is a real time */
	age_ms = v->res->instant_ms - (int64_t)v->doc->timestamp_ms;
	if (check_not_after(v, age_ms))
		check_max_age(v, age_ms);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Check: PCR0 present and not all zero (a debug-mode document never matches). */
static void
check_production(struct vctx *v)
{
	const struct attest_doc *doc = v->doc;
	struct attest_result *res = v->res;

	res->debug = !(doc->pcr_mask & 1u) || all_zero(doc->pcrs[0], PCR_LEN);
	if (!res->authentic)
		add_check(
		    res, "production", ATTEST_SKIP, "not evaluated: the document is not authentic");
	else if (res->debug && v->opts->allow_debug)
		add_check(res, "production", ATTEST_PASS,
		    "PCR0 is %s: a debug-mode document, accepted by --allow-debug (development "
		    "only: a debug enclave can be inspected by its host)",
		    (doc->pcr_mask & 1u) ? "all zero" : "missing");
	else if (res->debug)
		add_check(res, "production", ATTEST_FAIL,
		    "PCR0 is %s: a debug-mode document never matches a production expectation",
		    (doc->pcr_mask & 1u) ? "all zero" : "missing");
	else
		add_check(res, "production", ATTEST_PASS, "PCR0 is set (not debug mode)");
}

static bool
bytes_equal(const struct attest_bytes *want, const struct attest_bytes *got)
{
	size_t wl = want->present ? want->len : 0, gl = got->present ? got->len : 0;

	/* null and empty are alike (spec 2) */
	return wl == gl && (wl == 0 || CRYPTO_memcmp(want->p, got->p, wl) == 0);
}

static void
expect_bytes(struct attest_result *res, const char *name, const struct attest_bytes *want,
    const struct attest_bytes *got)
{
	char w[100], g[100];

	if (!want->present)
		return;
	if (!res->authentic) {
		add_check(res, name, ATTEST_SKIP, "not compared: the document is not authentic");
		return;
	}
	if (bytes_equal(want, got)) {
		add_check(
		    res, name, ATTEST_PASS, "matches (%zu bytes)", got->present ? got->len : 0);
		return;
	}
	hex_short(want->p, want->present ? want->len : 0, w, 60);
	if (got->present)
		hex_short(got->p, got->len, g, 60);
	else
		snprintf(g, sizeof(g), "null");
	add_check(res, name, ATTEST_FAIL,
	    "expected '%s' (%zu bytes), document has '%s' (%zu bytes)", w, want->len, g,
	    got->present ? got->len : 0);
}

/* Check: the relying party's expectations, each compared in constant time. */
static void
check_expectations(struct vctx *v)
{
	const struct attest_doc *doc = v->doc;
	const struct attest_expect *exp = v->exp;
	struct attest_result *res = v->res;
	char name[8], hx[2 * PCR_LEN + 1], hx2[2 * PCR_LEN + 1];
	size_t i;

	for (i = 0; i < PCR_COUNT; i++) {
		if (!(exp->pcr_mask & (1u << i)))
			continue;
		snprintf(name, sizeof(name), "pcr%zu", i);
		qt_hex(exp->pcrs[i], PCR_LEN, hx);
		if (!res->authentic)
			add_check(
			    res, name, ATTEST_SKIP, "not compared: the document is not authentic");
		else if (!(doc->pcr_mask & (1u << i)))
			add_check(
			    res, name, ATTEST_FAIL, "expected %s, document has no PCR%zu", hx, i);
		else if (CRYPTO_memcmp(exp->pcrs[i], doc->pcrs[i], PCR_LEN) != 0) {
			qt_hex(doc->pcrs[i], PCR_LEN, hx2);
			add_check(res, name, ATTEST_FAIL, "expected %s, document has %s", hx, hx2);
		} else
			add_check(res, name, ATTEST_PASS, "%s", hx);
	}
	expect_bytes(res, "nonce", &exp->nonce, &doc->nonce);
	expect_bytes(res, "user_data", &exp->user_data, &doc->user_data);
	expect_bytes(res, "public_key", &exp->public_key, &doc->public_key);
}

static bool
expect_any(const struct attest_expect *e)
{
	return e->pcr_mask != 0 || e->nonce.present || e->user_data.present ||
	       e->public_key.present;
}

int
attest_verify(const struct attest_doc *doc, const struct attest_opts *opts,
    const struct attest_expect *exp, struct attest_result *res, struct qt_err *err)
{
	struct vctx v = { 0 };
	size_t i;
	int r = -1;

	memset(res, 0, sizeof(*res));
	v.doc = doc;
	v.opts = opts;
	v.exp = exp;
	v.res = res;
	if (opts->root_der == NULL && !opts->have_root_sha256) {
		qt_err_set(
		    err, EINVAL, "%s: no pinned root: give --root or --root-sha256", doc->name);
		goto out;
	}
	if (exp == NULL || !expect_any(exp)) {
		qt_err_set(err, EINVAL,
		    "%s: nothing to compare: give --manifest, --expect-pcr, --nonce, --user-data "
		    "or --public-key",
		    doc->name);
		goto out;
	}
	res->instant_ms = opts->at_mode == ATTEST_AT_NOW   ? qt_time_now_ms()
	                  : opts->at_mode == ATTEST_AT_DOC ? (int64_t)doc->timestamp_ms
	                                                   : opts->at_ms;
	if (load_certs(&v, err) < 0)
		goto out;

	check_platform(&v);
	check_root(&v);
	check_chain(&v);
	check_validity(&v);
	check_x509(&v);
	if (check_signature(&v, err) < 0)
		goto out;
	res->authentic =
	    v.platform_ok && v.root_ok && v.chain_ok && v.times_ok && v.x509_ok && v.sig_ok;
	/* Everything below uses payload fields: only for an authentic document. */
	check_freshness(&v);
	check_production(&v);
	check_expectations(&v);

	r = 0;
	for (i = 0; i < res->n; i++)
		if (res->checks[i].verdict == ATTEST_FAIL)
			r = 1;
out:
	X509_free(v.leaf);
	for (i = 0; i < doc->cabundle_len && i < ATTEST_CABUNDLE_MAX; i++)
		X509_free(v.ca[i]);
	X509_free(v.pinned);
	return r;
}
