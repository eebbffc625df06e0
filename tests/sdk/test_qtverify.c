/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_qtverify.c: libqtverify through its public header only, linked against
 * the shared library as a relying party links it: the real QingTian and Nitro
 * documents, every status code with its exact message, the decoded fields,
 * manifests as expectations, ExtendPCR against openssl-computed values, the
 * calls `qt-measure verify` makes (a named document, its report and summary
 * line, a root pinned by SHA-256, --allow-debug), and four threads verifying
 * with one shared expectation object.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qt/verify.h>

#include "../unit/unit.h"

#define A FIXTURES "/attest/"

static const char QT_PCR0[] = "74d6c5fa10418d50e62c5e0422b868a5912d664c7721a9742e2ffdae3ec49c6a"
                              "4030e3a1f73c37c5ccd297730a77ec89";
static const char QT_PCR4[] = "6ccd06a953f53b37610636e8c7f0f1aa9d2489512776f8a4a22e0790ac62102a"
                              "736ff160fbff9a293c3a275f19bacc70";
static const char QT_PCR8[] = "5d130027a732cb97a378d0dd0563b7a1e43cb220699a2739870558753fb5620b"
                              "b71e7c9053310aee01ec50c00f502e03";
static const char QT_PUBKEY[] = "302a300506032b6570032100d495dffc88ed725e56f95b16e5a07255d7b2df2e"
                                "66ef216e47cbddae3164d8c7";
static const char QT_NONCE[] = "a0567302c6d5749a304ed86dbb3ed4eff6dd9d4e7c575eb7cad11bc55cfd5592";
static const char NA_PCR8[] = "35235575680337d50f604d08eeb7cb220729e4d0f6b0d05476baafb052a7c241"
                              "3f78058fefface5e1477046534d4fdb2";
static const char NA_PUBKEY[] = "186aa45e63df8e4ff95cadd08f57b9b2f6715375c1ed30fc8eab15d75daf03f5";
/* openssl: SHA384(0^48 || "abc") and SHA384(0^48 || SHA384("abc")) */
static const char EXTEND_ABC[] = "b1c16eb7634112b7c9d5ebd27e62a2d4528bbfcfd68b62d3afd9ecf98e0f413a"
                                 "84314acce78317fb69fd895155343e09";
static const char MEASURE_ABC[] = "93732e3733514a841c982cfa75ea76ab55fe011acb9cd980ef4523913c65be1b"
                                  "0998e04d77f8c174f81a82151619ca40";

/* A manifest in the shape `qt-measure manifest` writes, with the given PCR0 and PCR8. */
static const char MANIFEST[] =
    "{\"schema_version\": 1, \"platform\": \"%s\", \"hash_algorithm\": \"sha384\",\n"
    " \"image\": {\"file\": \"app.eif\", \"size\": 11276, \"sha256\": "
    "\"5a3d6321f38dc891762bce133785fa0209a083f7b5dbe2086a8197e04578a87c\", \"sha384\": "
    "\"f94d11c67851f821aec272a7bee86a57b57c81c0d6b5a07cf52bcbd8f327c0b7bd6c95a2a9dd4cbd7ddcdcbdc"
    "a8b437c\", \"name\": null, \"version\": null, \"build_time\": null, \"arch\": \"x86_64\", "
    "\"eif_version\": 4},\n"
    " \"pcrs\": {%s},\n"
    " \"signer\": null,\n"
    " \"digests\": {\"kernel\": \"%s\", \"cmdline\": \"%s\", \"ramdisks\": []},\n"
    " \"parent\": {\"iam_agency\": null, \"instance_id\": null},\n"
    " \"tool\": {\"name\": \"qt\", \"version\": \"0.1.0\"}}\n";

struct file {
	uint8_t *p;
	size_t len;
};

static struct file
slurp(const char *path)
{
	struct file f = { NULL, 0 };
	FILE *fp = fopen(path, "rb");
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 || (f.p = malloc((size_t)n + 1)) == NULL ||
	    fread(f.p, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "test_qtverify: cannot read %s\n", path);
		exit(2);
	}
	f.len = (size_t)n;
	fclose(fp);
	return f;
}

