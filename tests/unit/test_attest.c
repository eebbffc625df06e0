/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_attest.c: attest.c against real hardware documents (one QingTian,
 * fifteen AWS Nitro) and the damaged variants in tests/fixtures/attest/broken
 * with the failures their README names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "attest_report.h"
#include "fileio.h"
#include "text.h"
#include "unit.h"
#include "x509.h"

#define AFIX FIXTURES "/attest"

static const char QT_PCR0[] = "74d6c5fa10418d50e62c5e0422b868a5912d664c7721a9742e2ffdae3ec49c6a"
                              "4030e3a1f73c37c5ccd297730a77ec89";
static const char QT_PCR8[] = "5d130027a732cb97a378d0dd0563b7a1e43cb220699a2739870558753fb5620b"
                              "b71e7c9053310aee01ec50c00f502e03";
static const char NA_PCR0[] = "bdc771e5c6483c54a0ff20c905d258bd230e1edae9dee3702ee9afeb95d9ce08"
                              "e7174336ce4f5352222c154318c9e285";
static const char NA_PCR8[] = "35235575680337d50f604d08eeb7cb220729e4d0f6b0d05476baafb052a7c241"
                              "3f78058fefface5e1477046534d4fdb2";
static const char QT_ROOT_SHA256[] =
    "f23443b4eb52a70719df49bdda0e57bb25f1c04530885dbecdbde241c8c4f581";

struct env {
	uint8_t *qt_root, *aws_root;
	size_t qt_root_len, aws_root_len;
};

static struct attest_doc *
load(struct unit *u, const char *path, struct qt_err *err)
{
	struct attest_doc *doc = NULL;
	uint8_t *raw = NULL, *bin = NULL;
	size_t rl, bl;

	qt_err_clear(err);
	if (fileio_read_all(path, ATTEST_TEXT_MAX, &raw, &rl, err) == 0 &&
	    attest_decode_text(path, raw, rl, &bin, &bl, err) == 0)
		attest_parse(path, bin, bl, QT_PROFILE_AUTO, &doc, err);
	free(raw);
	free(bin);
	(void)u;
	return doc;
}

static uint8_t *
root(const char *path, size_t *len)
{
	struct qt_err err = { 0 };
	uint8_t *raw = NULL, *der = NULL;
	size_t rl;

	if (fileio_read_all(path, 65536, &raw, &rl, &err) == 0)
		x509_load_der(path, raw, rl, &der, len, &err);
	free(raw);
	return der;
}

static const struct attest_check *
find(const struct attest_result *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (strcmp(res->checks[i].name, name) == 0)
			return &res->checks[i];
	return NULL;
}

static enum attest_verdict
verdict(const struct attest_result *res, const char *name)
{
	const struct attest_check *c = find(res, name);

	return c != NULL ? c->verdict : (enum attest_verdict)99;
}

static bool
detail_has(const struct attest_result *res, const char *name, const char *needle)
{
	const struct attest_check *c = find(res, name);

	if (c == NULL || strstr(c->detail, needle) == NULL) {
		printf("  check %s: '%s' lacks '%s'\n", name, c ? c->detail : "(none)", needle);
		return false;
	}
	return true;
}

static void
expect_pcr(struct attest_expect *e, unsigned i, const char *hex)
{
	if (qt_unhex(hex, e->pcrs[i], PCR_LEN) == 0)
		e->pcr_mask |= 1u << i;
}

static int
run(const struct attest_doc *doc, const uint8_t *rootder, size_t rootlen, enum attest_at at,
    int64_t t, const struct attest_expect *e, struct attest_result *res)
{
	struct attest_opts o = { 0 };
	struct qt_err err = { 0 };
	int r;

	o.root_der = rootder;
	o.root_der_len = rootlen;
	o.at_mode = at;
	o.at_ms = t * 1000;
	o.max_age = -1;
	r = attest_verify(doc, &o, e, res, &err);
	if (r < 0)
		printf("  verify error: %s\n", err.msg);
	return r;
}

