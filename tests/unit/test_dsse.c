/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dsse.c: the DSSE PAE and the protocol's published test vector
 * (its P-256 signature verifies with our verifier once turned into DER),
 * envelopes signed with P-256/P-384/P-521 keys verified, tampered and
 * wrong-key envelopes refused, and the parser's exact messages.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "cose.h"
#include "dsse.h"
#include "fileio.h"
#include "signer.h"
#include "unit.h"
#include "x509.h"

#define DFX FIXTURES "/dsse"
#define SFX FIXTURES "/sign"
#define NOW INT64_C(1893456000) /* 2030-01-01 */

static EVP_PKEY *
load_pub(const char *path)
{
	EVP_PKEY *k = NULL;
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
	}
	return k;
}

/* parse + verify with pkey; returns dsse_verify's result (or -1 for a parse failure). */
static int
check(const char *text, EVP_PKEY *pkey, struct qt_err *err)
{
	struct dsse_env *e = NULL;
	size_t idx;
	int v;

	qt_err_clear(err);
	if (dsse_parse("e.json", (const uint8_t *)text, strlen(text), &e, err) < 0)
		return -2;
	v = dsse_verify("e.json", e, pkey, "k.pem", &idx, err);
	dsse_free(e);
	return v;
}

static void
test_vector(struct unit *u)
{
	static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	struct wbuf pae = { 0 };
	struct dsse_env *e = NULL;
	struct qt_err err = { 0 };
	uint8_t *buf = NULL, *der = NULL;
	size_t len, der_len, idx;
	EVP_PKEY *pub = load_pub(DFX "/vector-pub.pem");

	CHECK(u, pub != NULL);
	CHECK(u, dsse_pae("http://example.com/HelloWorld", 29, (const uint8_t *)"hello world", 11,
	             &pae, &err) == 0);
	CHECK(u, pae.len == strlen(want));
	CHECK_MEM(u, pae.p, want, strlen(want));
	CHECK(u, fileio_read_all(DFX "/vector.json", DSSE_MAX, &buf, &len, &err) == 0);
	CHECK(u, dsse_parse("vector.json", buf, len, &e, &err) == 0);
	if (e == NULL || pub == NULL)
		goto out;
	CHECK_STR(u, e->type, "http://example.com/HelloWorld");
	CHECK(u, e->payload_len == 11 && memcmp(e->payload, "hello world", 11) == 0);
	CHECK(u, e->nsigs == 1 && e->sigs[0].keyid == NULL && e->sigs[0].sig_len == 64);
	/* The vector's signature is raw r||s: as published it is no DER signature. */
	CHECK(u, dsse_verify("vector.json", e, pub, "vector-pub.pem", &idx, &err) == 1);
	CHECK_STR(u, err.msg, "vector.json: no signature verifies with vector-pub.pem");
	qt_err_clear(&err);
	CHECK(u, cose_rs_to_der(e->sigs[0].sig, 64, &der, &der_len, &err) == 0);
	CHECK(u, dsse_verify_sig("v", pub, pae.p, pae.len, der, der_len, &err) == 0);
	pae.p[pae.len - 1] ^= 1;
	CHECK(u, dsse_verify_sig("v", pub, pae.p, pae.len, der, der_len, &err) == 1);
	CHECK_STR(u, err.msg, "v: signature does not verify");
out:
	free(buf);
	free(der);
	wbuf_free(&pae);
	dsse_free(e);
	EVP_PKEY_free(pub);
}