static void
unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			exit(2);
		out[i] = (uint8_t)v;
	}
}

static int
same_hex(const uint8_t *p, size_t len, const char *want)
{
	char buf[2 * QTV_ERRMSG_MAX + 1];
	size_t i;

	if (p == NULL || 2 * len >= sizeof(buf))
		return 0;
	for (i = 0; i < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * len] = '\0';
	return strcmp(buf, want) == 0;
}

/* The index of the check named name, or -1. */
static int
check_index(const qtv_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < qtv_result_check_count(r); i++)
		if (strcmp(qtv_result_check_name(r, i), name) == 0)
			return (int)i;
	return -1;
}

static int
verdict_of(const qtv_result *r, const char *name)
{
	int i = check_index(r, name);

	return i < 0 ? -2 : qtv_result_check_verdict(r, (size_t)i);
}

static qtv_expect *
expect_pcrs(struct unit *u, const char *pcr0, const char *pcr8)
{
	uint8_t v[QTV_PCR_LEN];
	qtv_expect *e = qtv_expect_new();

	CHECK(u, e != NULL);
	unhex(pcr0, v, sizeof(v));
	CHECK(u, qtv_expect_set_pcr(e, 0, v, sizeof(v), NULL, 0) == QTV_OK);
	unhex(pcr8, v, sizeof(v));
	CHECK(u, qtv_expect_set_pcr(e, 8, v, sizeof(v), NULL, 0) == QTV_OK);
	return e;
}

static void
test_names(struct unit *u)
{
	CHECK_STR(u, qtv_version(), "0.1.0");
	CHECK_STR(u, qtv_status_name(QTV_OK), "ok");
	CHECK_STR(u, qtv_status_name(QTV_MISMATCH), "mismatch");
	CHECK_STR(u, qtv_status_name(QTV_ERR_ARGUMENT), "argument");
	CHECK_STR(u, qtv_status_name(QTV_ERR_MALFORMED), "malformed");
	CHECK_STR(u, qtv_status_name(QTV_ERR_NOMEM), "nomem");
	CHECK_STR(u, qtv_status_name(QTV_ERR_INTERNAL), "internal");
	CHECK_STR(u, qtv_status_name(6), "unknown");
	CHECK_STR(u, qtv_status_name(-1), "unknown");
}