static void
test_qingtian(struct unit *u, const struct env *env)
{
	struct attest_doc *doc;
	struct attest_expect e = { 0 };
	struct attest_result res;
	struct attest_opts o = { 0 };
	struct qt_err err = { 0 };

	doc = load(u, AFIX "/qingtian-official-signed.cose", &err);
	CHECK(u, doc != NULL);
	if (doc == NULL)
		return;
	CHECK(u, !doc->tagged);
	CHECK(u, doc->shape == QT_PROFILE_QINGTIAN);
	CHECK(u, doc->protected_len == 11);
	CHECK_STR(u, doc->module_id, "4662b7a3-7898-46c9-a6c5-20e9025e50bc.enc-37d1e07b3da3c427");
	CHECK(u, doc->timestamp_ms == 1784546606196ull);
	CHECK(u, doc->pcr_mask == 0xffff);
	CHECK(u, doc->cabundle_len == 4);
	CHECK(u, doc->user_data.present && doc->user_data.len == 0);
	expect_pcr(&e, 0, QT_PCR0);
	expect_pcr(&e, 8, QT_PCR8);

	/* at its own timestamp, under its own root: authentic, little-endian halves only */
	CHECK(u, run(doc, env->qt_root, env->qt_root_len, ATTEST_AT_DOC, 0, &e, &res) == 0);
	CHECK(u, res.authentic);
	CHECK(u, res.sigform == ATTEST_SIG_LE_HALVES);
	CHECK(u, res.platform == QT_PROFILE_QINGTIAN);
	CHECK(u, verdict(&res, "pcr0") == ATTEST_PASS && verdict(&res, "pcr8") == ATTEST_PASS);
	CHECK(u, detail_has(&res, "signature", "little-endian halves"));
	/* window edges: 1784546488 .. 1784557287 accepted, notAfter itself expired */
	CHECK(
	    u, run(doc, env->qt_root, env->qt_root_len, ATTEST_AT_TIME, 1784546488, &e, &res) == 0);
	CHECK(
	    u, run(doc, env->qt_root, env->qt_root_len, ATTEST_AT_TIME, 1784557287, &e, &res) == 0);
	CHECK(
	    u, run(doc, env->qt_root, env->qt_root_len, ATTEST_AT_TIME, 1784557288, &e, &res) == 1);
	CHECK(
	    u, verdict(&res, "validity") == ATTEST_FAIL && detail_has(&res, "validity", "expired"));
	CHECK(u, verdict(&res, "pcr0") == ATTEST_SKIP);
	CHECK(
	    u, run(doc, env->qt_root, env->qt_root_len, ATTEST_AT_TIME, 1784546487, &e, &res) == 1);
	CHECK(u, detail_has(&res, "validity", "not yet valid"));
	/* now: expired */
	CHECK(u, run(doc, env->qt_root, env->qt_root_len, ATTEST_AT_NOW, 0, &e, &res) == 1);
	CHECK(u,
	    verdict(&res, "validity") == ATTEST_FAIL && verdict(&res, "signature") == ATTEST_PASS);
	/* untrusted under the AWS root */
	CHECK(u, run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_DOC, 0, &e, &res) == 1);
	CHECK(u, verdict(&res, "root") == ATTEST_FAIL && !res.authentic);
	/* pinned by SHA-256 */
	o.have_root_sha256 = true;
	qt_unhex(QT_ROOT_SHA256, o.root_sha256, 32);
	o.at_mode = ATTEST_AT_DOC;
	o.max_age = 0;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 0);
	CHECK(u, verdict(&res, "freshness") == ATTEST_PASS);
	CHECK(u, res.instant_ms == 1784546606196);
	/* freshness to the millisecond: 1 ms before the timestamp fails, 1 ms past max_age too */
	o.at_mode = ATTEST_AT_TIME;
	o.at_ms = 1784546606195;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 1);
	CHECK(u, detail_has(&res, "freshness", "timestamp is 0.001 s after the instant"));
	o.max_age = 2;
	o.at_ms = 1784546608196;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 0);
	CHECK(u, detail_has(&res, "freshness", "document is 2 s old (max 2 s)"));
	o.at_ms++;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 1);
	CHECK(u, detail_has(&res, "freshness", "document is 2.001 s old, more than 2 s"));
	o.at_mode = ATTEST_AT_DOC;
	o.max_age = 0;
	o.root_sha256[5] ^= 1;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 1);
	CHECK(u, verdict(&res, "root") == ATTEST_FAIL);
	/* a Nitro verifier accepts only big-endian: the QingTian document fails there */
	o.root_sha256[5] ^= 1;
	o.platform = QT_PROFILE_NITRO;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 1);
	CHECK(u,
	    verdict(&res, "signature") == ATTEST_FAIL && verdict(&res, "platform") == ATTEST_FAIL);
	/* PCR mismatch and unexpected nonce */
	o.platform = QT_PROFILE_QINGTIAN;
	e.pcrs[0][0] ^= 1;
	e.nonce.present = true;
	e.nonce.p = (uint8_t *)"\x01\x02";
	e.nonce.len = 2;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 1);
	CHECK(u, verdict(&res, "pcr0") == ATTEST_FAIL && verdict(&res, "pcr8") == ATTEST_PASS);
	CHECK(u, verdict(&res, "nonce") == ATTEST_FAIL);
	/* no expectation: an error, not a pass */
	memset(&e, 0, sizeof(e));
	qt_err_clear(&err);
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == -1);
	CHECK(u, strstr(err.msg, "nothing to compare") != NULL);
	attest_free(doc);

	/* base64 form gives the same document */
	doc = load(u, AFIX "/qingtian-official-signed.cose.b64", &err);
	CHECK(u, doc != NULL && doc->timestamp_ms == 1784546606196ull);
	attest_free(doc);
}