static void
sign_verify(struct unit *u, const char *key, const char *cert, size_t der_max)
{
	struct signer_opts o = { key, cert, NULL, NULL, false, NOW };
	static const char body[] = "{\"_type\":\"https://in-toto.io/Statement/v1\"}";
	static const char prefix[] = "{\n  \"payloadType\": \"application/vnd.in-toto+json\",\n"
	                             "  \"payload\": \"eyJfdHlwZSI6";
	struct signer *s = NULL;
	struct dsse_env *e = NULL;
	struct qt_err err = { 0 };
	char *text = NULL, keyid[65], *p;
	size_t len, idx = 99;
	EVP_PKEY *other = NULL;
	X509 *oc = NULL;
	uint8_t *pem = NULL;
	size_t pem_len;

	CHECK(u, signer_new(&o, &s, &err) == 0);
	if (s == NULL)
		return;
	CHECK(u, dsse_sign(s, DSSE_INTOTO_TYPE, (const uint8_t *)body, strlen(body), &text, &len,
	             &err) == 0);
	CHECK(u, dsse_keyid(signer_cert(s), keyid, &err) == 0);
	CHECK(u, text != NULL && strstr(text, keyid) != NULL && text[len - 1] == '\n');
	CHECK(u, text != NULL && strncmp(text, prefix, strlen(prefix)) == 0);
	CHECK(u, dsse_parse("e.json", (const uint8_t *)text, len, &e, &err) == 0);
	if (e == NULL)
		goto out;
	CHECK(u, e->payload_len == strlen(body) && memcmp(e->payload, body, strlen(body)) == 0);
	CHECK(u, e->sigs[0].sig_len >= 8 && e->sigs[0].sig_len <= der_max);
	CHECK(u, e->sigs[0].sig[0] == 0x30); /* DER SEQUENCE, not r||s */
	CHECK(u, dsse_verify("e.json", e, X509_get0_pubkey(signer_cert(s)), "c", &idx, &err) == 0);
	CHECK(u, idx == 0);
	/* Another key: refused with 1. */
	CHECK(u, fileio_read_all(SFX "/cert-p384b.pem", 1 << 16, &pem, &pem_len, &err) == 0);
	CHECK(u, x509_pem_first("b", pem, pem_len, &oc, &err) == 0);
	if (oc != NULL) {
		other = X509_get0_pubkey(oc);
		CHECK(u, check(text, other, &err) == 1);
		CHECK_STR(u, err.msg, "e.json: no signature verifies with k.pem");
	}
	/* One payload character changed: refused with 1. */
	p = strstr(text, "eyJfdHlwZSI6");
	if (p != NULL) {
		p[3] = 'K';
		CHECK(u, check(text, X509_get0_pubkey(signer_cert(s)), &err) == 1);
	}
out:
	X509_free(oc);
	free(pem);
	free(text);
	dsse_free(e);
	signer_free(s);
}

static void
test_parse_errors(struct unit *u)
{
	struct qt_err err = { 0 };
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[]", "e.json: envelope is not a JSON object" },
		{ "{\"payload\":\"\",\"signatures\":[{\"sig\":\"\"}]}",
		    "e.json: envelope has no payloadType" },
		{ "{\"payloadType\":\"t\",\"signatures\":[]}", "e.json: envelope has no payload" },
		{ "{\"payloadType\":\"t\",\"payload\":\"aa=a\",\"signatures\":[{\"sig\":\"\"}]}",
		    "e.json: payload is not base64" },
		{ "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[]}",
		    "e.json: signatures is not a non-empty array" },
		{ "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"keyid\":\"k\"}]}",
		    "e.json: signatures[0] has no sig" },
		{ "{\"payloadType\":1,\"payload\":\"\",\"signatures\":[{\"sig\":\"\"}]}",
		    "e.json: payloadType is not a string" },
		{ "{\"payloadType\":\"t\",\"payloadType\":\"u\"}",
		    "e.json: not JSON: duplicate object key near '\"payloadType\"' (line 1)" },
		{ "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[1]}",
		    "e.json: signatures[0] is not an object" },
		{ "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{},{},{},{},{},{},{},{},"
		  "{},{},{},{},"
		  "{},{},{},{},{}]}",
		    "e.json: more than 16 signatures" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(u, check(cases[i].text, NULL, &err) == -2);
		CHECK_STR(u, err.msg, cases[i].msg);
	}
	/* URL-safe base64 without padding is accepted (the protocol: verifiers accept both). */
	{
		struct dsse_env *e = NULL;
		static const char t[] =
		    "{\"payloadType\":\"t\",\"payload\":\"-_8\",\"signatures\":[{\"sig\":\"AA\"}]}";

		qt_err_clear(&err);
		CHECK(u, dsse_parse("e.json", (const uint8_t *)t, strlen(t), &e, &err) == 0);
		CHECK(u, e != NULL && e->payload_len == 2 && e->payload[0] == 0xfb &&
		             e->payload[1] == 0xff);
		dsse_free(e);
	}
}

int
main(void)
{
	struct unit u = { 0 };

	test_vector(&u);
	sign_verify(&u, SFX "/key-p256.pem", SFX "/cert-p256.pem", 72);
	sign_verify(&u, FIXTURES "/golden/inputs/key-p384.pem",
	    FIXTURES "/golden/inputs/cert-p384.pem", 104);
	sign_verify(&u, SFX "/key-p521.pem", SFX "/cert-p521.pem", 139);
	test_parse_errors(&u);
	return unit_end(&u);
}