static void
test_qingtian(struct unit *u)
{
	struct file doc = slurp(A "qingtian-official-signed.cose");
	struct file b64 = slurp(A "qingtian-official-signed.cose.b64");
	struct file root = slurp(A "qingtian-root-G1.pem");
	struct file aws = slurp(A "aws-nitro-root-G1.pem");
	char msg[QTV_ERRMSG_MAX] = "x";
	qtv_expect *e = expect_pcrs(u, QT_PCR0, QT_PCR8);
	qtv_result *r = NULL;
	uint8_t v[QTV_PCR_LEN];
	const uint8_t *p;
	size_t len = 99;

	unhex(QT_PCR4, v, sizeof(v));
	CHECK(u, qtv_expect_set_pcr(e, 4, v, sizeof(v), msg, sizeof(msg)) == QTV_OK);
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, msg,
	             sizeof(msg)) == QTV_OK);
	CHECK_STR(u, msg, "");
	CHECK(u, r != NULL);
	CHECK(u, qtv_result_verdict(r) == QTV_OK);
	CHECK(u, qtv_result_authentic(r) == 1);
	CHECK_STR(u, qtv_result_profile(r), "qingtian");
	CHECK(u, qtv_result_timestamp_ms(r) == 1784546606196u);
	CHECK(u, qtv_result_instant_ms(r) == 1784546606196);
	CHECK_STR(u, qtv_result_module_id(r),
	    "4662b7a3-7898-46c9-a6c5-20e9025e50bc.enc-37d1e07b3da3c427");
	CHECK(u, qtv_result_check_count(r) == 12);
	CHECK_STR(u, qtv_result_check_name(r, 0), "platform");
	CHECK(u, verdict_of(r, "signature") == QTV_CHECK_PASS);
	CHECK_STR(u, qtv_result_check_detail(r, (size_t)check_index(r, "signature")),
	    "ES384 by the certificate's key, r || s with little-endian halves (QingTian)");
	CHECK(u, verdict_of(r, "freshness") == QTV_CHECK_SKIP);
	CHECK(u, verdict_of(r, "pcr4") == QTV_CHECK_PASS);
	CHECK(u, qtv_result_check_name(r, 12) == NULL);
	CHECK(u, qtv_result_check_verdict(r, 12) == -1);
	p = qtv_result_pcr(r, 0, &len);
	CHECK(u, len == QTV_PCR_LEN && same_hex(p, len, QT_PCR0));
	CHECK(u, qtv_result_pcr(r, 31, &len) == NULL && len == 0);
	CHECK(u, qtv_result_pcr(r, 32, &len) == NULL);
	p = qtv_result_public_key(r, &len);
	CHECK(u, same_hex(p, len, QT_PUBKEY));
	p = qtv_result_user_data(r, &len);
	CHECK(u, p != NULL && len == 0); /* present and empty, not absent */
	p = qtv_result_nonce(r, &len);
	CHECK(u, same_hex(p, len, QT_NONCE));
	qtv_result_free(r);
	r = NULL;

	/* the base64 text form is decoded the same way */
	CHECK(u, qtv_verify(b64.p, b64.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, NULL, 0) ==
	             QTV_OK);
	qtv_result_free(r);
	r = NULL;

	/* expired now: the answer is no, and the result says why */
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_NOW, e, &r, msg,
	             sizeof(msg)) == QTV_MISMATCH);
	CHECK_STR(u, msg, "document: a check failed");
	CHECK(u, verdict_of(r, "validity") == QTV_CHECK_FAIL);
	CHECK(u, verdict_of(r, "pcr0") == QTV_CHECK_SKIP);
	CHECK(u, qtv_result_verdict(r) == QTV_MISMATCH && qtv_result_authentic(r) == 0);
	qtv_result_free(r);
	r = NULL;

	/* under the AWS root it is not authentic */
	CHECK(u, qtv_verify(doc.p, doc.len, aws.p, aws.len, QTV_AT_DOCUMENT, e, &r, NULL, 0) ==
	             QTV_MISMATCH);
	CHECK(u, verdict_of(r, "root") == QTV_CHECK_FAIL);
	qtv_result_free(r);
	r = NULL;

	/* a maximum age at the document's own time is refused */
	CHECK(u, qtv_expect_set_max_age(e, 60, NULL, 0) == QTV_OK);
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, msg,
	             sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_verify: a maximum age at the document's own time measures nothing");
	CHECK(u, r == NULL);
	/* ... and measured at an instant: 2 s after the document is fresh, 61 s is stale */
	CHECK(u,
	    qtv_verify(doc.p, doc.len, root.p, root.len, 1784546608196, e, &r, NULL, 0) == QTV_OK);
	qtv_result_free(r);
	r = NULL;
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, 1784546667197, e, &r, NULL, 0) ==
	             QTV_MISMATCH);
	CHECK(u, verdict_of(r, "freshness") == QTV_CHECK_FAIL);
	qtv_result_free(r);
	r = NULL;

	/* as nitro: big-endian only, the signature fails */
	CHECK(u, qtv_expect_set_max_age(e, -1, NULL, 0) == QTV_OK);
	CHECK(u, qtv_expect_set_profile(e, "nitro", NULL, 0) == QTV_OK);
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, NULL, 0) ==
	             QTV_MISMATCH);
	CHECK(u, verdict_of(r, "signature") == QTV_CHECK_FAIL);
	qtv_result_free(r);
	r = NULL;
	CHECK(u, qtv_expect_set_profile(e, "aws", msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "profile: 'aws' is not qingtian, nitro or auto");

	/* malformed: truncated document, root that is no certificate */
	CHECK(u, qtv_verify(doc.p, 100, root.p, root.len, QTV_AT_DOCUMENT, e, &r, msg,
	             sizeof(msg)) == QTV_ERR_MALFORMED);
	CHECK_STR(u, msg, "document: COSE_Sign1: malformed CBOR (truncated) at offset 14");
	CHECK(u, r == NULL);
	CHECK(u, qtv_verify(doc.p, doc.len, doc.p, 10, QTV_AT_DOCUMENT, e, &r, msg, sizeof(msg)) ==
	             QTV_ERR_MALFORMED);
	CHECK(u, strncmp(msg, "root: ", 6) == 0);
	/* a short message buffer holds the start of the message, terminated */
	CHECK(u, qtv_verify(doc.p, 100, root.p, root.len, QTV_AT_DOCUMENT, e, &r, msg, 9) ==
	             QTV_ERR_MALFORMED);
	CHECK_STR(u, msg, "document");
	free(doc.p);
	free(b64.p);
	free(root.p);
	free(aws.p);
	qtv_expect_free(e);
}