static void
test_nitro(struct unit *u, const struct env *env)
{
	struct attest_doc *doc;
	struct attest_expect e = { 0 };
	struct attest_result res;
	struct attest_opts o;
	struct qt_err err = { 0 };
	const char *hint = "; to check an archived document use --at doc";
	char line[1024];
	size_t n, k;
	json_t *rep;
	char *s;

	doc = load(u, AFIX "/nitro-noauth-signed.cose", &err);
	CHECK(u, doc != NULL);
	if (doc == NULL)
		return;
	CHECK(u, doc->shape == QT_PROFILE_NITRO);
	CHECK(u, !doc->user_data.present && !doc->nonce.present && doc->public_key.len == 32);
	expect_pcr(&e, 0, NA_PCR0);
	expect_pcr(&e, 8, NA_PCR8);
	CHECK(u, run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_DOC, 0, &e, &res) == 0);
	CHECK(u, res.sigform == ATTEST_SIG_BE);
	CHECK(u, run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_NOW, 0, &e, &res) == 1);
	CHECK(u, detail_has(&res, "validity", "expired"));
	CHECK(u, detail_has(&res, "x509", "certificate has expired"));
	CHECK(u, run(doc, env->qt_root, env->qt_root_len, ATTEST_AT_DOC, 0, &e, &res) == 1);
	CHECK(u, verdict(&res, "root") == ATTEST_FAIL);
	rep = attest_report_json(doc, &res, NULL);
	s = json_dumps(rep, JSON_COMPACT);
	CHECK(u, s != NULL && strstr(s, "{\"verdict\":\"fail\",\"platform\":\"nitro\",") == s);
	CHECK(u, s != NULL && strstr(s, "\"failed\":[\"root\"]") != NULL);
	free(s);
	json_decref(rep);
	attest_free(doc);

	/* debug mode: authentic, never matches a production expectation */
	doc = load(u, AFIX "/nitro-evervault-debug.cose", &err);
	CHECK(u, doc != NULL);
	if (doc == NULL)
		return;
	memset(&e, 0, sizeof(e));
	e.pcr_mask = 1; /* expecting PCR0 = 0 does not help */
	CHECK(u, run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_DOC, 0, &e, &res) == 1);
	CHECK(u, res.authentic && res.debug);
	CHECK(u, verdict(&res, "production") == ATTEST_FAIL);
	CHECK(u, doc->nonce.len == 256 && doc->user_data.len == 91 && !doc->public_key.present);
	/* the stderr line names the check and hints at --allow-debug */
	memset(&o, 0, sizeof(o));
	o.at_mode = ATTEST_AT_DOC;
	attest_summary(&res, &o, line, sizeof(line));
	CHECK_STR(u, line,
	    "not verified: production: PCR0 is all zero: a debug-mode document never matches a "
	    "production expectation; for a development enclave use --allow-debug");
	/* --allow-debug: passes, and the report still says debug */
	o.root_der = env->aws_root;
	o.root_der_len = env->aws_root_len;
	o.max_age = -1;
	o.allow_debug = true;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 0);
	CHECK(u, res.authentic && res.debug);
	CHECK(u, verdict(&res, "production") == ATTEST_PASS);
	CHECK(u, detail_has(&res, "production", "debug-mode document, accepted by --allow-debug"));
	/* checked now, the chain has expired: the hint is --at doc */
	o.at_mode = ATTEST_AT_NOW;
	CHECK(u, attest_verify(doc, &o, &e, &res, &err) == 1);
	attest_summary(&res, &o, line, sizeof(line));
	CHECK(u, strncmp(line, "not verified: validity: ", 24) == 0);
	CHECK(u, strstr(line, "expired") != NULL);
	n = strlen(line);
	k = strlen(hint);
	CHECK(u, n > k && strcmp(line + n - k, hint) == 0);
	attest_free(doc);
}