static void
test_nitro(struct unit *u)
{
	struct file doc = slurp(A "nitro-noauth-signed.cose");
	struct file root = slurp(A "aws-nitro-root-G1.pem");
	struct file cert = slurp(A "nitro-noauth-signing-cert.der");
	char msg[QTV_ERRMSG_MAX];
	uint8_t pk[32], pcr8[QTV_PCR_LEN];
	qtv_expect *e = qtv_expect_new();
	qtv_result *r = NULL;
	const uint8_t *p;
	size_t len;

	/* PCR8 of a signed image is the measurement of its signing certificate */
	CHECK(u, qtv_pcr_measure(cert.p, cert.len, pcr8, NULL, 0) == QTV_OK);
	CHECK(u, same_hex(pcr8, sizeof(pcr8), NA_PCR8));
	CHECK(u, qtv_expect_set_pcr(e, 8, pcr8, sizeof(pcr8), NULL, 0) == QTV_OK);
	unhex(NA_PUBKEY, pk, sizeof(pk));
	CHECK(u, qtv_expect_set_public_key(e, pk, sizeof(pk), NULL, 0) == QTV_OK);
	CHECK(u,
	    qtv_verify(doc.p, doc.len, root.p, root.len, 1742915129000, e, &r, NULL, 0) == QTV_OK);
	CHECK_STR(u, qtv_result_profile(r), "nitro");
	CHECK_STR(u, qtv_result_module_id(r), "i-0ffff615a409a72d7-enc0195ccf9daaabc5b");
	CHECK(u, verdict_of(r, "public_key") == QTV_CHECK_PASS);
	CHECK(u, verdict_of(r, "pcr8") == QTV_CHECK_PASS);
	p = qtv_result_public_key(r, &len);
	CHECK(u, same_hex(p, len, NA_PUBKEY));
	CHECK(u, qtv_result_nonce(r, &len) == NULL && len == 0); /* null in the document */
	CHECK(u, qtv_result_user_data(r, NULL) == NULL);
	qtv_result_free(r);
	r = NULL;

	/* an expected nonce the document does not carry: a mismatch, named */
	CHECK(u, qtv_expect_set_nonce(e, (const uint8_t *)"\0", 1, NULL, 0) == QTV_OK);
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, NULL, 0) ==
	             QTV_MISMATCH);
	CHECK(u, verdict_of(r, "nonce") == QTV_CHECK_FAIL);
	CHECK_STR(u, qtv_result_check_detail(r, (size_t)check_index(r, "nonce")),
	    "expected '00' (1 bytes), document has 'null' (0 bytes)");
	qtv_result_free(r);
	r = NULL;
	CHECK(u, qtv_expect_set_user_data(e, NULL, 513, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_expect_set_user_data: NULL argument");
	CHECK(u, qtv_expect_set_user_data(e, doc.p, 513, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "user_data: 513 bytes exceeds the limit of 512");
	free(doc.p);
	free(root.p);
	free(cert.p);
	qtv_expect_free(e);
}

static void
test_arguments(struct unit *u)
{
	struct file doc = slurp(A "qingtian-official-signed.cose");
	char msg[QTV_ERRMSG_MAX];
	uint8_t v[QTV_PCR_LEN] = { 0 };
	qtv_expect *e = qtv_expect_new();
	qtv_result *r = (qtv_result *)v; /* must be reset to NULL on failure */

	CHECK(u, qtv_verify(doc.p, doc.len, doc.p, doc.len, QTV_AT_NOW, e, &r, msg, sizeof(msg)) ==
	             QTV_ERR_ARGUMENT);
	CHECK_STR(
	    u, msg, "qtv_verify: nothing to compare: set a PCR, nonce, user_data or public key");
	CHECK(u, r == NULL);
	CHECK(u, qtv_verify(NULL, 0, doc.p, doc.len, QTV_AT_NOW, e, &r, msg, sizeof(msg)) ==
	             QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_verify: NULL argument");
	CHECK(u, qtv_expect_set_pcr(e, 32, v, sizeof(v), msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_expect_set_pcr: index not in 0..31");
	CHECK(u, qtv_expect_set_pcr(e, 0, v, 47, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_expect_set_pcr: a PCR is 48 bytes");
	CHECK(u, qtv_expect_set_public_key(e, (const uint8_t *)"-----BEGIN PUBLIC KEY-----\n", 27,
	             msg, sizeof(msg)) == QTV_ERR_MALFORMED);
	CHECK(u, strncmp(msg, "public key: unreadable PEM", 26) == 0);
	CHECK(u, qtv_expect_set_max_age(NULL, 1, NULL, 0) == QTV_ERR_ARGUMENT);
	CHECK(u, qtv_result_verdict(NULL) == QTV_ERR_ARGUMENT);
	CHECK(u, qtv_result_module_id(NULL) == NULL && qtv_result_check_count(NULL) == 0);
	qtv_result_free(NULL);
	qtv_expect_free(NULL);
	free(doc.p);
	qtv_expect_free(e);
}

static void
test_manifest(struct unit *u)
{
	struct file doc = slurp(A "qingtian-official-signed.cose");
	struct file root = slurp(A "qingtian-root-G1.pem");
	char json[4096], pcrs[512], msg[QTV_ERRMSG_MAX];
	const char *d48 = MEASURE_ABC;
	qtv_expect *e = NULL;
	qtv_result *r = NULL;
	int n;

	snprintf(pcrs, sizeof(pcrs), "\"0\": \"%s\", \"8\": \"%s\"", QT_PCR0, QT_PCR8);
	n = snprintf(json, sizeof(json), MANIFEST, "qingtian", pcrs, d48, d48);
	CHECK(u, n > 0 && (size_t)n < sizeof(json));
	CHECK(u, qtv_expect_from_manifest((const uint8_t *)json, (size_t)n, &e, msg, sizeof(msg)) ==
	             QTV_OK);
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, msg,
	             sizeof(msg)) == QTV_OK);
	CHECK(
	    u, verdict_of(r, "pcr0") == QTV_CHECK_PASS && verdict_of(r, "pcr8") == QTV_CHECK_PASS);
	CHECK(u, check_index(r, "pcr4") < 0);
	qtv_result_free(r);
	r = NULL;
	qtv_expect_free(e);
	e = NULL;

	/* a manifest for another image: PCR0 fails; a nitro manifest: the nitro profile applies */
	snprintf(pcrs, sizeof(pcrs), "\"0\": \"%s\", \"1\": \"%s\", \"2\": \"%s\", \"8\": \"%s\"",
	    MEASURE_ABC, QT_PCR0, QT_PCR0, QT_PCR8);
	n = snprintf(json, sizeof(json), MANIFEST, "nitro", pcrs, d48, d48);
	CHECK(u, qtv_expect_from_manifest((const uint8_t *)json, (size_t)n, &e, NULL, 0) == QTV_OK);
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, NULL, 0) ==
	             QTV_MISMATCH);
	CHECK(u, verdict_of(r, "platform") == QTV_CHECK_FAIL);
	CHECK(u, verdict_of(r, "pcr0") == QTV_CHECK_SKIP); /* not authentic as nitro */
	CHECK_STR(u, qtv_result_profile(r), "nitro");
	qtv_result_free(r);
	r = NULL;
	qtv_expect_free(e);
	e = NULL;

	CHECK(u, qtv_expect_from_manifest((const uint8_t *)"{}", 2, &e, msg, sizeof(msg)) ==
	             QTV_ERR_MALFORMED);
	CHECK(u, strncmp(msg, "manifest: ", 10) == 0);
	CHECK(u, e == NULL);
	free(doc.p);
	free(root.p);
}

static void
test_pcr(struct unit *u)
{
	uint8_t reg[QTV_PCR_LEN] = { 0 }, m[QTV_PCR_LEN];

	CHECK(u, qtv_pcr_extend(reg, (const uint8_t *)"abc", 3, NULL, 0) == QTV_OK);
	CHECK(u, same_hex(reg, sizeof(reg), EXTEND_ABC));
	CHECK(u, qtv_pcr_measure((const uint8_t *)"abc", 3, m, NULL, 0) == QTV_OK);
	CHECK(u, same_hex(m, sizeof(m), MEASURE_ABC));
	CHECK(u, qtv_pcr_extend(NULL, NULL, 0, NULL, 0) == QTV_ERR_ARGUMENT);
}

/* Many threads, one const expectation object, one document each time. */
struct job {
	const qtv_expect *e;
	struct file doc, root;
	int ok;
};

/* The short report of a document that could not be read, as qt-measure verify prints it. */
static const char TRUNC_REPORT[] =
    "{\"verdict\":\"error\",\"platform\":null,\"instant\":null,\"authentic\":false,"
    "\"checks\":[],\"failed\":[],\"error\":\"qt.cose: COSE_Sign1: malformed CBOR (truncated) "
    "at offset 14\",\"document\":null}";
/* The beginning of the report of the QingTian document verified at its own time. */
static const char PRETTY_HEAD[] =
    "{\n  \"verdict\": \"pass\",\n  \"platform\": \"qingtian\",\n"
    "  \"instant\": \"2026-07-20T11:23:26Z\",\n  \"authentic\": true,\n  \"checks\": [\n";
static const char SHORT_HEAD[] = "{\"verdict\":\"pass\",\"platform\":\"qingtian\",\"instant\":"
                                 "\"2026-07-20T11:23:26Z\",\"authentic\":true,\"checks\":[";
/* openssl x509 -outform der <qingtian-root-G1.pem | sha256sum */
static const char QT_ROOT_SHA256[] =
    "f23443b4eb52a70719df49bdda0e57bb25f1c04530885dbecdbde241c8c4f581";

/* What qt-measure verify asks of the API beyond a relying party's calls. */
static void
test_client(struct unit *u)
{
	struct file doc = slurp(A "qingtian-official-signed.cose");
	struct file root = slurp(A "qingtian-root-G1.pem");
	struct file dbg = slurp(A "nitro-evervault-debug.cose");
	struct file aws = slurp(A "aws-nitro-root-G1.pem");
	char msg[QTV_ERRMSG_MAX] = "x", line[1024] = "x", *rep = NULL;
	qtv_expect *e = expect_pcrs(u, QT_PCR0, QT_PCR8);
	qtv_expect *d = qtv_expect_new();
	qtv_result *r = NULL;
	uint8_t sha[32], zero[QTV_PCR_LEN] = { 0 };

	/* a document that cannot be read: named, and with a result that reports it */
	CHECK(u, qtv_verify_named("qt.cose", doc.p, 20, root.p, root.len, QTV_AT_DOCUMENT, e, &r,
	             msg, sizeof(msg)) == QTV_ERR_MALFORMED);
	CHECK_STR(u, msg, "qt.cose: COSE_Sign1: malformed CBOR (truncated) at offset 14");
	CHECK(u, r != NULL && qtv_result_verdict(r) == QTV_ERR_MALFORMED);
	CHECK(u, qtv_result_authentic(r) == 0 && qtv_result_check_count(r) == 0);
	CHECK(u, qtv_result_module_id(r) == NULL && qtv_result_pcr(r, 0, NULL) == NULL);
	CHECK(u, qtv_result_nonce(r, NULL) == NULL);
	CHECK(u, qtv_result_report_json(r, 0, &rep, msg, sizeof(msg)) == QTV_OK);
	CHECK_STR(u, rep, TRUNC_REPORT);
	free(rep);
	rep = NULL;
	CHECK(u, qtv_result_summary(r, line, sizeof(line)) == QTV_OK);
	CHECK_STR(u, line, "qt.cose: COSE_Sign1: malformed CBOR (truncated) at offset 14");
	qtv_result_free(r);
	/* qtv_verify gives no result then, and calls the document "document" */
	r = (qtv_result *)zero;
	CHECK(u, qtv_verify(doc.p, 20, root.p, root.len, QTV_AT_DOCUMENT, e, &r, msg,
	             sizeof(msg)) == QTV_ERR_MALFORMED);
	CHECK_STR(u, msg, "document: COSE_Sign1: malformed CBOR (truncated) at offset 14");
	CHECK(u, r == NULL);

	/* verified: the report, pretty and short, without a final newline */
	CHECK(u, qtv_verify_named("qt.cose", doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e,
	             &r, msg, sizeof(msg)) == QTV_OK);
	CHECK(u, qtv_result_report_json(r, QTV_JSON_PRETTY, &rep, msg, sizeof(msg)) == QTV_OK);
	CHECK(u, strncmp(rep, PRETTY_HEAD, strlen(PRETTY_HEAD)) == 0);
	CHECK(u, rep[strlen(rep) - 1] == '}');
	free(rep);
	rep = NULL;
	CHECK(u, qtv_result_report_json(r, 0, &rep, msg, sizeof(msg)) == QTV_OK);
	CHECK(u, strncmp(rep, SHORT_HEAD, strlen(SHORT_HEAD)) == 0);
	CHECK(u, rep[strlen(rep) - 1] == '}' && strchr(rep, '\n') == NULL);
	free(rep);
	rep = (char *)zero;
	CHECK(u, qtv_result_report_json(r, 2, &rep, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_result_report_json: unknown flags");
	CHECK(u, rep == NULL);
	CHECK(u, qtv_result_report_json(NULL, 0, &rep, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK(u, qtv_result_summary(r, line, sizeof(line)) == QTV_OK);
	CHECK_STR(u, line, "not verified");
	CHECK(u, qtv_result_summary(r, line, 0) == QTV_ERR_ARGUMENT);
	CHECK(u, qtv_result_summary(NULL, line, sizeof(line)) == QTV_ERR_ARGUMENT);
	qtv_result_free(r);
	r = NULL;

	/* the root pinned by the SHA-256 of its DER: no root given */
	unhex(QT_ROOT_SHA256, sha, sizeof(sha));
	CHECK(u, qtv_expect_set_root_sha256(e, sha, 31, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_expect_set_root_sha256: a SHA-256 is 32 bytes");
	CHECK(u, qtv_expect_set_root_sha256(NULL, sha, 32, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_expect_set_root_sha256: NULL argument");
	CHECK(u, qtv_verify(doc.p, doc.len, NULL, 0, QTV_AT_DOCUMENT, e, &r, msg, sizeof(msg)) ==
	             QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_verify: NULL argument");
	/* a NULL argument still clears *ret (qtv_verify must not free what it holds) */
	r = (qtv_result *)zero;
	CHECK(u, qtv_verify(NULL, 0, root.p, root.len, QTV_AT_DOCUMENT, e, &r, NULL, 0) ==
	             QTV_ERR_ARGUMENT);
	CHECK(u, r == NULL);
	CHECK(u, qtv_expect_set_root_sha256(e, sha, sizeof(sha), msg, sizeof(msg)) == QTV_OK);
	CHECK(u, qtv_verify(doc.p, doc.len, NULL, 0, QTV_AT_DOCUMENT, e, &r, msg, sizeof(msg)) ==
	             QTV_OK);
	CHECK(u, verdict_of(r, "root") == QTV_CHECK_PASS);
	qtv_result_free(r);
	r = NULL;
	CHECK(u, qtv_verify(doc.p, doc.len, root.p, root.len, QTV_AT_DOCUMENT, e, &r, msg,
	             sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_verify: give a root or pin its SHA-256, not both");
	CHECK(u, r == NULL);
	/* another hash: the root check fails */
	sha[0] ^= 1;
	CHECK(u, qtv_expect_set_root_sha256(e, sha, sizeof(sha), NULL, 0) == QTV_OK);
	CHECK(u,
	    qtv_verify(doc.p, doc.len, NULL, 0, QTV_AT_DOCUMENT, e, &r, NULL, 0) == QTV_MISMATCH);
	CHECK(u, verdict_of(r, "root") == QTV_CHECK_FAIL && qtv_result_authentic(r) == 0);
	qtv_result_free(r);
	r = NULL;

	/* a debug-mode document: production fails, with the summary's hint, unless allowed */
	CHECK(u, d != NULL && qtv_expect_set_pcr(d, 8, zero, sizeof(zero), NULL, 0) == QTV_OK);
	CHECK(u, qtv_verify_named("dbg.cose", dbg.p, dbg.len, aws.p, aws.len, QTV_AT_DOCUMENT, d,
	             &r, NULL, 0) == QTV_MISMATCH);
	CHECK(u, verdict_of(r, "production") == QTV_CHECK_FAIL);
	CHECK(u, qtv_result_summary(r, line, sizeof(line)) == QTV_OK);
	CHECK_STR(u, line,
	    "not verified: production: PCR0 is all zero: a debug-mode document never matches a "
	    "production expectation; for a development enclave use --allow-debug");
	qtv_result_free(r);
	r = NULL;
	CHECK(u, qtv_expect_set_allow_debug(NULL, 1, msg, sizeof(msg)) == QTV_ERR_ARGUMENT);
	CHECK_STR(u, msg, "qtv_expect_set_allow_debug: NULL argument");
	CHECK(u, qtv_expect_set_allow_debug(d, 1, msg, sizeof(msg)) == QTV_OK);
	CHECK(u, qtv_verify_named("dbg.cose", dbg.p, dbg.len, aws.p, aws.len, QTV_AT_DOCUMENT, d,
	             &r, NULL, 0) == QTV_OK);
	CHECK(u, verdict_of(r, "production") == QTV_CHECK_PASS);
	qtv_result_free(r);
	r = NULL;
	CHECK(u, qtv_expect_set_allow_debug(d, 0, NULL, 0) == QTV_OK);
	CHECK(u, qtv_verify(dbg.p, dbg.len, aws.p, aws.len, QTV_AT_DOCUMENT, d, &r, NULL, 0) ==
	             QTV_MISMATCH);
	qtv_result_free(r);
	qtv_expect_free(d);
	qtv_expect_free(e);
	free(doc.p);
	free(root.p);
	free(dbg.p);
	free(aws.p);
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	qtv_result *r = NULL;
	int i;

	for (i = 0; i < 16; i++) {
		if (qtv_verify(j->doc.p, j->doc.len, j->root.p, j->root.len, QTV_AT_DOCUMENT, j->e,
		        &r, NULL, 0) == QTV_OK &&
		    qtv_result_authentic(r))
			j->ok++;
		qtv_result_free(r);
		r = NULL;
	}
	return NULL;
}

static void
test_threads(struct unit *u)
{
	struct job jobs[4];
	pthread_t t[4];
	qtv_expect *e = expect_pcrs(u, QT_PCR0, QT_PCR8);
	size_t i;

	for (i = 0; i < 4; i++) {
		jobs[i].e = e;
		jobs[i].doc = slurp(A "qingtian-official-signed.cose");
		jobs[i].root = slurp(A "qingtian-root-G1.pem");
		jobs[i].ok = 0;
		CHECK(u, pthread_create(&t[i], NULL, worker, &jobs[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		CHECK(u, pthread_join(t[i], NULL) == 0);
		CHECK(u, jobs[i].ok == 16);
		free(jobs[i].doc.p);
		free(jobs[i].root.p);
	}
	qtv_expect_free(e);
}

int
main(void)
{
	struct unit u = { 0, 0 };

	test_names(&u);
	test_qingtian(&u);
	test_nitro(&u);
	test_arguments(&u);
	test_manifest(&u);
	test_pcr(&u);
	test_client(&u);
	test_threads(&u);
	return unit_end(&u);
}