/* All 13 other real Nitro documents: authentic at their own time, expired now. */
static void
test_real(struct unit *u, const struct env *env)
{
	char line[512], name[128], pcr0[100], path[256];
	unsigned long long ts, from, to;
	struct attest_doc *doc;
	struct attest_expect e;
	struct attest_result res;
	struct qt_err err = { 0 };
	unsigned count = 0;
	FILE *f = fopen(AFIX "/real/expected.txt", "r");

	CHECK(u, f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' ||
		    sscanf(line, "%127s %llu %llu %llu %99s", name, &ts, &from, &to, pcr0) != 5)
			continue;
		snprintf(path, sizeof(path), AFIX "/real/%s", name);
		doc = load(u, path, &err);
		CHECK(u, doc != NULL);
		if (doc == NULL) {
			printf("  %s: %s\n", name, err.msg);
			continue;
		}
		memset(&e, 0, sizeof(e));
		expect_pcr(&e, 0, pcr0);
		CHECK(u, doc->timestamp_ms == ts);
		run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_DOC, 0, &e, &res);
		CHECK(u, res.authentic);
		if (!res.authentic)
			for (size_t i = 0; i < res.n; i++)
				printf("  %s: %s %d %s\n", name, res.checks[i].name,
				    res.checks[i].verdict, res.checks[i].detail);
		CHECK(u, res.debug == (strspn(pcr0, "0") == 96));
		CHECK(u, verdict(&res, "pcr0") == ATTEST_PASS);
		CHECK(u, run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_TIME, (int64_t)from,
		             &e, &res) >= 0 &&
		             res.authentic);
		CHECK(u, run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_TIME, (int64_t)to, &e,
		             &res) == 1 &&
		             !res.authentic && verdict(&res, "validity") == ATTEST_FAIL);
		CHECK(u, run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_TIME,
		             (int64_t)from - 1, &e, &res) == 1 &&
		             verdict(&res, "validity") == ATTEST_FAIL);
		CHECK(u,
		    run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_NOW, 0, &e, &res) == 1 &&
		        verdict(&res, "validity") == ATTEST_FAIL &&
		        verdict(&res, "signature") == ATTEST_PASS);
		attest_free(doc);
		count++;
	}
	fclose(f);
	CHECK(u, count == 13);
}

struct broken_case {
	const char *file;
	const char *parse_error; /* NULL: parses; then verify verdict below */
	const char *failed_check;
};

static const struct broken_case broken[] = {
	{ "base-2026-01-03-as-published-3-bytes-missing.bin",
	    "COSE_Sign1: malformed CBOR (syntax error) at offset 4403", NULL },
	{ "base-2026-01-03-prod-indefinite.VALID-high-s-twin.bin", NULL, NULL },
	{ "base-2026-01-03-prod-indefinite.VALID-tag18-added.bin", NULL, NULL },
	{ "base-2026-01-03-prod-indefinite.alg-es256.bin",
	    "protected header: alg -7 (ES256) is not ES384", NULL },
	{ "base-2026-01-03-prod-indefinite.cabundle-reversed.bin", NULL, "signature" },
	{ "base-2026-01-03-prod-indefinite.payload-byte-flipped.bin", NULL, "signature" },
	{ "base-2026-01-03-prod-indefinite.pcr0-changed.bin", NULL, "signature" },
	{ "base-2026-01-03-prod-indefinite.signature-truncated.bin",
	    "signature: 95 bytes, ES384 needs 96", NULL },
	{ "base-2026-01-03-prod-indefinite.trailing-byte.bin",
	    "COSE_Sign1: 1 trailing bytes at offset 4482", NULL },
	{ "base-2026-01-03-prod-indefinite.wrong-tag-17.bin",
	    "tag 17 (COSE_Mac0) at offset 0: not a COSE_Sign1", NULL },
	{ "base-2026-01-03-prod-indefinite.wrong-tag-98.bin",
	    "tag 98 (COSE_Sign) at offset 0: not a COSE_Sign1", NULL },
	{ "marlin-2024-08-07T0638-prod.VALID-high-s-twin.bin", NULL, NULL },
	{ "marlin-2024-08-07T0638-prod.VALID-tag18-added.bin", NULL, NULL },
	{ "marlin-2024-08-07T0638-prod.alg-es256.bin",
	    "protected header: alg -7 (ES256) is not ES384", NULL },
	{ "marlin-2024-08-07T0638-prod.cabundle-reversed.bin", NULL, "signature" },
	{ "marlin-2024-08-07T0638-prod.payload-byte-flipped.bin", NULL, "signature" },
	{ "marlin-2024-08-07T0638-prod.pcr0-changed.bin", NULL, "signature" },
	{ "marlin-2024-08-07T0638-prod.signature-truncated.bin",
	    "signature: 95 bytes, ES384 needs 96", NULL },
	{ "marlin-2024-08-07T0638-prod.trailing-byte.bin",
	    "COSE_Sign1: 1 trailing bytes at offset 4532", NULL },
	{ "marlin-2024-08-07T0638-prod.wrong-tag-17.bin",
	    "tag 17 (COSE_Mac0) at offset 0: not a COSE_Sign1", NULL },
	{ "marlin-2024-08-07T0638-prod.wrong-tag-98.bin",
	    "tag 98 (COSE_Sign) at offset 0: not a COSE_Sign1", NULL },
};

static void
test_broken(struct unit *u, const struct env *env)
{
	struct attest_doc *doc;
	struct attest_expect e = { 0 };
	struct attest_result res;
	struct qt_err err = { 0 };
	char path[256];
	size_t i;
	int r;

	e.pcr_mask = 2; /* PCR1: any expectation; the value is compared only when authentic */
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		snprintf(path, sizeof(path), AFIX "/broken/%s", broken[i].file);
		doc = load(u, path, &err);
		if (broken[i].parse_error != NULL) {
			CHECK(u, doc == NULL && strstr(err.msg, broken[i].parse_error) != NULL);
			if (doc != NULL || strstr(err.msg, broken[i].parse_error) == NULL)
				printf("  %s: got '%s'\n", broken[i].file, err.msg);
			attest_free(doc);
			continue;
		}
		CHECK(u, doc != NULL);
		if (doc == NULL) {
			printf("  %s: %s\n", broken[i].file, err.msg);
			continue;
		}
		memcpy(e.pcrs[1], doc->pcrs[1], PCR_LEN);
		/* at the source document's own time (base: 1767472867, marlin: 1723012689) */
		r = run(doc, env->aws_root, env->aws_root_len, ATTEST_AT_TIME,
		    broken[i].file[0] == 'b' ? 1767472867 : 1723012689, &e, &res);
		if (broken[i].failed_check == NULL) {
			CHECK(u, r == 0 && res.authentic);
		} else {
			CHECK(u, r == 1 && !res.authentic);
			CHECK(u, verdict(&res, broken[i].failed_check) == ATTEST_FAIL);
		}
		if (strstr(broken[i].file, "cabundle-reversed") != NULL)
			CHECK(u, verdict(&res, "root") == ATTEST_FAIL &&
			             verdict(&res, "chain") == ATTEST_FAIL);
		if (strstr(broken[i].file, "tag18") != NULL)
			CHECK(u, doc->tagged);
		attest_free(doc);
	}
}

static void
test_encoded(struct unit *u)
{
	static const char *const pairs[][2] = {
		{ "encoded/nitrite-2021-10-28-debug.hex", "real/nitrite-2021-10-28-debug.bin" },
		{ "encoded/marlin-2024-08-07T0643-prod.hex",
		    "real/marlin-2024-08-07T0643-prod.bin" },
		{ "encoded/evervault-2023-09-18-debug.b64", "real/evervault-2023-09-18-debug.bin" },
	};
	struct qt_err err = { 0 };
	uint8_t *a = NULL, *b = NULL, *d = NULL;
	size_t al, bl, dl, i;
	char p1[256], p2[256];

	for (i = 0; i < 3; i++) {
		snprintf(p1, sizeof(p1), AFIX "/%s", pairs[i][0]);
		snprintf(p2, sizeof(p2), AFIX "/%s", pairs[i][1]);
		CHECK(u, fileio_read_all(p1, ATTEST_TEXT_MAX, &a, &al, &err) == 0);
		CHECK(u, fileio_read_all(p2, ATTEST_TEXT_MAX, &b, &bl, &err) == 0);
		CHECK(u, attest_decode_text(p1, a, al, &d, &dl, &err) == 0);
		CHECK(u, d != NULL && dl == bl && memcmp(d, b, bl) == 0);
		free(a);
		free(b);
		free(d);
		a = b = d = NULL;
	}
	/* neither hex nor base64 */
	CHECK(u, attest_decode_text("x", (const uint8_t *)"ab*c", 4, &d, &dl, &err) == -1);
	CHECK_STR(u, err.msg,
	    "x: text document is neither hex nor base64: base64: invalid character at position 2");
	qt_err_clear(&err);
	CHECK(u, attest_decode_text("x", (const uint8_t *)"abcde", 5, &d, &dl, &err) == -1);
	CHECK_STR(u, err.msg,
	    "x: text document is neither hex nor base64: base64: length 5 is "
	    "not a whole number of groups");
	qt_err_clear(&err);
	/* unpadded standard, URL-safe with and without padding; not both alphabets */
	CHECK(u, attest_decode_text("x", (const uint8_t *)"QUI", 3, &d, &dl, &err) == 0);
	CHECK(u, d != NULL && dl == 2 && memcmp(d, "AB", 2) == 0);
	free(d);
	d = NULL;
	CHECK(u, attest_decode_text("x", (const uint8_t *)"-_8", 3, &d, &dl, &err) == 0);
	CHECK(u, d != NULL && dl == 2 && d[0] == 0xfb && d[1] == 0xff);
	free(d);
	d = NULL;
	CHECK(u, attest_decode_text("x", (const uint8_t *)"-_8=", 4, &d, &dl, &err) == 0);
	CHECK(u, d != NULL && dl == 2 && d[0] == 0xfb && d[1] == 0xff);
	free(d);
	d = NULL;
	CHECK(u, attest_decode_text("x", (const uint8_t *)"+_8", 3, &d, &dl, &err) == -1);
	CHECK_STR(u, err.msg,
	    "x: text document mixes the standard (+/) and URL-safe (-_) base64 alphabets");
	qt_err_clear(&err);
	CHECK(u, attest_decode_text("x", (const uint8_t *)"QU=B", 4, &d, &dl, &err) == -1);
	qt_err_clear(&err);
	CHECK(u, attest_decode_text("x", (const uint8_t *)"QUJD\n", 5, &d, &dl, &err) == 0);
	CHECK(u, dl == 3 && memcmp(d, "ABC", 3) == 0);
	free(d);
}

/* Hostile CBOR is refused before libcbor allocates or recurses. */
static void
test_prescan(struct unit *u)
{
	static const uint8_t huge_map[] = { 0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xbb, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t huge_bstr[] = { 0x84, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff };
	static const uint8_t reserved[] = { 0x84, 0x1c, 0, 0, 0 };
	static const uint8_t stray_break[] = { 0x84, 0xff, 0, 0, 0 };
	/* libFuzzer: libcbor allocated 12 GB for an array head inside an indefinite string */
	static const uint8_t array_in_string[] = { 0x84, 0x5f, 0x9b, 0x00, 0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x00, 0xff, 0xa0, 0x40, 0x40 };
	uint8_t deep[64];
	struct attest_doc *doc = NULL;
	struct qt_err err = { 0 };

	CHECK(u, attest_parse("h", huge_map, sizeof(huge_map), 0, &doc, &err) == -1);
	CHECK_STR(u, err.msg,
	    "h: COSE_Sign1: 68719476736 elements announced at offset 6, only 0 bytes left");
	qt_err_clear(&err);
	CHECK(u, attest_parse("h", huge_bstr, sizeof(huge_bstr), 0, &doc, &err) == -1);
	CHECK_STR(u, err.msg, "h: COSE_Sign1: malformed CBOR (truncated) at offset 1");
	qt_err_clear(&err);
	CHECK(u, attest_parse("h", reserved, sizeof(reserved), 0, &doc, &err) == -1);
	CHECK_STR(u, err.msg, "h: COSE_Sign1: malformed CBOR (malformed) at offset 1");
	qt_err_clear(&err);
	CHECK(u, attest_parse("h", stray_break, sizeof(stray_break), 0, &doc, &err) == -1);
	CHECK_STR(u, err.msg, "h: COSE_Sign1: malformed CBOR (syntax error) at offset 2");
	qt_err_clear(&err);
	CHECK(u, attest_parse("h", array_in_string, sizeof(array_in_string), 0, &doc, &err) == -1);
	CHECK_STR(u, err.msg, "h: COSE_Sign1: malformed CBOR (syntax error) at offset 11");
	qt_err_clear(&err);
	memset(deep, 0x81, sizeof(deep));
	deep[63] = 0x00;
	CHECK(u, attest_parse("h", deep, sizeof(deep), 0, &doc, &err) == -1);
	CHECK_STR(u, err.msg, "h: COSE_Sign1: nested deeper than 16 levels at offset 15");
	CHECK(u, doc == NULL);
}

int
main(void)
{
	struct unit u = { 0, 0 };
	struct env env = { 0 };

	env.qt_root = root(AFIX "/qingtian-root-G1.pem", &env.qt_root_len);
	env.aws_root = root(AFIX "/aws-nitro-root-G1.der", &env.aws_root_len);
	CHECK(&u, env.qt_root != NULL && env.aws_root != NULL);
	if (env.qt_root != NULL && env.aws_root != NULL) {
		test_qingtian(&u, &env);
		test_nitro(&u, &env);
		test_real(&u, &env);
		test_broken(&u, &env);
	}
	test_encoded(&u);
	test_prescan(&u);
	free(env.qt_root);
	free(env.aws_root);
	return unit_end(&u);
}
